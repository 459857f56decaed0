"""Chapters execute through papermill at tiny parameters, as Live Code sees them (the cells on
the page only); the whole book builds (slow)."""
import ast
import json
import os
from pathlib import Path

import pytest

from geneft import progress

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ("statics", "goldilocks", "repons", "fieldtheory", "twolayer", "duality")


def live_view(chapter):
    """book/<chapter>.md as a notebook holding only the cells a reader has on the page: Live
    Code (Thebe) runs these, so a `remove-cell` cell must define nothing the others use."""
    jupytext = pytest.importorskip("jupytext")
    nb = jupytext.read(ROOT / "book" / f"{chapter}.md")
    nb.cells = [c for c in nb.cells if "remove-cell" not in c.metadata.get("tags", [])]
    return nb


def execute(chapter, out, **parameters):
    """Run the Live Code view of book/<chapter>.md through papermill, with progress bars off as
    in the book build (the kernel inherits the environment); return the notebook."""
    papermill = pytest.importorskip("papermill")
    before = os.environ.get(progress.ENV)
    os.environ[progress.ENV] = "0"
    try:
        papermill.execute_notebook(live_view(chapter), str(out), cwd=str(ROOT / "book"),
                                   progress_bar=False, kernel_name="python3",
                                   parameters=parameters)
    finally:
        if before is None:
            del os.environ[progress.ENV]
        else:
            os.environ[progress.ENV] = before
    return json.loads(out.read_text())


def _names(source, ctx):
    """Names that a cell's code binds (ctx Store: assignments, defs, imports) or reads (Load)."""
    tree = ast.parse("\n".join(line for line in source.splitlines()
                               if not line.lstrip().startswith(("%", "!"))))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ctx):
            found.add(node.id)
        elif ctx is ast.Store and isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif ctx is ast.Store and isinstance(node, (ast.Import, ast.ImportFrom)):
            found.update((a.asname or a.name).split(".")[0] for a in node.names)
    return found


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_ends_in_the_same_order(chapter):
    """A reader finds the same closing sections in every chapter, in one order: the full-size
    result, then what we found, then the exercises."""
    headings = [line.lstrip("#").strip() for line in
                (ROOT / "book" / f"{chapter}.md").read_text().splitlines()
                if line.startswith("## ") or line.startswith("### ")]
    closing = [h for h in headings if h in ("At full size", "What we found", "Try it")]
    assert closing == ["At full size", "What we found", "Try it"]
    assert headings[-1] == "Try it"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_removed_cells_define_nothing_the_page_uses(chapter):
    """Live Code runs only the cells on the page: a name that a later visible cell reads must
    not be defined only in a `remove-cell` cell."""
    jupytext = pytest.importorskip("jupytext")
    nb = jupytext.read(ROOT / "book" / f"{chapter}.md")
    visible_defs, hidden_only = set(), {}
    for k, c in enumerate(c for c in nb.cells if c.cell_type == "code"):
        removed = "remove-cell" in c.metadata.get("tags", [])
        if removed:
            for name in _names(c.source, ast.Store) - visible_defs:
                hidden_only.setdefault(name, k)
        else:
            own = _names(c.source, ast.Store)      # loop and comprehension variables
            used = (_names(c.source, ast.Load) - own) & set(hidden_only)
            assert not used, (f"{chapter}: code cell {k} reads {sorted(used)}, defined only in "
                              f"remove-cell cell(s) {sorted(hidden_only[u] for u in used)}")
            visible_defs |= own


def outputs(nb):
    """Every text and glued text the notebook's cells output, as one string."""
    return json.dumps([o.get("data", o.get("text")) for c in nb["cells"]
                       for o in c.get("outputs", [])])


def images(nb):
    return [o for c in nb["cells"] for o in c.get("outputs", [])
            if "image/png" in o.get("data", {})]


@pytest.mark.slow
def test_statics_chapter_runs_with_papermill(tmp_path, monkeypatch):
    from geneft import profiles, store
    monkeypatch.setenv("GENEFT_DATA", str(tmp_path / "data"))
    tiny = dict(n=12, fractions=[0.2, 0.6], seeds=2, depth=1, width=4, steps=20, ideal_steps=20)
    nb = execute("statics", tmp_path / "statics.ipynb", mc_fractions=[0.1, 0.3], mc_draws=2,
                 workers=1, cache="off", device="cpu", save_results=True, **tiny)
    config = profiles.stored_config("statics/networks", profiles.resolve("statics", **tiny))
    saved = store.load("statics/networks", config)     # 2 relations x 4 decoders x 2 x 2
    assert saved is not None and len(saved.tables["runs"]) == 2 * 4 * 2 * 2
    assert set(saved.tables["runs"].decoder) == {"mlp", "ideal"}
    assert any("injected-parameters" in c["metadata"].get("tags", []) for c in nb["cells"])
    assert len(images(nb)) == 3                    # tasks, Monte Carlo, networks
    text = outputs(nb)
    assert "Parameters of this run (custom parameters)" in text and "rows ×" not in text
    assert not [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("name") == "stderr"]
    code = [line for c in nb["cells"] if c["cell_type"] == "code"
            and "injected-parameters" not in c["metadata"].get("tags", [])
            for line in "".join(c["source"]).splitlines()]
    assert max(map(len, code)) <= 88          # code lines fit the page's column at desktop


@pytest.mark.slow
def test_goldilocks_chapter_runs_with_papermill(tmp_path, monkeypatch):
    monkeypatch.setenv("GENEFT_DATA", str(tmp_path / "empty"))     # the page without data/
    nb = execute("goldilocks", tmp_path / "goldilocks.ipynb", n=9, depths=[1, 3], widths=[2, 4],
                 fig7_width=4, seeds=2, steps=30, compare_depths=[1], compare_widths=[2, 4],
                 compare_seeds=2, compare_steps=20, eval_every=10, workers=1,
                 cache=str(tmp_path / "c"), device="cpu")
    assert len(images(nb)) == 6     # depth curve, two capacity maps, embeddings, silhouette, modes
    assert len(list((tmp_path / "c").glob("*.json"))) > 0
    text = outputs(nb)
    assert "Parameters of this run (custom parameters)" in text and "rows ×" not in text
    assert "majority phase" in text and "test std" in text    # the depth table, for people
    assert "verdict" in text and "reproduced" in text         # the verdicts table
    assert "Fig. 7" in text and "Theorem 1" in text
    assert "No full-size result is stored" in text
    assert not [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("name") == "stderr"]


@pytest.mark.slow
def test_repons_chapter_runs_with_papermill(tmp_path, monkeypatch):
    monkeypatch.setenv("GENEFT_DATA", str(tmp_path / "empty"))
    nb = execute("repons", tmp_path / "repons.ipynb", ratios=[0.1, 1.0, 10.0], mc_draws=500,
                 gd_draws=20, gd_steps=50, n=9, depth=1, width=4, grid=3, steps=40,
                 eval_every=10, workers=1, cache=str(tmp_path / "c"), device="cpu")
    assert len(images(nb)) >= 3                  # portrait, arctan law, quick phase diagram
    assert "No full-size result is stored" in outputs(nb)
    assert not images({"cells": [repons_stored_figure_cell(nb)]})
    text = outputs(nb)
    assert "geneft-table" in text                # the drift and cluster tables, for people
    assert "ODE solver" in text and "solve_ivp" not in text          # methods named in words
    assert "Parameters of this run (custom parameters)" in text and "rows ×" not in text
    assert not [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("name") == "stderr"]


def repons_stored_figure_cell(nb):
    """The repons chapter's cell that draws the stored full-size phase diagram."""
    return next(c for c in nb["cells"] if "big.panels()" in "".join(c["source"]))


@pytest.mark.slow
def test_repons_chapter_saves_and_shows_a_stored_full_size_grid(tmp_path, monkeypatch):
    """A run with save_results stores its grid under its configuration; a chapter whose full
    profile has that configuration draws it with the provenance line."""
    from geneft import profiles, store
    monkeypatch.setenv("GENEFT_DATA", str(tmp_path / "data"))
    tiny = dict(n=9, depth=1, width=4, grid=3, steps=40, eval_every=10, lr_max=3e-2)
    execute("repons", tmp_path / "save.ipynb", ratios=[1.0], mc_draws=100, gd_draws=4,
            gd_steps=10, workers=1, cache="off", device="cpu", save_results=True, **tiny)
    config = profiles.stored_config("repons/phase-grid",
                                    profiles.resolve("repons", "quick", **tiny))
    saved = store.load("repons/phase-grid", config)
    assert saved is not None and len(saved.tables["runs"]) == 3 * 3 * 2
    assert saved.meta["config"]["steps"] == 40 and saved.meta["timings"]["compute_s"] > 0
    law = store.load("repons/law", profiles.stored_config("repons/law", profiles.resolve(
        "repons", "quick", ratios=[1.0], mc_draws=100, gd_draws=4, gd_steps=10)))
    assert law is not None and law.tables["law"]["ratio"].tolist() == [1.0]
    # Make the stored results the full profile's, as if the full run had been made.
    full = profiles.PROFILES["repons"]["full"]
    store.save("repons/phase-grid", saved.tables,
               profiles.stored_config("repons/phase-grid", full), wall_s=1.0)
    store.save("repons/law", law.tables, profiles.stored_config("repons/law", full), wall_s=1.0)
    nb = execute("repons", tmp_path / "show.ipynb", ratios=[1.0], mc_draws=100, gd_draws=4,
                 gd_steps=10, workers=1, cache="off", device="cpu", **tiny)
    text = outputs(nb)
    assert "The results store holds 18 runs" in text and "No full-size result" not in text
    assert "the arctan law's full-size Monte Carlo at 1 ratio." in text     # Eq. 12 as well
    assert len(images({"cells": [repons_stored_figure_cell(nb)]})) == 1


@pytest.mark.slow
def test_fieldtheory_chapter_runs_with_papermill(tmp_path):
    nb = execute("fieldtheory", tmp_path / "ft.ipynb", d=6, depths=[2], spectrum_depths=[1, 2],
                 lmax=10, n_list=[8, 32], draws=2, n_test=200, widths=[64, 128],
                 net_n_list=[16, 32], sigma2_list=[1.0], langevin=True, langevin_width=32,
                 langevin_n_list=[8, 16], langevin_steps=200, langevin_burn_in=100,
                 langevin_n_test=50, device="cpu")
    assert len(images(nb)) >= 3
    text = outputs(nb)
    assert "EK curve vs GP" in text and "Langevin net vs GP" in text   # the criteria table
    head = text.index(">criterion<")                                   # verdict column early
    assert head < text.index(">met<", head) < text.index(">this run<", head)
    assert "% (N = " in text and "full profile only" not in text and "not run" not in text


@pytest.mark.slow
def test_twolayer_chapter_runs_with_papermill(tmp_path, monkeypatch):
    monkeypatch.setenv("GENEFT_DATA", str(tmp_path / "empty"))
    nb = execute("twolayer", tmp_path / "tl.ipynb", d=8, alphas=[2, 4, 8], width=20,
                 widths=[40], contrast_a0s=[5.0], contrast_steps=300, noise_alphas=[4],
                 steps=300, seeds=1, n_test=200, eval_points=10, device="cpu")
    assert len(images(nb)) >= 5
    text = outputs(nb)
    escaped = [json.dumps(s)[1:-1] for s in ("A(T)/max A ≤ 0.5", "max A(a₀ = 5) ≤",
                                             "|E(m) − E(20)| ≤ 0.05 at t*, m = 40")]
    assert all(s in text for s in escaped)         # the criteria table: finding (iv), (ii), width
    assert "Parameters of this run" in text and "never" in text    # t_fit not reached at alpha 4, 8
    shown = json.dumps([{k: v for k, v in o.get("data", {}).items() if "image" not in k}
                        for c in nb["cells"] for o in c.get("outputs", [])
                        if "Parameters of this run" not in json.dumps(o)])  # literal True/False
    assert "NaN" not in shown and ">True<" not in shown and ">False<" not in shown
    assert "No full-size result is stored" in text                 # section "At full size"


@pytest.mark.slow
def test_twolayer_chapter_saves_and_shows_a_stored_full_size_result(tmp_path, monkeypatch):
    """`geneft run` with save_results stores the recorded runs under their configuration
    (the saving cell is removed from the page, so this runs the whole notebook); a page whose
    full profile has that configuration draws them with the provenance line, and its scorecard
    gets the full-size column from the same analysis."""
    from geneft import profiles, runner, store, twolayer as tl
    monkeypatch.setenv("GENEFT_DATA", str(tmp_path / "data"))
    tiny = dict(d=8, alphas=[2, 4, 8], width=100, widths=[40], contrast_a0s=[5.0],
                contrast_steps=300, noise_alphas=[4], steps=300, seeds=1, n_test=200,
                eval_points=10, device="cpu")            # width and a0 as in the full profile
    runner.run_chapter("twolayer", "quick", {**tiny, "save_results": True},
                       out=tmp_path / "runs", progress=False)
    p = profiles.resolve("twolayer", "quick", **tiny)
    saved = store.load("twolayer/curves", profiles.stored_config("twolayer/curves", p))
    assert saved is not None and sorted(saved.tables) == sorted(tl.CURVES)
    assert len(saved.tables["main"]) == 3 * len(tl.eval_steps(300, 10))
    # Make the stored runs the full profile's, as if the full run had been made.
    full = profiles.PROFILES["twolayer"]["full"]
    store.save("twolayer/curves", saved.tables,
               profiles.stored_config("twolayer/curves", full), wall_s=1.0)
    nb = execute("twolayer", tmp_path / "show.ipynb", **tiny)
    text = outputs(nb)
    assert "Read from the results store: " in text and "No full-size result" not in text
    assert "met at full size" in text                     # the criteria side by side
    assert len(images(nb)) >= 6                           # the page's five and the stored one
    found = tl.analyse(saved.tables, a0=full.a0, base=full.width)
    assert all(json.dumps(c.measured)[1:-1] in text for c in found["checks"].values())


@pytest.mark.slow
def test_duality_chapter_runs_with_papermill(tmp_path, monkeypatch):
    monkeypatch.setenv("GENEFT_DATA", str(tmp_path / "empty"))
    nb = execute("duality", tmp_path / "aw.ipynb", dataset="synthetic", train_per_class=20,
                 batch_sizes=[25, 50], betas=[], init_scales=[], max_epochs=30, seeds=1,
                 bridge_steps=200, bridge_seeds=1)
    assert len(images(nb)) >= 4          # parity, directions, sharpness, hyperparameters
    text = outputs(nb)
    assert "synthetic" in text and "batch size = 50" in text       # parameters, seed means
    assert "as expected" in text and "not swept" in text           # the trend table
    assert "test acc." in text and r"\u2016\u0394a\u2016" in text    # bridge table: ‖Δa‖
    assert "No full-size result is stored" in text                 # section "At full size"
    shown = json.dumps([o.get("data", o.get("text")) for c in nb["cells"]
                        for o in c.get("outputs", [])
                        if "Parameters of this run" not in json.dumps(o)])  # literal True/False
    assert not any(w in shown for w in (">True<", ">False<", ">nan<", ">NaN<", "dtype:"))


@pytest.mark.slow
def test_bad_parameter_fails_clearly(tmp_path):
    jupytext = pytest.importorskip("jupytext")
    papermill = pytest.importorskip("papermill")
    with pytest.raises(papermill.PapermillExecutionError, match="steps must be a positive"):
        papermill.execute_notebook(jupytext.read(ROOT / "book" / "statics.md"),
                                   str(tmp_path / "bad.ipynb"), cwd=str(ROOT / "book"),
                                   progress_bar=False, parameters=dict(steps=0))


@pytest.mark.slow
def test_book_builds(built_book):
    """The build (conftest.built_book) fails on any cell error; here: every page has its
    content, the scorecard has every chapter's rows and the API reference its modules."""
    html = (built_book / "book" / "statics.html").read_text()
    assert "Description length" in html and "<img" in html
    html = (built_book / "book" / "goldilocks.html").read_text()
    assert "Goldilocks" in html and html.count("<img") >= 5
    html = (built_book / "book" / "repons.html").read_text()
    assert "arctan" in html and html.count("<img") >= 5
    card = (built_book / "book" / "scorecard.html").read_text()
    assert card.count('class="table scorecard"') == 6
    html = (built_book / "book" / "fieldtheory.html").read_text()
    assert "Funk-Hecke" in html and html.count("<img") >= 3
    html = (built_book / "book" / "twolayer.html").read_text()
    assert "mean-field" in html and html.count("<img") >= 5
    html = (built_book / "book" / "duality.html").read_text()
    assert "Activity-weight duality" in html and html.count("<img") >= 3
    for item in ("Table II", "Fig. 2", "Fig. 3", "Fig. 5", "Fig. 6 / Eq. 12", "Fig. 7", "Fig. 8",
                 "Entropic bias", "Finding (iii)", "GenEFT bridge"):
        assert f">{item}</a>" in card, item
    assert card.count("score score-") >= 24
    api = (built_book / "book" / "api.html").read_text()
    for module in ("tasks", "statics", "montecarlo", "models", "train", "repons", "sweeps",
                   "store", "phases", "fieldtheory", "twolayer", "duality", "digits",
                   "plots", "plots.statics", "plots.duality"):
        assert f'id="module-geneft.{module}"' in api, module
