"""The figures of chapter 4, field-theory learning curves (book/fieldtheory.md). Each takes the
chapter's computed results and returns the Figure; the style and the shared helpers come from
`geneft.plots`."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import CLASS_COLORS, PALETTE

__all__ = ["prior_power_by_degree", "degree_errors"]


def prior_power_by_degree(power: dict, depths, *, up_to: int = 12):
    """Prior power N(d, l) lambda_l (`fieldtheory.prior_power`, {depth: array}) against the
    degree l <= `up_to` on a log scale, one line per depth of `depths`; degrees with no power
    (depth 1: the odd ones above 1) are left out. Returns the figure."""
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    for i, h in enumerate(depths):
        ls = np.arange(min(len(power[h]), up_to + 1))        # the degrees drawn
        drawn = ls[power[h][ls] > 1e-12]
        ax.semilogy(drawn, power[h][drawn], "o-", ms=3,
                    color=CLASS_COLORS[i % len(CLASS_COLORS)], label=f"depth {h}")
    ax.set(xlabel="degree $l$", ylabel=r"prior power $N(d,l)\,\lambda_l$")
    ax.legend(loc="upper right", ncols=2)
    return fig


def degree_errors(n_grid, per_degree: dict, measured, critical: dict):
    """Per-degree error against N (log-log), one colour per degree l: the EK terms `per_degree`
    ({l: error over `n_grid`}, lines), the measured errors (dots; column degree_l of `measured`,
    indexed by N) and the half-learning points `critical` ({l: N_l*}, dotted verticals).
    Returns the figure."""
    fig, ax = plt.subplots(figsize=(5.5, 3.9))
    for k, l in enumerate(per_degree):
        color = CLASS_COLORS[k % len(CLASS_COLORS)]
        ax.loglog(n_grid, per_degree[l], color=color, label=f"degree {l}")
        ax.loglog(measured.index, measured[f"degree_{l}"], "o", ms=4, color=color)
        ax.axvline(critical[l], color=color, ls=":", lw=1.2)
    gray = PALETTE["black"]
    ax.plot([], [], color=gray, label="EK theory")
    ax.plot([], [], "o", ms=4, color=gray, label="exact GP")
    ax.plot([], [], ":", color=gray, label="$N_l^*$")
    ax.set(xlabel="N", ylabel="error of degree $l$", ylim=(1e-4, 2))
    fig.legend(loc="outside right center")
    return fig
