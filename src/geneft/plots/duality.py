"""The figures of chapter 6, activity-weight duality (book/duality.md). Each takes the chapter's
computed results and returns the Figure; the style and the shared helpers come from
`geneft.plots`."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import NullFormatter

from . import CLASS_COLORS, MARKERS, PALETTE, WIDTH, factor_panels

__all__ = ["estimate_vs_gap", "gap_by_direction", "sharpness_vs_eigenvalue", "FIGURE_COLUMNS",
           "factor_figure"]


def estimate_vs_gap(runs, labels):
    """The A-W estimate against the measured gap, one point per network (`runs`: columns gap
    and aw), one colour and hollow marker shape per configuration (`labels`, one per row, so
    that coinciding points stay visible), and the line y = x."""
    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    for i, label in enumerate(dict.fromkeys(labels)):
        at = labels == label
        ax.plot(runs.gap[at], runs.aw[at], MARKERS[i % len(MARKERS)], color=CLASS_COLORS[i % 6],
                ms=6, mfc="none", mew=1.3, label=label)
    lim = [0.9 * min(runs.gap.min(), runs.aw.min()), 1.1 * max(runs.gap.max(), runs.aw.max())]
    ax.plot(lim, lim, "--", color=PALETTE["black"], lw=0.8, label="$y = x$")
    ax.set(xlabel="measured gap (test − train CE)", ylabel="A-W estimate", xlim=lim, ylim=lim)
    fig.legend(loc="outside right center")
    return fig


def _positive(dec) -> np.ndarray:
    """The directions whose eigenvalue is above 1e-8 of the largest: the others are
    numerically zero."""
    return dec.lam > 1e-8 * dec.lam[0]


def gap_by_direction(dec, n_share: int, share: float):
    """The share of the gap carried by the first n Hessian directions of a `Decomposition`
    and the eigenvalue lambda_n (right axis, log), against n (log), with a mark at `n_share`,
    the directions that carry `share` of the gap (`duality.gap_share`)."""
    n = np.arange(1, len(dec.lam) + 1)
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
    ax.plot(n, np.cumsum(dec.contributions) / dec.contributions.sum(), color=PALETTE["blue"],
            label="share of the gap, first $n$ directions")
    ax.axvline(n_share, color="0.4", ls=":", lw=1, label=f"{share:.0%} of the gap: $n$ = {n_share}")
    ax.set(xscale="log", xlabel="eigen-index $n$", ylabel="share of the gap")
    twin = ax.twinx()
    positive = _positive(dec)
    twin.plot(n[positive], dec.lam[positive], color=PALETTE["vermillion"], lw=1,
              label=r"eigenvalue $\lambda_n$ (right axis)")
    twin.set(yscale="log", ylabel=r"$\lambda_n$")
    twin.grid(False)
    fig.legend(handles=ax.get_lines() + twin.get_lines(), loc="outside upper center", ncols=2)
    return fig


def sharpness_vs_eigenvalue(dec):
    """The sharpness factor sigma_gamma,n of each Hessian direction of a `Decomposition`
    against its eigenvalue lambda_n (log-log; eigenvalues above 1e-8 of the largest)."""
    positive = _positive(dec)
    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    ax.loglog(dec.lam[positive], dec.sigma_gamma[positive], ".", ms=3,
              color=PALETTE["green"], label="one Hessian direction")
    ax.set(xlabel=r"Hessian eigenvalue $\lambda_n$", ylabel=r"sharpness $\sigma_{\gamma,n}$")
    ax.legend(loc="upper left")
    return fig


#: Axis labels of `factor_figure`'s panels, by column of the sweep table (matplotlib mathtext).
#:
#: :meta hide-value:
FIGURE_COLUMNS = {"gap": "gap", "sharp_size": r"$\Sigma_n\,\sigma_{\gamma,n}\sigma_{\theta,n}$",
                  "size": r"size $\Sigma_n\,\sigma_{\theta,n}^2$",
                  "sharpness": r"mean sharpness $\sigma_{\gamma,n}$"}


def factor_figure(table, names: dict | None = None, *, columns: dict | None = None):
    """The chapter's hyperparameter figure from `digits.sweep`'s table: one panel per factor
    swept over two or more values, each of `columns` as its seed mean (band: one standard
    deviation) divided by its mean at the factor's base value (`plots.factor_panels`), two
    panels a row, the page's width, with one legend; a factor whose values span a factor of 10
    or more is drawn on a log axis. `names`: {factor: its x-axis label}
    (`digits.FACTOR_NAMES`; None: the factor's name). `columns`: {column: axis label}; None:
    `FIGURE_COLUMNS`.

    Returns:
        the Figure, or None when no factor has two values.
    """
    columns = FIGURE_COLUMNS if columns is None else columns
    names = names or {}
    counts = table.groupby("factor", sort=False).value.nunique()
    factors = list(counts.index[counts > 1])
    if not factors:
        return None
    base = table[table.is_base].groupby("factor").value.first().to_dict()
    ncols = min(2, len(factors))
    nrows = -(-len(factors) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(WIDTH, 2.6 * nrows + 0.4), squeeze=False)
    factor_panels(axes.ravel(), table, factors, columns, base=base)
    for ax, factor in zip(axes.ravel(), factors):
        values = table.value[table.factor == factor]
        if values.min() > 0 and values.max() >= 10 * values.min():
            ax.set_xscale("log")                      # e.g. learning rates 0.005 .. 0.1
            ax.set_xticks(sorted(values.unique()), [f"{v:g}" for v in sorted(values.unique())])
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(names.get(factor, factor))
    handles = axes[0, 0].get_lines()[:len(columns)] + [
        Line2D([], [], color=PALETTE["black"], lw=0.6, label="base value")]
    spare = axes.ravel()[len(factors):]
    for ax in spare:
        ax.axis("off")
    if len(spare):
        spare[0].legend(handles=handles, loc="center")
    else:
        fig.legend(handles=handles, loc="outside upper center", ncols=3)
    return fig
