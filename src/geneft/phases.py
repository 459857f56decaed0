"""Phases of training: generalization, grokking, memorization, confusion (paper Table IV).

A run is classified from its recorded accuracy curves with the criteria of the paper's Table IV,
at threshold 0.9::

    generalization   train and test both exceed the threshold, test less than `grokking_delay`
                     steps after train (delay < 10^3 steps)
    grokking         both exceed it, test later by at least `grokking_delay` steps
    memorization     train exceeds it, test never does
    confusion        train never exceeds it

"Exceeds" means at some recorded step (the first such step is the crossing); the delay is
(first test crossing) - (first train crossing). The same classifier serves the Goldilocks map
(chapter 2) and the learning-rate phase diagram (chapter 3), on any sweep table.

The Goldilocks functions at the end read a capacity sweep (chapter 2): `seed_stats` averages a
curve over seeds, `peak` finds its maximum and says whether it is an interior one (`shape` and
`describe_peak` put that in words), `zone_sides` tests the two sides of the zone, `best_cell`
and `phase_counts` summarise a depth x width map, `goldilocks_claims` turns these numbers
into the chapter's scorecard rows and `verdict_table` shows those rows on the page. Last come
the tables and numbers the chapter quotes (`depth_table`, `depth_summary`, `map_summary`,
`mode_summary`, `verdict_summary`, ...); the summaries return dicts keyed by the names the
chapter glues.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["PHASES", "first_crossing", "classify", "classify_table", "phase_map", "representative",
           "phase_boundary", "fit_boundary", "seed_stats", "position", "peak", "shape",
           "describe_peak", "zone_sides", "best_cell", "phase_counts", "best_share",
           "goldilocks_verdicts", "goldilocks_claims", "verdict_table", "depth_table",
           "depth_summary", "describe_counts", "map_summary", "map_range", "typical_runs",
           "mode_stats", "mode_summary", "verdict_summary", "full_gist", "narrower_curve"]

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


# ---- the Goldilocks zone (chapter 2): reading a capacity sweep -------------------------------

POSITIONS = ("at the low end of the range", "inside the range", "at the high end of the range")


def seed_stats(table: pd.DataFrame, by: str, column: str = "test_acc") -> pd.DataFrame:
    """Mean, standard deviation (ddof 1), number of runs and standard error of the mean of
    `column` over the runs (seeds) that share each value of `by`.

    Returns:
        DataFrame indexed by the sorted values of `by`, columns mean, std, runs, sem (std and
        sem are NaN for a value with a single run).
    """
    missing = [c for c in (by, column) if c not in table]
    if missing:
        raise ValueError(f"table has no column(s) {missing}; columns: {list(table.columns)}")
    stats = table.groupby(by, sort=True)[column].agg(["mean", "std", "count"])
    stats = stats.rename(columns={"count": "runs"})
    stats["sem"] = stats["std"] / np.sqrt(stats["runs"])
    return stats


def position(value, values) -> str:
    """Where `value` lies among `values`, in words: one of POSITIONS, "at the low end of the
    range" (it is their minimum), "at the high end of the range" (their maximum) or "inside
    the range" (strictly between them).

    Raises:
        ValueError: `value` is not one of `values`, or `values` has fewer than two distinct
            values.
    """
    values = sorted(set(_plain(v) for v in values))
    if len(values) < 2:
        raise ValueError(f"values must hold at least two distinct values, got {values}")
    if _plain(value) not in values:
        raise ValueError(f"value {value!r} is not one of {values}")
    return POSITIONS[0 if value == values[0] else 2 if value == values[-1] else 1]


def peak(stats: pd.DataFrame, *, z: float = 2.0) -> dict:
    """The maximum of a seed-averaged curve, and whether it is an interior maximum: the shape
    of the paper's Fig. 7, test accuracy first rising then falling as the decoder grows.

    Args:
        stats: `seed_stats` rows (columns mean and sem) indexed by the swept value, >= 2 rows.
        z: how many standard errors a difference must exceed to count (our criterion: 2).

    Returns:
        dict: `best` (the index value of the largest mean; the smallest on ties), `mean` (its
        mean), `position` (see `position`), `first` and `last` (the ends of the range),
        `runner_up` (the second largest mean's value), then `rise` = mean(best) - mean(first),
        `fall` = mean(best) - mean(last) and `margin` = mean(best) - mean(runner_up), each with
        its standard error `rise_se`, `fall_se`, `margin_se` (the two standard errors in
        quadrature), `rises`, `falls` (the difference exceeds z standard errors; never with a
        NaN error, i.e. one run per value) and `interior` (both).
    """
    if len(stats) < 2:
        raise ValueError(f"stats must have at least two rows, got {len(stats)}")
    stats = stats.sort_index()
    order = np.argsort(-stats["mean"].to_numpy(), kind="stable")
    best, runner_up = stats.index[order[0]], stats.index[order[1]]
    first, last = stats.index[0], stats.index[-1]
    out = {"best": _plain(best), "mean": float(stats.loc[best, "mean"]),
           "position": position(best, stats.index), "first": _plain(first),
           "last": _plain(last), "runner_up": _plain(runner_up)}
    for name, other in (("rise", first), ("fall", last), ("margin", runner_up)):
        diff = float(stats.loc[best, "mean"] - stats.loc[other, "mean"])
        se = float(np.hypot(stats.loc[best, "sem"], stats.loc[other, "sem"]))
        out.update({name: diff, f"{name}_se": se})
        if name != "margin":
            out[f"{name}s"] = bool(diff > z * se)
    out["interior"] = out["rises"] and out["falls"]
    return out


def shape(curve_peak: dict, name: str = "depth") -> str:
    """The shape of a curve in words, from `peak`: where its maximum lies and whether it is
    more than z standard errors above each end of the range (`rises`, `falls`).

    The text completes a sentence such as "the test accuracy ...": e.g. "is highest at the
    smallest depth, 1, and significantly lower at depth 6", or "has an interior maximum at
    depth 3, significantly above both ends (depths 1 and 6)".
    """
    c = curve_peak
    best, first, last = c["best"], c["first"], c["last"]
    if best == first or best == last:
        end, other, lower = (("smallest", last, c["falls"]) if best == first
                             else ("largest", first, c["rises"]))
        return (f"is highest at the {end} {name}, {best}, and "
                f"{'' if lower else 'not '}significantly lower at {name} {other}")
    if c["rises"] and c["falls"]:
        return (f"has an interior maximum at {name} {best}, significantly above both ends "
                f"({name}s {first} and {last})")
    head = f"is highest at {name} {best}, inside the range, "
    if c["rises"] or c["falls"]:
        above, not_above = (first, last) if c["rises"] else (last, first)
        return head + (f"significantly above {name} {above} but not significantly above "
                       f"{name} {not_above}")
    return head + f"but not significantly above either end ({name}s {first} and {last})"


def describe_peak(curve_peak: dict, name: str = "depth") -> str:
    """`peak` in one clause, numbers included, e.g. "depth 1, at the low end of the range 1 to
    6 (mean 0.910); 0.047 ± 0.051 above depth 2 (the runner-up), 0.187 ± 0.052 above depth 6".
    The best value is compared with the runner-up and with each end of the range that differs
    from it, each once."""
    c = curve_peak
    text = (f"{name} {c['best']}, {c['position']} {c['first']} to {c['last']} "
            f"(mean {c['mean']:.3f})")
    gaps, seen = [], {c["best"]}
    for key, diff in (("runner_up", "margin"), ("first", "rise"), ("last", "fall")):
        if c[key] not in seen:
            seen.add(c[key])
            note = " (the runner-up)" if key == "runner_up" else ""
            gaps.append(f"{c[diff]:.3f} ± {c[diff + '_se']:.3f} above {name} {c[key]}{note}")
    return text + ("; " + ", ".join(gaps) if gaps else "")


def zone_sides(curve_peak: dict, deep_train: float, weak_train: float, *,
               threshold: float = 0.9) -> dict:
    """The two sides of the Goldilocks zone, the claim of the paper's abstract (first version).

    memorization: the largest decoder fits the training pairs (its mean train accuracy
        exceeds `threshold`) and yet tests significantly worse than the best one
        (`curve_peak["falls"]`, see `peak`);
    confusion: the weakest decoder does not fit them (mean train accuracy at most
        `threshold`: Table IV's confusion criterion applied to the mean over seeds).

    Returns:
        {"memorization": bool, "confusion": bool, "deep_train": float, "weak_train": float}.
    """
    return {"memorization": bool(curve_peak["falls"] and deep_train > threshold),
            "confusion": bool(weak_train <= threshold),
            "deep_train": float(deep_train), "weak_train": float(weak_train)}


def best_cell(cells: pd.DataFrame, column: str = "test_acc_mean") -> pd.Series:
    """The row of a `phase_map` table with the largest `column`; on ties the first row (with
    cells sorted by depth and width, the smallest decoder).

    Raises:
        ValueError: an empty table.
    """
    if cells.empty:
        raise ValueError("cells is empty")
    return cells.iloc[int(np.argmax(cells[column].to_numpy()))]


def phase_counts(cells: pd.DataFrame) -> dict:
    """How many cells of a `phase_map` table have each majority phase: {phase: count} over
    PHASES, in its order (zeros included)."""
    return {p: int((cells["phase"] == p).sum()) for p in PHASES}


def best_share(table: pd.DataFrame, by: str, column: str = "test_acc", *, draws: int = 2000,
               seed: int = 0) -> pd.Series:
    """How often each value of `by` is the best one when the seeds are resampled: a bootstrap
    over seeds of the argmax of the seed-averaged `column` (each value's runs resampled with
    replacement, independently). Ties go to the smallest value, as in `peak`.

    Returns:
        Series indexed by the values of `by` (sorted), the share of `draws` in which each is the
        best; the shares sum to 1.

    Raises:
        ValueError: `draws` not a positive integer, or fewer than two values of `by`.
    """
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise ValueError(f"draws must be a positive integer, got {draws!r}")
    values = np.sort(table[by].unique())
    if len(values) < 2:
        raise ValueError(f"{by} must take at least two values, got {list(values)}")
    rng = np.random.default_rng(seed)
    means = np.empty((draws, len(values)))
    for k, v in enumerate(values):
        runs = table.loc[table[by] == v, column].to_numpy(float)
        means[:, k] = runs[rng.integers(0, len(runs), (draws, len(runs)))].mean(axis=1)
    wins = np.bincount(np.argmax(means, axis=1), minlength=len(values))
    return pd.Series(wins / draws, index=pd.Index(values, name=by), name="share")


def goldilocks_verdicts(runs: pd.DataFrame, *, depths, widths, fig7_width: int,
                        threshold: float = 0.9, z: float = 2.0) -> dict:
    """The Goldilocks chapter's analysis of one capacity sweep, the same at every size.

    Args:
        runs: one row per run (a sweep table, or one read back from the results store) with
            columns depth, width, seed, train_acc, test_acc, phase and silhouette; it holds the
            depth curve (depths 0 and `depths` at `fig7_width`) and the map (`depths` x `widths`).
        depths, widths: the paper's depth range and the map's widths.
        fig7_width: the width of the depth curve.
        threshold, z: Table IV's accuracy threshold; standard errors a difference must exceed.

    Returns:
        dict: `curve` (the runs of the depth curve), `peak` (`peak` over `depths`), `share`
        (`best_share` over `depths`), `cells` (`phase_map` of the map), `sides` (`zone_sides`:
        deepest decoder of the curve; weakest = depth 0 or the map's narrowest width at its
        best-fitting depth, whichever fits less) and `link`
        (`representations.cluster_correlation` of silhouette and test accuracy at alpha 0.01).
    """
    from .representations import cluster_correlation

    curve = runs[runs.width == fig7_width]
    in_range = curve[curve.depth.isin(depths)]
    cells = phase_map(runs[runs.depth.isin(depths) & runs.width.isin(widths)], ["depth", "width"])
    curve_peak = peak(seed_stats(in_range, "depth"), z=z)
    weak = [curve[curve.depth == 0].train_acc.mean(),
            cells[cells.width == min(widths)].train_acc_mean.max()]
    sides = zone_sides(curve_peak, curve[curve.depth == max(depths)].train_acc.mean(),
                       float(np.nanmin(weak)), threshold=threshold)
    return {"curve": curve, "peak": curve_peak, "share": best_share(in_range, "depth"),
            "cells": cells, "sides": sides,
            "link": cluster_correlation(runs.silhouette, runs.test_acc, alpha=0.01)}


def goldilocks_claims(curve_peak: dict, sides: dict, link: dict, *, task: str, width: int,
                      fraction: float, threshold: float = 0.9, z: float = 2.0,
                      share: pd.Series | None = None) -> list:
    """The Goldilocks chapter's scorecard rows (`scorecard.Claim`), each status computed here.

    Args:
        curve_peak: `peak` of the test accuracy against depth over the paper's depths.
        sides: `zone_sides`.
        link: `representations.cluster_correlation` over the runs.
        task, width, fraction: the depth curve's relation label, decoder width, train fraction.
        threshold, z: the accuracy threshold and the number of standard errors used above.
        share: `best_share` of the depth curve, if known: how often the best depth stays best
            when the seeds are resampled.
    """
    from .scorecard import Claim, status

    c, mark = curve_peak, lambda ok: "yes" if ok else "no"  # noqa: E731
    resampled = "" if share is None else (f" (best in {share.get(c['best'], 0.0):.0%} of "
                                          f"resamples of the seeds)")
    return [
        Claim("Fig. 7", f"test accuracy against decoder depth has an interior maximum ({task}, "
              f"width {width}, train fraction {fraction:g})",
              f"a maximum inside depths {c['first']} to {c['last']}",
              f"best: {describe_peak(c)}{resampled}; the test accuracy {shape(c)}",
              f"the best depth beats both ends by more than {z:g} standard errors",
              status(c["interior"]), "gl-experiment"),
        Claim("Abstract (v1)", "a Goldilocks zone: too weak a decoder cannot fit the training "
              "pairs, too strong a decoder memorizes them", "both sides of the zone",
              f"memorization side: {mark(sides['memorization'])} (depth {c['last']}: train "
              f"{sides['deep_train']:.3f}, test {c['fall']:.3f} below the best); confusion "
              f"side: {mark(sides['confusion'])} (weakest decoder: train "
              f"{sides['weak_train']:.3f})",
              f"deepest: train above {threshold:g} and test {z:g} standard errors below the "
              f"best; weakest: train at most {threshold:g}",
              status([sides["memorization"], sides["confusion"]]), "gl-experiment"),
        Claim("Theorem 1", "generalizing representations cluster by class",
              "clustered embeddings generalize",
              f"Spearman $\\rho$(silhouette, test accuracy) = {link['rho']:.2f}, "
              f"$p$ = {link['p']:.0e} over {link['runs']} runs",
              f"$\\rho > 0$ with $p < {link['alpha']:g}$", status(link["significant"]),
              "gl-clusters"),
    ]


def verdict_table(claims: list) -> pd.DataFrame:
    """Scorecard rows (`scorecard.Claim`) as a narrow table for the page: the paper's item, the
    verdict (the status's mark and word) and the claim, one row per claim.

    Raises:
        ValueError: a claim whose text holds a dollar sign (a table cell is plain text, not math).
    """
    from .scorecard import STATUSES

    for c in claims:
        if "$" in c.claim:
            raise ValueError(f"claim text must be plain text, got {c.claim!r}")
    return pd.DataFrame({"item": [c.item for c in claims],
                         "verdict": [f"{STATUSES[c.status]} {c.status}" for c in claims],
                         "claim": [c.claim for c in claims]})


# ---- what the Goldilocks chapter quotes: its tables and the numbers of its prose --------------
# Each summary returns {name: value} with the names the chapter glues (as "gl_<name>").

DEPTH_COLUMNS = {"depth": "depth", "phase": "majority phase", "train_acc_mean": "train acc.",
                 "test_acc_mean": "test acc.", "test_acc_std": "test std", "runs": "seeds"}


def depth_table(by_depth: pd.DataFrame) -> pd.DataFrame:
    """The depth curve for people: the columns of DEPTH_COLUMNS of a `phase_map` over depth,
    renamed (e.g. test_acc_std -> "test std")."""
    return by_depth[list(DEPTH_COLUMNS)].rename(columns=DEPTH_COLUMNS)


def depth_summary(by_depth: pd.DataFrame, curve: pd.DataFrame, curve_peak: dict, *,
                  baseline: float) -> dict:
    """What the chapter says about its depth curve.

    Args:
        by_depth: `phase_map(curve, ["depth"])`; it must hold depth 0 and the paper's depths.
        curve: the curve's runs (columns depth, train_acc, silhouette).
        curve_peak: `peak` over the paper's depths (its `first` and `last` are their ends).
        baseline: the accuracy of always answering "unrelated".

    Returns:
        dict: the `peak` numbers (best_depth, best_depth_acc, runner_up, margin, margin_se,
        margin_se_2 = the margin's standard error with twice the seeds, fall_z = the fall in
        standard errors) and words (depth_peak, curve_shape, fig7_agrees); mean train and test
        accuracy at depth 0 and at the deepest depth; `lost` = the share of the best depth's lead
        over `baseline` lost at the deepest depth (NaN without a lead); the mean silhouette at
        the best and the deepest depth; depth1_train = mean train accuracy at the first depth.
    """
    c, acc = curve_peak, by_depth.set_index("depth")
    deepest, lead = c["last"], c["mean"] - baseline
    sil = curve.groupby("depth")["silhouette"].mean()
    return {"baseline": float(baseline), "best_depth": c["best"], "best_depth_acc": c["mean"],
            "depth_peak": describe_peak(c), "curve_shape": shape(c), "margin": c["margin"],
            "margin_se": c["margin_se"], "margin_se_2": float(c["margin_se"] / np.sqrt(2)),
            "runner_up": c["runner_up"], "deepest": deepest,
            "fall_z": c["fall"] / c["fall_se"] if c["fall_se"] > 0 else float("nan"),
            "fig7_agrees": "ours does too" if c["interior"] else "ours does not",
            "depth0_train": float(acc.loc[0, "train_acc_mean"]),
            "depth0_test": float(acc.loc[0, "test_acc_mean"]),
            "deepest_train": float(acc.loc[deepest, "train_acc_mean"]),
            "deepest_test": float(acc.loc[deepest, "test_acc_mean"]),
            "lost": float((c["mean"] - acc.loc[deepest, "test_acc_mean"]) / lead)
            if lead > 0 else float("nan"),
            "sil_best": float(sil[c["best"]]), "sil_deepest": float(sil[deepest]),
            "depth1_train": float(curve[curve.depth == c["first"]].train_acc.mean())}


def describe_counts(cells: pd.DataFrame) -> str:
    """`phase_counts` in words, e.g. "generalization 3, grokking 0, memorization 9, confusion 4"."""
    return ", ".join(f"{k} {v}" for k, v in phase_counts(cells).items())


def map_summary(cells: pd.DataFrame, *, deep_width: int) -> dict:
    """What the chapter says about a depth x width `phase_map`: its best cell (`best_cell`:
    best_cell_depth, best_cell_width, best_cell_acc), its majority phases (main_counts,
    n_cells), the best mean train accuracy at its narrowest width (narrow_width, narrow_train),
    and at its largest depth with width >= `deep_width` the lowest mean train and the highest
    mean test accuracy (wide_deep_train, wide_deep_test)."""
    best, narrow_width = best_cell(cells), int(cells.width.min())
    wide_deep = cells[(cells.depth == cells.depth.max()) & (cells.width >= deep_width)]
    return {"best_cell_depth": int(best.depth), "best_cell_width": int(best.width),
            "best_cell_acc": float(best.test_acc_mean), "main_counts": describe_counts(cells),
            "n_cells": len(cells), "narrow_width": narrow_width,
            "narrow_train": float(cells[cells.width == narrow_width].train_acc_mean.max()),
            "wide_deep_test": float(wide_deep.test_acc_mean.max()),
            "wide_deep_train": float(wide_deep.train_acc_mean.min())}


def map_range(cells: pd.DataFrame) -> dict:
    """The majority phases of a `phase_map` (counts, `describe_counts`) and the range of its
    cells' mean accuracies: min_test, max_test, min_train."""
    return {"counts": describe_counts(cells), "min_test": float(cells.test_acc_mean.min()),
            "max_test": float(cells.test_acc_mean.max()),
            "min_train": float(cells.train_acc_mean.min())}


def typical_runs(table: pd.DataFrame) -> pd.DataFrame:
    """The `representative` run of each phase that has one, in the order of PHASES: the rows of
    `table` (which has a `phase` column)."""
    picks = [representative(table, p) for p in PHASES]
    return table.loc[[i for i in picks if i is not None]]


def mode_stats(modes: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation over seeds of train_acc and test_acc for each decoder input
    mode, in the order the modes first appear: columns (metric, "mean" | "std"), index mode."""
    return modes.groupby("mode", sort=False)[["train_acc", "test_acc"]].agg(["mean", "std"])


def mode_summary(stats: pd.DataFrame) -> dict:
    """What the chapter says about the input modes (`mode_stats`): the mean test accuracy of each
    (modes, e.g. "concat 0.812, difference 0.790, squared 0.850"), the best (best_mode) and
    whether it is the one chapter 1 predicts for an equivalence, the squared difference
    (mode_note)."""
    test = stats[("test_acc", "mean")]
    best = str(test.idxmax())
    note = ("the input that builds in the symmetry of an equivalence, as chapter 1 predicts"
            if best == "squared" else "although chapter 1 predicts the squared difference, "
            "which builds in the symmetry of an equivalence")
    return {"modes": ", ".join(f"{m} {v:.3f}" for m, v in test.items()), "best_mode": best,
            "mode_note": note}


def verdict_summary(claims: list, sides: dict) -> dict:
    """The verdicts in words: how many counted rows have each status (tally, e.g. "2 reproduced,
    1 partly"), the number of counted rows (n_claims), the status of the Fig. 7 row
    (fig7_status) and each side of the zone (`zone_sides`) as "reproduced" or "not reproduced".
    """
    from .scorecard import tally

    word = {True: "reproduced", False: "not reproduced"}
    return {"tally": ", ".join(f"{v} {k}" for k, v in tally(claims).items() if v),
            "n_claims": sum(c.counted for c in claims),
            "fig7_status": next(c.status for c in claims if c.item == "Fig. 7"),
            "memorization": word[sides["memorization"]], "confusion": word[sides["confusion"]]}


def full_gist(found: dict | None, claims: list | None) -> str:
    """The stored full-size result in one clause, from its `goldilocks_verdicts` (`found`) and
    scorecard rows (`goldilocks_claims`); a sentence saying so when nothing is stored (None)."""
    if found is None:
        return "no full-size result is stored"
    c = found["peak"]
    rows = "; ".join(f"{claim.item}, {claim.status}" for claim in claims)
    return (f"the test accuracy {shape(c)} (mean {c['mean']:.3f} at depth "
            f"{c['best']}; depth {c['best']} is the best in "
            f"{found['share'][c['best']]:.0%} of resamples of the seeds). The chapter's "
            f"scorecard rows at full size: {rows}")


def narrower_curve(runs: pd.DataFrame, *, depths, widths, width: int, z: float = 2.0) -> dict:
    """The depth curve of an exercise: at the widest width of the map below `width` (try_width;
    the narrowest one if none is below), its `peak` over `depths` in words (try_width_peak,
    try_width_shape), its first depth (try_width_first) and the mean train accuracy there, at
    that width (try_width_train) and at `width` (try_width_train_ref)."""
    narrow = max([w for w in widths if w < width] or [min(widths)])
    column, curve = runs[runs.width == narrow], runs[runs.width == width]
    c = peak(seed_stats(column[column.depth.isin(depths)], "depth"), z=z)
    return {"try_width": narrow, "try_width_peak": describe_peak(c),
            "try_width_shape": shape(c), "try_width_first": c["first"],
            "try_width_train": float(column[column.depth == c["first"]].train_acc.mean()),
            "try_width_train_ref": float(curve[curve.depth == c["first"]].train_acc.mean())}


def _plain(value):
    """A numpy scalar as the Python number it holds; anything else unchanged."""
    return value.item() if isinstance(value, np.generic) else value
