"""geneft.duality: the duality and its minimality, end-to-end exactness through a network, the
decomposition identity, the secant, the Hessian of a linear model and the quadratic-landscape
case; what the chapter reads off one analysis (`summary`, `gap_share`, `corr_quartiles`); and
the chapter's figures of one decomposition (geneft.plots.duality). The experiment on digits and
GenEFT models is tests/test_digits.py."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from geneft import duality, plots

F64 = torch.float64


def rand(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=F64)


def test_dual_weights_map_the_training_activity_onto_the_test_output():
    W, a, a2 = rand(7, 4), rand(5, 4, seed=1), rand(5, 4, seed=2)
    dW = duality.dual_weights(W, a, a2)
    torch.testing.assert_close(torch.einsum("koi,ki->ko", W + dW, a), a2 @ W.T,
                               rtol=0, atol=1e-12)
    assert all(torch.linalg.matrix_rank(d) == 1 for d in dW)
    torch.testing.assert_close(torch.linalg.matrix_norm(dW),
                               ((a2 - a) @ W.T).norm(dim=1) / a.norm(dim=1))


def test_dual_weights_are_the_minimum_norm_solution():
    W, a, a2 = rand(6, 5), rand(1, 5, seed=3), rand(1, 5, seed=4)
    dW = duality.dual_weights(W, a, a2)[0]
    v = a[0]
    for seed in range(5):
        M = rand(6, 5, seed=10 + seed) @ (torch.eye(5, dtype=F64) - torch.outer(v, v) / (v @ v))
        assert torch.allclose(M @ v, torch.zeros(6, dtype=F64), atol=1e-12)
        assert (dW * M).sum().abs() < 1e-12
        assert (dW + M).norm() >= dW.norm()


def test_zero_displacement_gives_zero_dual_weights_and_zero_activity_is_refused():
    W, a = rand(3, 4), rand(2, 4, seed=5)
    assert duality.dual_weights(W, a, a).abs().max() == 0
    with pytest.raises(ValueError, match="a must be nonzero"):
        duality.dual_weights(W, torch.zeros(1, 4, dtype=F64), a[:1])


def _tiny_mlp():
    Ws = [rand(6, 5, seed=20), rand(6, 6, seed=21), rand(3, 6, seed=22)]
    X, Xp = rand(8, 5, seed=23), rand(8, 5, seed=24)
    y = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    return Ws, X, Xp, y


def _ce(logits, y):
    return torch.nn.functional.cross_entropy(logits, y, reduction="none")


def test_end_to_end_exactness_for_the_middle_and_the_first_layer():
    Ws, X, Xp, y = _tiny_mlp()
    a, ap = torch.relu(X @ Ws[0].T), torch.relu(Xp @ Ws[0].T)
    middle_rest = lambda z: torch.relu(z) @ Ws[2].T  # noqa: E731
    result = duality.analyse_layer(Ws[1], middle_rest, _ce, a, y, a, ap, y)
    assert result["exactness"] < 1e-10
    loop = np.mean([float((ap[k] - a[k]).norm() / a[k].norm()) for k in range(len(a))])
    assert result["displacement"] == pytest.approx(loop)
    assert duality.analyse_layer(Ws[1], middle_rest, _ce, a, y, a, a, y)["displacement"] == 0
    # first layer: the activities are the raw inputs
    rest = lambda z: torch.relu(torch.relu(z) @ Ws[1].T) @ Ws[2].T  # noqa: E731
    dW = duality.dual_weights(Ws[0], X, Xp)
    moved = rest(torch.einsum("koi,ki->ko", Ws[0] + dW, X))
    torch.testing.assert_close(_ce(moved, y), _ce(rest(Xp @ Ws[0].T), y), rtol=0, atol=1e-10)


def test_decomposition_identity_on_random_vectors():
    rng = np.random.default_rng(0)
    gamma, theta = rng.standard_normal((50, 9)), rng.standard_normal((50, 9))
    gamma[:, 3] = 2.0                                  # a constant column: sigma = 0, c := 0
    dec = duality.decomposition(gamma, theta, np.arange(9.0))
    assert not np.isnan(dec.contributions).any() and dec.corr[3] == 0
    assert dec.contributions.sum() == pytest.approx((gamma * theta).sum(1).mean(), abs=1e-12)
    # the same in any orthonormal basis
    Q, _ = np.linalg.qr(rng.standard_normal((9, 9)))
    rotated = duality.decomposition(gamma @ Q, theta @ Q, np.arange(9.0))
    assert rotated.contributions.sum() == pytest.approx(dec.contributions.sum(), abs=1e-12)


def test_secant_reproduces_the_loss_difference_along_the_dual_weights():
    dw, dl = rand(6, 10, seed=30), rand(6, seed=31)
    g = duality.secant(dl, dw)
    torch.testing.assert_close((g * dw).sum(1), dl)
    cos = (g * dw).sum(1) / (g.norm(dim=1) * dw.norm(dim=1))
    torch.testing.assert_close(cos.abs(), torch.ones(6, dtype=F64))


def test_hessian_of_a_linear_layer_with_squared_loss_is_the_gram_matrix():
    A, Y = rand(20, 4, seed=40), rand(20, 3, seed=41)
    W = rand(3, 4, seed=42)
    sq = lambda out, y: 0.5 * ((out - y) ** 2).sum(-1)  # noqa: E731
    H = duality.layer_hessian(W, A, Y, lambda z: z, sq)
    torch.testing.assert_close(H, torch.kron(torch.eye(3, dtype=F64), A.T @ A / 20))


def test_quadratic_landscape():
    """l = 1/2 w^T A w with zero gradient at 0: gamma = 1/2 (theta^T A theta / |theta|^2) theta
    and the contributions sum to 1/2 <theta^T A theta>."""
    rng = np.random.default_rng(1)
    B = rng.standard_normal((6, 6))
    A = B @ B.T
    lam, V = np.linalg.eigh(A)
    dw = rng.standard_normal((40, 6))
    dl = 0.5 * np.einsum("ki,ij,kj->k", dw, A, dw)
    g = duality.secant(torch.as_tensor(dl), torch.as_tensor(dw)).numpy()
    expect = 0.5 * (dl * 2 / (dw ** 2).sum(1))[:, None] * dw
    np.testing.assert_allclose(g, expect, rtol=1e-12)
    dec = duality.decomposition(g @ V, dw @ V, lam)
    assert dec.contributions.sum() == pytest.approx(dl.mean(), rel=1e-12)


def test_nearest_same_label_matches_a_loop():
    rng = np.random.default_rng(2)
    Xtr, ytr = rng.standard_normal((30, 3)), rng.integers(0, 3, 30)
    Xte, yte = rng.standard_normal((10, 3)), rng.integers(0, 3, 10)
    got = duality.nearest_same_label(Xtr, ytr, Xte, yte).numpy()
    for k in range(10):
        same = np.flatnonzero(ytr == yte[k])
        assert got[k] == same[np.argmin(((Xtr[same] - Xte[k]) ** 2).sum(1))]
    with pytest.raises(ValueError, match="every test label"):
        duality.nearest_same_label(Xtr, np.zeros(30), Xte, np.ones(10))



def test_gap_share_counts_the_leading_directions():
    z = np.zeros(4)
    dec = duality.Decomposition(np.arange(4.0)[::-1], z, z, np.ones(4), np.ones(4),
                           np.array([0.5, 0.3, 0.15, 0.05]))
    assert duality.gap_share(dec, 0.5) == 1 and duality.gap_share(dec, 0.8) == 2
    assert duality.gap_share(dec, 0.9) == 3 and duality.gap_share(dec, 1.01) == 4



def test_spearman_of_a_constant_is_nan_without_a_warning():
    assert duality.spearman([1, 2, 3], [3, 2, 1]) == -1
    assert np.isnan(duality.spearman([1, 2, 3], [5, 5, 5]))


def test_corr_quartiles_of_the_leading_directions():
    z = np.zeros(6)
    dec = duality.Decomposition(np.arange(6.0)[::-1], z, z, z, z,
                                np.array([0.1, 0.2, 0.3, 0.4, 0.5, 9.0]))
    assert duality.corr_quartiles(dec, top=5) == pytest.approx((0.2, 0.4))   # 9.0 left out
    assert duality.corr_quartiles(dec)[1] == pytest.approx(0.475)            # all six


def test_summary_reads_the_factors_off_a_decomposition():
    dec = duality.Decomposition(lam=np.array([4.0, 2.0, 1.0]), mu_gamma=np.array([1.0, 0, 0]),
                                mu_theta=np.array([0.5, 0, 0]),
                                sigma_gamma=np.array([3.0, 2.0, 1.0]),
                                sigma_theta=np.array([1.0, 2.0, 4.0]),
                                corr=np.array([0.5, 0.25, 0.0]))
    result = {"decomposition": dec, "gap": 1.0, "aw": 2.0, "train_loss": 0.1, "test_loss": 1.1,
              "exactness": 0.0, "identity": 0.0, "displacement": 0.3}
    s = duality.summary(result)
    assert s["sharp_size"] == pytest.approx(3 + 4 + 4) and s["size"] == pytest.approx(1 + 4 + 16)
    assert s["sharpness"] == pytest.approx(2) and s["lam_max"] == 4
    assert s["mean_terms"] == pytest.approx(0.5) and s["cov_terms"] == pytest.approx(1.5 + 1)
    assert s["corr_median"] == pytest.approx(0.25) and s["spearman_top100"] == pytest.approx(1)
    assert s["displacement"] == 0.3 and s["gap"] == 1.0


def _spectrum():
    """A decomposition over 50 directions whose last 10 eigenvalues are numerically zero."""
    lam = np.r_[np.logspace(0, -4, 40), np.full(10, 1e-12)]
    z = np.zeros(50)
    return duality.Decomposition(lam, z, z, np.sqrt(lam), np.ones(50), np.full(50, 0.5))


def test_gap_by_direction_marks_the_share_and_drops_the_zero_eigenvalues():
    dec = _spectrum()
    n_share = duality.gap_share(dec)
    fig = plots.duality.gap_by_direction(dec, n_share, duality.GAP_SHARE)
    ax, twin = fig.axes
    share, mark = ax.get_lines()
    np.testing.assert_allclose(share.get_ydata()[[0, -1]], [dec.contributions[0] /
                                                           dec.contributions.sum(), 1])
    assert list(mark.get_xdata()) == [n_share, n_share] and "90% of the gap" in mark.get_label()
    assert len(twin.get_lines()[0].get_xdata()) == 40 and twin.get_yscale() == "log"
    plt.close(fig)


def test_sharpness_vs_eigenvalue_draws_one_point_per_nonzero_direction():
    dec = _spectrum()
    fig = plots.duality.sharpness_vs_eigenvalue(dec)
    (points,) = fig.axes[0].get_lines()
    np.testing.assert_array_equal(points.get_ydata(), np.sqrt(dec.lam[:40]))
    plt.close(fig)
