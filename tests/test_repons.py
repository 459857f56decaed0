"""The repon effective theory against its closed forms and against direct simulation."""
import numpy as np
import pytest

from geneft import repons

RATES = [(0.1, 0.1), (1.0, 0.05), (0.02, 3.0)]


@pytest.mark.parametrize("eta_a, eta_x", RATES, ids=["equal", "fast-decoder", "fast-encoder"])
@pytest.mark.parametrize("a0, c0", [(1.0, 0.4), (1.0, 0.9), (-0.7, 0.2)],
                         ids=["collide", "apart", "negative-a"])
def test_conserved_quantity_along_solve_ivp(a0, c0, eta_a, eta_x):
    t = np.linspace(0, 200, 50)
    a, c = repons.integrate(a0, c0, eta_a, eta_x, t)
    C = repons.conserved(a, c, eta_a, eta_x)
    assert np.max(np.abs(C - C[0])) <= 1e-8 * abs(C[0])


def test_spec_examples_collide_or_not():
    t = np.linspace(0, 400, 5)
    a, c = repons.integrate(1.0, 0.4, 0.1, 0.1, t)
    assert repons.conserved(1.0, 0.4, 0.1, 0.1) == pytest.approx(3.4)
    assert c[-1] < 1e-3 * 0.4
    a, c = repons.integrate(1.0, 0.9, 0.1, 0.1, t)
    assert repons.conserved(1.0, 0.9, 0.1, 0.1) == pytest.approx(-3.1)
    assert abs(a[-1]) < 1e-3 and c[-1] == pytest.approx(np.sqrt(3.1 * 0.1), rel=1e-6)


def test_matrix_form_reduces_to_the_scalar_form():
    dA, dr = repons.flow_matrix(np.array([[0.8]]), np.array([0.3]), 0.2, 0.5)
    da, dc = repons.flow((0.8, 0.3), 0.2, 0.5)
    assert dA[0, 0] == pytest.approx(da) and dr[0] == pytest.approx(dc)


def test_matrix_form_is_the_gradient_flow_of_the_loss(rng):
    """Eq. 8 from the loss 1/2 (|A x1 + b - y|^2 + |A x2 + b - y|^2), midpoint 0 and b = y."""
    A, r = rng.normal(size=(3, 2)), rng.normal(size=2)
    loss = lambda A, r: 0.5 * (np.sum((A @ r) ** 2) + np.sum((A @ -r) ** 2))  # noqa: E731
    eps, grad_A, grad_r = 1e-6, np.zeros_like(A), np.zeros_like(r)
    for i in np.ndindex(A.shape):
        d = np.zeros_like(A); d[i] = eps
        grad_A[i] = (loss(A + d, r) - loss(A - d, r)) / (2 * eps)
    for i in range(2):
        d = np.zeros(2); d[i] = eps
        # x1,2 = m +- r, so dr/dt = (dx1/dt - dx2/dt) / 2 = -(dl/dr) / 2 at unit rate
        grad_r[i] = (loss(A, r + d) - loss(A, r - d)) / (2 * eps) / 2
    dA, dr = repons.flow_matrix(A, r, 1.0, 1.0)
    np.testing.assert_allclose(dA, -grad_A, rtol=1e-6)
    np.testing.assert_allclose(dr, -grad_r, rtol=1e-6)


def test_euler_drift_shrinks_with_the_step():
    drift = []
    for dt in (0.08, 0.02):
        a, c = repons.euler(1.0, 0.4, 0.1, 0.1, dt=dt, steps=int(160 / dt))
        C = repons.conserved(a, c, 0.1, 0.1)
        drift.append(np.max(np.abs(C - C[0])) / abs(C[0]))
    assert drift[1] < drift[0] / 3 and drift[1] < 1e-2


@pytest.mark.parametrize("a0, c0", [(1.0, 0.4), (1.0, 0.6), (2.0, 0.1)])
def test_collision_time_closed_form_matches_integration(a0, c0):
    eta_a, eta_x = 0.1, 0.2
    t_star = repons.collision_time(a0, c0, eta_a, eta_x, shrink=1e-2)
    a, c = repons.integrate(a0, c0, eta_a, eta_x, [0, t_star])
    assert c[-1] == pytest.approx(1e-2 * c0, rel=1e-6)


def test_no_collision_time_below_the_separatrix():
    assert repons.collision_time(1.0, 0.9, 0.1, 0.1) == np.inf


@pytest.mark.parametrize("ratio", [0.125, 0.5, 2.0, 8.0, 32.0])
def test_p_r_closed_form_vs_montecarlo(ratio):
    p, se = repons.p_r_montecarlo(ratio, draws=200_000, seed=1)
    assert abs(p - repons.p_r(ratio)) < 3 * se


def test_p_r_spec_sanity_numbers():
    rho = np.array([0.25, 0.5, 1, 2, 4])
    np.testing.assert_allclose(repons.p_r(2 * rho ** 2), [.156, .295, .5, .705, .844], atol=1e-3)


def test_p_r_depends_on_the_ratio_only():
    """Scaling both rates leaves the fate of every initial condition, hence p_r, unchanged."""
    a0, c0 = np.random.default_rng(3).normal(size=(2, 1000))
    fate = lambda k: repons.conserved(a0, c0, 0.3 * k, 0.7 * k) > 0  # noqa: E731
    assert np.array_equal(fate(1), fate(10)) and np.array_equal(fate(1), fate(0.01))


def test_cluster_formula_reduces_to_eq12():
    r = np.logspace(-2, 2, 9)
    np.testing.assert_allclose(repons.p_r_cluster(r, 1), repons.p_r(r), rtol=1e-12)


@pytest.mark.parametrize("n_cluster", [1, 3, 10])
def test_cluster_conserved_quantity_in_the_full_simulation(n_cluster):
    sim = repons.simulate_cluster(0.9, 0.8, n_cluster, 0.3, 0.5, 100.0)
    C = repons.cluster_conserved(sim["a"][:, 0], sim["s"][:, 0], n_cluster, 0.3, 0.5)
    assert np.max(np.abs(C - C[0])) <= 1e-8 * abs(C[0])
    np.testing.assert_allclose(sim["b"], 1.0, atol=1e-9)          # b stays at its optimum


@pytest.mark.parametrize("n_cluster, ratio", [(1, 1.0), (4, 0.5), (20, 2.0)])
def test_cluster_formula_vs_simulated_fates(n_cluster, ratio):
    """Draw (a0, c0), simulate N + 1 repons, call it a collision when s falls below 1e-3 of its
    start relative to the decoder weight; the collision rate must match p_r_cluster, and not the notebook's form."""
    rng = np.random.default_rng(n_cluster)
    draws = 400
    a0, c0 = rng.normal(size=(2, draws))
    sim = repons.simulate_cluster(a0, 2 * c0, n_cluster, 1.0, ratio, 2000.0, points=2,
                                  rtol=1e-8, atol=1e-12)
    # collided: the separation shrank by more than the decoder weight did
    hits = np.sum(np.abs(sim["s"][-1] / (2 * c0)) < np.abs(sim["a"][-1] / a0))
    p, se = hits / draws, np.sqrt(0.25 / draws)
    assert abs(p - repons.p_r_cluster(ratio, n_cluster)) < 3 * se
    notebook = 2 / np.pi * np.arctan(np.sqrt(ratio / (4 * (1 + 1 / n_cluster))))
    assert abs(p - notebook) > abs(p - repons.p_r_cluster(ratio, n_cluster))


def test_bad_rates():
    with pytest.raises(ValueError, match="eta_a and eta_x must be > 0"):
        repons.integrate(1, 1, 0, 1, [0, 1])
