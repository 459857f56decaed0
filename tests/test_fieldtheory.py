"""Field-theory learning curves (spec beyond.md A.5): closed-form spectra, multiplicities,
harmonic normalisation, the NNGP recursions against a wide random network, EK limits, GP
regression against the random-feature primal, the renormalised ridge."""
import numpy as np
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
