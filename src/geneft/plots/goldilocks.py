"""The figures of chapter 2, the Goldilocks zone (book/goldilocks.md). Each takes the chapter's
computed results and returns the Figure; the style and the shared helpers come from
`geneft.plots`."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..phases import PHASES
from . import (PALETTE, PHASE_COLORS, WIDTH, capacity_maps, depth_curve, embedding_grid,
               mean_band, share_bars)


def depth_accuracy(curve, baseline: float):
    """Train and test accuracy against decoder depth (`plots.depth_curve`), legend above."""
    fig, ax = plt.subplots(figsize=(WIDTH, 3.6))
    depth_curve(ax, curve, baseline)
    fig.legend(loc="outside upper center", ncols=3)
    return fig


def capacity_maps_not_to_scale(cells, *, height: float = 3.4):
    """`plots.capacity_maps` of a depth x width grid, axes labelled "not to scale"."""
    fig = capacity_maps(cells, height=height)
    fig.axes[0].set_ylabel("depth (not to scale)")             # the grid's values, evenly spaced
    for ax in fig.axes[:2]:
        ax.set_xlabel("width (not to scale)")
    return fig


def typical_embeddings(typical, labels):
    """The final embeddings of `phases.typical_runs`, one titled panel per run, by class."""
    examples = {f"{r.phase}\n{r.depth}x{r.width}, test {r.test_acc:.2f}, "
                f"sil. {r.silhouette:.2f}": r.embeddings for _, r in typical.iterrows()}
    return embedding_grid(examples, labels)


def silhouette_panels(curve, runs):
    """Silhouette against depth along the depth curve, and against test accuracy by phase."""
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 3.4))
    mean_band(axes[0], curve.depth, curve.silhouette, label="silhouette",
              color=PALETTE["purple"])
    axes[0].set(xlabel="decoder depth (hidden layers)", ylabel="silhouette")
    for ph in PHASES:
        group = runs[runs.phase == ph]
        if len(group):
            axes[1].scatter(group.silhouette, group.test_acc, s=14, color=PHASE_COLORS[ph],
                            edgecolor="0.35", lw=0.3, label=ph)
    axes[1].set(xlabel="silhouette", ylabel="test accuracy")
    fig.legend(*axes[1].get_legend_handles_labels(), loc="outside upper center", ncols=4)
    return fig


def mode_bars(stats, baseline: float):
    """Bars of train and test accuracy (mean, std) per decoder input mode (`phases.mode_stats`)."""
    fig, ax = plt.subplots(figsize=(5, 3.4))
    x = np.arange(len(stats))
    for k, (metric, color) in enumerate((("train_acc", "sky"), ("test_acc", "blue"))):
        ax.bar(x + (k - 0.5) * 0.38, stats[(metric, "mean")], 0.38, yerr=stats[(metric, "std")],
               color=PALETTE[color], label=metric.replace("_acc", ""), capsize=3)
    ax.axhline(baseline, ls="--", color=PALETTE["black"], lw=1, label="always unrelated")
    ax.set(xticks=x, xticklabels=stats.index, ylim=(0.5, 1.02), ylabel="accuracy")
    fig.legend(loc="outside upper center", ncols=3)
    return fig


def depth_and_share(curve, share, baseline: float):
    """Accuracy against depth (left) beside how often each depth is best (`phases.best_share`)."""
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 3.4), width_ratios=(3, 2))
    depth_curve(axes[0], curve, baseline)
    share_bars(axes[1], share)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside upper center", ncols=3)
    return fig
