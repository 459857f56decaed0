"""geneft.twolayer: autograd and finite differences, mean-field duplication invariance, ReLU
homogeneity, the alignment metric's limits, the ReLU Gaussian-equivalence constants, sanity
limits at init, the linear-model closed form; the time scales, the success criteria (each
broken on its own), the scorecard rows and the numbers the chapter's prose quotes, read from
known curves; and the chapter's figures (geneft.plots.twolayer)."""
import dataclasses
import math

import matplotlib
import numpy as np
import pandas as pd
import pytest
import torch

from geneft import plots, scorecard
from geneft import twolayer as tl

matplotlib.use("Agg")


def small(R=2, m=5, d=4, n=7, a0=0.7, target="latent", seed=0):
    data = tl.make_data([n] * R, d, list(range(seed, seed + R)), target=target, n_test=50)
    a, W = tl.init(R, m, d, list(range(R)), a0=a0)
    return a, W, data


def loss(a, W, data, activation="relu"):
    f = tl.network(a, W, data.X, activation=activation)
    return 0.5 * (data.weight * (f - data.y) ** 2).sum()


@pytest.mark.parametrize("activation", ["relu", "identity"])
def test_gradients_match_autograd_and_finite_differences(activation):
    a, W, data = small()
    grad_a, grad_W, _ = tl.gradients(a, W, data, activation=activation)
    a_, W_ = a.clone().requires_grad_(), W.clone().requires_grad_()
    loss(a_, W_, data, activation).backward()
    torch.testing.assert_close(grad_a, a_.grad, rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(grad_W, W_.grad, rtol=1e-12, atol=1e-14)
    h = 1e-6
    for idx in [(0, 1, 2), (1, 4, 0), (1, 0, 3)]:
        Wp, Wm = W.clone(), W.clone()
        Wp[idx] += h
        Wm[idx] -= h
        fd = (loss(a, Wp, data, activation) - loss(a, Wm, data, activation)) / (2 * h)
        assert abs(fd - grad_W[idx]) <= 1e-6 * max(abs(fd), 1e-3)


def test_padding_does_not_change_the_gradient():
    """A replica's gradient is the same whether or not it shares the batch with a larger one."""
    alone = tl.make_data([5], 3, [4], n_test=10)
    padded = tl.make_data([5, 9], 3, [4, 5], n_test=10)
    a, W = tl.init(2, 6, 3, [0, 1])
    g1 = tl.gradients(a[:1], W[:1], alone)
    g2 = tl.gradients(a, W, padded)
    torch.testing.assert_close(g1[0], g2[0][:1])
    torch.testing.assert_close(g1[1], g2[1][:1])


def test_duplicating_every_neuron_keeps_the_trajectory():
    """Mean-field scaling: a width-2m net of exact copies, stepped by eta * 2m, follows the
    width-m net's function for 100 steps."""
    a, W, data = small(R=1, m=6, n=20)
    a2, W2 = torch.cat([a, a], 1), torch.cat([W, W], 1)
    for _ in range(100):
        a, W = tl.gd_step(a, W, data, eta=0.1)
        a2, W2 = tl.gd_step(a2, W2, data, eta=0.1)
    torch.testing.assert_close(tl.network(a, W, data.X_test), tl.network(a2, W2, data.X_test),
                               rtol=1e-10, atol=1e-12)


def test_relu_positive_homogeneity():
    a, W, data = small()
    c = 3.7
    torch.testing.assert_close(tl.network(a, W, data.X), tl.network(c * a, W / c, data.X))
    torch.testing.assert_close(tl.path_norm(a, W), tl.path_norm(c * a, W / c))


def test_alignment_limits():
    d, m = 40, 20000
    data = tl.make_data([1], d, [3])
    u = data.u
    a = torch.randn(1, m, dtype=torch.float64)
    parallel = u[:, None, :] * torch.randn(1, m, 1, dtype=torch.float64)
    assert tl.alignment(a, parallel, u).item() == pytest.approx(1.0, abs=1e-12)
    W = torch.randn(1, m, d, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    # |cos| of a random direction with u: E|cos| ~ sqrt(2 / (pi d)) for large d
    assert tl.alignment(a, W, u).item() == pytest.approx(math.sqrt(2 / (math.pi * d)), rel=0.1)


def test_relu_gaussian_equivalence_constants():
    mu0, mu1, mus2 = tl.gaussian_equivalence(lambda z: np.maximum(z, 0))
    assert mu0 == pytest.approx(1 / math.sqrt(2 * math.pi), abs=1e-9)
    assert mu1 == pytest.approx(0.5, abs=1e-9)
    assert mus2 == pytest.approx(0.5 - 1 / (2 * math.pi) - 0.25, abs=1e-9)
    mu0, mu1, mus2 = tl.gaussian_equivalence(lambda z: z ** 3)   # E z^4 = 3, E z^6 = 15
    assert (mu0, mu1, mus2) == pytest.approx((0.0, 3.0, 15 - 9), abs=1e-8)


def test_zero_init_limits():
    """a0 = 0: f = 0, so the train error is the mean of y^2 and the test excess risk is
    E tanh(2z)^2 = 0.6353 (Gauss-Hermite)."""
    curves = tl.simulate([4], [0], d=10, a0=0.0, steps=1, n_test=20000, dtype="float64",
                         device="cpu")
    first = curves[curves.step == 0].iloc[0]
    data = tl.make_data([40], 10, [0])
    assert first.train == pytest.approx(float((data.y ** 2).mean()), rel=1e-12)
    z, w = np.polynomial.hermite_e.hermegauss(100)
    e_phi2 = float(w @ np.tanh(2 * z) ** 2 / w.sum())
    assert e_phi2 == pytest.approx(0.6353, abs=1e-4)
    assert first.test == pytest.approx(e_phi2, abs=0.015)
    assert first["align"] != first["align"] or 0 <= first["align"] <= 1   # 0/0 is NaN at a0 = 0


def test_linear_model_follows_the_closed_form():
    """sigma = identity and a frozen: the residual obeys r(t) = (I - eta K)^t r(0) with
    K = mean(a^2) X X^T / n (the training loop's Gram-matrix test)."""
    a, W, data = small(R=1, m=8, d=5, n=12, target="noise")
    eta, steps = 0.3, 25
    K = (a ** 2).mean() * data.X[0] @ data.X[0].T / 12
    r0 = tl.network(a, W, data.X, activation="identity")[0] - data.y[0]
    for _ in range(steps):
        a, W = tl.gd_step(a, W, data, eta=eta, activation="identity", train_a=False)
    r = tl.network(a, W, data.X, activation="identity")[0] - data.y[0]
    expected = torch.linalg.matrix_power(torch.eye(12, dtype=torch.float64) - eta * K, steps) @ r0
    torch.testing.assert_close(r, expected, rtol=1e-10, atol=1e-12)


def test_simulate_is_deterministic_and_records_the_grid():
    kw = dict(d=6, m=10, steps=30, eval_points=5, n_test=100, device="cpu")
    one, two = tl.simulate([2, 4], [0, 1], **kw), tl.simulate([2, 4], [0, 1], **kw)
    assert one.equals(two)
    assert sorted(one.step.unique()) == list(tl.eval_steps(30, 5))
    assert set(one.n) == {12, 24} and len(one) == 4 * len(tl.eval_steps(30, 5))
    assert (one.t == 0.2 * one.step).all()


@pytest.mark.parametrize("small, threads", [(True, 1), (False, 2)], ids=["small", "large"])
def test_simulate_trains_small_networks_on_one_thread(small, threads, monkeypatch):
    """Small networks train on one intra-op thread (threads.SMALL_FLOATS); the count is restored
    after, and larger work keeps its threads."""
    from geneft import threads as policy
    if not small:
        monkeypatch.setattr(policy, "SMALL_FLOATS", 0)          # nothing counts as small
    seen, real = [], tl.gd_step
    monkeypatch.setattr(tl, "gd_step", lambda *a, **k: (seen.append(torch.get_num_threads()),
                                                        real(*a, **k))[1])
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        tl.simulate([2], [0], d=4, m=5, steps=3, eval_points=2, n_test=10, device="cpu")
        assert seen == [threads] * 3 and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_pure_noise_test_risk_is_the_output_power():
    """With pure-noise labels the target is 0: the test excess risk is E f^2, which training
    on noise can only grow (up to sampling error)."""
    curves = tl.simulate([4], [0, 1], d=10, steps=400, target="noise", dtype="float64",
                         device="cpu")
    mean = curves.groupby("step").test.mean()
    assert mean.iloc[-1] > 10 * mean.iloc[0]
    assert mean.min() >= 0.5 * mean.iloc[0]


def test_timescales_reads_the_curves():
    """t_feat: A crosses 0.9 x 0.7 = 0.63 between steps 0 (0.1) and 10 (0.7), linear in the
    step from step 0: 10 x 0.53 / 0.6. t_fit: the train MSE crosses 0.01 between 10 (0.5) and
    100 (0.005), log-log: 10^(1 + log(50) / log(100)). t_star is a recorded step."""
    steps = np.array([0, 10, 100, 1000])
    curves = pd.DataFrame({"alpha": 8, "seed": 0, "step": steps, "train": [1, 0.5, 0.005, 0.0],
                           "test": [0.6, 0.2, 0.3, 0.5], "align": [0.1, 0.7, 0.5, 0.2],
                           "path": [0.1, 1.0, 3.0, 6.0]})
    row = tl.timescales(curves).loc[8]
    assert row.t_feat == pytest.approx(10 * 0.53 / 0.6)
    assert row.t_fit == pytest.approx(10 ** (1 + math.log(50) / math.log(100)))
    assert row.t_star == 10
    assert (row.path_star, row.align_end, row.test_end) == (1.0, 0.2, 0.5)


def test_crossing_is_exact_on_power_laws_and_log_linear_curves():
    """On the grid 1, 10, 100, 1000: a train MSE 1/step crosses 0.02 at step 50 and an
    alignment log10(step)/3 crosses 0.5 at step 10^1.5, exactly."""
    steps = np.array([1.0, 10.0, 100.0, 1000.0])
    assert tl.crossing(steps, 1 / steps, 0.02, rising=False, log_values=True) == pytest.approx(50)
    assert tl.crossing(steps, np.log10(steps) / 3, 0.5, rising=True) == pytest.approx(10 ** 1.5)
    assert tl.crossing(steps, 1 / steps, 2.0, rising=False) == 1.0          # at the first record
    assert math.isnan(tl.crossing(steps, 1 / steps, 1e-4, rising=False))     # never


def test_grid_ratio_is_the_spacing_of_the_recorded_steps():
    grid = tl.eval_steps(6000, 40)
    late = grid[grid > 100]
    assert np.allclose(late[1:] / late[:-1], tl.grid_ratio(6000, 40), rtol=0.01)
    assert tl.grid_ratio(6000, 40) == pytest.approx(1.25, abs=0.005)


@pytest.mark.parametrize("kwargs, match", [
    (dict(activation="tanh"), "activation must be one of"),
    (dict(target="cubic"), "target must be one of"),
    (dict(dtype="float16"), "dtype must be one of"),
    (dict(eta=0.0), "eta > 0"),
])
def test_bad_arguments_name_themselves(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tl.simulate([2], [0], d=4, m=3, steps=2, **kwargs)


def test_stable_eta():
    assert tl.stable_eta(0.2, 0.1) == 0.2 and tl.stable_eta(0.2, 10.0) == pytest.approx(0.002)


def test_timescales_by_another_column_matches_the_alpha_grouping():
    curves = tl.simulate([4], [0], d=6, m=8, steps=40, eval_points=6, n_test=50, device="cpu")
    by_a0 = tl.timescales(curves.assign(a0=0.1), by="a0")
    assert by_a0.index.name == "a0" and list(by_a0.index) == [0.1]
    pd.testing.assert_series_equal(by_a0.iloc[0], tl.timescales(curves).iloc[0], check_names=False)


def test_init_contrast_and_width_sweep_label_their_runs():
    kw = dict(d=4, n_test=20, eval_points=3, device="cpu")
    runs = tl.init_contrast(2, [0], [0.5, 10.0], eta=0.2, steps=4, m=3, **kw)
    assert set(runs.a0) == {0.5, 10.0}
    assert np.allclose(runs[runs.a0 == 10.0].t, 0.002 * runs[runs.a0 == 10.0].step)  # stable_eta
    wide = tl.width_sweep(2, [0], [3, 6], steps=4, **kw)
    alone = tl.simulate([2], [0], m=6, steps=4, **kw)
    pd.testing.assert_frame_equal(wide[wide.m == 6].drop(columns="m").reset_index(drop=True),
                                  alone)


def known_ts(**changes):
    """`timescales` of three sample ratios that show every finding clearly; `changes` maps
    column -> {alpha: value} to break one."""
    ts = pd.DataFrame({
        "t_feat": [60, 60, 70], "t_fit": [300.0, 700.0, 1600.0], "t_star": [60, 70, 70],
        "test_0": [0.62] * 3, "test_star": [0.17, 0.156, 0.127], "test_end": [0.34, 0.45, 0.52],
        "align_peak": [0.70, 0.72, 0.76], "align_end": [0.25, 0.20, 0.16],
        "path_star": [2.0, 2.0, 2.0], "path_end": [6.0, 11.5, 23.0], "train_end": [1e-4] * 3,
    }, index=pd.Index([8, 16, 32], name="alpha"))
    for column, values in changes.items():
        for alpha, value in values.items():
            ts.loc[alpha, column] = value
    return ts


def test_the_clear_run_meets_every_phase_criterion():
    checks = tl.phase_checks(known_ts())
    assert {k: c.met for k, c in checks.items()} == dict.fromkeys(checks, True)
    assert list(checks) == ["non_monotone", "unlearning", "feature_first", "separation_grows",
                            "complexity_grows", "complexity_late"]
    assert [c.finding for c in checks.values()] == ["(iv)", "(iv)", "(iii)", "(iii)", "(i)", "(i)"]


@pytest.mark.parametrize("changes, broken", [
    ({"test_star": {8: 0.3}}, "non_monotone"),          # E(t*) = 0.48 E(0) > 0.4 E(0)
    ({"test_end": {16: 0.25}}, "non_monotone"),          # E(T) = 1.6 E(t*) < 1.8 E(t*)
    ({"t_fit": {8: 150.0}}, "feature_first"),           # fitted before step 200
    ({"t_fit": {16: 2000.0}}, "separation_grows"),      # ratio 5, 33, 23: not increasing
    ({"align_end": {16: 0.5}}, "unlearning"),           # A(T) = 0.69 max A
    ({"path_end": {32: 11.0}, "path_star": {32: 0.5}}, "complexity_grows"),
    ({"path_star": {8: 2.5}}, "complexity_late"),        # P(t*)/P(T) = 0.42 > 0.4
], ids=["no-drop", "no-rise", "fit-early", "ratio-not-increasing", "alignment-kept",
        "path-not-increasing", "path-early"])
def test_each_phase_criterion_fails_on_its_own(changes, broken):
    checks = tl.phase_checks(known_ts(**changes))
    assert [k for k, c in checks.items() if not c.met] == [broken]


def test_a_run_that_never_fits_fails_and_says_never():
    checks = tl.phase_checks(known_ts(t_fit={32: np.nan}))
    assert not checks["feature_first"].met and not checks["separation_grows"].met
    assert "never" in checks["feature_first"].measured


def test_separation_recovers_a_power_law():
    alphas = np.array([4.0, 8.0, 16.0, 32.0])
    ts = pd.DataFrame({"t_feat": [50.0] * 4, "t_fit": 50 * 3 * alphas ** 1.5},
                      index=pd.Index(alphas, name="alpha"))
    sep = tl.separation(ts)
    assert sep.slope == pytest.approx(1.5) and sep.prefactor == pytest.approx(3.0)
    ts.loc[[8.0, 16.0, 32.0], "t_fit"] = np.nan
    assert math.isnan(tl.separation(ts).slope)


def test_growth_compares_the_smallest_and_largest_fitted_alpha():
    g = tl.growth(known_ts(t_fit={32: np.nan}))           # alpha 32 never fitted: 8 to 16
    assert (g["first"], g["last"]) == (8, 16)
    assert g["fit"] == pytest.approx(700 / 300) and g["feat"] == 1.0
    g = tl.growth(known_ts())
    assert g["feat"] == pytest.approx(70 / 60) and g["ratio"] == pytest.approx(16 / 3 * 6 / 7)
    assert math.isnan(tl.growth(known_ts(t_fit={16: np.nan, 32: np.nan}))["fit"])


def test_timescale_table_names_columns_and_writes_steps_as_integers():
    table = tl.timescale_table(known_ts(t_fit={32: np.nan}))
    assert list(table.columns) == list(tl.LABELS.values())
    assert list(table.t_fit) == [300, 700, None] and type(table.t_fit[0]) is int
    assert list(table["α"]) == [8, 16, 32]


def by_a0(align_big, test_big):
    return pd.DataFrame({"align_peak": [0.74, align_big], "test_star": [0.15, test_big]},
                        index=pd.Index([0.1, 10.0], name="a0"))


@pytest.mark.parametrize("align_big, test_big, met", [
    (0.30, 0.20, {"init_alignment": True, "init_test": True}),
    (0.40, 0.20, {"init_alignment": False, "init_test": True}),   # 0.40 > 0.5 x 0.74
    (0.30, 0.17, {"init_alignment": True, "init_test": False}),   # 0.17 < 1.2 x 0.15
], ids=["both", "aligned", "as-good"])
def test_init_checks_compare_the_largest_start_with_the_small(align_big, test_big, met):
    checks = tl.init_checks(by_a0(align_big, test_big), a0=0.1)
    assert {k: c.met for k, c in checks.items()} == met
    assert "a₀ = 10" in checks["init_alignment"].criterion


def test_init_checks_need_a_larger_start():
    with pytest.raises(ValueError, match="larger init scale"):
        tl.init_checks(by_a0(0.3, 0.2).loc[[0.1]], a0=0.1)


def test_width_gaps_and_their_check():
    steps = [0, 10, 100]
    curves = pd.DataFrame({"m": [100] * 3 + [400] * 3 + [1600] * 3, "step": steps * 3,
                           "test": [0.6, 0.2, 0.4, 0.6, 0.23, 0.3, 0.6, 0.19, 0.35]})
    gaps = tl.width_gaps(curves, base=100, steps={"at t*": 10, "at the end": 100})
    assert list(gaps.m) == [400, 1600]
    assert np.allclose(gaps["at t*"], [0.03, 0.01]) and np.allclose(gaps["at the end"], [0.1, 0.05])
    check = tl.width_check(gaps, base=100)["width_collapse"]
    assert check.met and "E(100)" in check.criterion and "m = 400, 1600" in check.criterion
    assert not tl.width_check(gaps.assign(**{"at t*": [0.06, 0.01]}),
                              base=100)["width_collapse"].met
    assert tl.width_check(gaps.assign(**{"at t*": [0.05, 0.01]}), base=100)["width_collapse"].met


def test_claims_carry_the_statuses_of_their_checks():
    ts, inits = known_ts(align_end={16: 0.5}), by_a0(0.30, 0.20)
    gaps = pd.DataFrame({"m": [400], "at t*": [0.01], "at the end": [0.1]})
    checks = tl.criteria(ts, inits, gaps, a0=0.1, base=100)
    assert len(checks) == 9 and not checks["unlearning"].met
    table = tl.criteria_table(checks)
    assert list(table.columns) == ["finding", "met", "criterion", "this run"]
    assert table.met.sum() == 8
    claims = tl.claims(checks, ts, inits, gaps, a0=0.1, base=100)
    rows = {c.item: c.status for c in claims}
    assert rows == {"Finding (iv)": "partly", "Finding (iii)": "reproduced",
                    "Finding (i)": "reproduced", "Finding (ii)": "reproduced",
                    "Mean-field check": "reproduced"}
    assert [c.counted for c in claims] == [True] * 4 + [False]   # the width check is ours
    assert scorecard.tally(claims)["reproduced"] == 3
    assert "$m$ = 100 vs 400" in claims[-1].ours and "400" not in claims[-1].claim
    scorecard.html("twolayer", claims)   # balanced $ math


def test_chapter_cost_counts_every_network():
    """By hand: main 3 alphas, one init contrast, one noise alpha, one extra width; d = 2."""
    from geneft.profiles import TwolayerParams
    p = TwolayerParams(d=2, alphas=(1, 2, 4), width=3, widths=(6,), contrast_a0s=(10.0,),
                       contrast_steps=5, noise_alphas=(4,), steps=7, seeds=1)
    assert tl.middle(p.alphas) == 2 and tl.middle([8, 16, 32, 64]) == 32
    by_hand = ((2 + 4 + 8) * 3 * 7 + 4 * 3 * 5 + 8 * 3 * 7 + 4 * 6 * 7) * 2
    assert tl.chapter_cost(p) == by_hand
    assert tl.chapter_cost(dataclasses.replace(p, seeds=3)) == 3 * by_hand


@pytest.mark.parametrize("values, word", [
    ([0.17, 0.14, 0.12], "falls"), ([0.36, 0.45, 0.51], "rises"), ([0.36, 0.51, 0.45],
    "is not monotone"), ([0.2, 0.2], "is not monotone"), ([0.3], "is not monotone"),
    ([0.1, np.nan, 0.3], "is not monotone")],
    ids=["falls", "rises", "up-down", "flat", "one-value", "nan"])
def test_trend_words(values, word):
    assert tl.trend(values) == word


def test_against_compares_the_value_as_shown():
    assert tl.against(0.003, 0.05) == "below" and tl.against(0.0498, 0.05) == "at"
    assert tl.against(0.0504, 0.05) == "at" and tl.against(0.0506, 0.05) == "above"


def test_listing_writes_plain_numbers_and_a_word_for_nan():
    assert tl.listing([330.0, 1967.0, np.nan]) == "330, 1967, never"
    assert tl.listing([0.1234, 2], ".2f", missing="–") == "0.12, 2.00"


def tiny_curves(**changes):
    """The chapter's four recorded runs at tiny sizes (parameters of the profile `changes`
    overrides), as the chapter builds them; and the parameters."""
    from geneft.profiles import resolve
    p = resolve("twolayer", "quick", d=6, alphas=[2, 4, 8], width=10, widths=[20],
                contrast_a0s=[5.0], contrast_steps=60, noise_alphas=[4], steps=60, seeds=2,
                n_test=50, eval_points=8, device="cpu", **changes)
    seeds, mid = list(range(p.seeds)), tl.middle(p.alphas)
    run = dict(d=p.d, tau=p.tau, n_test=p.n_test, eval_points=p.eval_points, device="cpu")
    kw = dict(eta=p.eta, steps=p.steps, target=p.target, **run)
    curves = {"main": tl.simulate(p.alphas, seeds, m=p.width, a0=p.a0, **kw),
              "init": tl.init_contrast(mid, seeds, p.contrast_a0s, eta=p.eta,
                                       steps=p.contrast_steps, m=p.width, target=p.target,
                                       **run),
              "noise": tl.simulate(p.noise_alphas, seeds, m=p.width, a0=p.a0,
                                   **{**kw, "target": "noise"}),
              "width": tl.width_sweep(mid, seeds, p.widths, a0=p.a0, **kw)}
    return curves, p


def test_analyse_matches_the_chapter_steps():
    """`analyse` gives the time scales, gaps and criteria that the chapter's sections compute
    one at a time from the same runs."""
    curves, p = tiny_curves()
    found = tl.analyse(curves, a0=p.a0, base=p.width)
    ts = tl.timescales(curves["main"])
    contrast = tl.with_reference(curves["main"], curves["init"], column="a0", value=p.a0)
    wide = tl.with_reference(curves["main"], curves["width"], column="m", value=p.width)
    gaps = tl.width_gaps(wide, base=p.width, steps={"at t*": ts.t_star[4], "at the end": p.steps})
    by_a0 = tl.timescales(contrast, by="a0")
    pd.testing.assert_frame_equal(found["ts"], ts)
    pd.testing.assert_frame_equal(found["by_a0"], by_a0)
    pd.testing.assert_frame_equal(found["gaps"], gaps)
    assert sorted(by_a0.index) == [0.1, 5.0] and list(gaps.m) == [20]
    assert found["checks"] == tl.criteria(ts, by_a0, gaps, a0=p.a0, base=p.width)
    with pytest.raises(ValueError, match=r"missing \['noise'\]"):
        tl.analyse({k: v for k, v in curves.items() if k != "noise"}, a0=p.a0, base=p.width)


def test_stored_runs_give_the_verdicts_of_the_run_that_wrote_them(tmp_path):
    """The chapter stores its recorded runs (save_results); `analyse` on the tables read back
    from the results store gives the criteria and scorecard rows of the run itself, and
    `scorecard.with_full` fills the full-size column from them."""
    from geneft import store
    from geneft.profiles import stored_config
    curves, p = tiny_curves(save_results=True)
    config = stored_config("twolayer/curves", p)
    assert "save_results" not in config and "device" not in config and config["d"] == 6
    store.save("twolayer/curves", curves, config, wall_s=1.0, root=tmp_path)
    stored = store.load("twolayer/curves", config, root=tmp_path)
    assert sorted(stored.tables) == sorted(tl.CURVES)
    here = tl.analyse(curves, a0=p.a0, base=p.width)
    back = tl.analyse(stored.tables, a0=p.a0, base=p.width)
    assert back["checks"] == here["checks"] and back["claims"] == here["claims"]
    pd.testing.assert_frame_equal(back["ts"], here["ts"], check_index_type=False, rtol=1e-7)
    rows = scorecard.with_full(here["claims"], back["claims"])
    assert [c.full_status for c in rows] == [c.status for c in here["claims"]]
    assert tl.size_gist(here["checks"], back["checks"]).endswith("the same ones as in this run")
    assert tl.size_numbers(back) == tl.size_numbers(here)
    assert store.load("twolayer/curves", {**config, "seeds": 3}, root=tmp_path) is None


def test_size_gist_names_what_differs_and_says_when_nothing_is_stored():
    ts, inits = known_ts(), by_a0(0.30, 0.20)
    gaps = pd.DataFrame({"m": [400], "at t*": [0.01], "at the end": [0.1]})
    quick = tl.criteria(ts, inits, gaps, a0=0.1, base=100)
    full = tl.criteria(known_ts(align_end={16: 0.5}), inits, gaps, a0=0.1, base=100)
    assert "no full-size result is stored" in tl.size_gist(quick, None)
    gist = tl.size_gist(quick, full)
    assert gist.startswith("8 of the 9 success criteria are met; unlike in this run, ")
    assert ("(iv) “A(T)/max A ≤ 0.5” is not met there (0.36, 0.69, 0.21, against 0.36, 0.28, "
            "0.21 here)") in gist
    assert tl.size_gist(quick, quick) == ("9 of the 9 success criteria are met, the same ones as "
                                         "in this run")
    table = tl.criteria_table(quick, full)
    assert list(table.columns)[-2:] == ["met at full size", "full size"]
    assert table["met at full size"].sum() == 8 and table.met.sum() == 9
    assert tl.size_numbers(None) == "not stored"


def test_criteria_table_pairs_full_size_verdicts_by_name_not_position():
    """The full-size checks in another order still land on their own rows."""
    ts, inits = known_ts(), by_a0(0.30, 0.20)
    gaps = pd.DataFrame({"m": [400], "at t*": [0.01], "at the end": [0.1]})
    quick = tl.criteria(ts, inits, gaps, a0=0.1, base=100)
    full = tl.criteria(known_ts(align_end={16: 0.5}), inits, gaps, a0=0.1, base=100)
    shuffled = dict(reversed(list(full.items())))
    table = tl.criteria_table(quick, shuffled).set_index("criterion")
    assert not table.loc["A(T)/max A ≤ 0.5", "met at full size"]
    assert table.loc["A(T)/max A ≤ 0.5", "full size"] == "0.36, 0.69, 0.21"
    assert table["met at full size"].sum() == 8


def test_criteria_table_states_the_full_size_criterion_where_its_sizes_differ():
    """The full size compares other widths (and init scales) than this run: its criterion is
    written beside this run's, not hidden behind it."""
    ts = known_ts()
    quick = tl.criteria(ts, by_a0(0.30, 0.20), pd.DataFrame(
        {"m": [400], "at t*": [0.01], "at the end": [0.1]}), a0=0.1, base=100)
    full = tl.criteria(ts, by_a0(0.30, 0.20), pd.DataFrame(
        {"m": [400, 1600], "at t*": [0.01, 0.02], "at the end": [0.1, 0.1]}), a0=0.1, base=100)
    table = tl.criteria_table(quick, full).set_index("finding")
    width = table.loc["width", "criterion"]
    assert width.startswith(quick["width_collapse"].criterion + "; at full size: ")
    assert width.endswith("m = 400, 1600")
    same = table.drop(index="width").criterion
    assert not same.str.contains("at full size").any()       # unchanged criteria stay as they are


def test_criteria_met_and_findings_reproduced_count_for_the_text():
    ts, inits = known_ts(align_end={16: 0.5}), by_a0(0.30, 0.20)
    gaps = pd.DataFrame({"m": [400], "at t*": [0.01], "at the end": [0.1]})
    checks = tl.criteria(ts, inits, gaps, a0=0.1, base=100)
    assert tl.criteria_met(checks) == "8 of the 9"
    claims = tl.claims(checks, ts, inits, gaps, a0=0.1, base=100)
    assert tl.findings_reproduced(claims) == "3 of the 4"      # the width row is not counted


def test_phase_numbers_by_hand():
    """E(T)/E(t*) = 0.34/0.17, 0.45/0.156, 0.52/0.127 = 2.0, 2.88, 4.09; A(T)/max A =
    0.25/0.70, 0.20/0.72, 0.16/0.76 = 36 %, 28 %, 21 %."""
    from geneft.profiles import TwolayerParams
    p = TwolayerParams()
    got = tl.phase_numbers(known_ts(t_fit={32: np.nan}), p)
    assert (got["rise_range"], got["kept_range"]) == ("2.00 to 4.09", "21% to 36%")
    assert got["fit_list"] == "300, 700, never" and got["feat_list"] == "60, 60, 70"
    assert (got["feat_max"], got["early_max"], got["star_list"]) == (70, 70, "60, 70, 70")
    assert (got["star_trend"], got["end_trend"]) == ("falls", "rises")
    assert got["test0"] == pytest.approx(0.62) and got["path_end"] == "6.0, 11.5, 23.0"
    assert got["records"] == len(tl.eval_steps(p.steps, p.eval_points))
    assert (got["m"], got["alphas"], got["seeds"]) == (100, "8, 16, 32", 2)
    assert got["grid"] == pytest.approx(1.25, abs=0.005)


def test_separation_numbers_recover_the_power_law():
    alphas = np.array([8.0, 16.0, 32.0])
    ts = pd.DataFrame({"t_feat": [50.0, 50.0, 100.0], "t_fit": 50 * 3 * alphas ** 1.5},
                      index=pd.Index(alphas, name="alpha"))
    got = tl.separation_numbers(ts)
    assert got["ratios"] == "68, 192, 272"                  # 3 x 8^1.5, 3 x 16^1.5, 1.5 x 32^1.5
    assert got["grow_fit"] == pytest.approx(8.0) and got["grow_feat"] == 2.0
    assert got["grow_ratio"] == pytest.approx(4.0) and (got["grow_from"], got["grow_to"]) == (8, 32)


def test_init_numbers_compare_the_largest_start_with_the_small():
    from geneft.profiles import TwolayerParams
    inits = by_a0(0.30, 0.20).assign(test_0=[0.6, 2.5], test_end=[0.45, 0.5])
    contrast = pd.DataFrame({"a0": [0.1, 10.0, 10.0, 10.0], "step": [0, 0, 0, 5],
                             "path": [0.01, 3.0, 5.0, 9.0]})
    got = tl.init_numbers(inits, contrast, TwolayerParams(contrast_steps=800))
    assert (got["big_a0"], got["path0_big"], got["test0_big"]) == (10.0, 4.0, 2.5)
    assert (got["align_small"], got["align_big"]) == (0.74, 0.30)
    assert (got["best_small"], got["end_big"]) == (0.15, 0.5)
    assert (got["alpha_mid"], got["contrast_steps"]) == (16, 800)


def test_noise_numbers_compare_fitting_times_at_the_same_sample_ratio():
    from geneft.profiles import TwolayerParams
    noise_ts = pd.DataFrame({"t_fit": [150.0, 900.0], "path_end": [4.0, 30.0]},
                            index=pd.Index([8, 64], name="alpha"))
    got = tl.noise_numbers(noise_ts, known_ts(), TwolayerParams(noise_alphas=(8, 64)))
    assert got["noise_vs"] == "0.50, not measured"          # 150 / 300; no main run at 64
    assert (got["noise_alphas"], got["noise_fit"], got["noise_path"]) == (
        "8, 64", "150, 900", "4.0, 30.0")


def test_width_numbers_take_the_largest_gaps_and_say_them_against_the_tolerance():
    from geneft.profiles import TwolayerParams
    gaps = pd.DataFrame({"m": [400, 1600], "at t*": [0.02, 0.01], "at the end": [0.1, 0.06]})
    got = tl.width_numbers(gaps, TwolayerParams(widths=(400, 1600)))
    assert (got["width_star"], got["width_end"]) == (0.02, 0.1)
    assert got["width_factor"] == pytest.approx(5.0)
    assert (got["width_star_word"], got["width_end_word"]) == ("below", "above")
    assert (got["widths"], got["width_others"]) == ("100, 400, 1600", "400, 1600")


def test_summary_numbers_without_a_stored_full_size_result():
    from geneft.profiles import PROFILES
    ts, inits = known_ts(), by_a0(0.30, 0.20)
    gaps = pd.DataFrame({"m": [400], "at t*": [0.01], "at the end": [0.1]})
    checks = tl.criteria(ts, inits, gaps, a0=0.1, base=100)
    found = {"ts": ts, "by_a0": inits, "gaps": gaps, "checks": checks, "a0": 0.1, "base": 100,
             "claims": tl.claims(checks, ts, inits, gaps, a0=0.1, base=100)}
    full = dataclasses.replace(PROFILES["twolayer"]["full"], steps=10_000, d=50)
    got = tl.summary_numbers(found, None, full)
    assert got["full_gist"].startswith("no full-size result is stored")
    assert (got["full_numbers"], got["full_steps"], got["full_d"]) == ("not stored", "10,000", 50)
    assert got["quick_numbers"] == tl.size_numbers(found)
    assert (got["met"], got["findings"]) == ("9 of the 9", "4 of the 4")
    both = tl.summary_numbers(found, found, full)
    assert both["full_gist"].endswith("the same ones as in this run")


def test_try_it_seconds_scale_by_the_work_of_each_exercise():
    """tau does not change the work; three init scales instead of one add two contrast runs."""
    from geneft.profiles import TwolayerParams
    p = TwolayerParams(d=2, alphas=(1, 2, 4), width=3, widths=(6,), contrast_a0s=(10.0,),
                       contrast_steps=5, noise_alphas=(4,), steps=7, seeds=1)
    got = tl.try_it_seconds(p, 10.0)
    assert got["run_s"] == 10.0 and got["try_clean_s"] == pytest.approx(10.0)
    per_contrast = 2 * 3 * 5 * 2 * 2                     # alpha_mid x m x steps x d^2
    assert got["try_lazy_s"] == pytest.approx(10.0 * (1 + 2 * per_contrast / tl.chapter_cost(p)))
    assert set(got) == {"run_s"} | {f"try_{name}_s" for name in tl.TRY_IT}


def test_time_marks_leave_out_a_fit_never_reached():
    marks = plots.twolayer.time_marks(known_ts(t_fit={32: np.nan}))
    assert marks == {8: [60, 300], 16: [60, 700], 32: [70]}


def dashed(ax):
    return sorted(line.get_xdata()[0] for line in ax.get_lines() if line.get_linestyle() == "--")


def test_training_curves_mark_each_time_scale_on_every_panel():
    curves, p = tiny_curves()
    ts = tl.timescales(curves["main"])
    fig = plots.twolayer.training_curves(curves["main"], ts)
    marks = sorted(x for xs in plots.twolayer.time_marks(ts).values() for x in xs)
    assert len(fig.axes) == 4 and all(dashed(ax) == marks for ax in fig.axes)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[:3] == ["α = 2", "α = 4", "α = 8"] and len(labels) == 4
    assert [ax.get_ylabel() for ax in fig.axes] == [v[0] for v in plots.twolayer.PANELS.values()]
    assert fig.get_size_inches()[0] <= plots.WIDTH


def test_curve_figures_have_one_legend_entry_per_curve():
    curves, p = tiny_curves()
    contrast = tl.with_reference(curves["main"], curves["init"], column="a0", value=p.a0)
    wide = tl.with_reference(curves["main"], curves["width"], column="m", value=p.width)
    cases = [(plots.twolayer.init_curves(contrast), ["a₀ = 0.1", "a₀ = 5"], 4),
             (plots.twolayer.noise_curves(curves["noise"]), ["α = 4"], 2),
             (plots.twolayer.width_curves(wide), ["m = 10", "m = 20"], 2)]
    for fig, labels, panels in cases:
        assert [t.get_text() for t in fig.legends[0].get_texts()] == labels
        assert len(fig.axes) == panels


def test_separation_and_risk_draws_the_fitted_power_law():
    alphas = np.array([8.0, 16.0, 32.0])
    ts = known_ts().assign(t_fit=50 * 3 * alphas ** 1.5, t_feat=50.0)
    sep = tl.separation(ts)
    fig = plots.twolayer.separation_and_risk(ts, sep)
    fit = next(line for line in fig.axes[0].get_lines() if line.get_linestyle() == "--")
    assert np.allclose(fit.get_ydata(), 3 * alphas ** 1.5)
    assert "1.50" in fit.get_label()
    assert np.allclose(fig.axes[1].get_lines()[1].get_ydata(), ts.test_end)
