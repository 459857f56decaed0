"""The figures of chapter 3, repon dynamics (book/repons.md). Each takes the chapter's computed
results and returns the Figure; the style and the shared helpers come from `geneft.plots`."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .. import repons
from . import PALETTE

__all__ = ["phase_portrait", "arctan_law"]


def phase_portrait(starts, paths, eta_a: float, eta_x: float, *, lim=(2.0, 1.5)):
    """Two-repon trajectories of Eq. 10 in the (a, c) plane, coloured by fate (the sign of C at
    their start), the starts (black dots) and the separatrix C = 0.

    Args:
        starts: [(a0, c0), ...]; paths: one (2, T) array a(t), c(t) per start
            (`repons.integrate`); eta_a, eta_x: the learning rates they ran with.
        lim: the axes' upper limits (a, c).
    Returns the figure.
    """
    fig, ax = plt.subplots(figsize=(4.6, 4.0))
    for (a0, c0), path in zip(starts, paths):
        collide = repons.conserved(a0, c0, eta_a, eta_x) > 0
        ax.plot(*path, lw=1, label="collide, $C > 0$" if collide else "stay apart, $C < 0$",
                color=PALETTE["blue" if collide else "vermillion"])
    ax.plot(*np.array(starts).T, "o", ms=3, color="black", label="start")
    a = np.linspace(0, lim[0], 50)
    ax.plot(a, repons.separatrix(a, eta_a, eta_x), color="black", lw=1.5,
            label="separatrix $C = 0$")
    ax.set(xlim=(0, lim[0]), ylim=(0, lim[1]), xlabel="decoder weight $a$",
           ylabel="half-separation $c$")
    legend = dict(zip(*ax.get_legend_handles_labels()[::-1]))      # one entry per label
    fig.legend(legend.values(), legend.keys(), loc="outside upper center", ncols=2)
    return fig


def arctan_law(ratios, mc, gd, *, cluster: int = 10):
    """The arctan law of Eq. 12 (sigma_a = sigma_c) and the cluster law for N = `cluster`
    (dashed) against the learning-rate ratio eta_x / eta_A, with Monte Carlo (error bars: 2
    standard errors) and gradient descent (squares).

    Args:
        ratios: (R,) eta_x / eta_A; mc: (R, 2) Monte Carlo estimates and standard errors
            (`repons.p_r_montecarlo`); gd: (R,) collision shares (`repons.descent_collisions`).
    Returns the figure.
    """
    ratios, mc = np.asarray(ratios, dtype=float), np.asarray(mc, dtype=float)
    fine = np.logspace(np.log10(ratios.min()), np.log10(ratios.max()), 200)
    fig, ax = plt.subplots(figsize=(5, 3.8))
    ax.plot(fine, repons.p_r(fine), color=PALETTE["black"], label="arctan law")
    ax.plot(fine, repons.p_r_cluster(fine, cluster), ls="--", color=PALETTE["purple"],
            label=f"cluster law, N = {cluster}")
    ax.errorbar(ratios, mc[:, 0], 2 * mc[:, 1], fmt="o", ms=4, color=PALETTE["vermillion"],
                label="Monte Carlo")
    ax.plot(ratios, gd, "s", ms=4, color=PALETTE["blue"], label="gradient descent")
    ax.set(xscale="log", xlabel=r"$\eta_x / \eta_A$ (encoder / decoder)", ylabel="$p_r$")
    fig.legend(loc="outside upper center", ncols=2)
    return fig
