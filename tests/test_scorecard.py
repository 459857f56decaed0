"""Scorecard rows: statuses decided from checks, rendered as a linked HTML table."""
import re

import pytest

from geneft import scorecard
from geneft.scorecard import STATUSES, Claim, html, status


@pytest.mark.parametrize("checks, expected", [
    (True, "reproduced"), (False, "not reproduced"), ([True, True], "reproduced"),
    ([True, False], "partly"), ([False, False], "not reproduced")])
def test_status_from_checks(checks, expected):
    assert status(checks) == expected


def test_status_needs_a_check_and_claims_a_known_status():
    with pytest.raises(ValueError, match="at least one"):
        status([])
    with pytest.raises(ValueError, match="status must be one of"):
        Claim("Fig. 1", "c", "p", "o", "t", "fine", "anchor")


def test_html_links_each_claim_to_its_section_and_escapes_text():
    rows = [Claim("Fig. 5", "ratio <~ 10", "10", "17.8", "x3", "reproduced", "rp-phase",
                  full="12.0"),
            Claim("Fig. 8", "not shifted", "none", "shift 2.3", "x3", "partly", "rp-phase")]
    page = html("repons", rows).data
    assert '<a href="repons.html#rp-phase">Fig. 5</a>' in page
    assert "ratio &lt;~ 10" in page and '<td data-label="Ours (full size)">12.0</td>' in page
    assert '<td data-label="Ours (full size)">not stored</td>' in page
    # every cell is labelled with its column's header (a phone shows the rows as cards)
    heads = re.findall(r"<th>(.*?)</th>", page)
    labels = re.findall(r'<td data-label="([^"]*)">', page)
    assert len(heads) == 7 and labels == heads * 2
    assert f'{STATUSES["partly"]} partly' in page and page.count("<tr>") == 3


def test_uncounted_rows_are_shown_but_left_out_of_the_tally():
    rows = [scorecard.Claim("Fig. 2", "a", "p", "o", "t", "reproduced", "x"),
            scorecard.Claim("Bridge", "b", "p", "o", "t", "reproduced", "x", counted=False)]
    assert scorecard.tally(rows)["reproduced"] == 1
    html = scorecard.html("duality", rows).data
    assert html.count('class="score score-reproduced">') == 1      # what the book's tally counts
    assert 'data-counted="no"' in html and "not counted" in html
    assert f'{STATUSES["reproduced"]} holds</span>' in html    # an own check is not "reproduced"


def test_with_full_takes_each_rows_full_size_value_and_status_from_the_same_claim():
    quick = [Claim("Fig. 7", "a maximum", "p", "best 2", "2 se", "partly", "x"),
             Claim("Thm 1", "clusters", "p", "rho 0.3", "p < 0.01", "reproduced", "y")]
    full = [Claim("Thm 1", "clusters", "p", "rho 0.5", "p < 0.01", "reproduced", "y"),
            Claim("Fig. 7", "a maximum", "p", "best 1", "2 se", "not reproduced", "x")]
    rows = scorecard.with_full(quick, full)
    assert [(r.full, r.full_status) for r in rows] == [("best 1", "not reproduced"),
                                                       ("rho 0.5", "reproduced")]
    assert [r.status for r in rows] == ["partly", "reproduced"]        # quick statuses kept
    assert scorecard.with_full(quick, None) == quick
    with pytest.raises(ValueError, match="lacks the rows"):
        scorecard.with_full(quick, full[:1])
    custom = [Claim("Fig. 7", "a maximum (width 4)", "p", "best 1", "2 se", "partly", "x")]
    assert scorecard.with_full(custom, full)[0].full == "best 1"   # matched by item
    with pytest.raises(ValueError, match="each item once"):
        scorecard.with_full(quick + quick[:1], full)
    with pytest.raises(ValueError, match="full_status must be one of"):
        Claim("A", "a", "p", "o", "t", "partly", "x", full_status="fine")


def test_full_size_status_is_shown_but_not_counted_twice_by_the_tally():
    rows = scorecard.with_full([Claim("A", "a", "p", "o", "t", "partly", "x")],
                               [Claim("A", "a", "p", "o2", "t", "reproduced", "x")])
    page = html("ch", rows).data
    assert f'{STATUSES["reproduced"]} reproduced</span>: o2' in page
    assert page.count('class="score score-') == 1                       # the quick status only


def test_glue_puts_the_rows_under_the_key_the_scorecard_page_reads(monkeypatch):
    glued = {}

    def record(key, value, display):
        glued[key] = (value.data, display)
    monkeypatch.setattr("myst_nb.glue", record)
    claims = [Claim("Fig. 2", "a", "p", "o", "t", "reproduced", "x")]
    scorecard.glue("statics", claims)
    assert glued == {"scorecard": (html("statics", claims).data, False)}
