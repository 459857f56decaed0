"""Table IV phases on synthetic accuracy curves, including the boundary cases."""
import numpy as np
import pandas as pd
import pytest

from geneft import scorecard
from geneft.phases import (PHASES, POSITIONS, best_cell, classify, classify_table,
                           depth_summary, depth_table, describe_peak, first_crossing,
                           fit_boundary, full_gist, goldilocks_claims, goldilocks_verdicts,
                           map_range, map_summary, mode_stats, mode_summary, narrower_curve, peak,
                           phase_boundary, phase_counts, phase_map, position, representative,
                           seed_stats, shape, typical_runs, verdict_summary, verdict_table,
                           zone_sides)

STEPS = np.arange(0, 3001, 100)


def ramp(at, low=0.5, high=1.0):
    """A curve that jumps from low to high at step `at` (None: never)."""
    return np.where(STEPS >= (np.inf if at is None else at), high, low)


@pytest.mark.parametrize("train_at, test_at, phase", [
    (300, 500, "generalization"),
    (300, 1200, "generalization"),    # delay 900 < 1000
    (300, 1300, "grokking"),          # delay exactly 1000 counts as grokking
    (300, 2500, "grokking"),
    (300, None, "memorization"),
    (None, None, "confusion"),
    (None, 500, "confusion"),         # test above threshold but train never: confusion
    (800, 200, "generalization"),     # test first: negative delay
], ids=["quick", "delay-900", "delay-1000", "late", "memorize", "confuse", "test-only",
        "test-first"])
def test_classify_table_iv(train_at, test_at, phase):
    assert classify(STEPS, ramp(train_at), ramp(test_at)) == phase


def test_threshold_must_be_exceeded_not_reached():
    flat = np.full(STEPS.shape, 0.9)
    assert first_crossing(STEPS, flat, 0.9) is None
    assert classify(STEPS, flat, flat) == "confusion"
    assert classify(STEPS, flat + 1e-6, flat) == "memorization"


def test_bad_arguments():
    with pytest.raises(ValueError, match="threshold must be in"):
        classify(STEPS, ramp(1), ramp(1), threshold=1.0)
    with pytest.raises(ValueError, match="equal length"):
        first_crossing(STEPS, ramp(1)[:-1])


def synthetic_table():
    rows = []
    for cell, (tr, te) in enumerate([(300, 400), (300, None), (None, None)]):
        for seed in range(3):
            te_seed = te if seed < 2 else None  # one seed of each cell memorizes
            rows.append(dict(cell=cell, seed=seed, curve_step=STEPS, curve_train_acc=ramp(tr),
                             curve_test_acc=ramp(te_seed), train_acc=ramp(tr)[-1],
                             test_acc=ramp(te_seed)[-1] - 0.01 * seed))
    table = pd.DataFrame(rows)
    table["phase"] = classify_table(table)
    return table


def test_phase_map_majority_and_shares():
    cells = phase_map(synthetic_table(), ["cell"])
    assert cells.phase.tolist() == ["generalization", "memorization", "confusion"]
    assert cells.loc[0, "share_generalization"] == pytest.approx(2 / 3)
    assert cells.loc[0, "share_memorization"] == pytest.approx(1 / 3)
    assert (cells.runs == 3).all()
    assert set(f"share_{p}" for p in PHASES) <= set(cells.columns)


def test_phase_map_tie_goes_to_first_listed_phase():
    table = synthetic_table()
    table = table[(table.cell == 0) & (table.seed >= 1)]  # one generalizes, one memorizes
    assert phase_map(table, ["cell"]).phase.tolist() == ["generalization"]


def test_representative_is_the_median_run_of_its_phase():
    table = synthetic_table()
    i = representative(table, "generalization")
    assert table.loc[i, "phase"] == "generalization"
    assert representative(table, "grokking") is None


def diagonal_map(ratio):
    """A synthetic phase map: generalization below lr_dec = ratio * lr_enc, memorization above."""
    lrs = np.logspace(-4, -1, 7)
    rows = [dict(lr_enc=x, lr_dec=y, phase="generalization" if y < ratio * x else "memorization")
            for x in lrs for y in lrs]
    return pd.DataFrame(rows)


def test_phase_boundary_recovers_a_constant_ratio_line():
    fit = fit_boundary(phase_boundary(diagonal_map(20.0)))
    assert fit["slope"] == pytest.approx(1.0)
    # boundaries sit at geometric midpoints of the grid: within half a grid step of 20
    assert 20.0 / 10 ** 0.25 <= fit["ratio"] <= 20.0 * 10 ** 0.25
    assert fit["points"] == 4  # columns where the step falls inside the grid


def test_no_boundary_gives_nan_fit():
    table = diagonal_map(1e9)  # all generalization
    fit = fit_boundary(phase_boundary(table))
    assert fit["points"] == 0 and np.isnan(fit["slope"])


# ---- the Goldilocks zone: reading a capacity sweep ---------------------------------------------

def curve_table(means, spread=0.02, seeds=4):
    """Runs of a depth sweep: at depth d, `seeds` runs at means[d] -/+ spread."""
    offsets = np.linspace(-spread, spread, seeds)
    return pd.DataFrame([dict(depth=d, seed=s, test_acc=m + offsets[s])
                         for d, m in enumerate(means) for s in range(seeds)])


def test_seed_stats_by_hand():
    table = pd.DataFrame(dict(depth=[2, 2, 2, 1], test_acc=[0.5, 0.7, 0.9, 0.6]))
    stats = seed_stats(table, "depth")
    assert stats.index.tolist() == [1, 2]
    assert stats.loc[2, "mean"] == pytest.approx(0.7)
    assert stats.loc[2, "std"] == pytest.approx(0.2)
    assert stats.loc[2, "sem"] == pytest.approx(0.2 / np.sqrt(3))
    assert stats.loc[1, "runs"] == 1 and np.isnan(stats.loc[1, "sem"])
    with pytest.raises(ValueError, match="no column"):
        seed_stats(table, "width")


@pytest.mark.parametrize("value, words", [(1, POSITIONS[0]), (3, POSITIONS[1]),
                                          (6, POSITIONS[2]), (np.int64(6), POSITIONS[2])],
                         ids=["low", "inside", "high", "numpy"])
def test_position_words(value, words):
    assert position(value, [6, 1, 2, 3, 4, 5, 3]) == words


def test_position_bad_input():
    with pytest.raises(ValueError, match="not one of"):
        position(7, range(1, 7))
    with pytest.raises(ValueError, match="two distinct"):
        position(1, [1, 1])


def test_peak_of_a_hump_is_interior():
    p = peak(seed_stats(curve_table([0.70, 0.90, 0.80, 0.60]), "depth"))
    assert (p["best"], p["first"], p["last"]) == (1, 0, 3)
    assert p["position"] == "inside the range" and p["interior"]
    assert p["rise"] == pytest.approx(0.2) and p["fall"] == pytest.approx(0.3)
    sem = np.std(np.linspace(-0.02, 0.02, 4), ddof=1) / 2
    assert p["rise_se"] == pytest.approx(np.sqrt(2) * sem)


def test_peak_of_a_falling_curve_is_at_the_low_end():
    p = peak(seed_stats(curve_table([0.90, 0.85, 0.70]), "depth"))
    assert p["best"] == 0 and p["position"] == "at the low end of the range"
    assert p["rise"] == 0 and not p["rises"] and p["falls"] and not p["interior"]


def test_peak_differences_within_the_noise_do_not_count():
    # a hump of 0.01 with seeds spread over +/- 0.2: not 2 standard errors
    p = peak(seed_stats(curve_table([0.80, 0.81, 0.80], spread=0.2), "depth"))
    assert p["best"] == 1 and p["position"] == "inside the range"
    assert not p["rises"] and not p["falls"]
    single = peak(seed_stats(curve_table([0.7, 0.9, 0.7], seeds=1), "depth"))
    assert not single["rises"] and not single["falls"]  # one run: no standard error


def test_peak_ties_go_to_the_smallest_value():
    assert peak(seed_stats(curve_table([0.8, 0.9, 0.9]), "depth"))["best"] == 1


@pytest.mark.parametrize("falls, deep, weak, expected", [
    (True, 0.99, 0.70, (True, True)),
    (False, 0.99, 0.70, (False, True)),    # deep decoders do not test worse
    (True, 0.85, 0.70, (False, True)),     # nor do they fit: that is not memorization
    (True, 0.99, 0.90, (True, True)),      # 0.9 is not above the threshold: confusion
    (True, 0.99, 0.95, (True, False)),
], ids=["both", "no-fall", "no-fit", "at-threshold", "weak-fits"])
def test_zone_sides(falls, deep, weak, expected):
    sides = zone_sides({"falls": falls}, deep, weak, threshold=0.9)
    assert (sides["memorization"], sides["confusion"]) == expected


def test_best_cell_and_phase_counts():
    cells = pd.DataFrame(dict(depth=[1, 1, 2, 2], width=[2, 5, 2, 5],
                              test_acc_mean=[0.6, 0.9, 0.9, 0.7],
                              phase=["confusion", "generalization", "generalization",
                                     "memorization"]))
    best = best_cell(cells)
    assert (best.depth, best.width) == (1, 5)  # tie with (2, 2): the first row
    assert phase_counts(cells) == {"generalization": 2, "grokking": 0, "memorization": 1,
                                   "confusion": 1}
    with pytest.raises(ValueError, match="empty"):
        best_cell(cells.iloc[:0])


def test_goldilocks_claims_statuses_follow_the_numbers():
    hump = peak(seed_stats(curve_table([0.70, 0.90, 0.80, 0.60]), "depth"))
    falling = peak(seed_stats(curve_table([0.90, 0.85, 0.70]), "depth"))
    link = {"rho": 0.6, "p": 1e-5, "runs": 40, "alpha": 0.01, "significant": True}
    claims = goldilocks_claims(hump, zone_sides(hump, 0.99, 0.7), link, task="mod 3",
                               width=10, fraction=0.3)
    assert [c.status for c in claims] == ["reproduced"] * 3
    claims = goldilocks_claims(falling, zone_sides(falling, 0.99, 0.95),
                               {**link, "significant": False}, task="mod 3", width=10,
                               fraction=0.3)
    # an interior maximum is one property: half of it (the fall) is not "partly"
    assert [c.status for c in claims] == ["not reproduced", "partly", "not reproduced"]
    assert "best: depth 0, at the low end of the range 0 to 2" in claims[0].ours
    assert "confusion side: no" in claims[1].ours
    scorecard.html("goldilocks", claims)  # balanced $ signs: the math renders


def test_peak_runner_up_and_margin():
    p = peak(seed_stats(curve_table([0.70, 0.90, 0.85, 0.60]), "depth"))
    assert p["runner_up"] == 2 and p["margin"] == pytest.approx(0.05)
    assert p["margin_se"] == pytest.approx(p["rise_se"])  # equal spreads at every depth


@pytest.mark.parametrize("means, words", [
    ([0.70, 0.90, 0.60],
     "has an interior maximum at depth 1, significantly above both ends (depths 0 and 2)"),
    ([0.90, 0.85, 0.70], "is highest at the smallest depth, 0, and significantly lower at depth 2"),
    ([0.90, 0.85, 0.89], "is highest at the smallest depth, 0, and not significantly lower at "
                         "depth 2"),
    ([0.60, 0.70, 0.90], "is highest at the largest depth, 2, and significantly lower at depth 0"),
    ([0.70, 0.90, 0.89], "is highest at depth 1, inside the range, significantly above depth 0 "
                         "but not significantly above depth 2"),
    ([0.89, 0.90, 0.70], "is highest at depth 1, inside the range, significantly above depth 2 "
                         "but not significantly above depth 0"),
    ([0.80, 0.81, 0.80], "is highest at depth 1, inside the range, but not significantly above "
                         "either end (depths 0 and 2)"),
], ids=["hump", "falling", "flat-from-the-low-end", "rising", "rise-only", "fall-only", "flat"])
def test_shape_words(means, words):
    # seeds spread over +/- 0.02: a standard error of the difference of about 0.011
    assert shape(peak(seed_stats(curve_table(means), "depth"))) == words


def test_shape_names_the_swept_value():
    p = peak(seed_stats(curve_table([0.90, 0.85, 0.70]), "depth"))
    assert shape(p, "width") == ("is highest at the smallest width, 0, and significantly lower "
                                 "at width 2")


def test_verdict_table_one_row_per_claim():
    hump = peak(seed_stats(curve_table([0.70, 0.90, 0.80, 0.60]), "depth"))
    link = {"rho": 0.6, "p": 1e-5, "runs": 40, "alpha": 0.01, "significant": False}
    claims = goldilocks_claims(hump, zone_sides(hump, 0.99, 0.7), link, task="mod 3",
                               width=10, fraction=0.3)
    table = verdict_table(claims)
    assert list(table.columns) == ["item", "verdict", "claim"]
    assert list(table["item"]) == ["Fig. 7", "Abstract (v1)", "Theorem 1"]
    assert list(table["verdict"]) == ["✔ reproduced", "✔ reproduced", "✘ not reproduced"]
    with pytest.raises(ValueError, match="plain text"):
        verdict_table([scorecard.Claim("Eq. 1", "$x$", "", "", "", "reproduced", "a")])


def test_describe_peak_names_each_comparison_once():
    falling = peak(seed_stats(curve_table([0.90, 0.85, 0.70]), "depth"))
    text = describe_peak(falling)
    assert text.startswith("depth 0, at the low end of the range 0 to 2 (mean 0.900); ")
    assert "0.050 ± " in text and "above depth 1 (the runner-up)" in text
    assert "above depth 2" in text and "above depth 0" not in text
    hump = describe_peak(peak(seed_stats(curve_table([0.70, 0.90, 0.80, 0.60]), "depth")))
    assert hump.count("above depth") == 3 and "inside the range 0 to 3" in hump
    ends = describe_peak(peak(seed_stats(curve_table([0.70, 0.90, 0.60]), "depth")))
    assert ends.count("above depth") == 2  # the runner-up is an end: named once
    assert "above depth 0 (the runner-up)" in ends


def test_best_share_counts_how_often_each_value_stays_best_under_resampling():
    from geneft.phases import best_share
    clear = pd.DataFrame({"depth": [1] * 4 + [2] * 4, "test_acc": [0.6, 0.61, 0.6, 0.62,
                                                                    0.9, 0.91, 0.9, 0.92]})
    share = best_share(clear, "depth")
    assert share.to_dict() == {1: 0.0, 2: 1.0}
    close = pd.DataFrame({"depth": [1] * 6 + [2] * 6,
                          "test_acc": [0.8, 0.9, 0.7, 0.85, 0.75, 0.8] * 2})   # same seeds
    share = best_share(close, "depth", draws=4000)
    assert share.sum() == pytest.approx(1.0) and 0.3 < share[1] < 0.7
    assert best_share(close, "depth", draws=50, seed=3).equals(
        best_share(close, "depth", draws=50, seed=3))                     # deterministic
    with pytest.raises(ValueError, match="draws must be a positive integer"):
        best_share(clear, "depth", draws=0)
    with pytest.raises(ValueError, match="at least two values"):
        best_share(clear[clear.depth == 1], "depth")


def _capacity_runs(rng):
    """A capacity sweep with a known shape: depth 2 best, depth 0 cannot fit, depth 4 memorizes,
    width 2 cannot fit; silhouette tracks test accuracy."""
    rows = []
    test = {0: 0.6, 1: 0.8, 2: 0.95, 3: 0.8, 4: 0.7}
    for depth in range(5):
        for width in (2, 10):
            for seed in range(6):
                fit = width > 2 and depth > 0
                t = test[depth] if width > 2 else 0.62
                rows.append(dict(depth=depth, width=width, seed=seed,
                                 train_acc=0.99 if fit else 0.7,
                                 test_acc=t + rng.normal(0, 0.01),
                                 phase="memorization" if fit else "confusion",
                                 silhouette=t - 0.5 + rng.normal(0, 0.01)))
    return pd.DataFrame(rows)


def test_goldilocks_verdicts_read_a_capacity_sweep_of_known_shape(rng):
    from geneft.phases import goldilocks_verdicts
    found = goldilocks_verdicts(_capacity_runs(rng), depths=[1, 2, 3, 4], widths=[2, 10],
                                fig7_width=10)
    assert set(found["curve"].width) == {10} and set(found["curve"].depth) == set(range(5))
    assert found["peak"]["best"] == 2 and found["peak"]["interior"]
    assert found["share"][2] == pytest.approx(1.0)
    assert found["sides"] == {"memorization": True, "confusion": True,
                              "deep_train": pytest.approx(0.99),
                              "weak_train": pytest.approx(0.7)}
    assert len(found["cells"]) == 8 and found["link"]["significant"]


# ---- what the Goldilocks chapter quotes ---------------------------------------------------------

def _depth_curve_runs():
    """A depth curve of known numbers: test 0.6, 0.9, 0.8, 0.7 at depths 0-3 (seeds -/+ 0.02),
    train 0.65 at depth 0 and 0.99 above, silhouette 0.1 x depth."""
    runs = curve_table([0.6, 0.9, 0.8, 0.7])
    runs["train_acc"] = np.where(runs.depth == 0, 0.65, 0.99)
    runs["silhouette"] = 0.1 * runs.depth
    runs["phase"] = np.where(runs.depth == 0, "confusion", "generalization")
    return runs


def test_depth_table_renames_the_columns_for_people():
    table = depth_table(phase_map(_depth_curve_runs(), ["depth"]))
    assert list(table.columns) == ["depth", "majority phase", "train acc.", "test acc.",
                                   "test std", "seeds"]
    assert table["seeds"].tolist() == [4] * 4 and table["test acc."][1] == pytest.approx(0.9)


def test_depth_summary_by_hand():
    runs = _depth_curve_runs()
    by_depth, in_range = phase_map(runs, ["depth"]), runs[runs.depth >= 1]
    p = peak(seed_stats(in_range, "depth"))                 # best depth 1 = the low end
    got = depth_summary(by_depth, runs, p, baseline=0.6)
    se = np.sqrt(2) * np.std(np.linspace(-0.02, 0.02, 4), ddof=1) / 2
    assert (got["best_depth"], got["runner_up"], got["deepest"]) == (1, 2, 3)
    assert got["best_depth_acc"] == pytest.approx(0.9) and got["margin"] == pytest.approx(0.1)
    assert got["margin_se_2"] == pytest.approx(se / np.sqrt(2))
    assert got["fall_z"] == pytest.approx(0.2 / se)
    assert got["lost"] == pytest.approx(0.2 / 0.3)          # (0.9 - 0.7) / (0.9 - 0.6)
    assert (got["depth0_train"], got["depth0_test"]) == pytest.approx((0.65, 0.6))
    assert (got["deepest_train"], got["deepest_test"]) == pytest.approx((0.99, 0.7))
    assert (got["sil_best"], got["sil_deepest"]) == pytest.approx((0.1, 0.3))
    assert got["depth1_train"] == pytest.approx(0.99) and got["baseline"] == 0.6
    assert got["fig7_agrees"] == "ours does not" and got["curve_shape"] == shape(p)
    assert got["depth_peak"] == describe_peak(p)
    assert np.isnan(depth_summary(by_depth, runs, p, baseline=0.95)["lost"])   # no lead


def _map_cells():
    return pd.DataFrame(dict(depth=[1, 1, 2, 2], width=[2, 10, 2, 10],
                             test_acc_mean=[0.6, 0.9, 0.62, 0.8],
                             train_acc_mean=[0.7, 0.99, 0.75, 0.98],
                             phase=["confusion", "generalization", "confusion",
                                    "memorization"]))


def test_map_summary_by_hand():
    got = map_summary(_map_cells(), deep_width=10)
    assert (got["best_cell_depth"], got["best_cell_width"]) == (1, 10)
    assert got["best_cell_acc"] == pytest.approx(0.9) and got["n_cells"] == 4
    assert got["main_counts"] == "generalization 1, grokking 0, memorization 1, confusion 2"
    assert (got["narrow_width"], got["narrow_train"]) == (2, pytest.approx(0.75))
    assert got["wide_deep_test"] == pytest.approx(0.8)      # the one cell: depth 2, width 10
    assert got["wide_deep_train"] == pytest.approx(0.98)


def test_map_range_by_hand():
    assert map_range(_map_cells()) == {
        "counts": "generalization 1, grokking 0, memorization 1, confusion 2",
        "min_test": 0.6, "max_test": 0.9, "min_train": 0.7}


def test_typical_runs_one_median_run_per_phase_in_table_iv_order():
    table = pd.DataFrame(dict(seed=[0, 1, 0, 1, 2],
                              phase=["confusion", "confusion", "generalization",
                                     "generalization", "generalization"],
                              test_acc=[0.5, 0.6, 0.9, 0.95, 0.92]))
    typical = typical_runs(table)
    assert typical.phase.tolist() == ["generalization", "confusion"]
    assert typical.test_acc.tolist() == [0.92, 0.5]         # the (lower) median of each
    assert typical_runs(table.iloc[:0]).empty


@pytest.mark.parametrize("squared, best, note", [
    (0.91, "squared", "the input that builds in the symmetry of an equivalence"),
    (0.61, "concat", "although chapter 1 predicts the squared difference"),
], ids=["squared-best", "concat-best"])
def test_mode_stats_and_summary(squared, best, note):
    modes = pd.DataFrame(dict(mode=["concat", "concat", "squared", "squared", "difference",
                                    "difference"],
                              train_acc=[1.0] * 6,
                              test_acc=[0.80, 0.82, squared - 0.01, squared + 0.01, 0.7, 0.72]))
    stats = mode_stats(modes)
    assert stats.index.tolist() == ["concat", "squared", "difference"]   # order of appearance
    assert stats.loc["concat", ("test_acc", "std")] == pytest.approx(0.02 / np.sqrt(2))
    got = mode_summary(stats)
    assert got["modes"] == f"concat 0.810, squared {squared:.3f}, difference 0.710"
    assert got["best_mode"] == best and got["mode_note"].startswith(note)


def test_verdict_summary_counts_the_statuses():
    falling = peak(seed_stats(curve_table([0.90, 0.85, 0.70]), "depth"))
    link = {"rho": 0.6, "p": 1e-5, "runs": 40, "alpha": 0.01, "significant": False}
    sides = zone_sides(falling, 0.99, 0.95)                  # memorization only
    claims = goldilocks_claims(falling, sides, link, task="mod 3", width=10, fraction=0.3)
    got = verdict_summary(claims, sides)
    assert got == {"tally": "1 partly, 2 not reproduced", "n_claims": 3,
                   "fig7_status": "not reproduced", "memorization": "reproduced",
                   "confusion": "not reproduced"}


def test_full_gist_reads_the_stored_verdicts(rng):
    assert full_gist(None, None) == "no full-size result is stored"
    found = goldilocks_verdicts(_capacity_runs(rng), depths=[1, 2, 3, 4], widths=[2, 10],
                                fig7_width=10)
    claims = goldilocks_claims(found["peak"], found["sides"], found["link"], task="mod 3",
                               width=10, fraction=0.3)
    gist = full_gist(found, claims)
    assert gist.startswith("the test accuracy has an interior maximum at depth 2")
    assert "depth 2 is the best in 100% of resamples" in gist
    assert gist.endswith("at full size: Fig. 7, reproduced; Abstract (v1), reproduced; "
                         "Theorem 1, reproduced")


def test_narrower_curve_takes_the_next_narrower_width(rng):
    runs = _capacity_runs(rng)                              # width 2 never fits: train 0.7
    got = narrower_curve(runs, depths=[1, 2, 3, 4], widths=[2, 10], width=10)
    assert (got["try_width"], got["try_width_first"]) == (2, 1)
    assert got["try_width_train"] == pytest.approx(0.7)
    assert got["try_width_train_ref"] == pytest.approx(0.99)
    assert got["try_width_peak"].startswith("depth ") and "range 1 to 4" in got["try_width_peak"]
    # no narrower width in the map: the narrowest, here the curve's own
    assert narrower_curve(runs, depths=[1, 2], widths=[10], width=10)["try_width"] == 10
