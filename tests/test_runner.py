"""`geneft run`: parameters typed and checked before anything runs; a run writes its record."""
import json
import re
import subprocess
import sys

import pytest

from geneft.cli import main
from geneft.profiles import PROFILES
from geneft.runner import CHAPTERS, book_dir, parse_parameter


@pytest.mark.parametrize("chapter, name, text, value", [
    ("statics", "n", "12", 12),
    ("statics", "lr", "3e-3", 3e-3),
    ("statics", "fractions", "0.2,0.6", [0.2, 0.6]),
    ("goldilocks", "widths", "[2, 10]", [2, 10]),
    ("goldilocks", "cache", "none", None),
    ("goldilocks", "cache", "/tmp/x", "/tmp/x"),
    ("statics", "mc_relations", "mod3,greater", ["mod3", "greater"]),
    ("repons", "save_results", "true", True),
    ("repons", "save_results", "No", False),
    ("duality", "lrs", "[0.05, 0.1]", [0.05, 0.1]),        # empty at quick, floats at full
    ("twolayer", "contrast_a0s", "1,10", [1.0, 10.0]),
], ids=["int", "float", "list", "json-list", "none", "path", "str-list", "bool", "bool-no",
        "empty-list", "float-list"])
def test_parameters_are_parsed_with_their_declared_type(chapter, name, text, value):
    assert parse_parameter(chapter, name, text) == value


@pytest.mark.parametrize("argv, message", [
    (["run", "nope"], "chapter must be one of"),
    (["run", "statics", "-p", "stepz", "3"], "unknown parameter 'stepz'.*valid"),
    (["run", "statics", "-p", "steps", "abc"], "takes an integer"),
    (["run", "goldilocks", "-p", "seeds", "0"], "seeds must be a positive integer"),
    (["run", "all", "-p", "bogus", "1"], "belong to no chapter"),
    (["run", "statics", "--profile", "huge"], "invalid choice"),
    (["run", "repons", "-p", "save_results", "maybe"], "takes true or false"),
], ids=["chapter", "name", "type", "range", "all", "profile", "bool"])
def test_bad_run_requests_fail_before_running(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert re.search(message, capsys.readouterr().err)


def test_every_chapter_has_a_source():
    assert all((book_dir() / f"{c}.md").exists() for c in CHAPTERS)


@pytest.mark.slow
def test_run_writes_notebook_and_record(tmp_path):
    cmd = [sys.executable, "-m", "geneft.cli", "run", "statics", "-p", "n", "12",
           "-p", "mc_fractions", "0.1,0.3", "-p", "mc_draws", "2", "-p", "fractions", "0.2,0.6",
           "-p", "seeds", "2", "-p", "steps", "20", "-p", "ideal_steps", "20",
           "--device", "cpu", "--out", str(tmp_path), "--quiet"]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    record = json.loads((tmp_path / "statics-quick.json").read_text())
    assert record["status"] == "ok" and record["parameters"]["n"] == 12
    assert record["parameters"]["depth"] == 2            # filled in from the profile
    assert len(record["git_commit"]) == 40 and record["wall_s"] > 0
    assert {"torch", "numpy", "geneft", "python"} <= set(record["versions"])
    nb = json.loads((tmp_path / "statics-quick.ipynb").read_text())
    assert any("injected-parameters" in c["metadata"].get("tags", []) for c in nb["cells"])


def glued(path):
    """{name: text} of every myst-nb glue output of an executed notebook."""
    nb = json.loads(path.read_text())
    return {o["metadata"]["scrapbook"]["name"]: o["data"].get("text/plain")
            for c in nb["cells"] for o in c.get("outputs", [])
            if "scrapbook" in o.get("metadata", {})}


@pytest.mark.slow
def test_sharded_chapter_merged_from_separate_caches_equals_an_unsharded_run(tmp_path, capsys):
    """Two shards fill their own caches; `geneft merge --from` gathers them and finishes the
    chapter without training a sweep run, with the numbers of one unsharded run."""
    tiny = ["-p", "ratios", "0.1,1", "-p", "mc_draws", "200", "-p", "gd_draws", "10",
            "-p", "gd_steps", "20", "-p", "n", "9", "-p", "depth", "1", "-p", "width", "4",
            "-p", "grid", "3", "-p", "steps", "30", "-p", "eval_every", "10",
            "-p", "workers", "2", "--device", "cpu", "--quiet"]
    status = {}
    for shard in ("1/2", "2/2"):
        out = tmp_path / shard.replace("/", "of")
        assert main(["run", "repons", *tiny, "--shard", shard, "--out", str(out),
                     "-p", "cache", str(out / "cache")]) == 0
        name = f"repons-quick-shard{shard.replace('/', 'of')}.json"
        status[shard] = json.loads((out / name).read_text())["status"]
    assert status == {"1/2": "shard-done", "2/2": "shard-done"}   # neither has the other's runs
    merged = ["merge", "repons", *tiny, "--out", str(tmp_path / "merged"),
              "-p", "cache", str(tmp_path / "merged" / "cache")]
    assert main([*merged, "--from", str(tmp_path / "1of2" / "cache")]) == 1   # shard 2 missing
    assert "incomplete" in capsys.readouterr().err
    assert main([*merged, "--from", str(tmp_path / "2of2" / "cache")]) == 0
    record = json.loads((tmp_path / "merged" / "repons-quick.json").read_text())
    assert record["status"] == "ok" and record["shard"] == "merge"
    assert main(["run", "repons", *tiny, "--out", str(tmp_path / "whole"),
                 "-p", "cache", "off"]) == 0
    ours, theirs = glued(tmp_path / "merged" / "repons-quick.ipynb"), \
        glued(tmp_path / "whole" / "repons-quick.ipynb")
    assert "rp_slope" in ours and ours == theirs


def test_one_version_everywhere():
    """The package, pyproject.toml and CITATION.cff carry the same version."""
    import geneft
    root = book_dir().parent
    pyproject = re.search(r'^version = "([^"]+)"', (root / "pyproject.toml").read_text(), re.M)
    citation = re.search(r"^version: (\S+)", (root / "CITATION.cff").read_text(), re.M)
    assert pyproject.group(1) == citation.group(1) == geneft.__version__
    assert f"## {geneft.__version__}" in (root / "CHANGELOG.md").read_text()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_papermill_reads_every_parameter_of_the_parameters_cell(chapter, tmp_path):
    """papermill's parser (used by `papermill --help-notebook` and for typing -p values) must
    read each line of the cell; a comment holding '=' once made it drop a parameter."""
    from dataclasses import fields

    jupytext = pytest.importorskip("jupytext")
    papermill = pytest.importorskip("papermill")
    path = tmp_path / f"{chapter}.ipynb"
    jupytext.write(jupytext.read(book_dir() / f"{chapter}.md"), path)
    names = set(papermill.inspect_notebook(str(path)))
    assert names == {"profile"} | {f.name for f in fields(PROFILES[chapter]["quick"])}
