"""Hardening, class 6 (values that passed validation and failed later): every parameter is
checked where it enters, by the one validation layer in geneft.profiles (finite, ranged, sized
by a cost estimate) that the library, the CLI and the chapters' parameters cell share."""
import math

import numpy as np
import pytest

from geneft import profiles
from geneft.cli import main
from geneft.profiles import from_namespace, injected_names, resolve
from geneft.sweeps import Run

INF, NAN = math.inf, math.nan

# (chapter, parameter, an infinite value of its type): every float parameter of every chapter.
FLOATS = [
    ("statics", "lr", INF), ("statics", "alpha", INF), ("statics", "mc_fractions", [INF]),
    ("statics", "fractions", [0.5, INF]),
    ("goldilocks", "fraction", INF), ("goldilocks", "lr", INF), ("goldilocks", "init_scale", INF),
    ("goldilocks", "threshold", INF),
    ("repons", "ratios", [1.0, INF]), ("repons", "lr_min", INF), ("repons", "lr_max", INF),
    ("repons", "weight_decay", INF), ("repons", "fraction", INF), ("repons", "threshold", INF),
    ("fieldtheory", "powers", [1.0, INF, 0.25]), ("fieldtheory", "sigma2_list", [INF]),
    ("fieldtheory", "langevin_lr", INF),
    ("twolayer", "alphas", [8, INF]), ("twolayer", "contrast_a0s", [INF]),
    ("twolayer", "noise_alphas", [INF]), ("twolayer", "a0", INF), ("twolayer", "tau", INF),
    ("twolayer", "eta", INF),
    ("duality", "lr", INF), ("duality", "beta", INF), ("duality", "init_scale", INF),
    ("duality", "dropout", INF), ("duality", "lrs", [INF]), ("duality", "betas", [0.0, INF]),
    ("duality", "init_scales", [INF]), ("duality", "bridge_fraction", INF),
    ("duality", "bridge_generalizing", [1e-2, INF]), ("duality", "bridge_memorizing", [INF, 1.0]),
]


@pytest.mark.parametrize("chapter, name, value", FLOATS,
                         ids=[f"{c}-{n}" for c, n, _ in FLOATS])
def test_an_infinite_number_is_refused_naming_the_parameter(chapter, name, value):
    with pytest.raises(ValueError, match=f"{name}.* must"):
        resolve(chapter, **{name: value})


@pytest.mark.parametrize("chapter, name, value", [
    ("goldilocks", "lr", NAN), ("repons", "weight_decay", NAN), ("twolayer", "alphas", [NAN]),
    ("duality", "beta", NAN),
], ids=["lr", "weight_decay", "alphas", "beta"])
def test_nan_is_refused_naming_the_parameter(chapter, name, value):
    with pytest.raises(ValueError, match=f"{name}.* must"):
        resolve(chapter, **{name: value})


# Sizes: a hard limit where memory runs out first, else the work estimate against the full
# profile's (hours of silent computing, or years).
HUGE = [
    ("goldilocks", dict(n=100_000), r"n must be a positive integer <= 100, got 100000"),
    ("statics", dict(n=10**9), r"n must be a positive integer <= 100"),
    ("repons", dict(width=10**6), r"width must be a positive integer <= 1,024"),
    ("goldilocks", dict(widths=[2, 10**6]), r"widths must be .* <= 1,024"),
    ("twolayer", dict(d=10**7), r"d must be a positive integer <= 10,000"),
    ("goldilocks", dict(steps=10**9), r"goldilocks chapter's .* times the work .*steps = 10+"),
    ("repons", dict(steps=10**9), r"phase grid .* limit is 100 .*steps = 1000000000"),
    ("statics", dict(seeds=10**6), r"statics chapter's .*seeds = 1000000"),
    ("goldilocks", dict(compare_seeds=10**6), r"second map .*compare_seeds = 1000000"),
    ("repons", dict(mc_draws=10**12), r"Monte Carlo .*mc_draws = 1000000000000"),
    ("twolayer", dict(steps=10**9), r"main runs .*steps = 1000000000"),
    ("fieldtheory", dict(n_list=[16, 10**6]), r"learning curves .*n_list"),
    ("duality", dict(max_epochs=10**9), r"max_epochs = 1000000000"),
    ("goldilocks", dict(workers=10**6), r"workers must be a positive integer <= 256"),
    ("goldilocks", dict(relation="mod100"), r"relation: k must be in 2\.\.30, got 100"),
]


@pytest.mark.parametrize("chapter, given, message", HUGE,
                         ids=[f"{c}-{next(iter(g))}" for c, g, _ in HUGE])
def test_a_size_beyond_the_limits_is_refused_with_them(chapter, given, message):
    with pytest.raises(ValueError, match=message):
        resolve(chapter, **given)


def test_the_work_limit_is_stated_and_can_be_raised(monkeypatch):
    assert max(profiles.work_ratios("goldilocks", resolve("goldilocks", "full")).values()) == 1
    monkeypatch.setenv("GENEFT_MAX_WORK", "1e6")
    assert resolve("goldilocks", steps=10**9).steps == 10**9
    monkeypatch.setenv("GENEFT_MAX_WORK", "lots")
    with pytest.raises(ValueError, match="GENEFT_MAX_WORK must be a number"):
        resolve("goldilocks", steps=10**9)


SPLITS = [
    ("statics", dict(n=2), r"mc_fractions 0\.03 of 4 pairs gives 0 train"),
    ("goldilocks", dict(fraction=0.0001), r"fraction 0\.0001 of 900 pairs gives 0 train"),
    ("repons", dict(fraction=0.9999), r"gives 900 train and 0 test pairs.*\[0\.00111, 0\.999\]"),
    ("duality", dict(bridge_fraction=0.9999), r"bridge_fraction .* 0 test pairs"),
]


@pytest.mark.parametrize("chapter, given, message", SPLITS,
                         ids=[c for c, _, _ in SPLITS])
def test_a_split_with_an_empty_train_or_test_set_is_refused(chapter, given, message):
    with pytest.raises(ValueError, match=message):
        resolve(chapter, **given)


@pytest.mark.parametrize("given, message", [
    (dict(n=3, fraction=0.05), r"fraction 0\.05 of 9 pairs gives 0 train and 9 test"),
    (dict(n=3, fraction=0.95), r"gives 9 train and 0 test"),
    (dict(n=10**6), r"n must be in 2\.\.100"),
    (dict(width=10**6), r"width must be in 1\.\.1024"),
    (dict(init_scale=INF), r"init_scale must be a finite number"),
    (dict(weight_decay=NAN), r"weight_decay must be a finite number"),
    (dict(relation=3), r"relation must be a name such as"),
    (dict(steps=10**12), r"steps must be in 1\.\.100000000"),
    (dict(seed=10**30), r"seed must be in 0\.\.9223372036854775807"),
    (dict(seed=-1), r"seed must be in 0\.\.9223372036854775807, got -1"),
], ids=["no-train-pair", "no-test-pair", "huge-n", "huge-width", "inf-init", "nan-wd",
        "relation-type", "huge-steps", "huge-seed", "negative-seed"])
def test_a_run_checks_its_settings(given, message):
    with pytest.raises(ValueError, match=message):
        Run(**given)


# A value of another type than declared: converted where the meaning is plain, else refused.
@pytest.mark.parametrize("chapter, given, field, expected", [
    ("goldilocks", dict(depths=3), "depths", (3,)),
    ("duality", dict(lrs=0.05), "lrs", (0.05,)),
    ("goldilocks", dict(widths=np.array([2, 10])), "widths", (2, 10)),
    ("goldilocks", dict(seeds=np.int64(3)), "seeds", 3),
    ("repons", dict(lr_max=np.float32(0.5)), "lr_max", 0.5),
    ("twolayer", dict(alphas=[np.int64(8), 16]), "alphas", (8, 16)),
    ("statics", dict(mc_relations="mod5"), "mc_relations", ("mod5",)),
], ids=["scalar-depths", "scalar-lrs", "array", "numpy-int", "numpy-float", "numpy-items",
        "one-name"])
def test_plain_values_of_another_type_are_converted(chapter, given, field, expected):
    value = getattr(resolve(chapter, **given), field)
    assert value == expected and type(value) is type(expected)
    if isinstance(value, tuple):
        assert all(type(v) in (int, float, str) for v in value)


@pytest.mark.parametrize("chapter, given, message", [
    ("goldilocks", dict(widths="2,5"), r"widths must be a list such as \[2, 5, 10, 20\], got the"),
    ("goldilocks", dict(seeds=3.0), r"seeds must be a positive integer, got 3\.0"),
    ("goldilocks", dict(n="30"), r"n must be a positive integer"),
    ("repons", dict(relation=3), r"relation must be a relation name"),
    ("statics", dict(trained_relations=[3]), r"trained_relations must be a relation name"),
    ("statics", dict(mc_relations="mod3,greater"), r"mc_relations: relation 'mod3,greater' not"),
    ("repons", dict(save_results="yes"), r"save_results must be true or false"),
    ("statics", dict(activation=["tanh"]), r"activation must be one of"),
    ("goldilocks", dict(depths=[]), r"depths must be a non-empty list"),
], ids=["text-for-list", "float-for-int", "text-for-int", "int-for-relation",
        "int-in-relations", "names-in-one-text", "text-for-bool", "list-for-choice",
        "empty-list"])
def test_a_value_of_the_wrong_type_is_refused_naming_the_parameter(chapter, given, message):
    with pytest.raises(ValueError, match=message):
        resolve(chapter, **given)


@pytest.mark.parametrize("chapter, profile", [("nope", "quick"), ("statics", ["quick"]),
                                              (None, "quick")], ids=["chapter", "profile",
                                                                     "none"])
def test_a_bad_chapter_or_profile_is_named(chapter, profile):
    with pytest.raises(ValueError, match="chapter must be one of|profile must be one of"):
        resolve(chapter, profile)


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="this machine has CUDA")
@pytest.mark.parametrize("chapter", ["statics", "goldilocks", "twolayer"])
def test_cuda_without_cuda_is_refused_before_running(chapter):
    with pytest.raises(ValueError, match=r"device must be one of \['auto', 'cpu'\] on this"):
        resolve(chapter, device="cuda")


def papermill_namespace(source: str, **values) -> dict:
    """A kernel's globals after papermill injected `source` (IPython keeps it in `In`)."""
    return {"In": ["", "import numpy", source], "profile": "quick", **values}


def test_an_unknown_papermill_parameter_is_an_error_naming_it():
    namespace = papermill_namespace("# Parameters\nprofile = \"quick\"\nstepz = 5\n", stepz=5)
    assert injected_names(namespace) == ["profile", "stepz"]
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['stepz'\] for chapter "
                                         r"'goldilocks'; valid: \['n', "):
        from_namespace("goldilocks", namespace)


def test_known_papermill_parameters_are_used():
    namespace = papermill_namespace("# Parameters\nseeds = 2\ndepths = 3\n", seeds=2, depths=3)
    got = from_namespace("goldilocks", namespace)
    assert got.seeds == 2 and got.depths == (3,)
    assert injected_names({"In": ["# Parameters\nthis is not python"]}) == []
    assert injected_names({}) == []


def test_papermill_alone_stops_at_an_unknown_parameter(tmp_path):
    """The chapters' parameters cell, run by papermill itself: papermill only logs a warning
    about an unknown name; the cell that reads the parameters raises, naming it."""
    nbformat = pytest.importorskip("nbformat")
    papermill = pytest.importorskip("papermill")
    cell = nbformat.v4.new_code_cell('profile = "quick"\nseeds = None')
    cell.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[cell, nbformat.v4.new_code_cell(
        'from geneft.profiles import from_namespace\nP = from_namespace("statics", globals())')])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    with pytest.raises(papermill.PapermillExecutionError, match=r"\['bogus'\]"):
        papermill.execute_notebook(nb, str(tmp_path / "out.ipynb"), kernel_name="python3",
                                   parameters={"seeds": 2, "bogus": 1}, progress_bar=False)


@pytest.mark.parametrize("argv, message", [
    (["statics", "--relation", "mod", "--k", "100"], "k must be in 2..30, got 100"),
    (["statics", "--relation", "mod", "--n", "100000"], "n must be in 2..1000, got 100000"),
    (["statics", "--relation", "mod", "--alpha", "inf"], "--alpha must be in the open interval"),
    (["run", "goldilocks", "-p", "steps", "1000000000"], "times the work of its full profile"),
    (["run", "twolayer", "-p", "tau", "inf"], "tau must be a finite positive number"),
    (["run", "repons", "-p", "seeds", "1e3"], "takes an integer"),
    (["run", "goldilocks", "-p", "cache", ""], "cache must be a directory path"),
], ids=["k-above-n", "huge-n", "inf-alpha", "huge-steps", "inf-tau", "float-seeds",
        "empty-cache"])
def test_the_cli_gives_the_same_errors_in_one_line(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_mod_k_up_to_n_is_a_relation_with_at_most_log2_n_factorial_bits(capsys):
    """k = n is the largest modulus on n symbols (every symbol its own class); its description
    length cannot exceed log2 n!, the bits of a permutation."""
    import json
    assert main(["statics", "--relation", "mod", "--k", "30", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["k"] == 30 and report["bits_exact"] <= report["log2_n_factorial"]
