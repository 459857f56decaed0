"""Figure style and the plotting helpers the chapters share.

One look for the whole book: `use_style()` applies the package's matplotlib style, and colours
come from the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies).
Helpers take plain arrays and an Axes, and return the Axes.
"""
from __future__ import annotations

from importlib.resources import files

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["PALETTE", "MODE_COLORS", "use_style", "mean_band", "summarize"]

# Okabe & Ito (2008), "Color Universal Design"
PALETTE = {"black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
           "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7"}
MODE_COLORS = {"concat": PALETTE["blue"], "difference": PALETTE["orange"],
               "squared": PALETTE["green"], "ideal": PALETTE["purple"],
               "theory": PALETTE["black"], "montecarlo": PALETTE["vermillion"]}


def use_style() -> None:
    """Apply the book's matplotlib style (src/geneft/geneft.mplstyle)."""
    plt.style.use(str(files("geneft") / "geneft.mplstyle"))


def summarize(x: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group `values` by `x`: returns (sorted unique x, mean, standard deviation (ddof 0))."""
    x, values = np.asarray(x), np.asarray(values, dtype=float)
    ux = np.unique(x)
    groups = [values[x == u] for u in ux]
    return ux, np.array([g.mean() for g in groups]), np.array([g.std() for g in groups])


def mean_band(ax, x, values, *, label: str, color: str, marker: str = "o"):
    """Mean of `values` at each distinct x with a +/- 1 std band over the repeats (seeds)."""
    ux, mean, std = summarize(x, values)
    ax.plot(ux, mean, marker=marker, color=color, label=label, ms=4)
    ax.fill_between(ux, mean - std, mean + std, color=color, alpha=0.2, lw=0)
    return ax
