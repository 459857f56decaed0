"""Statics of representations: learning an equivalence is clustering the repons (Theorem 1).

Theorem 1 (spec 5.1): if the decoder is injective and the training loss is zero, symbols of one
class share one embedding and symbols of different classes sit at distinct points. How close a
trained model comes to that picture is measured by the silhouette of its embeddings with the true
classes as cluster labels (Rousseeuw 1987): for symbol i with class mean distance a(i) to its own
class and b(i) to the nearest other class,

    s(i) = (b(i) - a(i)) / max(a(i), b(i)),     silhouette = mean_i s(i)  in [-1, 1],

1 for classes collapsed to distinct points, about 0 for embeddings unrelated to the classes.
"""
from __future__ import annotations

import numpy as np

__all__ = ["silhouette"]


def silhouette(points, labels) -> float:
    """Mean silhouette of `points` (n, d) under class `labels` (n,).

    Conventions: s(i) = 0 for a symbol alone in its class, and 0 when a(i) = b(i) = 0.

    Raises:
        ValueError: shapes that do not match, or fewer than two classes.
    """
    x = np.asarray(points, dtype=np.float64)
    y = np.asarray(labels)
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise ValueError(f"points must be (n, d) and labels (n,), got {x.shape} and {y.shape}")
    names, y = np.unique(y, return_inverse=True)
    if names.size < 2:
        raise ValueError("silhouette needs at least two classes")
    dist = np.linalg.norm(x[:, None, :] - x[None, :, :], axis=-1)            # (n, n)
    onehot = np.eye(names.size)[y]                                          # (n, k)
    sums, sizes = dist @ onehot, onehot.sum(0)                              # (n, k), (k,)
    own = sizes[y]
    a = sums[np.arange(len(y)), y] / np.maximum(own - 1, 1)                 # self distance is 0
    other = np.where(onehot.astype(bool), np.inf, sums / sizes)
    b = other.min(1)
    top = np.maximum(a, b)
    s = np.where((own > 1) & (top > 0), (b - a) / np.where(top > 0, top, 1), 0.0)
    return float(s.mean())
