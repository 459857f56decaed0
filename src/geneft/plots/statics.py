"""The figures of chapter 1, statics (book/statics.md). Each takes the chapter's computed results
and returns the Figure; the style and the shared helpers come from `geneft.plots`."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import WIDTH

__all__ = ["relation_matrices"]


def relation_matrices(relations: dict, *, cols: int = 4):
    """The relations as adjacency matrices, row x1 and column x2, black where the pair is
    related: one panel per relation of `relations` ({key: tasks.Relation}), `cols` to a row,
    WIDTH wide. Returns the figure."""
    cols = min(cols, len(relations))
    rows = int(np.ceil(len(relations) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(WIDTH, 1.75 * rows + 0.2), squeeze=False)
    for ax, rel in zip(axes.flat, relations.values()):
        ax.imshow(rel.matrix, cmap="Greys", interpolation="nearest")
        ax.set(title=rel.label, xticks=[], yticks=[], xlabel="$x_2$", ylabel="$x_1$")
        ax.grid(False)
    for ax in axes.flat[len(relations):]:
        ax.set_visible(False)
    return fig
