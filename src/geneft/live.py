"""Live figures: charts that a reader explores in the browser, with no kernel and no network.

Three figures are ones a reader wants to look into: the learning-rate phase diagram of chapter 3
(the accuracy curves behind each cell), the capacity map of chapter 2 (the embeddings and curves
behind each cell) and the repons in motion (the embeddings at every recorded step). Each
function here turns the table its chapter already computed into a Vega-Lite chart, built with
Altair, whose data travel inside the page, and returns it as a `Live`, which a notebook shows as
HTML. In the built book, `_assets/geneft-live.js` draws it with the Vega, Vega-Lite and
vega-embed releases that the site serves itself (the Makefile fetches them, pinned, from npm).
In Jupyter, `Live.chart` is the Altair chart, which Altair's own renderer draws.

The embedded data are kept small. Curves keep only the evaluation points that matter (`thin`):
linear interpolation between the kept points stays within `tol` of every recorded accuracy, so a
flat stretch costs two points and a jump keeps its shape. Tables travel as CSV, with numbers
rounded to what a reader can see.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from . import phases
from .repons import PhaseGrid
from .plots import CLASS_COLORS, PALETTE, PHASE_COLORS, PHASE_LETTERS

__all__ = ["Live", "thin", "curves_table", "phase_explorer", "capacity_explorer", "motion",
           "TOL", "PANEL"]

TOL = 0.02       # accuracy error allowed when thinning a curve: < 4 px of a 170-px panel
PANEL = 400      # px, the width of a panel on a wide screen; geneft-live.js narrows it to fit
SET_COLORS = {"train": PALETTE["sky"], "test": PALETTE["blue"]}    # as in the book's figures
NOTE = "An interactive version of this figure is drawn here in the book's web pages."


@dataclass(frozen=True)
class Live:
    """A live figure: a Vega-Lite chart shown as HTML that the book's page script draws."""

    chart: alt.TopLevelMixin   # the Altair chart; in Jupyter, `display(live.chart)` draws it
    plot_width: int            # px of its widest row of panels, the part a narrow screen shrinks

    def to_json(self) -> str:
        """The chart's Vega-Lite specification (data included) as compact JSON."""
        return json.dumps(self.chart.to_dict(), separators=(",", ":"))

    @property
    def size(self) -> int:
        """Bytes that the figure adds to its page (the specification with its data)."""
        return len(self._repr_html_().encode())

    def _repr_html_(self) -> str:
        spec = self.to_json().replace("<", "\\u003c")     # nothing in it can end the script
        return (f'<div class="geneft-live" data-plot-width="{self.plot_width}">'
                f'<p class="geneft-live-note">{NOTE}</p>'
                f'<script type="application/json">{spec}</script></div>')


def thin(steps, values, *, tol: float = TOL, keep=()) -> np.ndarray:
    """The points of a curve worth drawing: its first and last point, the points in `keep`, and
    as few others as linear interpolation between the kept points needs to stay within `tol` of
    every recorded value. Each round adds the worst-drawn point, which keeps the points that
    the Douglas-Peucker algorithm (1973) keeps, with the vertical distance.

    Args:
        steps: (T,) strictly increasing evaluation steps.
        values: (T,) the curve at those steps.
        tol: the largest allowed distance between an interpolated and a recorded value,
            >= 0.
        keep: indices that must be kept (e.g. where the curve first crosses a threshold).
    Returns:
        (K,) sorted int indices into the curve, 2 <= K <= T (K = T when T < 2).
    Raises:
        ValueError: shapes differ or are not 1-D, steps do not increase, tol < 0, or an index
            of `keep` is out of range.
    """
    steps, values = np.asarray(steps, float), np.asarray(values, float)
    if steps.ndim != 1 or steps.shape != values.shape:
        raise ValueError(f"steps and values must be 1-D of one length, got shapes {steps.shape} "
                         f"and {values.shape}")
    if np.any(np.diff(steps) <= 0):
        raise ValueError("steps must be strictly increasing")
    if not tol >= 0:
        raise ValueError(f"tol must be >= 0, got {tol!r}")
    if any(not 0 <= k < len(values) for k in keep):
        raise ValueError(f"keep must hold indices in [0, {len(values)}), got {list(keep)}")
    kept = sorted({0, len(values) - 1, *(int(k) for k in keep)}) if len(values) else []
    while len(kept) < len(values):
        error = np.abs(np.interp(steps, steps[kept], values[kept]) - values)
        worst = int(np.argmax(error))
        if error[worst] <= tol:
            break
        kept = sorted([*kept, worst])
    return np.array(kept, dtype=int)


def curves_table(table: pd.DataFrame, *, tol: float = TOL,
                 threshold: float | None = None) -> pd.DataFrame:
    """The train and test accuracy curves of a sweep table, each thinned (`thin`), as one long
    table with columns r (the run's position in `table`), s (0 train, 1 test), t (step) and a
    (accuracy, 3 decimals). With `threshold`, each curve keeps its first point above it, where
    the run's phase is decided (`phases.classify`)."""
    rows = []
    for r, (steps, train, test) in enumerate(zip(table["curve_step"], table["curve_train_acc"],
                                                 table["curve_test_acc"])):
        for s, curve in enumerate((train, test)):
            curve = np.asarray(curve, float)
            above = np.flatnonzero(curve > threshold)[:1] if threshold is not None else []
            at = thin(steps, curve, tol=tol, keep=above)
            rows.append(pd.DataFrame({"r": r, "s": s, "t": np.asarray(steps)[at],
                                      "a": curve[at].round(3)}))
    return pd.concat(rows, ignore_index=True)


def _sig(values, digits: int = 4) -> list[float]:
    """Values rounded to `digits` significant digits: what the CSV carries, so selections that
    compare them in the browser see the numbers that Python put there."""
    return [float(f"{v:.{digits}g}") for v in values]


class _Tables:
    """The tables of one chart, each embedded once (in the chart's `datasets`) however many of
    its views read it. Tables that views draw travel as CSV, with their numeric columns parsed
    as numbers; tables that views look rows up in travel as JSON records, since Vega-Lite does
    not parse the CSV of a lookup's table and would compare numbers with strings."""

    def __init__(self):
        self.data = {}

    def __call__(self, name: str, frame: pd.DataFrame) -> alt.NamedData:
        self.data[name] = frame.to_csv(index=False, lineterminator="\n")
        parse = {c: "number" for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
        return alt.NamedData(name=name, format=alt.CsvDataFormat(type="csv", parse=parse))

    def lookup(self, name: str, frame: pd.DataFrame, key: str, fields: list[str]):
        """`frame` as the table of a lookup transform: its `fields` by its `key` column."""
        self.data[name] = json.loads(frame.to_json(orient="records"))
        return alt.LookupData(alt.NamedData(name=name), key=key, fields=fields)

    def live(self, chart) -> Live:
        """The finished figure: `chart` with the book's chart style and these tables."""
        chart = (chart.configure_view(stroke=None)
                 .configure_axis(grid=False, labelFontSize=11, titleFontSize=12)
                 .configure_legend(labelFontSize=11, titleFontSize=12)
                 .configure_header(labelFontSize=12)
                 .properties(padding=4, background="white", datasets=self.data))
        return Live(chart, PANEL)


def _cells(cells: pd.DataFrame, keys: dict) -> pd.DataFrame:
    """A `phases.phase_map` table for a heat map: its `keys` ({column: short name}), phase and
    its letter, mean accuracies and run count."""
    out = pd.DataFrame({short: _sig(cells[col]) for col, short in keys.items()})
    return out.assign(phase=cells["phase"].to_numpy(),
                      L=cells["phase"].map(PHASE_LETTERS).to_numpy(),
                      train=cells["train_acc_mean"].round(3).to_numpy(),
                      test=cells["test_acc_mean"].round(3).to_numpy(),
                      runs=cells["runs"].to_numpy())


def _curves_panel(curves: alt.NamedData, runs: alt.LookupData, filters: list,
                  threshold: float | None) -> alt.LayerChart:
    """Train and test accuracy against step (a `curves_table`), one line per run, of the runs
    that pass `filters` once each curve's run is looked up (`runs`, by r)."""
    lines = alt.Chart(curves).transform_lookup(lookup="r", from_=runs)
    for f in filters:
        lines = lines.transform_filter(f)
    lines = lines.transform_calculate(curve="datum.s == 0 ? 'train' : 'test'").mark_line(
        strokeWidth=1.5, opacity=0.8).encode(
        x=alt.X("t:Q", title="training step", axis=alt.Axis(tickCount=4)),
        y=alt.Y("a:Q", title="accuracy", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("curve:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=list(SET_COLORS), range=list(SET_COLORS.values()))),
        detail="r:N", tooltip=[alt.Tooltip("curve:N"), alt.Tooltip("seed:Q"),
                               alt.Tooltip("t:Q", title="step"), alt.Tooltip("a:Q", title="acc.")])
    if threshold is None:
        return alt.layer(lines).properties(width=PANEL, height=170)
    rule = alt.Chart().mark_rule(strokeDash=[4, 3], color=PALETTE["black"]).encode(
        y=alt.datum(threshold))
    return alt.layer(rule, lines).properties(width=PANEL, height=170)


def _heat(cells: alt.NamedData, *, x, y, color, tooltip, pick, filters=(), height=300,
          ink=None):
    """A clickable heat map of `cells`: rectangles with the phase letter (in colour `ink`), the
    picked cell outlined. `ink` None: black."""
    base = alt.Chart(cells)
    for f in filters:
        base = base.transform_filter(f)
    rect = base.mark_rect().encode(
        x=x, y=y, color=color, tooltip=tooltip,
        stroke=alt.condition(pick, alt.value(PALETTE["black"]), alt.value(None)),
        strokeWidth=alt.condition(pick, alt.value(2.5), alt.value(0))).add_params(pick)
    text = base.mark_text(fontSize=11).encode(x=x, y=y, text="L:N",
                                            color=ink or alt.value(PALETTE["black"]))
    return alt.layer(rect, text).properties(width=PANEL, height=height)


def _picked_label(cells, text_expr: str, pick, filters=()) -> alt.Chart:
    """One line of text naming the picked cell, above the panels that show it."""
    chart = alt.Chart(cells)
    for f in [*filters, pick]:
        chart = chart.transform_filter(f)
    return chart.transform_calculate(label=text_expr).mark_text(
        align="left", fontSize=12, fontWeight="bold").encode(
        x=alt.value(0), y=alt.value(8), text="label:N").properties(width=PANEL, height=16)


def _phase_scale() -> alt.Scale:
    return alt.Scale(domain=list(PHASE_COLORS), range=list(PHASE_COLORS.values()))


def phase_explorer(grid: PhaseGrid, *, threshold: float | None = None, tol: float = TOL) -> Live:
    """Chapter 3's learning-rate phase diagram, live (`repons.PhaseGrid`): hovering a cell shows
    its majority phase, mean accuracies and learning rates; clicking it shows the train and
    test accuracy of its runs (all seeds) in the panel below; two buttons switch between the
    diagrams without and with decoder weight decay.

    Args:
        grid: the `repons.PhaseGrid` the chapter computed (quick) or loaded (full size).
        threshold: Table IV's accuracy threshold, drawn as a dashed line; each curve keeps its
            first point above it. None: no line.
        tol: accuracy error allowed when thinning the curves (`thin`).
    Returns:
        The `Live` figure. At first the picked cell is the diagram's first memorizing cell (lowest
        encoder, then decoder rate) without weight decay, or its middle cell if none memorizes.
    Raises:
        TypeError: grid is not a `repons.PhaseGrid`.
    """
    if not isinstance(grid, PhaseGrid):
        raise TypeError(f"grid must be a repons.PhaseGrid (repons.phase_grid), got "
                        f"{type(grid).__name__}")
    table = grid.table.reset_index(drop=True)
    keys = {"weight_decay": "w", "lr_enc": "e", "lr_dec": "d"}
    cells = _cells(grid.cells, keys)
    runs = pd.DataFrame({**{s: _sig(table[c]) for c, s in keys.items()},
                         "r": range(len(table)), "seed": table["seed"].to_numpy()})
    decays = sorted(set(cells["w"]))
    decay = alt.param(name="decay", value=decays[0], bind=alt.binding_radio(
        options=decays, labels=["none" if w == 0 else f"{w:g}" for w in decays],
        name="decoder weight decay "))
    tables = _Tables()
    cells_data = tables("cells", cells)
    off = cells[cells["w"] == decays[0]].sort_values(["e", "d"])
    first = off[off["phase"] == "memorization"]
    start = (first if len(first) else off.iloc[[len(off) // 2]]).iloc[0]
    pick = alt.selection_point(name="cell", fields=["e", "d"], on="click", clear=False,
                               toggle=False, value=[{"e": start["e"], "d": start["d"]}])
    same = alt.datum.w == decay
    rate = alt.Axis(format=".0e", labelAngle=-45)
    heat = _heat(cells_data, x=alt.X("e:O", title="encoder learning rate η_enc", axis=rate),
                 y=alt.Y("d:O", title="decoder learning rate η_dec", axis=rate, sort="descending"),
                 color=alt.Color("phase:N", scale=_phase_scale(), title="majority phase",
                                 legend=alt.Legend(orient="top", columns=2)),
                 tooltip=[alt.Tooltip("phase:N", title="majority phase"),
                          alt.Tooltip("e:Q", title="η_enc", format=".2~e"),
                          alt.Tooltip("d:Q", title="η_dec", format=".2~e"),
                          alt.Tooltip("train:Q", title="train acc."),
                          alt.Tooltip("test:Q", title="test acc."),
                          alt.Tooltip("runs:Q", title="seeds")],
                 pick=pick, filters=[same], height=min(PANEL, 26 * len(set(cells["d"]))))
    label = _picked_label(cells_data, "'η_enc ' + format(datum.e, '.2~e') + ', η_dec ' + "
                          "format(datum.d, '.2~e') + ': ' + datum.phase", pick, [same])
    curves = _curves_panel(tables("curves", curves_table(table, tol=tol, threshold=threshold)),
                           tables.lookup("runs", runs, "r", ["w", "e", "d", "seed"]),
                           [same, pick], threshold)
    return tables.live(alt.vconcat(heat, label, curves, spacing=6).add_params(decay)
                       .resolve_scale(color="independent"))


def _class_color(labels) -> alt.Color:
    return alt.Color("c:N", title="class", legend=alt.Legend(orient="top"),
                     scale=alt.Scale(domain=sorted(set(np.asarray(labels).tolist())),
                                     range=CLASS_COLORS))


def _embedding_panels(tables: _Tables, table: pd.DataFrame, labels, runs: alt.LookupData, pick,
                      columns: int) -> alt.FacetChart:
    """The final embeddings of the picked cell's runs, one panel per seed, coloured by class:
    the embeddings of every run travel as a table with columns r (run), s (symbol), x, y."""
    n = len(labels)
    points = np.stack(table["embeddings"].to_list())                    # (runs, n, 2)
    emb = pd.DataFrame({"r": np.repeat(np.arange(len(table)), n),
                        "s": np.tile(np.arange(n), len(table)),
                        "x": points[..., 0].ravel().round(2), "y": points[..., 1].ravel().round(2)})
    classes = tables.lookup("classes", pd.DataFrame({"s": range(n), "c": labels}), "s", ["c"])
    size = (PANEL - 10 * (columns - 1)) // columns
    return alt.Chart(tables("embeddings", emb)).transform_lookup(
        lookup="r", from_=runs).transform_lookup(lookup="s", from_=classes).transform_filter(
        pick).mark_circle(size=28, opacity=0.9, stroke="white", strokeWidth=0.4).encode(
        x=alt.X("x:Q", axis=None, scale=alt.Scale(zero=False)),
        y=alt.Y("y:Q", axis=None, scale=alt.Scale(zero=False)), color=_class_color(labels),
        tooltip=[alt.Tooltip("s:Q", title="symbol"), alt.Tooltip("c:N", title="class"),
                 alt.Tooltip("phase:N", title="run's phase"),
                 alt.Tooltip("test:Q", title="run's test acc.")]
    ).properties(width=size, height=size).facet(
        facet=alt.Facet("seed:O", title=None, header=alt.Header(labelExpr="'seed ' + datum.value")),
        columns=columns, spacing=10).resolve_scale(x="independent", y="independent")


def capacity_explorer(runs: pd.DataFrame, labels, *, threshold: float | None = None,
                      tol: float = TOL, columns: int = 3) -> Live:
    """Chapter 2's capacity map, live: a depth x width heat map of mean test accuracy with each
    cell's majority phase; hovering a cell shows its numbers, clicking it shows its runs' final
    embeddings coloured by class (one panel per seed) and their accuracy curves.

    Args:
        runs: a sweep table with a `phase` column (`phases.classify_table`), 2-D `embeddings`,
            and columns depth, width, seed: the runs of the map, one per cell and seed.
        labels: (n,) the symbols' classes (`tasks.classes`).
        threshold: Table IV's accuracy threshold, drawn as a dashed line (None: none).
        tol: accuracy error allowed when thinning the curves (`thin`).
        columns: embedding panels per row.
    Returns:
        The `Live` figure; at first the picked cell is the one with the best mean test accuracy
        (`phases.best_cell`).
    Raises:
        ValueError: embeddings are not (n, 2) with n = len(labels), or columns < 1.
    """
    labels = np.asarray(labels)
    if columns < 1:
        raise ValueError(f"columns must be >= 1, got {columns!r}")
    if any(np.shape(e) != (len(labels), 2) for e in runs["embeddings"]):
        raise ValueError(f"embeddings must be ({len(labels)}, 2) arrays, one per run")
    table = runs.reset_index(drop=True)
    cell_map = phases.phase_map(table, ["depth", "width"])
    cells = _cells(cell_map, {"depth": "depth", "width": "width"})
    info = pd.DataFrame({"r": range(len(table)), "depth": table["depth"].to_numpy(),
                         "width": table["width"].to_numpy(), "seed": table["seed"].to_numpy(),
                         "phase": table["phase"].to_numpy(),
                         "test": table["test_acc"].round(3).to_numpy()})
    best = phases.best_cell(cell_map)
    tables = _Tables()
    cells_data = tables("cells", cells)
    info_data = tables.lookup("runs", info, "r", ["depth", "width", "seed", "phase", "test"])
    pick = alt.selection_point(name="cell", fields=["depth", "width"], on="click", clear=False,
                               toggle=False, value=[{"depth": int(best["depth"]),
                                                     "width": int(best["width"])}])
    heat = _heat(cells_data, x=alt.X("width:O", title="decoder width", axis=alt.Axis(labelAngle=0)),
                 y=alt.Y("depth:O", title="decoder depth", sort="descending"),
                 color=alt.Color("test:Q", title="mean test accuracy",
                                 scale=alt.Scale(scheme="viridis", domain=[0.5, 1], clamp=True),
                                 legend=alt.Legend(orient="top", gradientLength=160)),
                 tooltip=[alt.Tooltip("depth:O"), alt.Tooltip("width:O"),
                          alt.Tooltip("phase:N", title="majority phase"),
                          alt.Tooltip("train:Q", title="train acc."),
                          alt.Tooltip("test:Q", title="test acc."),
                          alt.Tooltip("runs:Q", title="seeds")],
                 pick=pick, height=min(PANEL, 40 * len(set(cells["depth"]))),
                 ink=alt.condition(alt.datum.test < 0.75, alt.value("white"), alt.value("black")))
    label = _picked_label(cells_data, "'depth ' + datum.depth + ', width ' + datum.width + ': ' + "
                          "datum.phase + ' (majority)'", pick)
    scatter = _embedding_panels(tables, table, labels, info_data, pick, columns)
    curves = _curves_panel(tables("curves", curves_table(table, tol=tol, threshold=threshold)),
                           info_data, [pick], threshold)
    return tables.live(alt.vconcat(heat, label, scatter, curves, spacing=8)
                       .resolve_scale(color="independent"))


def _snapshots(r: int, steps, path, n: int, moments: int):
    """Run `r`'s embeddings at `moments` evenly spaced records, centred and scaled into
    [-1, 1]: (points k, r, s, x, y; steps k, r, t), k the snapshot."""
    path, steps = np.asarray(path, float), np.asarray(steps)
    if path.shape != (len(steps), n, 2):
        raise ValueError(f"run {r}: embeddings must be (T, n, 2) = ({len(steps)}, {n}, 2), "
                         f"got {path.shape}")
    at = np.unique(np.linspace(0, len(steps) - 1, moments).round().astype(int))
    path = path[at] - path.mean(axis=(0, 1))
    path = path / max(np.abs(path).max(), 1e-12)                       # (K, n, 2) in [-1, 1]
    k, s = np.meshgrid(np.arange(len(at)), np.arange(n), indexing="ij")
    points = pd.DataFrame({"k": k.ravel(), "r": r, "s": s.ravel(),
                           "x": path[..., 0].ravel().round(2), "y": path[..., 1].ravel().round(2)})
    return points, pd.DataFrame({"k": range(len(at)), "r": r, "t": steps[at]})


def motion(runs: dict, labels, *, moments: int = 41) -> Live:
    """Embeddings during training, live: a slider moves through the recorded steps, and every
    run's embeddings (one panel per run, coloured by class) move with it.

    Args:
        runs: {panel title: (steps (T,), embeddings (T, n, 2) recorded at those steps)}, 1 to 4
            runs, as `plots.embedding_snapshots` takes them.
        labels: (n,) the symbols' classes.
        moments: snapshots kept per run, evenly spaced over its record, first and last
            included (>= 2).
    Returns:
        The `Live` figure, at the first snapshot. Each run's coordinates are centred and scaled
        into [-1, 1] over its whole record: coordinates carry no meaning of their own, and fixed
        axes let the reader see the points move.
    Raises:
        ValueError: no run or more than 4, moments < 2, or a run whose embeddings are not
            (T, n, 2) with T its steps and n = len(labels).
    """
    labels = np.asarray(labels)
    if not 1 <= len(runs) <= 4:
        raise ValueError(f"runs must hold 1 to 4 runs, got {len(runs)}")
    if moments < 2:
        raise ValueError(f"moments must be >= 2, got {moments!r}")
    kept = [_snapshots(r, steps, path, len(labels), moments)
            for r, (steps, path) in enumerate(runs.values())]
    snapshots = max(len(times) for _, times in kept)
    slider = alt.param(name="snapshot", value=0, bind=alt.binding_range(
        min=0, max=snapshots - 1, step=1, name="training step "))   # the panels print the step
    tables = _Tables()
    points = tables("points", pd.concat([p for p, _ in kept]))
    times = tables("steps", pd.concat([t for _, t in kept]))
    classes = tables.lookup("classes", pd.DataFrame({"s": range(len(labels)), "c": labels}),
                            "s", ["c"])
    axis = alt.Scale(domain=[-1.08, 1.08])
    width = (PANEL - 10 * (len(runs) - 1)) // len(runs)
    panels = []
    for r, title in enumerate(runs):
        now = (alt.datum.r == r) & (alt.datum.k == slider)
        dots = alt.Chart(points).transform_filter(now).transform_lookup(
            lookup="s", from_=classes).mark_circle(
            size=30, opacity=0.9, stroke="white", strokeWidth=0.4).encode(
            x=alt.X("x:Q", axis=None, scale=axis), y=alt.Y("y:Q", axis=None, scale=axis),
            color=_class_color(labels),
            tooltip=[alt.Tooltip("s:Q", title="symbol"), alt.Tooltip("c:N", title="class")])
        when = alt.Chart(times).transform_filter(now).transform_calculate(
            label="'step ' + format(datum.t, ',')").mark_text(
            align="left", baseline="top", fontSize=11).encode(
            x=alt.value(2), y=alt.value(2), text="label:N")
        panels.append(alt.layer(dots, when).properties(
            width=width, height=width, title=alt.Title(str(title), fontSize=12)))
    return tables.live(alt.hconcat(*panels, spacing=10).add_params(slider))
