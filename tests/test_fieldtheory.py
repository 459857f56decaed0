"""Field-theory learning curves: closed-form spectra, multiplicities, harmonic normalisation, the
NNGP recursions against a wide random network, EK limits, GP regression against the
random-feature primal, the renormalised ridge, and the chapter's success criteria judged on
tables whose answers are known."""
import numpy as np
import pandas as pd
import pytest

from geneft import fieldtheory as ft

D = 10


def test_spectra_of_closed_form_kernels():
    np.testing.assert_allclose(ft.spectrum(lambda t: t, D, 5), [0, 1 / D, 0, 0, 0, 0], atol=1e-12)
    np.testing.assert_allclose(ft.spectrum(lambda t: t ** 2, D, 5),
                               [1 / D, 0, 2 / (D * (D + 2)), 0, 0, 0], atol=1e-12)
    np.testing.assert_allclose(ft.spectrum(lambda t: np.ones_like(t), D, 3), [1, 0, 0, 0],
                               atol=1e-12)


@pytest.mark.parametrize("d", [3, 5, 10, 20])
def test_multiplicities(d):
    assert ft.multiplicity(d, 0) == 1 and ft.multiplicity(d, 1) == d
    assert ft.multiplicity(d, 2) == (d + 2) * (d - 1) // 2
    if d == 3:
        assert [ft.multiplicity(3, l) for l in range(6)] == [1, 3, 5, 7, 9, 11]
    assert [ft.multiplicity(10, l) for l in range(6)] == [1, 10, 54, 210, 660, 1782]


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_trace_identity_and_reconstruction_of_the_relu_kernel(depth):
    kernel = lambda t: ft.nngp(t, depth)  # noqa: E731
    lam = ft.spectrum(kernel, D, 30)
    mult = np.array([ft.multiplicity(D, l) for l in range(31)])
    assert abs(np.sum(mult * lam) - kernel(1.0)) < 1e-2
    t = np.linspace(-0.95, 0.95, 41)
    rebuilt = sum(lam[l] * mult[l] * ft.gegenbauer(l, D, t) for l in range(31))
    np.testing.assert_allclose(rebuilt, kernel(t), atol=1e-2)
    if depth >= 2:                                       # entropic bias: decreasing in l
        assert np.all(np.diff(lam[:7]) < 0)
    else:                                                # arc-cosine kernel: t/2 + even powers
        assert abs(lam[1] - 0.5 / D) < 1e-12 and max(abs(lam[3]), abs(lam[5])) < 1e-12


@pytest.mark.parametrize("d", [3, 4, 10])
def test_gegenbauer_recurrence_equals_scipy(d):
    t = np.linspace(-1, 1, 33)
    for l, p in enumerate(ft.gegenbauer_all(12, d, t)):
        np.testing.assert_allclose(p, ft.gegenbauer(l, d, t), atol=1e-10)


def test_harmonics_are_normalised_and_orthogonal(rng):
    x = ft.sphere(100_000, D, rng)
    u = rng.standard_normal(D)
    t = x @ (u / np.linalg.norm(u)) / np.sqrt(D)
    for l in (1, 2, 3):
        assert abs(np.mean(ft.gegenbauer(l, D, t) ** 2) * ft.multiplicity(D, l) - 1) < 0.03
    assert abs(np.mean(ft.gegenbauer(1, D, t) * ft.gegenbauer(2, D, t))) < 3e-3
    target = ft.Target(D, {1: 1.0, 2: 0.5}, seed=3)
    assert abs(np.mean(target(x) ** 2) - 1.5) < 0.05


def test_relu_recursion_properties_and_the_depth_one_closed_form():
    t = np.linspace(-1, 1, 101)
    for depth in range(1, 6):
        k = ft.nngp(t, depth)
        assert abs(ft.nngp(1.0, depth) - 1) < 1e-12
        assert np.all((k >= 0) & (k <= 1 + 1e-12)) and np.all(np.diff(k) >= -1e-12)
    closed = (np.sqrt(1 - t ** 2) + (np.pi - np.arccos(t)) * t) / np.pi
    np.testing.assert_allclose(ft.nngp(t, 1), closed, atol=1e-12)


@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_nngp_matches_a_wide_random_network(rng, activation):
    """K between 5 pairs of inputs, against the empirical kernel of width-4096 nets: first-layer
    weights of variance 1 per fan-in (K^0 = t), later layers sigma_w^2 = 2."""
    from scipy.special import erf
    act = (lambda z: np.maximum(z, 0)) if activation == "relu" else erf
    depth, width, trials = 2, 4096, 8
    x = ft.sphere(6, D, rng)
    emp = np.zeros((6, 6))
    for _ in range(trials):
        z = x / np.sqrt(D) @ rng.standard_normal((D, width))
        for layer in range(depth):
            phi = act(z) / np.sqrt(width)
            if layer < depth - 1:
                z = phi @ rng.standard_normal((width, width)) * np.sqrt(2.0)
        emp += 2.0 * phi @ phi.T / trials
    theory = ft.nngp(x @ x.T / D, depth, activation)
    for i, j in [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]:
        assert abs(emp[i, j] - theory[i, j]) <= 0.02 * theory[i, i], (i, j, emp[i, j], theory[i, j])


def test_ek_limits_and_half_learning_point():
    lam = ft.spectrum(lambda t: ft.nngp(t, 2), D, 8)
    c2 = {1: 1.0, 2: 0.5, 3: 0.25}
    assert abs(ft.ek_curve(1e-9, lam, c2, 1.0) - 1.75) < 1e-6
    assert ft.ek_curve(1e12, lam, c2, 1.0) < 1e-6
    n = np.logspace(0, 6, 50)
    assert np.all(np.diff(ft.ek_curve(n, lam, c2, 1.0)) < 0)
    for l in c2:
        at = ft.ek_curve(1.0 / lam[l], lam, c2, 1.0, per_degree=True)[l]
        assert abs(at - c2[l] / 4) < 1e-12
    assert ft.ek_curve(10, lam, c2, 1e-300) < 1e-12      # sigma^2 -> 0: EK degenerates to 0


def test_gp_equals_the_random_feature_primal(rng):
    """The GP with the empirical kernel phi phi^T is ridge regression in the feature primal."""
    x, xt = ft.sphere(40, D, rng), ft.sphere(30, D, rng)
    target = ft.Target(D, {1: 1.0, 2: 0.5}, seed=0)
    phi_all = ft.relu_features(np.vstack([x, xt]), 2, 64, rng)
    phi, phit = phi_all[:40], phi_all[40:]
    primal = ft.feature_ridge_test_error(phi, target(x), phit, target(xt), 0.5)
    gram = phi_all @ phi_all.T
    K, Ks = gram[:40, :40], gram[40:, :40]
    dual = np.mean((Ks @ np.linalg.solve(K + 0.5 * np.eye(40), target(x)) - target(xt)) ** 2)
    assert abs(primal - dual) < 1e-8


def test_renormalized_ridge_kappa_and_its_ek_limit():
    lam = ft.spectrum(lambda t: ft.nngp(t, 2), D, 12)
    c2 = {1: 1.0, 2: 0.5}
    n = np.array([1, 10, 100, 1e4, 1e7])
    err, kappa = ft.renormalized_curve(n, lam, D, c2, 1.0)
    assert np.all(kappa >= 1.0) and np.all(np.diff(kappa) < 0) and kappa[-1] < 1.01
    np.testing.assert_allclose(err[-1], ft.ek_curve(n[-1], lam, c2, 1.0), rtol=1e-2, atol=1e-9)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="activation must be one of"):
        ft.nngp(0.5, 2, "tanh")
    with pytest.raises(ValueError, match="depth must be"):
        ft.nngp(0.5, -1)
    with pytest.raises(ValueError, match="c2 must map"):
        ft.Target(D, {})


def test_exact_gp_errors_equal_a_large_test_set(rng):
    """gp_errors (Funk-Hecke, no test set) against the GP's error on 2e5 test points."""
    target = ft.Target(D, {1: 1.0, 2: 0.5, 3: 0.25}, seed=0)
    x = ft.sphere(128, D, rng)
    kernel = lambda t: ft.nngp(t, 2)  # noqa: E731
    exact, = ft.gp_errors(x, target(x), {"k": ft.spectrum(kernel, D, 30)}, target, [1.0])["k"]
    xt = ft.sphere(200_000, D, rng)
    pred = ft.gp_predict(x, target(x), xt, kernel, 1.0)
    assert abs(exact["total"] - np.mean((pred - target(xt)) ** 2)) < 0.02 * exact["total"]
    for l, e in ft.degree_errors(pred, xt, target).items():
        assert abs(exact[l] - e) < 0.02 * exact[l] + 2e-3


def test_langevin_time_average_is_the_gp_posterior_mean(rng):
    """A wide one-layer network sampled by Langevin dynamics averages to the GP's prediction
    (30 points cover S^2, so the posterior is narrow and a short chain's average is precise)."""
    target = ft.Target(3, {1: 1.0, 2: 0.5}, seed=0)
    x, xt = ft.sphere(30, 3, rng), ft.sphere(50, 3, rng)
    gp = ft.gp_predict(x, target(x), xt, lambda t: ft.nngp(t, 1), 0.5)
    chain = ft.langevin_predictions(x, target(x), xt, 1, 256, 0.5, steps=4000, lr=1e-2,
                                    burn_in=500, seed=1)
    assert np.mean((chain - gp) ** 2) < 0.02 * np.mean(gp ** 2)
    with pytest.raises(ValueError, match="burn_in must be < steps"):
        ft.langevin_predictions(x, target(x), xt, 1, 8, 0.5, steps=10, lr=1e-2, burn_in=10)


def test_langevin_runs_on_the_auto_device(rng):
    """"auto" (the chapter's default) picks CUDA when present, else the CPU."""
    x, xt = ft.sphere(5, 3, rng), ft.sphere(4, 3, rng)
    out = ft.langevin_predictions(x, x[:, 0], xt, 1, 8, 0.5, steps=3, lr=1e-3, burn_in=1,
                                  device="auto")
    assert out.shape == (4,) and np.all(np.isfinite(out))


def test_prior_power_and_low_degree_share_of_closed_form_kernels():
    """k(t) = t^2 = 1/d + (d-1)/d P_2(t): power 1/d on degree 0 and (d-1)/d on degree 2."""
    lam = ft.spectrum(lambda t: t ** 2, D, 4)
    np.testing.assert_allclose(ft.prior_power(lam, D), [1 / D, 0, (D - 1) / D, 0, 0], atol=1e-12)
    assert abs(ft.low_degree_share(lam, D, up_to=0) - 1 / D) < 1e-12
    assert abs(ft.low_degree_share(lam, D) - 1) < 1e-12
    assert ft.low_degree_share(ft.spectrum(lambda t: t, D, 4), D, up_to=0) < 1e-12


def test_half_learning_points_halve_each_degree():
    lam = ft.spectrum(lambda t: ft.nngp(t, 3), D, 8)
    c2 = {1: 1.0, 2: 0.5, 3: 0.25}
    points = ft.half_learning_points(lam, c2, 0.5)
    assert points[1] < points[2] < points[3]                 # entropic bias: low degrees first
    for l, n in points.items():
        assert abs(ft.ek_curve(n, lam, c2, 0.5, per_degree=True)[l] - c2[l] / 4) < 1e-12


def test_trace_error_is_the_power_beyond_lmax():
    """k(1) = 1 for the ReLU kernel: truncated at lmax = 2 the trace misses the power of the
    degrees above 2, which a spectrum to lmax = 30 measures (its own miss < TRACE_TOL)."""
    lam = ft.spectrum(lambda t: ft.nngp(t, 2), D, 30)
    assert ft.trace_error({2: lam}, D) < ft.TRACE_TOL
    beyond = ft.prior_power(lam, D)[3:].sum()
    assert ft.trace_error({2: lam[:3]}, D) == pytest.approx(beyond, abs=ft.TRACE_TOL)
    lam4 = ft.spectrum(lambda t: ft.nngp(t, 4), D, 2)
    assert ft.trace_error({2: lam[:3], 4: lam4}, D) == max(ft.trace_error({2: lam[:3]}, D),
                                                           ft.trace_error({4: lam4}, D))


@pytest.mark.parametrize("n", [1, 10, 1000])
def test_kappa_ratio_of_one_mode_solves_its_quadratic(n):
    """One mode lambda (l = 0, multiplicity 1): kappa = s2 + kappa lambda / (N lambda + kappa),
    i.e. kappa^2 + kappa (N lambda - lambda - s2) - s2 N lambda = 0."""
    lam, s2 = 0.8, 0.5
    b = n * lam - lam - s2
    kappa = (-b + np.sqrt(b ** 2 + 4 * s2 * n * lam)) / 2
    np.testing.assert_allclose(ft.kappa_ratio([lam], D, s2, [n]), [kappa / s2], rtol=1e-9)


def test_kappa_ratio_falls_to_one_as_the_modes_are_learned():
    lam = ft.spectrum(lambda t: ft.nngp(t, 2), D, 12)
    ratio = ft.kappa_ratio(lam, D, 0.2, [16, 128, 1024, 1e7])
    assert np.all(ratio > 1) and np.all(np.diff(ratio) < 0) and ratio[-1] < 1.01


@pytest.mark.parametrize("words, joined", [([], ""), (["a"], "a"), (["a", "b"], "a and b"),
                                           (["a", "b", "c"], "a, b and c")],
                         ids=["none", "one", "two", "three"])
def test_and_join_lists_words_as_prose(words, joined):
    assert ft.and_join(iter(words)) == joined


def test_critical_words_and_ratios():
    critical = {1: 10.0, 2: 45.0, 3: 1234.4}
    assert ft.critical_words(critical) == "10 for degree 1, 45 for degree 2, 1,234 for degree 3"
    assert ft.critical_ratio_words(critical) == ("4.5 from degree 1 to 2 and 27.4 from degree 2 "
                                                 "to 3")
    assert ft.critical_ratio_words({1: 10.0}) == ""


def test_compare_with_theory_averages_draws_and_divides():
    lam = ft.spectrum(lambda t: ft.nngp(t, 2), D, 10)
    target = ft.Target(D, {1: 1.0, 2: 0.5}, seed=0)
    curves = pd.DataFrame({"depth": 2, "sigma2": 1.0, "n": [64, 64, 256, 256],
                           "draw": [0, 1, 0, 1], "test_mse": [0.9, 1.1, 0.4, 0.6]})
    out = ft.compare_with_theory(curves, {2: lam}, target)
    np.testing.assert_allclose(out.gp, [1.0, 0.5])
    np.testing.assert_allclose(out.gp_sem, [0.1, 0.1])      # std (ddof 1) / sqrt(2)
    ek = ft.ek_curve(np.array([64, 256]), lam, target.c2, 1.0)
    np.testing.assert_allclose(out.ek, ek)
    np.testing.assert_allclose(out.ek_rel, ek / [1.0, 0.5] - 1)
    renorm = ft.renormalized_curve([64, 256], lam, D, target.c2, 1.0)[0]
    np.testing.assert_allclose(out.renorm_rel, renorm / [1.0, 0.5] - 1)


def test_network_excess_is_the_ratio_of_draw_means():
    nets = pd.DataFrame({"width": [8, 8, 8, 8], "n": [4, 4, 16, 16], "draw": [0, 1, 0, 1],
                         "net_mse": [1.0, 2.0, 3.0, 3.0], "gp_mse": [1.0, 1.0, 2.0, 2.0]})
    np.testing.assert_allclose(ft.network_excess(nets).excess, [0.5, 0.5])


def _compare(ek_rel_big, ek_rel_small=0.5, renorm_rel=0.05):
    """A comparison table with known relative differences: the main ridge 1.0, a low one 0.2."""
    rows = [{"depth": h, "sigma2": s2, "n": n,
             "ek_rel": (ek_rel_big if n >= ft.EK_MIN_N else ek_rel_small) if s2 == 1.0 else -0.3,
             "renorm_rel": renorm_rel}
            for h in (2, 4) for s2 in (1.0, 0.2) for n in (32, 128, 512)]
    return pd.DataFrame(rows)


def _excess(by_width):
    return pd.DataFrame([{"width": w, "n": n, "excess": e if n <= ft.NET_MAX_N else 9.0}
                         for w, e in by_width.items() for n in (64, 256, 1024)])


SPECTRA = {h: ft.spectrum(lambda t, h=h: ft.nngp(t, h), D, 30) for h in (1, 2, 4)}


@pytest.mark.parametrize("ek_rel, met", [(-0.05, True), (-0.12, False), (0.08, True)],
                         ids=["within", "outside", "above"])
def test_assess_judges_the_ek_criterion_at_large_n_only(ek_rel, met):
    a = ft.assess(_compare(ek_rel), _excess({512: 0.2, 2048: 0.1}), SPECTRA, D, main_sigma2=1.0)
    assert a.ek_by_depth == {2: pytest.approx(abs(ek_rel)), 4: pytest.approx(abs(ek_rel))}
    assert a.checks()["ek"] is met
    assert a.ek_side == ("below" if ek_rel < 0 else "above")
    assert a.low_sigma2 == 0.2 and a.low_ek == (pytest.approx(-0.3), pytest.approx(-0.3))


def test_assess_network_width_spectrum_and_langevin_criteria():
    langevin = pd.DataFrame({"n": [16, 256, 1024], "gap": [0.1, 0.19, 0.9]})
    a = ft.assess(_compare(-0.05), _excess({512: 0.2, 2048: 0.1}), SPECTRA, D,
                  main_sigma2=1.0, langevin=langevin)
    assert a.widest == 2048 and a.net_worst == pytest.approx(0.1)   # N > NET_MAX_N ignored
    assert a.excess_shrinks is True and a.decreasing is True and a.trace_error < ft.TRACE_TOL
    assert a.excess_rises is False                       # 0.2, 0.2, 9.0: flat, then up
    rising = _excess({512: 0.2}).assign(excess=[0.1, 0.2, 0.4])
    assert ft.assess(_compare(-0.05), rising, SPECTRA, D, main_sigma2=1.0).excess_rises is True
    assert a.langevin_met is True                                   # N > LANGEVIN_MAX_N ignored
    assert a.low_share[4] == pytest.approx(ft.low_degree_share(SPECTRA[4], D))
    assert a.met() == (6, 6)
    worse = ft.assess(_compare(-0.05, renorm_rel=0.2), _excess({512: 0.1, 2048: 0.2}), SPECTRA,
                      D, main_sigma2=1.0)
    assert worse.checks() == {"ek": True, "renormalized": False, "network": False,
                              "width trend": False, "spectrum": True, "langevin": None}
    assert worse.met() == (2, 5)


def test_one_width_and_no_langevin_are_not_checks():
    a = ft.assess(_compare(-0.05), _excess({512: 0.1}), SPECTRA, D, main_sigma2=1.0)
    assert a.excess_shrinks is None and a.langevin_met is None and a.met() == (4, 4)


def test_criteria_table_and_scorecard_claims_read_cleanly():
    from geneft import scorecard, tables
    a = ft.assess(_compare(-0.05), _excess({512: 0.2, 2048: 0.1}), SPECTRA, D, main_sigma2=1.0)
    table = ft.criteria_table(a)
    assert list(table.columns) == ["criterion", "met", "this run", "threshold"]   # verdict early
    assert table.met.tolist() == [True, True, True, True, True, None]
    html = tables.show(table, missing="not run").to_html()
    assert "full profile only" in html and "not run" in html and "✔" in html
    assert "True" not in html and "$" not in html
    narrow, wide = (f"{a.excess_by_width[w]:+.1%}" for w in (512, 2048))
    assert "5.0% (depth 2)" in html and f"{narrow} → {wide}" in html
    widest = max(sum(len(str(v)) for v in row) for row in table.itertuples(index=False))
    assert widest <= 90                                         # fits the 740 px text column
    rows = ft.claims(a, deep=4)
    assert [c.status for c in rows] == ["reproduced"] * 3
    assert "within 10.0% of its GP" in rows[2].ours and f"{narrow} at width 512" in rows[2].ours
    assert "unbalanced" not in scorecard.html("fieldtheory", rows).data
    assert ft.tally_words(rows) == "3 reproduced"
    langevin = pd.DataFrame({"n": [16, 256, 1024], "gap": [0.1, 0.19, 0.9]})
    ran = ft.assess(_compare(-0.05), _excess({512: 0.2}), SPECTRA, D, main_sigma2=1.0,
                    langevin=langevin)
    assert ft.criteria_table(ran)["this run"].iloc[-1] == "19.0% (N = 256)"   # N > 256 not judged


@pytest.mark.parametrize("low, high, digits, words", [
    (-0.47, -0.23, 0, "23–47% below"), (-0.23, -0.47, 0, "23–47% below"),
    (0.08, 0.12, 0, "8–12% above"), (0.066, None, 1, "6.6% above"),
    (-0.3, -0.3004, 0, "30% below"),
    (-0.05, 0.10, 0, "from 5% below to 10% above")])
def test_relative_words_give_one_sign_and_the_smaller_number_first(low, high, digits, words):
    assert ft.relative_words(low, high, digits=digits) == words


def test_unchecked_words_name_each_check_not_made():
    a = ft.assess(_compare(-0.05), _excess({512: 0.1}), SPECTRA, D, main_sigma2=1.0)
    words = ft.unchecked_words(a)
    assert "two widths" in words and "Langevin" in words
    langevin = pd.DataFrame({"n": [16], "gap": [0.1]})
    full = ft.assess(_compare(-0.05), _excess({512: 0.2, 2048: 0.1}), SPECTRA, D,
                     main_sigma2=1.0, langevin=langevin)
    assert ft.unchecked_words(full) == ""
    rows = ft.claims(ft.assess(_compare(-0.2), _excess({512: 0.2, 2048: 0.1}), SPECTRA, D,
                               main_sigma2=1.0), deep=4)
    assert ft.tally_words(rows) == "2 reproduced, 1 not reproduced"


def test_langevin_and_ek_gap_words():
    assert ft.langevin_words(None) == "not run"
    assert ft.langevin_words({16: 0.1, 256: 0.19}) == ("a distance of 10.0% at N = 16, "
                                                      "19.0% at N = 256")
    assert ft.ek_gap_words(_compare(-0.05), 4, 1.0) == "5.0% at N = 128, 5.0% at N = 512"
    assert ft.ek_gap_words(_compare(-0.05), 4, 0.2) == "30.0% at N = 128, 30.0% at N = 512"


def test_verdict_summary_says_what_the_assessment_found():
    a = ft.assess(_compare(-0.05), _excess({512: 0.2, 2048: 0.1}), SPECTRA, D, main_sigma2=1.0)
    s = ft.verdict_summary(a)
    assert (s["n_met"], s["n_checked"], s["n_criteria"]) == (5, 5, 6)
    assert "Langevin" in s["unchecked"] and s["ek_verdict"] == "met"
    assert s["ek_worst"] == pytest.approx(0.05) and s["ek_tol"] == ft.EK_TOL
    assert s["ek_by_depth"] == "5.0% at depth 2, 5.0% at depth 4" and s["ek_side"] == "below"
    assert s["ek_worst_depth"] == 2                       # a tie goes to the first depth
    assert s["low"] == 0.2 and s["low_ek"] == "30% below"
    assert s["widest"] == 2048 and s["net_worst"] == pytest.approx(0.1)
    mean = (0.1 + 0.1 + 9.0) / 3                        # the widest's excess over N = 64..1024
    assert s["net_mean"] == f"{mean:.1%} above"
    narrow = (0.2 + 0.2 + 9.0) / 3
    assert s["excess_by_width"] == f"{narrow:+.1%} at width 512, {mean:+.1%} at width 2048"
    assert s["width_trend"] == "shrinks" and s["excess_rises"] == "does not always grow"
    one = ft.verdict_summary(ft.assess(_compare(-0.12), _excess({512: 0.1}), SPECTRA, D,
                                       main_sigma2=1.0))
    assert one["width_trend"] == "cannot be compared (one width)"
    assert one["ek_verdict"] == "not met" and one["n_met"] == 3


def test_work_scales_with_what_each_sweep_repeats():
    from dataclasses import replace

    from geneft.profiles import PROFILES
    quick = PROFILES["fieldtheory"]["quick"]
    base = ft.work(quick)
    doubled = ft.work(replace(quick, draws=2 * quick.draws))
    assert doubled == pytest.approx({k: 2 * v for k, v in base.items()})
    wider = ft.work(replace(quick, widths=quick.widths + (4096,)))
    assert wider["curves"] == base["curves"] and wider["nets"] > 2 * base["nets"]
    noisier = ft.work(replace(quick, sigma2_list=quick.sigma2_list + (0.05,)))
    assert noisier["nets"] == base["nets"] and noisier["curves"] > base["curves"]
    assert ft.estimate_seconds({"curves": 3.0, "nets": 4.0}, quick, quick) == pytest.approx(7.0)
    assert ft.estimate_seconds({"curves": 3.0, "nets": 4.0}, quick,
                               replace(quick, draws=3 * quick.draws)) == pytest.approx(21.0)


def test_claims_judge_the_langevin_network_in_the_finite_width_row_when_run():
    excess = _excess({512: 0.2, 2048: 0.1})
    quick = ft.claims(ft.assess(_compare(-0.05), excess, SPECTRA, D, main_sigma2=1.0), deep=4)
    far = pd.DataFrame({"n": [16, 256], "gap": [0.1, 0.5]})         # 50% > LANGEVIN_TOL
    full = ft.claims(ft.assess(_compare(-0.05), excess, SPECTRA, D, main_sigma2=1.0,
                               langevin=far), deep=4)
    assert quick[2].status == "reproduced" and full[2].status == "partly"
    assert "Langevin" not in quick[2].ours and "50.0% at $N = 256$" in full[2].ours
    assert quick[2].tolerance == full[2].tolerance                  # one row, both sizes
    assert quick[2].full == "not stored"                            # with_full fills it


@pytest.mark.parametrize("quick_ek, full_ek, words", [
    (-0.05, -0.06, "every criterion checked at both sizes gets the same verdict"),
    (-0.05, -0.15,
     "the verdict differs for the EK curve (met on this page, not met at full size)")],
    ids=["same", "ek-differs"])
def test_full_size_words_compare_the_two_sizes(quick_ek, full_ek, words):
    quick = ft.assess(_compare(quick_ek), _excess({512: 0.1}), SPECTRA, D, main_sigma2=1.0)
    langevin = pd.DataFrame({"n": [16, 256, 1024], "gap": [0.05, 0.12, 0.9]})
    full = ft.assess(_compare(full_ek), _excess({512: 0.2, 2048: 0.1}), SPECTRA, D,
                     main_sigma2=1.0, langevin=langevin)
    text = ft.full_size_words(quick, full)
    assert text.endswith(words)
    assert f"by up to {abs(full_ek):.1%} (on this page: {abs(quick_ek):.1%})" in text
    assert "width 2048" in text and "(width 512 on this page: 10.0%)" in text
    assert "within 12.0% of its GP up to N = 256" in text      # N > LANGEVIN_MAX_N not judged
    assert "the width trend" not in text                       # not checked at the quick size


def test_analyse_needs_curves_and_nets():
    from geneft.profiles import PROFILES
    with pytest.raises(ValueError, match=r"missing \['nets'\]"):
        ft.analyse({"curves": pd.DataFrame()}, PROFILES["fieldtheory"]["quick"])


def _tiny_run():
    """The chapter's three computations at tiny parameters: (params, result tables)."""
    from geneft.profiles import resolve
    p = resolve("fieldtheory", d=6, depths=[2], spectrum_depths=[1, 2], lmax=10,
                n_list=[16, 128], draws=2, n_test=100, widths=[32, 64], net_n_list=[16, 64],
                sigma2_list=[1.0, 0.2], langevin=True, langevin_width=16,
                langevin_n_list=[8, 16], langevin_steps=40, langevin_burn_in=20,
                langevin_n_test=20, device="cpu", save_results=True)
    target = ft.Target(p.d, dict(zip(p.degrees, p.powers)), seed=p.seed)
    curves = ft.learning_curves(target, p.depths, p.n_list, p.sigma2_list, p.draws,
                                lmax=p.lmax, seed=p.seed)
    nets = ft.feature_curves(target, max(p.depths), p.widths, p.net_n_list, p.sigma2_list[0],
                             p.draws, p.n_test, seed=p.seed)
    chains = ft.langevin_curves(target, max(p.depths), p.langevin_width, p.langevin_n_list,
                                p.sigma2_list[0], p.langevin_n_test, steps=p.langevin_steps,
                                lr=p.langevin_lr, burn_in=p.langevin_burn_in, seed=p.seed)
    return p, ft.result_tables(curves, nets, chains)


def test_stored_tables_give_the_verdicts_of_the_run_that_wrote_them(tmp_path):
    import matplotlib.pyplot as plt

    from geneft import plots, store
    from geneft.profiles import stored_config
    p, tables = _tiny_run()
    name, config = "fieldtheory/learning-curves", stored_config("fieldtheory/learning-curves", p)
    ran = ft.analyse(tables, p)
    store.save(name, tables, config, wall_s=1.0, root=tmp_path)
    stored = store.load(name, config, root=tmp_path)
    assert set(stored.tables) == {"curves", "nets", "langevin"}
    read = ft.analyse(stored.tables, p)
    assert read.verdict.checks() == ran.verdict.checks()
    assert read.verdict.met() == ran.verdict.met() and ran.verdict.langevin_met is not None
    for field in ("ek_worst", "renorm_worst", "net_worst", "trace_error"):
        assert getattr(read.verdict, field) == pytest.approx(getattr(ran.verdict, field),
                                                             rel=1e-7)
    assert read.verdict.langevin_gaps == pytest.approx(ran.verdict.langevin_gaps, rel=1e-7)
    assert [(c.status, c.ours) for c in read.claims] == [(c.status, c.ours) for c in ran.claims]
    assert ft.full_size_words(ran.verdict, read.verdict).endswith("gets the same verdict")
    fig = plots.learning_curve_panels(read.compare, read.excess, sigma2_list=p.sigma2_list,
                                      net_depth=2, net_sigma2=1.0)
    assert fig.get_size_inches()[0] == plots.WIDTH and len(fig.axes) == 2   # 1 depth x 2 ridges
    first, second = fig.axes
    assert len(first.lines) > len(second.lines)      # the networks: in the first ridge's panel
    plt.close(fig)


def test_prior_power_figure_leaves_out_the_degrees_without_power():
    import matplotlib.pyplot as plt

    from geneft import plots
    power = {h: ft.prior_power(lam, D) for h, lam in SPECTRA.items()}
    fig = plots.fieldtheory.prior_power_by_degree(power, [1, 2, 4])
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["depth 1", "depth 2", "depth 4"]
    assert list(lines[0].get_xdata()) == [0, 1, 2, 4, 6, 8, 10, 12]   # depth 1: odd l > 1 zero
    assert list(lines[1].get_xdata()) == list(range(13))
    np.testing.assert_allclose(lines[2].get_ydata(), power[4][:13])
    plt.close(fig)


def test_degree_figure_draws_theory_measurement_and_half_learning_points():
    import matplotlib.pyplot as plt

    from geneft import plots
    c2, n = {1: 1.0, 2: 0.5}, np.logspace(1, 3, 20)
    per_degree = ft.ek_curve(n, SPECTRA[2], c2, 1.0, per_degree=True)
    measured = pd.DataFrame({"degree_1": [0.5, 0.1], "degree_2": [0.4, 0.3]}, index=[16, 256])
    critical = ft.half_learning_points(SPECTRA[2], c2, 1.0)
    fig = plots.fieldtheory.degree_errors(n, per_degree, measured, critical)
    ax = fig.axes[0]
    verticals = [line.get_xdata()[0] for line in ax.get_lines() if line.get_linestyle() == ":"
                 and len(line.get_xdata())]
    np.testing.assert_allclose(verticals, [critical[1], critical[2]])
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "degree 1", "degree 2", "EK theory", "exact GP", "$N_l^*$"]
    plt.close(fig)


@pytest.mark.slow
def test_chapter_stores_its_tables_and_shows_a_stored_full_size_result(
        tmp_path, chapter_store, glued):
    """`geneft run fieldtheory -p save_results true` stores the result tables; `analyse` of the
    stored tables gives the verdicts the run printed; stored under the full profile's
    configuration, the page draws them in its full-size section and scorecard column."""
    from geneft import store
    from geneft.profiles import PROFILES, resolve, stored_config
    from geneft.runner import run_chapter
    tiny = dict(n_list=[16, 128], draws=2, n_test=100, widths=[32, 64], net_n_list=[16, 64],
                langevin=True, langevin_width=16, langevin_n_list=[8], langevin_steps=40,
                langevin_burn_in=20, langevin_n_test=20, device="cpu")
    run_chapter("fieldtheory", "quick", {**tiny, "save_results": True}, out=tmp_path,
                progress=False)
    p = resolve("fieldtheory", **tiny)
    name = "fieldtheory/learning-curves"
    saved = store.load(name, stored_config(name, p))
    assert saved is not None and saved.meta["timings"]["wall_s"] > 0
    read = ft.analyse(saved.tables, p)
    notebook = tmp_path / "fieldtheory-quick.ipynb"
    assert glued(notebook, "ft_n_met") == str(read.verdict.met()[0])
    assert glued(notebook, "ft_claims_tally") == ft.tally_words(read.claims)
    assert glued(notebook, "ft_full_gist") == "no full-size result is stored"
    full = PROFILES["fieldtheory"]["full"]            # as if the full run had been made
    store.save(name, saved.tables, stored_config(name, full), wall_s=1.0)
    run_chapter("fieldtheory", "quick", tiny, out=tmp_path, progress=False)
    gist = glued(notebook, "ft_full_gist")
    assert gist.startswith("the EK curve lies") and "criteria" in gist
    assert "score-full" in glued(notebook, "scorecard")
    assert "a distance of" in glued(notebook, "ft_langevin_full")
