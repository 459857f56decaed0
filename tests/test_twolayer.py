"""geneft.twolayer against spec beyond.md B.5: autograd and finite differences, mean-field
duplication invariance, ReLU homogeneity, the alignment metric's limits, the ReLU
Gaussian-equivalence constants, sanity limits at init and the linear-model closed form."""
import math

import numpy as np
import pytest
import torch

from geneft import twolayer as tl


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


def test_pure_noise_test_risk_is_the_output_power():
    """With pure-noise labels the target is 0: the test excess risk is E f^2, which training
    on noise can only grow (up to sampling error)."""
    curves = tl.simulate([4], [0, 1], d=10, steps=400, target="noise", dtype="float64",
                         device="cpu")
    mean = curves.groupby("step").test.mean()
    assert mean.iloc[-1] > 10 * mean.iloc[0]
    assert mean.min() >= 0.5 * mean.iloc[0]


def test_timescales_reads_the_curves():
    steps = np.array([0, 10, 100, 1000])
    import pandas as pd
    curves = pd.DataFrame({"alpha": 8, "seed": 0, "step": steps, "train": [1, 0.5, 0.005, 0.0],
                           "test": [0.6, 0.2, 0.3, 0.5], "align": [0.1, 0.7, 0.5, 0.2],
                           "path": [0.1, 1.0, 3.0, 6.0]})
    row = tl.timescales(curves).loc[8]
    assert (row.t_feat, row.t_fit, row.t_star) == (10, 100, 10)
    assert (row.path_star, row.align_end, row.test_end) == (1.0, 0.2, 0.5)


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
