"""geneft.duality against spec beyond.md C.5: the duality and its minimality, end-to-end
exactness through a network, the decomposition identity, the secant, the Hessian of a linear
model and the quadratic-landscape case; plus data, pairing and the sweep's bookkeeping."""
import numpy as np
import pytest
import torch

from geneft import duality as aw

F64 = torch.float64


def rand(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=F64)


def test_dual_weights_map_the_training_activity_onto_the_test_output():
    W, a, a2 = rand(7, 4), rand(5, 4, seed=1), rand(5, 4, seed=2)
    dW = aw.dual_weights(W, a, a2)
    torch.testing.assert_close(torch.einsum("koi,ki->ko", W + dW, a), a2 @ W.T,
                               rtol=0, atol=1e-12)
    assert all(torch.linalg.matrix_rank(d) == 1 for d in dW)
    torch.testing.assert_close(torch.linalg.matrix_norm(dW),
                               ((a2 - a) @ W.T).norm(dim=1) / a.norm(dim=1))


def test_dual_weights_are_the_minimum_norm_solution():
    W, a, a2 = rand(6, 5), rand(1, 5, seed=3), rand(1, 5, seed=4)
    dW = aw.dual_weights(W, a, a2)[0]
    v = a[0]
    for seed in range(5):
        M = rand(6, 5, seed=10 + seed) @ (torch.eye(5, dtype=F64) - torch.outer(v, v) / (v @ v))
        assert torch.allclose(M @ v, torch.zeros(6, dtype=F64), atol=1e-12)
        assert (dW * M).sum().abs() < 1e-12
        assert (dW + M).norm() >= dW.norm()


def test_zero_displacement_gives_zero_dual_weights_and_zero_activity_is_refused():
    W, a = rand(3, 4), rand(2, 4, seed=5)
    assert aw.dual_weights(W, a, a).abs().max() == 0
    with pytest.raises(ValueError, match="a must be nonzero"):
        aw.dual_weights(W, torch.zeros(1, 4, dtype=F64), a[:1])


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
    result = aw.analyse_layer(Ws[1], aw.mlp_rest(Ws), _ce, a, y, a, ap, y)
    assert result["exactness"] < 1e-10
    # first layer: the activities are the raw inputs
    rest = lambda z: torch.relu(torch.relu(z) @ Ws[1].T) @ Ws[2].T  # noqa: E731
    dW = aw.dual_weights(Ws[0], X, Xp)
    moved = rest(torch.einsum("koi,ki->ko", Ws[0] + dW, X))
    torch.testing.assert_close(_ce(moved, y), _ce(rest(Xp @ Ws[0].T), y), rtol=0, atol=1e-10)


def test_decomposition_identity_on_random_vectors():
    rng = np.random.default_rng(0)
    gamma, theta = rng.standard_normal((50, 9)), rng.standard_normal((50, 9))
    gamma[:, 3] = 2.0                                  # a constant column: sigma = 0, c := 0
    dec = aw.decomposition(gamma, theta, np.arange(9.0))
    assert not np.isnan(dec.contributions).any() and dec.corr[3] == 0
    assert dec.contributions.sum() == pytest.approx((gamma * theta).sum(1).mean(), abs=1e-12)
    # the same in any orthonormal basis
    Q, _ = np.linalg.qr(rng.standard_normal((9, 9)))
    rotated = aw.decomposition(gamma @ Q, theta @ Q, np.arange(9.0))
    assert rotated.contributions.sum() == pytest.approx(dec.contributions.sum(), abs=1e-12)


def test_secant_reproduces_the_loss_difference_along_the_dual_weights():
    dw, dl = rand(6, 10, seed=30), rand(6, seed=31)
    g = aw.secant(dl, dw)
    torch.testing.assert_close((g * dw).sum(1), dl)
    cos = (g * dw).sum(1) / (g.norm(dim=1) * dw.norm(dim=1))
    torch.testing.assert_close(cos.abs(), torch.ones(6, dtype=F64))


def test_hessian_of_a_linear_layer_with_squared_loss_is_the_gram_matrix():
    A, Y = rand(20, 4, seed=40), rand(20, 3, seed=41)
    W = rand(3, 4, seed=42)
    sq = lambda out, y: 0.5 * ((out - y) ** 2).sum(-1)  # noqa: E731
    H = aw.layer_hessian(W, A, Y, lambda z: z, sq)
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
    g = aw.secant(torch.as_tensor(dl), torch.as_tensor(dw)).numpy()
    expect = 0.5 * (dl * 2 / (dw ** 2).sum(1))[:, None] * dw
    np.testing.assert_allclose(g, expect, rtol=1e-12)
    dec = aw.decomposition(g @ V, dw @ V, lam)
    assert dec.contributions.sum() == pytest.approx(dl.mean(), rel=1e-12)


def test_nearest_same_label_matches_a_loop():
    rng = np.random.default_rng(2)
    Xtr, ytr = rng.standard_normal((30, 3)), rng.integers(0, 3, 30)
    Xte, yte = rng.standard_normal((10, 3)), rng.integers(0, 3, 10)
    got = aw.nearest_same_label(Xtr, ytr, Xte, yte).numpy()
    for k in range(10):
        same = np.flatnonzero(ytr == yte[k])
        assert got[k] == same[np.argmin(((Xtr[same] - Xte[k]) ** 2).sum(1))]
    with pytest.raises(ValueError, match="every test label"):
        aw.nearest_same_label(Xtr, np.zeros(30), Xte, np.ones(10))


def test_datasets():
    d = aw.load_data("digits", train_per_class=50, seed=0)
    assert d.X_train.shape == (500, 64) and np.bincount(d.y_train).tolist() == [50] * 10
    assert len(d.y_test) == 740 and 0 <= d.X_train.min() and d.X_train.max() <= 1
    again = aw.load_data("digits", train_per_class=100, seed=0)
    np.testing.assert_array_equal(d.X_test, again.X_test)    # test set independent of size
    s = aw.load_data("synthetic", train_per_class=10, seed=1)
    assert s.X_train.shape == (100, 64) and len(s.y_test) == 800
    with pytest.raises(ValueError, match="dataset must be one of"):
        aw.load_data("cifar")
    with pytest.raises(ValueError, match="train_per_class must be <="):
        aw.load_data("digits", train_per_class=150)


def test_mnist_needs_a_local_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("GENEFT_MNIST", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="local copy"):
        aw.load_data("mnist")


def test_trained_mlp_run_is_deterministic_and_exact():
    data = aw.load_data("synthetic", train_per_class=10, seed=0)
    config = aw.RunConfig(max_epochs=5)
    W1, e1 = aw.train_mlp(data, config, seed=3)
    W2, e2 = aw.train_mlp(data, config, seed=3)
    assert e1 == e2 == 5 and all(torch.equal(a, b) for a, b in zip(W1, W2))
    result = aw.analyse_mlp(data, W1)
    assert result["exactness"] < 1e-10 and result["identity"] < 1e-10


def test_sweep_runs_the_base_once_and_files_it_under_every_factor():
    table, results = aw.sweep("synthetic", aw.RunConfig(max_epochs=2, train_per_class=10),
                              {"batch_size": [50], "beta": [0.01]}, [0])
    assert len(results) == 3 and table.run.nunique() == 3
    base = table[table.is_base]
    assert sorted(base.factor) == ["batch_size", "beta"] and base.run.nunique() == 1
    with pytest.raises(ValueError, match="factors must be fields"):
        aw.sweep("synthetic", aw.RunConfig(), {"momentum": [0.9]}, [0])


def test_trends_reads_signs_of_seed_means():
    import pandas as pd
    t = pd.DataFrame({"factor": "beta", "value": [0, 0, 1, 1, 2, 2], "seed": [0, 1] * 3,
                      "gap": [3, 3.2, 2, 2.1, 1, 0.9], "size": [1, 1, 2, 2, 3, 3],
                      "sharp_size": 1.0, "flatness": [1, 1, 1, 1, 1, 1.0]})
    tr = aw.trends(t, columns=("gap", "size"))
    assert tr.loc["beta", "gap"] == -1 and tr.loc["beta", "size"] == 1


def test_geneft_decoder_duality_is_exact():
    table, results = aw.geneft_phases("mod3", 0.75, {"G": (1e-2, 1e-3)}, [0], steps=20)
    assert results[("G", 0)]["exactness"] < 1e-10 and results[("G", 0)]["identity"] < 1e-10
    assert table.loc[0, "test_acc"] >= 0
