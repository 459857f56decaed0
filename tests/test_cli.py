import json
import math
import subprocess
import sys

import pytest

from geneft.cli import main
from geneft.profiles import PROFILES, from_namespace, resolve
from geneft.tasks import parse_relation


def test_statics_json_greater(capsys):
    assert main(["statics", "--relation", "greater", "--n", "30", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["aut"] == "1" and out["relation"] == "greater" and out["n"] == 30
    assert out["bits_exact"] == pytest.approx(math.log2(math.factorial(30)), rel=1e-12)
    assert {"bits_paper", "p_star", "p_crude", "p_crude_exact"} <= set(out)


def test_statics_mod3_aut_is_exact_integer(capsys):
    main(["statics", "--relation", "mod", "--k", "3", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert int(out["aut"]) == math.factorial(3) * math.factorial(10) ** 3


@pytest.mark.parametrize("argv, match", [
    (["statics", "--relation", "foo"], "invalid choice"),
    (["statics", "--relation", "mod", "--k", "1"], "k must be in 2..30"),
    (["statics", "--relation", "greater", "--a", "3"], "--a applies only"),
    (["statics", "--relation", "bipartite", "--a", "30"], "a must be in 1..29"),
    (["statics", "--relation", "mod", "--alpha", "1.5"], "--alpha"),
    (["statics", "--relation", "mod", "--n", "x"], "invalid int value"),
])
def test_bad_flags_one_line_exit_2(argv, match, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and match in err and len(err.strip().splitlines()) == 1


def test_console_script_help():
    out = subprocess.run([sys.executable, "-m", "geneft.cli", "statics", "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert "--relation" in out and "--alpha" in out


def test_profiles_resolve_and_validate():
    assert resolve("statics") == PROFILES["statics"]["quick"]
    assert resolve("statics", "full").width == 50
    assert from_namespace("statics", {"profile": "quick", "steps": 7, "n": None}).steps == 7
    for kwargs, match in [(dict(chapter="nope"), "chapter must be one of"),
                          (dict(chapter="statics", profile="huge"), "profile must be one of"),
                          (dict(chapter="statics", stepz=3), "unknown parameter"),
                          (dict(chapter="statics", steps=-1), "steps must be"),
                          (dict(chapter="statics", fractions=[0.5, 1.2]), "fractions must be"),
                          (dict(chapter="statics", trained_relations=["mod1"]),
                           "not understood|k must")]:
        with pytest.raises(ValueError, match=match):
            resolve(**kwargs)
    assert parse_relation("bipartite10", 30).params == {"a": 10}


@pytest.mark.parametrize("given, message", [
    (dict(relation="greater"), "relation must be an equivalence"),
    (dict(widths=[0]), "widths must be"),
    (dict(workers=0), "workers must be"),
    (dict(threshold=1.2), "threshold must be"),
    (dict(cache=3), "cache must be"),
], ids=["order", "width", "workers", "threshold", "cache"])
def test_goldilocks_parameters_are_checked(given, message):
    with pytest.raises(ValueError, match=message):
        resolve("goldilocks", **given)


def test_goldilocks_full_profile_is_the_paper_size():
    full = resolve("goldilocks", "full")
    assert full.widths == (2, 5, 10, 20, 50, 100) and full.seeds == 10 and full.steps == 10_000


@pytest.mark.parametrize("given, message", [
    (dict(lr_min=0.1, lr_max=0.01), "lr_min and lr_max"),
    (dict(ratios=[]), "ratios must be"),
    (dict(weight_decay=0), "weight_decay must be"),
    (dict(grid=0), "grid must be"),
    (dict(save_results="yes"), "save_results must be true or false"),
], ids=["lr-order", "ratios", "wd", "grid", "save"])
def test_repons_parameters_are_checked(given, message):
    with pytest.raises(ValueError, match=message):
        resolve("repons", **given)


@pytest.mark.parametrize("given, message", [
    (dict(workers=0), "workers must be"),
    (dict(cache=3), "cache must be"),
    (dict(device="tpu"), "device must be one of"),
    (dict(save_results="yes"), "save_results must be true or false"),
], ids=["workers", "cache", "device", "save"])
def test_statics_engine_parameters_are_checked(given, message):
    with pytest.raises(ValueError, match=message):
        resolve("statics", **given)


def test_help_lists_every_chapter_that_run_knows():
    from geneft.cli import CHAPTER_NAMES
    from geneft.runner import CHAPTERS
    assert CHAPTER_NAMES == CHAPTERS


def test_help_and_statics_do_not_import_torch():
    """`geneft --help` and `geneft statics` answer fast: nothing they run loads torch."""
    import subprocess
    import sys
    code = ("import sys; from geneft.cli import main; main(['statics', '--relation', 'greater',"
            " '--n', '12', '--json']); assert 'torch' not in sys.modules, 'torch was imported'")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
