import numpy as np
import pytest
import torch

from geneft import fasttrain, threads
from geneft.models import ModelConfig, forward, ideal_config, init_ensemble
from geneft.tasks import all_pairs, make_relation, train_mask
from geneft.train import LOSSES, _train_index, train

CONFIGS = [
    (ModelConfig(n=12, depth=2, width=8, mode="concat"), "bce"),
    (ModelConfig(n=12, depth=1, width=8, mode="squared", activation="relu"), "mse"),
    (ModelConfig(n=12, depth=3, width=6, mode="difference"), "bce"),
    (ideal_config("equivalence", n=12), "bce"),
    (ideal_config("order", n=12), "mse"),
]
IDS = ["concat-tanh-bce", "squared-relu-mse", "difference-tanh-bce", "ideal-equivalence",
       "ideal-order-mse"]


def _setup(cfg, seeds, fractions):
    _, labels = all_pairs(make_relation("mod", cfg.n, k=3))
    masks = np.stack([train_mask(cfg.n ** 2, f, s) for f, s in zip(fractions, seeds)])
    return labels, masks


@pytest.mark.parametrize("cfg, loss", CONFIGS, ids=IDS)
def test_hand_written_gradients_equal_autograd(cfg, loss):
    """Differential: the written-out backward pass against autograd on the same loss."""
    seeds = [0, 1, 2]
    labels, masks = _setup(cfg, seeds, [0.3, 0.5, 0.8])
    labels, masks = torch.as_tensor(labels, dtype=torch.float32), torch.as_tensor(masks)
    model = init_ensemble(cfg, seeds)
    index, weight = _train_index(masks)
    pairs = torch.cartesian_prod(torch.arange(cfg.n), torch.arange(cfg.n))[index]  # (M, K, 2)
    params = model.encoder_params() + model.decoder_params()
    for p in params:
        p.requires_grad_(True)
    total = (LOSSES[loss][0](forward(model, pairs), labels[index]) * weight).sum()
    expected = torch.autograd.grad(total, params)
    grads = init_ensemble(cfg, seeds)
    rows = pairs + cfg.n * torch.arange(len(seeds))[:, None, None]
    with torch.no_grad():
        fasttrain._gradients(model, grads, rows, labels[index], weight,
                             fasttrain.LOSS_GRADS[loss])
    got = grads.encoder_params() + grads.decoder_params()
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        torch.testing.assert_close(g, e, rtol=1e-5, atol=1e-6)


def test_fast_trainer_equals_the_autograd_trainer_at_the_papers_shape():
    cfg = ModelConfig(n=30, depth=3, width=50)
    seeds = list(range(5))
    labels, masks = _setup(cfg, seeds, [0.3, 0.5, 0.5, 0.7, 0.9])
    a, b = init_ensemble(cfg, seeds), init_ensemble(cfg, seeds)
    kw = dict(steps=40, lr_enc=1e-2, lr_dec=3e-3, eval_every=10)
    ha, hb = fasttrain.train(a, labels, masks, **kw), train(b, labels, masks, **kw)
    assert np.allclose(ha.loss, hb.loss, rtol=1e-5, atol=1e-6)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.allclose(pa, pb, atol=1e-5)


def test_chunks_of_models_give_the_numbers_of_one_batch(monkeypatch):
    """Models are processed in cache-sized chunks; how many per chunk changes nothing but
    rounding."""
    cfg = ModelConfig(n=12, depth=2, width=16)
    seeds = list(range(7))
    labels, masks = _setup(cfg, seeds, [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    results = {}
    for chunk_floats in (1, 2 ** 30):          # one model per chunk; all models in one chunk
        monkeypatch.setattr(fasttrain, "CHUNK_FLOATS", chunk_floats)
        model = init_ensemble(cfg, seeds)
        assert len(fasttrain._chunks(model, [130] * 7)) == (7 if chunk_floats == 1 else 1)
        results[chunk_floats] = (fasttrain.train(model, labels, masks, steps=30, eval_every=10),
                                 model)
    (h1, m1), (h2, m2) = results.values()
    assert np.allclose(h1.loss, h2.loss, rtol=1e-6, atol=1e-7)
    for p1, p2 in zip(m1.parameters(), m2.parameters()):
        assert torch.allclose(p1, p2, atol=1e-6)


def test_tanh_of_the_training_steps_is_tanh_to_float32_rounding():
    """The steps compute tanh as 2 sigmoid(2h) - 1 (faster here); against float64 tanh over
    eleven orders of magnitude, the error is that of float32 rounding near 1."""
    h = torch.cat([torch.randn(100_000) * s for s in (1e-6, 1e-3, 0.1, 1.0, 3.0, 10.0, 1e3)])
    exact = torch.tanh(h.double())
    got = fasttrain._hidden(h.view(1, 1, -1), torch.ones(1, 1, 1), torch.zeros(1, 1, 1),
                            "tanh").view(-1)                          # tanh(h 1 + 0)
    assert (got.double() - exact).abs().max() < 2.5e-7
    assert (torch.tanh(h).double() - exact).abs().max() < 2.5e-7       # what tanh itself gives


@pytest.mark.parametrize("m", [1, 23, 64])
def test_chunks_cover_every_model_once_in_near_equal_chunks(m):
    model = init_ensemble(ModelConfig(n=30, depth=3, width=50), range(m))
    chunks = fasttrain._chunks(model, [450] * m)
    covered = [i for sl in chunks for i in range(sl.start, sl.stop)]
    assert covered == list(range(m))
    assert max(sl.stop - sl.start for sl in chunks) - min(sl.stop - sl.start for sl in chunks) <= 1


def test_chunks_pad_small_train_sets_only_to_their_own_size():
    """30 models of 90 train pairs then 30 of 810 (fraction-major, as the sweeps order them):
    padded to the batch's largest set they would hold 60 x 810 pairs; chunked by their own
    sizes, about 30 x 90 + 30 x 810, and no chunk exceeds CHUNK_FLOATS."""
    cfg = ModelConfig(n=30, depth=3, width=50)
    counts = [90] * 30 + [810] * 30
    chunks = fasttrain._chunks(init_ensemble(cfg, range(60)), counts)
    per_pair = sum(cfg.layer_sizes) + 2 * cfg.dim
    padded = [(sl.stop - sl.start) * max(counts[sl]) for sl in chunks]
    assert all(p * per_pair <= fasttrain.CHUNK_FLOATS for p in padded)
    assert sum(padded) <= 1.05 * (30 * 90 + 30 * 810) < 0.6 * 60 * 810
    assert [i for sl in chunks for i in range(sl.start, sl.stop)] == list(range(60))


def test_activation_without_written_gradient_falls_back_to_autograd():
    cfg = ModelConfig(n=8, depth=1, width=4, activation="gelu")
    assert cfg.activation not in fasttrain.GRADIENTS
    labels, masks = _setup(cfg, [0, 1], [0.5, 0.7])
    a, b = init_ensemble(cfg, [0, 1]), init_ensemble(cfg, [0, 1])
    ha = fasttrain.train(a, labels, masks, steps=10, eval_every=5)
    hb = train(b, labels, masks, steps=10, eval_every=5)
    np.testing.assert_array_equal(ha.loss, hb.loss)


def test_bad_inputs_raise_as_the_autograd_trainer():
    cfg = ModelConfig(n=6, depth=1, width=4)
    labels, masks = _setup(cfg, [0], [0.5])
    model = init_ensemble(cfg, [0])
    with pytest.raises(ValueError, match="loss must be one of"):
        fasttrain.train(model, labels, masks, steps=5, loss="hinge")
    with pytest.raises(ValueError, match="steps must be"):
        fasttrain.train(model, labels, masks, steps=0)
    with pytest.raises(ValueError, match="masks must have shape"):
        fasttrain.train(model, labels, masks[:, :10], steps=5)
    with pytest.raises(ValueError, match="lr_enc must be finite and >= 0"):
        fasttrain.train(model, labels, masks, steps=5, lr_enc=-1.0)


def test_small_ensembles_train_on_one_thread_and_restore_the_count(monkeypatch):
    seen = []
    real = fasttrain._gradients
    monkeypatch.setattr(fasttrain, "_gradients",
                        lambda *a: (seen.append(torch.get_num_threads()), real(*a)))
    cfg = ModelConfig(n=8, depth=1, width=4)
    labels, masks = _setup(cfg, [0], [0.5])
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        fasttrain.train(init_ensemble(cfg, [0]), labels, masks, steps=3)
        assert seen == [1, 1, 1] and torch.get_num_threads() == 2
        monkeypatch.setattr(threads, "SMALL_FLOATS", 0)      # nothing counts as small
        seen.clear()
        fasttrain.train(init_ensemble(cfg, [0]), labels, masks, steps=2)
        assert seen == [2, 2]
    finally:
        torch.set_num_threads(before)
