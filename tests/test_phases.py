"""Table IV phases on synthetic accuracy curves, including the boundary cases."""
import numpy as np
import pandas as pd
import pytest

from geneft.phases import (PHASES, classify, classify_table, first_crossing, fit_boundary,
                           phase_boundary, phase_map, representative)

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
