"""Figure style and the plotting helpers the chapters share; each chapter's own figures are in
a submodule named after it (`plots.statics`, `plots.goldilocks`, ..., `plots.duality`).

One look for the whole book: `use_style()` applies the package's matplotlib style, and colours
come from the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies).
Helpers take plain arrays and an Axes, and return the Axes.
"""
from __future__ import annotations

import textwrap

from importlib.resources import files

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patheffects import withStroke

__all__ = ["WIDTH", "PALETTE", "MODE_COLORS", "PHASE_COLORS", "CLASS_COLORS", "MARKERS",
           "use_style", "show",
           "mean_band", "summarize", "cell_map", "embedding_scatter", "phase_diagram",
           "curve_panels", "factor_panels", "provenance", "lr_phase_panels",
           "embedding_snapshots", "capacity_maps", "embedding_grid", "learning_curve_panels",
           "reasoner_panels", "network_panels"]

# Okabe & Ito (2008), "Color Universal Design"
PALETTE = {"black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
           "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7"}
MODE_COLORS = {"concat": PALETTE["blue"], "difference": PALETTE["orange"],
               "squared": PALETTE["green"], "ideal": PALETTE["purple"],
               "theory": PALETTE["black"], "montecarlo": PALETTE["vermillion"]}

PHASE_COLORS = {"generalization": PALETTE["green"], "grokking": PALETTE["sky"],
                "memorization": PALETTE["vermillion"], "confusion": PALETTE["yellow"]}
PHASE_LETTERS = {"generalization": "G", "grokking": "K", "memorization": "M", "confusion": "C"}
MARKERS = ("o", "s", "^", "D", "v", "P")   # one shape per series where values may coincide
LETTER_PHASES = {letter: phase for phase, letter in PHASE_LETTERS.items()}
CLASS_COLORS = [PALETTE[c] for c in ("blue", "orange", "green", "purple", "vermillion", "sky")]


# The widest figure the text column shows at >= 80 % of its size (inches at the style's
# savefig.dpi of 150: 900 px against a ~740 px column). Wider figures: split them into rows.
WIDTH = 6.0

_STAMP = {"text": None}


def use_style(stamp: str | None = None) -> None:
    """Apply the book's matplotlib style (src/geneft/geneft.mplstyle); `stamp` is the
    provenance line that `show` writes under every figure (e.g. `profiles.provenance`)."""
    plt.style.use(str(files("geneft") / "geneft.mplstyle"))
    _STAMP["text"] = stamp


def show(fig=None) -> None:
    """Show `fig` (default: the current figure) with the provenance line set by `use_style`
    under it, unless the figure already carries one (`provenance`)."""
    fig = fig or plt.gcf()
    if _STAMP["text"] and not getattr(fig, "_geneft_stamped", False):
        provenance(fig, _STAMP["text"])
    plt.show()


def summarize(x: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group `values` by `x`: returns (sorted unique x, mean, standard deviation (ddof 0))."""
    x, values = np.asarray(x), np.asarray(values, dtype=float)
    ux = np.unique(x)
    groups = [values[x == u] for u in ux]
    return ux, np.array([g.mean() for g in groups]), np.array([g.std() for g in groups])


def mean_band(ax, x, values, *, label: str, color: str, marker: str = "o",
              hollow: bool = False):
    """Mean of `values` at each distinct x with a +/- 1 std band over the repeats (seeds);
    `hollow` markers let coinciding means of several series show."""
    ux, mean, std = summarize(x, values)
    ax.plot(ux, mean, marker=marker, color=color, label=label, ms=5 if hollow else 4,
            mfc="white" if hollow else color)
    ax.fill_between(ux, mean - std, mean + std, color=color, alpha=0.2, lw=0)
    return ax


def depth_curve(ax, curve, baseline: float, *, x: str = "depth"):
    """Train and test accuracy of a capacity sweep's runs against `x` (mean and +/- 1 std over
    seeds, `mean_band`), with a dashed line at `baseline` (always answering "unrelated")."""
    mean_band(ax, curve[x], curve.train_acc, label="train", color=PALETTE["sky"])
    mean_band(ax, curve[x], curve.test_acc, label="test", color=PALETTE["blue"])
    ax.axhline(baseline, ls="--", color=PALETTE["black"], lw=1, label="always unrelated")
    ax.set(xlabel=f"decoder {x}" + (" (hidden layers)" if x == "depth" else ""),
           ylabel="accuracy")
    return ax


def share_bars(ax, share, *, color: str = PALETTE["purple"]):
    """Bars of `phases.best_share`: how often each value is the best one under resampling of
    the seeds."""
    ax.bar(share.index.astype(str), share.to_numpy(), color=color)
    ax.set(xlabel=f"decoder {share.index.name}", ylabel="share of resamples", ylim=(0, 1))
    return ax


def cell_map(ax, cells, value: str, *, x: str, y: str, vmin=0.5, vmax=1.0, cmap="viridis",
             label_phase: bool = True, fontsize: float = 8.5):
    """Heat map of column `value` of a `phases.phase_map` table over the grid (x, y), each
    cell annotated (in `fontsize` points) with its value and (if `label_phase`) the majority
    phase's letter (G generalization, K grokking, M memorization, C confusion). Returns the
    image."""
    xs, ys = sorted(cells[x].unique()), sorted(cells[y].unique())
    grid = cells.pivot(index=y, columns=x, values=value).reindex(index=ys, columns=xs)
    image = ax.imshow(grid.to_numpy(), origin="lower", cmap=cmap, vmin=vmin, vmax=vmax,
                      aspect="auto")
    phase = cells.set_index([y, x])["phase"]
    for i, yv in enumerate(ys):
        for j, xv in enumerate(xs):
            v = grid.iloc[i, j]
            if np.isnan(v):
                continue
            text = f"{v:.2f}" + (f"\n{PHASE_LETTERS[phase[(yv, xv)]]}" if label_phase else "")
            ax.text(j, i, text, ha="center", va="center", fontsize=fontsize,
                    color="white" if v < (vmin + vmax) / 2 else "black")
    ax.set(xticks=range(len(xs)), xticklabels=xs, yticks=range(len(ys)), yticklabels=ys,
           xlabel=x, ylabel=y)
    ax.grid(False)
    return image


def embedding_scatter(ax, points, labels, *, title: str = ""):
    """2-D embeddings (n, 2) coloured by class label (n,)."""
    points, labels = np.asarray(points), np.asarray(labels)
    for c in np.unique(labels):
        at = labels == c
        ax.scatter(points[at, 0], points[at, 1], s=18, color=CLASS_COLORS[int(c) % 6],
                   label=f"class {c}", edgecolor="white", lw=0.4)
    ax.set(title=title, xlabel="$e_1$", ylabel="$e_2$", aspect="equal")
    return ax


def phase_diagram(ax, cells, *, x: str = "lr_enc", y: str = "lr_dec"):
    """Cells of a `phases.phase_map` table on a log-log grid, coloured by majority phase, with
    the phase's letter; axes in the cells' own values."""
    from matplotlib.colors import ListedColormap
    xs, ys = sorted(cells[x].unique()), sorted(cells[y].unique())
    names = list(PHASE_COLORS)
    codes = cells.pivot(index=y, columns=x, values="phase").reindex(index=ys, columns=xs)
    ex, ey = _log_edges(xs), _log_edges(ys)
    ax.pcolormesh(ex, ey, codes.map(names.index).to_numpy(), vmin=-0.5,
                  vmax=len(names) - 0.5, cmap=ListedColormap([PHASE_COLORS[p] for p in names]))
    for i, yv in enumerate(ys):
        for j, xv in enumerate(xs):
            ax.text(xv, yv, PHASE_LETTERS[codes.iloc[i, j]], ha="center", va="center", fontsize=7)
    ax.set(xscale="log", yscale="log", xlim=(ex[0], ex[-1]), ylim=(ey[0], ey[-1]))
    ax.grid(False)
    return ax


def curve_panels(axes, curves, columns: dict, *, by: str, label: str = "{}", x: str = "step",
                 vlines: dict | None = None):
    """Training curves, one panel per column: for each value of `by`, the mean over seeds
    against `x` on a log axis (points with x = 0 left out) with a +/- 1 std band.

    Args:
        axes: one Axes per column. curves: a table with columns x, by, seed and `columns`.
        columns: {column: (y label, y scale)}. label: format of a line's label from its `by`.
        vlines: {by value: [x positions]} drawn dashed in the line's colour on every panel.
    """
    curves = curves[curves[x] > 0]
    for (column, (ylabel, yscale)), ax in zip(columns.items(), np.ravel(axes)):
        for i, (value, g) in enumerate(curves.groupby(by)):
            color = CLASS_COLORS[i % len(CLASS_COLORS)]
            mean_band(ax, g[x], g[column], label=label.format(value), color=color, marker="")
            for pos in (vlines or {}).get(value, []):
                ax.axvline(pos, color=color, ls="--", lw=0.8)
        ax.set(xscale="log", yscale=yscale, xlabel=x, ylabel=ylabel)
    return axes


def factor_panels(axes, table, factors, columns: dict, *, base: dict):
    """One panel per swept factor: each column's seed mean (+/- 1 std) against the factor's
    value, divided by the column's mean at the base value, so that quantities of different
    size share an axis (hollow markers of one shape per column: at the base value they all
    meet at 1).

    Args:
        axes: one Axes per factor. table: rows with factor, value, seed and `columns`.
        factors: the factors to draw. columns: {column: label}. base: {factor: base value}.
    """
    for factor, ax in zip(factors, np.ravel(axes)):
        g = table[table.factor == factor]
        for i, (column, label) in enumerate(columns.items()):
            ref = g[g.value == base[factor]][column].mean()
            mean_band(ax, g.value, g[column] / ref, label=label, hollow=True,
                      color=CLASS_COLORS[i % len(CLASS_COLORS)], marker=MARKERS[i % len(MARKERS)])
        ax.axhline(1, color=PALETTE["black"], lw=0.6)
        ax.set(xlabel=factor, ylabel="relative to base")
    return axes


def provenance(fig, text: str):
    """Write `text` (where a figure's numbers come from) in small grey type under the figure,
    so it travels with the image. Returns the figure. Put figure legends above the axes
    (`loc="outside upper center"`): saving with a tight box moves one placed "outside lower
    center" onto this line."""
    text = "\n".join(textwrap.fill(line, 100) for line in text.splitlines())  # within WIDTH
    fig.text(0.01, -0.01, text, fontsize=7, color="0.35", ha="left", va="top")
    fig._geneft_stamped = True
    return fig


def _log_edges(values) -> np.ndarray:
    """Cell edges around log-spaced centres."""
    v = np.log10(np.asarray(values, dtype=float))
    step = np.diff(v).mean() if len(v) > 1 else 1.0
    return 10 ** np.concatenate([[v[0] - step / 2], (v[:-1] + v[1:]) / 2, [v[-1] + step / 2]])


def lr_phase_panels(panels: dict, *, rule: float = 10.0, height: float = 4.2):
    """Learning-rate phase diagrams side by side, at most WIDTH wide (the paper's Figs. 5 and
    8): each `phase_diagram` with its fitted boundary (solid), the boundary points (dots) and
    the line lr_dec = rule * lr_enc (dashed), under one legend (above the panels) for the
    phases and the lines.

    Args:
        panels: {panel title: (cells, fit, points)}: the cells of one diagram (a
            `phases.phase_map` table over lr_enc, lr_dec), its `phases.fit_boundary` dict and
            its `phases.phase_boundary` points.
    Returns the figure.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    fig, axes = plt.subplots(1, len(panels), figsize=(WIDTH, height), sharey=True, squeeze=False)
    for ax, (title, (cells, fit, points)) in zip(axes[0], panels.items()):
        phase_diagram(ax, cells)
        for text in ax.texts:                   # a halo of the cell's colour keeps the letter
            text.set_fontsize(8)                # readable where a boundary line crosses it
            color = PHASE_COLORS.get(LETTER_PHASES.get(text.get_text()), "white")
            text.set_path_effects([withStroke(linewidth=3, foreground=color)])
        x = np.array(ax.get_xlim())
        if np.isfinite(fit["slope"]):
            ax.plot(x, 10 ** fit["intercept"] * x ** fit["slope"], color="black", lw=1.5)
        ax.plot(x, rule * x, ls="--", color="black", lw=1)
        ax.plot(points.lr_enc, points.lr_dec, "k.", ms=6)
        ax.set(xlabel=r"$\eta_\mathrm{enc}$", title=title, xlim=x)
    axes[0, 0].set_ylabel(r"$\eta_\mathrm{dec}$")
    handles = [Patch(color=c, label=f"{PHASE_LETTERS[p]} {p}") for p, c in PHASE_COLORS.items()]
    handles += [Line2D([], [], color="black", lw=1.5, label="fitted boundary"),
                Line2D([], [], color="black", marker=".", ms=6, ls="", label="boundary points"),
                Line2D([], [], color="black", lw=1, ls="--",
                       label=rf"$\eta_\mathrm{{dec}} = {rule:g}\,\eta_\mathrm{{enc}}$")]
    fig.legend(handles=handles, loc="outside upper center", ncols=4)
    return fig


def embedding_snapshots(runs: dict, labels, *, moments: int = 3, size: float = 1.9):
    """Embeddings during training, at most WIDTH wide: one row per run, `moments` columns
    evenly spaced from its first to its last record, points coloured by class, one class legend
    above the panels. Coordinates carry no meaning of their own, so the axes have no ticks.

    Args:
        runs: {row name: (steps (T,), embeddings (T, n, 2) recorded at those steps)}, >= 1 run.
        labels: (n,) the symbols' classes.
    Returns the figure.
    """
    if not runs:
        raise ValueError("runs must hold at least one run")
    fig, axes = plt.subplots(len(runs), moments, squeeze=False,
                             figsize=(min(WIDTH, size * moments), size * len(runs) + 0.5))
    for row, (name, (steps, path)) in zip(axes, runs.items()):
        for ax, k in zip(row, np.linspace(0, len(path) - 1, moments).astype(int)):
            embedding_scatter(ax, path[k], labels, title=f"step {int(steps[k])}")
            ax.set(xticks=[], yticks=[], xlabel="", ylabel="")
        row[0].set_ylabel(name)
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside upper center", ncols=len(names))
    return fig


def capacity_maps(cells, *, x: str = "width", y: str = "depth", height: float = 3.4):
    """Two `cell_map` panels side by side, at most WIDTH wide: mean test accuracy with the
    majority phase's letter (left) and mean train accuracy (right), with one colour bar.
    `cells` is a `phases.phase_map` table over (y, x). Returns the figure."""
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, height), sharey=True)
    image = cell_map(axes[0], cells, "test_acc_mean", x=x, y=y)
    cell_map(axes[1], cells, "train_acc_mean", x=x, y=y, label_phase=False)
    axes[0].set_title("test accuracy")
    axes[1].set(title="train accuracy", ylabel="")
    fig.colorbar(image, ax=axes, shrink=0.85, label="accuracy")
    return fig


def embedding_grid(examples: dict, labels, *, ncols: int = 2, size: float = 2.6):
    """2-D embeddings of a few runs in a grid of `ncols` columns, at most WIDTH wide, with one
    class legend above the panels. `examples` maps a panel title to an (n, 2) array; `labels`
    (n,) are the symbols' classes. Returns the figure."""
    nrows = -(-len(examples) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(min(WIDTH, size * ncols), size * nrows + 0.4),
                             squeeze=False)
    for ax, (title, points) in zip(axes.flat, examples.items()):
        embedding_scatter(ax, points, labels, title=title)
    for ax in axes.flat[len(examples):]:
        ax.set_visible(False)
    handles, names = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside upper center", ncols=len(names))
    return fig


def learning_curve_panels(compare, excess=None, *, sigma2_list=None, net_depth=None,
                          net_sigma2=None, height: float = 2.4):
    """Learning curves, one log-log panel per depth (rows) and noise level sigma^2 (columns, in
    the order of `sigma2_list`; default: largest first), WIDTH wide: the EK theory (line), the
    renormalised ridge (dashed) and the exact GP (dots, +/- 2 standard errors over draws), from
    a `fieldtheory.compare_with_theory` table; the finite networks of `excess`
    (`fieldtheory.network_excess`, squares, one colour per width) in the panel of depth
    `net_depth` and ridge `net_sigma2`. Returns the figure."""
    from matplotlib.ticker import NullFormatter
    depths = sorted(set(compare.depth))
    ridges = list(sigma2_list) if sigma2_list is not None else sorted(set(compare.sigma2),
                                                                       reverse=True)
    fig, axes = plt.subplots(len(depths), len(ridges), squeeze=False, sharex=True,
                             figsize=(WIDTH, 0.6 + height * len(depths)))
    for (i, h), (j, s2) in ((a, b) for a in enumerate(depths) for b in enumerate(ridges)):
        ax, c = axes[i, j], compare[(compare.depth == h) & (compare.sigma2 == s2)]
        ax.loglog(c.n, c.ek, color=MODE_COLORS["theory"], label="EK theory")
        ax.loglog(c.n, c.renormalized, "--", color=PALETTE["purple"], label="renormalised ridge")
        ax.errorbar(c.n, c.gp, 2 * c.gp_sem.fillna(0), fmt="o", ms=4,
                    color=MODE_COLORS["montecarlo"], label="exact GP (± 2 s.e.)")
        if excess is not None and h == net_depth and s2 == net_sigma2:
            for k, (w, g) in enumerate(excess.groupby("width")):
                ax.loglog(g.n, g.net_mse, "s", ms=5, mfc="none", label=f"network, width {w}",
                          color=CLASS_COLORS[k % len(CLASS_COLORS)])
        ax.set_title(f"depth {h}, $\\sigma^2 = {s2:g}$")
        ax.set(xlabel="N" if i == len(depths) - 1 else None, ylabel="test MSE" if j == 0 else None)
        ax.xaxis.set_minor_formatter(NullFormatter())   # under ~1.5 decades they overlap
    handles = max((ax.get_legend_handles_labels() for ax in axes.flat), key=lambda h: len(h[1]))
    fig.legend(*handles, loc="outside upper center", ncols=3)
    return fig


def reasoner_panels(curves: dict, relations: dict, crude: dict, *, xmax: float,
                    loose: dict | None = None):
    """The paper's Fig. 2, one panel per relation of `curves` (two columns, WIDTH wide): the
    bound f_UB of Eq. (5) (line), the ideal reasoner (`montecarlo.achievable_accuracy` or
    `curves_from_table`: dots with one standard error) and the crude p_c of `crude`
    ({key: fraction}, dashed) from p = 0 to `xmax`, and where `loose` ({key: curve}) has the
    relation, the reasoner that knows only that it is an equivalence (open blue diamonds, which
    frame the dots where both coincide); an odd panel
    count leaves a spare panel for the legend. Returns the figure."""
    from ..statics import accuracy_upper_bound
    grid = np.linspace(0.0, xmax, 200)
    rows = int(np.ceil(len(curves) / 2))
    fig, axes = plt.subplots(rows, 2, figsize=(WIDTH, 2.3 * rows + 0.5), sharey=True,
                             squeeze=False)
    for ax, (key, res) in zip(axes.flat, curves.items()):
        ax.plot(grid, accuracy_upper_bound(grid, relations[key]), color=MODE_COLORS["theory"],
                label="$f_\\mathrm{UB}$")
        ax.errorbar(res["fraction"], res["mean"], yerr=res["sem"], fmt="o", ms=3,
                    color=MODE_COLORS["montecarlo"], label="ideal reasoner (Monte Carlo)")
        if key in (loose or {}):
            ax.errorbar(loose[key]["fraction"], loose[key]["mean"], yerr=loose[key]["sem"],
                        fmt="D", ms=5, mfc="none", color=PALETTE["blue"], zorder=3,
                        label="knowing only 'equivalence'")
        ax.axvline(crude[key], color="grey", ls="--", lw=1, label="crude $p_c$")
        ax.set(title=relations[key].label, xlim=(0, xmax), xlabel="train fraction $p$")
    for ax in axes[:, 0]:
        ax.set_ylabel("accuracy")
    handles = {lab: h for ax in axes.flat for h, lab in zip(*ax.get_legend_handles_labels())}
    handles, labels = list(handles.values()), list(handles)
    for ax in axes.flat[len(curves):]:              # a spare panel holds the legend
        ax.axis("off")
    if len(curves) % 2:
        axes.flat[-1].legend(handles, labels, loc="center")
    else:
        fig.legend(handles, labels, loc="outside upper center", ncols=3)
    return fig


def network_panels(runs: dict, relations: dict, crude: dict, *, reasoner: dict | None = None,
                   xmax: float = 1.0):
    """The paper's Fig. 3, one panel per relation of `runs` (`statics.by_decoder`: {key:
    {decoder: runs}}; two columns, WIDTH wide): whole-dataset accuracy of each decoder against
    train fraction (mean and one standard deviation over seeds), the bound f_UB (line), the
    ideal reasoner of `reasoner` ({key: curve}, dotted) where given, the always-"unrelated"
    baseline (dash-dot) and the crude p_c of `crude` (dashed). Returns the figure."""
    from ..statics import accuracy_upper_bound, majority_baseline
    grid, reasoner = np.linspace(0.0, xmax, 200), reasoner or {}
    rows = int(np.ceil(len(runs) / 2))
    fig, axes = plt.subplots(rows, 2, figsize=(WIDTH, 2.6 * rows + 0.9), sharey=True,
                             squeeze=False)
    for ax, (key, by_decoder) in zip(axes.flat, runs.items()):
        rel = relations[key]
        ax.plot(grid, accuracy_upper_bound(grid, rel), color=MODE_COLORS["theory"], lw=1,
                label="$f_\\mathrm{UB}$")
        if key in reasoner:
            ax.plot(reasoner[key]["fraction"], reasoner[key]["mean"], ":",
                    color=MODE_COLORS["montecarlo"], label="ideal reasoner")
        for name, res in by_decoder.items():
            mean_band(ax, res["fraction"], res["whole_acc"], color=MODE_COLORS[name],
                      label="ideal decoder" if name == "ideal" else name)
        ax.axhline(majority_baseline(rel), color="grey", lw=1, ls="-.",
                   label="always 'unrelated'")
        ax.axvline(crude[key], color="grey", ls="--", lw=1, label="crude $p_c$")
        ax.set(title=rel.label, ylim=(0.45, 1.01), xlabel="train fraction $p$")
    for ax in axes[:, 0]:
        ax.set_ylabel("accuracy")
    for ax in axes.flat[len(runs):]:
        ax.set_visible(False)
    handles = {lab: h for ax in axes.flat for h, lab in zip(*ax.get_legend_handles_labels())}
    fig.legend(handles.values(), handles.keys(), loc="outside upper center", ncols=4)
    return fig


# Each chapter's figures, built on the helpers above (imported last: they import this module).
from . import duality, fieldtheory, goldilocks, repons, statics, twolayer  # noqa: E402, F401
