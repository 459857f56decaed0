"""Statics of representations: learning an equivalence is clustering the repons (Theorem 1).

The paper's Theorem 1, in our statement of it as a third-party teaching notebook reports it: if
the decoder fits every pair of an equivalence exactly, and tells any two distinct embeddings
apart (some symbol's embedding gets different outputs against them), then symbols of one class
share one embedding and symbols of different classes sit at distinct points. How close a
trained model comes to that picture is measured by the silhouette of its embeddings with the true
classes as cluster labels (Rousseeuw 1987): for symbol i with class mean distance a(i) to its own
class and b(i) to the nearest other class,

    s(i) = (b(i) - a(i)) / max(a(i), b(i)),     silhouette = mean_i s(i)  in [-1, 1],

1 for classes collapsed to distinct points, about 0 for embeddings unrelated to the classes.
`cluster_correlation` asks whether, across trained runs, clustering goes with generalization;
`cluster_summary` puts its answer, and the mean silhouette of each phase, in the chapter's words.
"""
from __future__ import annotations

import numpy as np
from scipy.stats import spearmanr

from .phases import PHASES

__all__ = ["silhouette", "cluster_correlation", "cluster_summary"]


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


def cluster_correlation(silhouettes, accuracies, *, alpha: float = 0.01) -> dict:
    """Spearman's rank correlation rho between the silhouettes of runs' embeddings and their
    test accuracies (Theorem 1 in practice: do the runs that generalize cluster by class?).

    Args:
        silhouettes, accuracies: (runs,) one value per trained run.
        alpha: significance level of the two-sided test (our criterion: 0.01).

    Returns:
        {"rho", "p", "runs", "alpha", "significant"}: significant when rho > 0 and p < alpha.
        With fewer than three runs or a constant input, rho and p are NaN and significant is
        False.

    Raises:
        ValueError: inputs that are not 1-D of equal length, or alpha outside (0, 1).
    """
    x, y = np.asarray(silhouettes, dtype=float), np.asarray(accuracies, dtype=float)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"silhouettes and accuracies must be 1-D of equal length, got shapes "
                         f"{x.shape} and {y.shape}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    out = {"rho": float("nan"), "p": float("nan"), "runs": len(x), "alpha": alpha,
           "significant": False}
    if len(x) >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0:
        result = spearmanr(x, y)
        out.update(rho=float(result.statistic), p=float(result.pvalue))
        out["significant"] = bool(out["rho"] > 0 and out["p"] < alpha)
    return out


def cluster_summary(runs, link: dict) -> dict:
    """What the Goldilocks chapter says about clustering (the names it glues).

    Args:
        runs: a table with columns phase and silhouette, one row per run.
        link: `cluster_correlation` over those runs.

    Returns:
        dict: rho, rho_p and n_runs from `link`; the mean silhouette of each phase present in
        words (sil_by_phase, e.g. "generalization 0.41, memorization 0.12") and of generalization
        and memorization (sil_gen, sil_mem; NaN when no run is in the phase); the verdict as a
        clause (link) and as a short phrase naming the level alpha (link_short).
    """
    sil = runs.groupby("phase")["silhouette"].mean()
    level = f"{100 * link['alpha']:g} %"
    return {"rho": link["rho"], "rho_p": link["p"], "n_runs": link["runs"],
            "sil_by_phase": ", ".join(f"{k} {sil[k]:.2f}" for k in PHASES if k in sil),
            "sil_gen": float(sil.get("generalization", np.nan)),
            "sil_mem": float(sil.get("memorization", np.nan)),
            "link": "the runs that test better are the runs whose embeddings cluster better"
            if link["significant"] else "we find no significant link at that level",
            "link_short": f"{'' if link['significant'] else 'not '}significant at the {level} "
            "level"}
