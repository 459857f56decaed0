"""Phases of training: generalization, grokking, memorization, confusion (paper Table IV).

A run is classified from its recorded accuracy curves with the criteria of the paper's Table IV
(spec 5.4), at threshold 0.9::

    generalization   train and test both exceed the threshold, test at most `grokking_delay`
                     steps after train (delay < 10^3 steps)
    grokking         both exceed it, test later by at least `grokking_delay` steps
    memorization     train exceeds it, test never does
    confusion        train never exceeds it

"Exceeds" means at some recorded step (the first such step is the crossing); the delay is
(first test crossing) - (first train crossing). The same classifier serves the Goldilocks map
(chapter 2) and the learning-rate phase diagram (chapter 3), on any sweep table.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["PHASES", "first_crossing", "classify", "classify_table", "phase_map", "representative",
           "phase_boundary", "fit_boundary"]

PHASES = ("generalization", "grokking", "memorization", "confusion")


def first_crossing(steps, curve, threshold: float = 0.9) -> int | None:
    """The first recorded step at which `curve` > `threshold`, or None if it never is."""
    steps, curve = np.asarray(steps), np.asarray(curve)
    if steps.shape != curve.shape or steps.ndim != 1:
        raise ValueError(f"steps and curve must be 1-D of equal length, got shapes "
                         f"{steps.shape} and {curve.shape}")
    above = np.flatnonzero(curve > threshold)
    return int(steps[above[0]]) if above.size else None


def classify(steps, train_acc, test_acc, *, threshold: float = 0.9,
             grokking_delay: int = 1000) -> str:
    """The phase of one run (Table IV) from its curves, each (T,) at the recorded `steps`.

    Raises:
        ValueError: threshold outside (0, 1), negative delay, or curves of unequal shapes.
    """
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be in (0, 1), got {threshold!r}")
    if grokking_delay < 0:
        raise ValueError(f"grokking_delay must be >= 0, got {grokking_delay!r}")
    train_at = first_crossing(steps, train_acc, threshold)
    test_at = first_crossing(steps, test_acc, threshold)
    if train_at is None:
        return "confusion"
    if test_at is None:
        return "memorization"
    return "grokking" if test_at - train_at >= grokking_delay else "generalization"


def classify_table(table: pd.DataFrame, *, threshold: float = 0.9,
                   grokking_delay: int = 1000) -> pd.Series:
    """The phase of every row of a sweep table (columns curve_step, curve_train_acc,
    curve_test_acc, as sweeps.run_sweep returns)."""
    return pd.Series([classify(s, tr, te, threshold=threshold, grokking_delay=grokking_delay)
                      for s, tr, te in zip(table["curve_step"], table["curve_train_acc"],
                                           table["curve_test_acc"])],
                     index=table.index, name="phase", dtype=object)


def phase_map(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """One row per cell (the groups of `by`) of a table with a `phase` column: mean and std of
    train_acc and test_acc, the share of seeds in each phase, and the majority phase (ties go
    to the phase listed first in PHASES)."""
    if "phase" not in table:
        raise ValueError("table needs a 'phase' column; add it with classify_table")
    groups = table.groupby(by, sort=True)
    cells = groups[["train_acc", "test_acc"]].agg(["mean", "std"])
    cells.columns = [f"{metric}_{stat}" for metric, stat in cells.columns]
    share = pd.crosstab([table[k] for k in by], table["phase"], normalize="index")
    share = share.reindex(columns=list(PHASES), fill_value=0.0).add_prefix("share_")
    cells = cells.join(share)
    cells["phase"] = [PHASES[int(np.argmax(row))] for row in cells[share.columns].to_numpy()]
    cells["runs"] = groups.size()
    return cells.reset_index()


def representative(table: pd.DataFrame, phase: str):
    """Index of a typical run of `phase` in a table with a `phase` column: the one whose
    test_acc is the median among that phase's runs (lower median), or None if there is none."""
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {list(PHASES)}, got {phase!r}")
    runs = table[table["phase"] == phase].sort_values(["test_acc", "seed"], kind="stable")
    return None if runs.empty else runs.index[(len(runs) - 1) // 2]


def phase_boundary(table: pd.DataFrame, *, x: str = "lr_enc", y: str = "lr_dec",
                   below: str = "generalization", above: str = "memorization") -> pd.DataFrame:
    """Where, in each column x of a phase map, the phase turns from `below` to `above` as y
    grows: the geometric mean of the largest y in `below` and the next larger y in `above`.

    `table` has one row per cell with columns x, y and phase (e.g. phases.phase_map). Columns
    without such a step are left out. Returns a DataFrame with x, y (the boundary) and ratio
    y / x.
    """
    rows = []
    for xv, col in table.sort_values(y).groupby(x):
        ys, ph = col[y].to_numpy(), col["phase"].to_numpy()
        step = [i for i in range(len(ys) - 1) if ph[i] == below and ph[i + 1] == above]
        if step:
            i = step[-1]
            yb = float(np.sqrt(ys[i] * ys[i + 1]))
            rows.append({x: xv, y: yb, "ratio": yb / xv})
    return pd.DataFrame(rows, columns=[x, y, "ratio"])


def fit_boundary(boundary: pd.DataFrame, *, x: str = "lr_enc", y: str = "lr_dec") -> dict:
    """Least-squares line log10 y = slope log10 x + intercept through boundary points, and the
    critical ratio y / x as the geometric mean of the points' ratios. NaNs with < 2 points."""
    if len(boundary) < 2:
        return {"slope": float("nan"), "intercept": float("nan"),
                "ratio": float(np.exp(np.log(boundary["ratio"]).mean())) if len(boundary) else
                float("nan"), "points": len(boundary)}
    slope, intercept = np.polyfit(np.log10(boundary[x]), np.log10(boundary[y]), 1)
    return {"slope": float(slope), "intercept": float(intercept),
            "ratio": float(np.exp(np.log(boundary["ratio"]).mean())), "points": len(boundary)}


def boundary_fits(cells: pd.DataFrame, by: str, **axes) -> tuple[dict, dict]:
    """`phase_boundary` and `fit_boundary` for each value of column `by` of a phase map (e.g.
    one learning-rate diagram per weight decay): ({value: fit}, {value: boundary points})."""
    bounds = {v: phase_boundary(group, **axes) for v, group in cells.groupby(by)}
    return {v: fit_boundary(b, **axes) for v, b in bounds.items()}, bounds
