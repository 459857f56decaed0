"""Live figures: thinned curves that keep what the phases are read from, charts whose embedded
tables are the chapter's tables, safe HTML, and the Vega-Lite the site serves matching Altair's.
(The figures drawing and answering clicks in a browser: tests/test_site.py.)"""
import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

alt = pytest.importorskip("altair")
from geneft import live, phases, repons  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
STEPS = np.arange(0, 1001, 50)                       # 21 evaluation steps
ROUNDING = 0.0005                                    # curves_table keeps 3 decimals


def _rise(at: int, low: float, high: float = 1.0) -> np.ndarray:
    """An accuracy curve from `low` to `high` around step `at`, in multiples of 1/200 (as
    accuracies over 200 pairs are)."""
    curve = low + (high - low) / (1 + np.exp(-(STEPS - at) / 40))
    return np.round(curve * 200) / 200


CURVES = {"generalization": (_rise(300, 0.5), _rise(350, 0.5)),
          "grokking": (_rise(200, 0.5), _rise(800, 0.5)),
          "memorization": (_rise(300, 0.5), _rise(300, 0.5, 0.7)),
          "confusion": (_rise(300, 0.5, 0.7), _rise(300, 0.5, 0.65)),
          "ramp": (np.round(100 + STEPS / 10) / 200, np.round(100 + STEPS / 10) / 200)}


def _sweep(rows: list[dict]) -> pd.DataFrame:
    """A sweep table (the columns run_sweep gives that the figures read) from rows holding their
    settings and a `shape` of CURVES."""
    table = pd.DataFrame(rows)
    train, test = zip(*(CURVES[s] for s in table.pop("shape")))
    return table.assign(curve_step=[STEPS] * len(table), curve_train_acc=list(train),
                        curve_test_acc=list(test), train_acc=[c[-1] for c in train],
                        test_acc=[c[-1] for c in test])


@pytest.fixture(scope="module")
def grid():
    """A 3 x 3 learning-rate grid, 2 seeds, without and with weight decay: memorization where
    the decoder is more than 10 times faster, generalization elsewhere (with weight decay along
    straight ramps, whose thinned curves keep only their ends and the threshold crossing)."""
    lrs = [1e-3, 1e-2, 1e-1]
    rows = [dict(weight_decay=wd, lr_enc=e, lr_dec=d, seed=s,
                 shape=("memorization" if d / e > 10 else "generalization") if wd == 0
                 else "ramp")
            for wd in (0.0, 1e-3) for e in lrs for d in lrs for s in (0, 1)]
    return repons.phase_grid(_sweep(rows), 1e-3)


@pytest.fixture(scope="module")
def capacity():
    """A 2 x 3 depth x width map, 3 seeds, with 2-D embeddings of 6 symbols in 3 classes."""
    rng = np.random.default_rng(7)
    rows = [dict(depth=d, width=w, seed=s, shape="generalization" if w > 2 else "confusion")
            for d in (1, 2) for w in (2, 5, 10) for s in range(3)]
    table = _sweep(rows)
    table["phase"] = phases.classify_table(table)
    table["embeddings"] = [rng.normal(size=(6, 2)) for _ in range(len(table))]
    return table


def _datasets(figure: live.Live) -> dict:
    """{name: DataFrame} of the tables a figure embeds (CSV text or JSON records)."""
    from io import StringIO
    tables = figure.chart.to_dict()["datasets"]
    return {name: pd.read_csv(StringIO(v)) if isinstance(v, str) else pd.DataFrame(v)
            for name, v in tables.items()}


def _param(spec, name: str) -> dict:
    """The parameter `name` wherever in the specification Altair put it."""
    if isinstance(spec, dict):
        found = [p for p in spec.get("params", []) if p.get("name") == name]
        children = list(spec.values())
    else:
        found, children = [], spec if isinstance(spec, list) else []
    for child in children:
        found += [] if found else [p for p in [_param(child, name)] if p]
    return found[0] if found else {}


# --- thin ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("tol", [0.0, 0.01, 0.05], ids=["exact", "1%", "5%"])
def test_thin_interpolates_every_point_within_tol(rng, tol):
    steps = np.cumsum(rng.integers(1, 5, size=200))
    values = np.cumsum(rng.normal(scale=0.02, size=200))
    kept = live.thin(steps, values, tol=tol, keep=[17])
    error = np.abs(np.interp(steps, steps[kept], values[kept]) - values)
    assert error.max() <= tol + 1e-12
    assert {0, 17, 199} <= set(kept) and np.all(np.diff(kept) > 0)
    assert len(kept) < 200 or tol == 0


def test_thin_keeps_two_points_of_a_line_and_the_corners_of_a_step():
    steps = np.arange(10)
    assert live.thin(steps, 3 * steps + 1.0, tol=0).tolist() == [0, 9]
    step = np.array([0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1, 1, 1])
    assert live.thin(steps, step, tol=0.01).tolist() == [0, 3, 4, 9]


def test_thin_keeps_every_point_where_no_three_are_collinear():
    steps = np.arange(8.0)
    assert live.thin(steps, steps ** 2, tol=0).tolist() == list(range(8))
    assert live.thin([5], [0.3]).tolist() == [0] and live.thin([], []).tolist() == []


@pytest.mark.parametrize("steps, values, kwargs, match", [
    ([0, 1, 2], [0, 1], {}, "one length"),
    ([0, 2, 1], [0, 1, 2], {}, "strictly increasing"),
    ([0, 1, 2], [0, 1, 2], {"tol": -0.1}, "tol must be >= 0"),
    ([0, 1, 2], [0, 1, 2], {"keep": [3]}, "keep must hold indices"),
], ids=["shapes", "order", "tol", "keep"])
def test_thin_rejects_bad_input(steps, values, kwargs, match):
    with pytest.raises(ValueError, match=match):
        live.thin(steps, values, **kwargs)


# --- curves_table ------------------------------------------------------------------------------

def test_thinned_curves_cross_the_threshold_where_the_runs_do_and_stay_within_tol(grid):
    """The phase (Table IV) is read from the first crossings, so the thinned curves give every
    run the phase its full record gives."""
    table = grid.table.reset_index(drop=True)
    curves = live.curves_table(table, tol=0.02, threshold=0.9)
    assert len(curves) < 0.5 * 2 * len(table) * len(STEPS)
    for r, run in table.iterrows():
        for s, column in ((0, "curve_train_acc"), (1, "curve_test_acc")):
            kept = curves[(curves.r == r) & (curves.s == s)]
            assert (phases.first_crossing(kept.t, kept.a)
                    == phases.first_crossing(STEPS, run[column])), (r, column)
            drawn = np.interp(STEPS, kept.t, kept.a)
            assert np.abs(drawn - run[column]).max() <= 0.02 + ROUNDING


# --- the figures -------------------------------------------------------------------------------

def test_phase_explorer_embeds_the_grids_cells_and_starts_at_a_memorizing_cell(grid):
    figure = live.phase_explorer(grid, threshold=0.9)
    spec = figure.chart.to_dict()                        # Altair validates the Vega-Lite here
    cells = _datasets(figure)["cells"]
    expected = grid.cells.sort_values(["weight_decay", "lr_enc", "lr_dec"])
    assert cells["phase"].tolist() == expected["phase"].tolist()
    assert cells["L"].tolist() == [{"generalization": "G", "memorization": "M"}[p]
                                   for p in expected["phase"]]
    start = _param(spec, "cell")["value"]
    picked = expected[(expected.lr_enc == start[0]["e"]) & (expected.lr_dec == start[0]["d"])]
    assert picked.phase.tolist() == ["memorization", "generalization"]   # without, with decay


def test_phase_explorer_asks_for_a_phase_grid(grid):
    with pytest.raises(TypeError, match="repons.PhaseGrid"):
        live.phase_explorer(grid.table)


def test_phase_explorer_runs_table_names_each_curves_run(grid):
    tables = _datasets(live.phase_explorer(grid))
    runs, curves = tables["runs"].set_index("r"), tables["curves"]
    table = grid.table.reset_index(drop=True)
    assert runs.loc[curves.r.unique(), "seed"].tolist() == table.seed[curves.r.unique()].tolist()
    assert np.allclose(runs["e"], table["lr_enc"], rtol=1e-3)


def test_capacity_explorer_embeds_every_runs_embeddings(capacity):
    labels = np.array([0, 1, 2, 0, 1, 2])
    figure = live.capacity_explorer(capacity, labels, threshold=0.9)
    tables = _datasets(figure)
    emb = tables["embeddings"]
    assert len(emb) == len(capacity) * 6
    first = emb[emb.r == 4].sort_values("s")
    assert np.allclose(first[["x", "y"]], capacity.embeddings.iloc[4], atol=0.005)
    assert tables["classes"]["c"].tolist() == labels.tolist()
    assert len(tables["cells"]) == 6 and set(tables["cells"]["L"]) == {"G", "C"}


@pytest.mark.parametrize("kwargs, match", [({"labels": np.zeros(5)}, r"\(5, 2\)"),
                                           ({"columns": 0}, "columns must be >= 1")],
                         ids=["shape", "columns"])
def test_capacity_explorer_rejects_bad_input(capacity, kwargs, match):
    args = {"labels": np.zeros(6), **kwargs}
    with pytest.raises(ValueError, match=match):
        live.capacity_explorer(capacity, args.pop("labels"), **args)


def test_motion_keeps_first_and_last_step_and_scales_into_the_unit_square(rng):
    steps = np.arange(0, 4001, 50)                                    # 81 records
    runs = {"generalization": (steps, rng.normal(size=(81, 6, 2)) * 5),
            "memorization": (steps, rng.normal(size=(81, 6, 2)))}
    tables = _datasets(live.motion(runs, [0, 1, 2, 0, 1, 2], moments=41))
    points, times = tables["points"], tables["steps"]
    assert sorted(times.groupby("r").t.agg(["min", "max"]).to_numpy().ravel()) == [0, 0, 4000,
                                                                                   4000]
    assert times.k.nunique() == 41 and len(points) == 2 * 41 * 6
    assert points[["x", "y"]].abs().max().max() == pytest.approx(1.0, abs=0.005)


@pytest.mark.parametrize("runs, moments, match", [
    ({}, 41, "1 to 4 runs"),
    ({"a": (np.arange(3), np.zeros((3, 6, 2)))}, 1, "moments must be >= 2"),
    ({"a": (np.arange(3), np.zeros((3, 5, 2)))}, 41, r"\(3, 6, 2\)"),
], ids=["none", "moments", "shape"])
def test_motion_rejects_bad_input(runs, moments, match):
    with pytest.raises(ValueError, match=match):
        live.motion(runs, np.zeros(6), moments=moments)


# --- the page ----------------------------------------------------------------------------------

def test_html_keeps_the_specification_inside_its_script():
    chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q").properties(
        title="</script><script>alert(1)</script>")
    html = live.Live(chart, 300)._repr_html_()
    assert html.count("</script>") == 1 and html.endswith("</script></div>")
    inner = re.search(r'<script type="application/json">(.*)</script>', html, re.S)[1]
    assert json.loads(inner)["title"] == "</script><script>alert(1)</script>"
    assert 'data-plot-width="300"' in html


def _extension():
    path = ROOT / "_ext" / "live_figures.py"
    spec = importlib.util.spec_from_file_location("live_figures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_book_extension_finds_live_figures_and_its_own_files_exist(grid):
    ext = _extension()
    assert ext.MARK in live.phase_explorer(grid)._repr_html_()
    for name in ext.SCRIPTS + ext.STYLES:
        if not name.startswith("vega/"):                  # vega/ is fetched by make
            assert (ROOT / "_assets" / name).is_file(), name


def test_served_vega_lite_is_the_version_of_altairs_schema():
    packages = re.search(r"^VEGA_PACKAGES\s*:=\s*(.+)$", (ROOT / "Makefile").read_text(), re.M)
    versions = dict(p.split("@") for p in packages[1].split())
    assert "v" + versions["vega-lite"] == alt.SCHEMA_VERSION
    assert versions["vega"].split(".")[0] == versions["vega-lite"].split(".")[0]
