"""The book's scorecard tally (_ext/scorecard_tally.py) counts what the chapters glue."""
import json
import sys
from pathlib import Path

from geneft import scorecard

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))
import scorecard_tally  # noqa: E402
from docutils import nodes  # noqa: E402
from docutils_tables import table  # noqa: E402


def test_tally_counts_each_status_of_a_glued_scorecard_and_skips_uncounted_rows(tmp_path):
    rows = [scorecard.Claim("A", "a", "p", "o", "t", "reproduced", "x"),
            scorecard.Claim("B", "b", "p", "o", "t", "partly", "x"),
            scorecard.Claim("C", "c", "p", "o", "t", "not reproduced", "x"),
            scorecard.Claim("D", "d", "p", "o", "t", "reproduced", "x", counted=False)]
    glue = {"scorecard": {"data": {"text/html": scorecard.html("ch", rows).data}}}
    (tmp_path / "ch.glue.json").write_text(json.dumps(glue))
    assert scorecard_tally.counts(tmp_path / "ch.glue.json") == {
        "reproduced": 1, "partly": 1, "not-reproduced": 1, "not-testable": 0}
    assert scorecard_tally.counts(tmp_path / "missing.glue.json") is None


def test_tally_counts_full_size_statuses_of_counted_rows_that_have_one(tmp_path):
    quick = [scorecard.Claim("A", "a", "p", "o", "t", "reproduced", "x"),
             scorecard.Claim("B", "b", "p", "o", "t", "partly", "x"),
             scorecard.Claim("C", "c", "p", "o", "t", "partly", "x"),
             scorecard.Claim("D", "d", "p", "o", "t", "reproduced", "x", counted=False)]
    full = [scorecard.Claim("A", "a", "p", "o", "t", "not reproduced", "x"),
            scorecard.Claim("B", "b", "p", "o", "t", "reproduced", "x"),
            scorecard.Claim("D", "d", "p", "o", "t", "reproduced", "x", counted=False)]
    rows = scorecard.with_full(quick[:2] + quick[3:], full) + [quick[2]]   # C: nothing stored
    glue = {"scorecard": {"data": {"text/html": scorecard.html("ch", rows).data}}}
    (tmp_path / "ch.glue.json").write_text(json.dumps(glue))
    assert scorecard_tally.counts(tmp_path / "ch.glue.json", full=True) == {
        "reproduced": 1, "partly": 0, "not-reproduced": 1, "not-testable": 0}
    assert scorecard_tally._compact({"reproduced": 1, "partly": 0, "not-reproduced": 1,
                                     "not-testable": 0}) == "1 ✔ 1 ✘"
    assert scorecard_tally._compact(dict.fromkeys(scorecard_tally.STATUSES, 0)) == "–"


def test_table_has_its_head_and_rows_and_keeps_node_cells():
    link = nodes.reference("", "ch 1", refuri="statics.html")
    node = table(["a", "b"], [[link, 2], ["x", 3.5]], ["extra"])
    assert node["classes"] == ["geneft-table", "extra"]
    rows = list(node.findall(nodes.row))
    assert [[e.astext() for e in r.children] for r in rows] == [["a", "b"], ["ch 1", "2"],
                                                                ["x", "3.5"]]
    assert next(rows[1].findall(nodes.reference))["refuri"] == "statics.html"
