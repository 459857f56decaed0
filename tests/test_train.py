import numpy as np
import pytest
import torch

from geneft import fasttrain
from geneft.models import ModelConfig, ideal_config, init_ensemble
from geneft.tasks import all_pairs, make_relation, train_mask
from geneft.train import resolve_device, train, train_reference


def _setup(cfg, seeds, fractions):
    rel = make_relation("mod", cfg.n, k=3)
    _, labels = all_pairs(rel)
    masks = np.stack([train_mask(cfg.n ** 2, f, s) for f, s in zip(fractions, seeds)])
    return labels, masks


@pytest.mark.parametrize("cfg, loss", [
    (ModelConfig(n=12, depth=2, width=8, mode="concat"), "bce"),
    (ModelConfig(n=12, depth=1, width=8, mode="squared", activation="relu"), "mse"),
    (ModelConfig(n=12, depth=3, width=6, mode="difference"), "bce"),
    (ideal_config("equivalence", n=12), "bce"),
    (ideal_config("order", n=12), "mse"),
])
@pytest.mark.parametrize("trainer", [train, fasttrain.train], ids=["autograd", "hand-written"])
def test_ensemble_equals_each_model_trained_alone(cfg, loss, trainer):
    seeds, fractions = [0, 1, 2, 3], [0.2, 0.4, 0.6, 0.8]
    labels, masks = _setup(cfg, seeds, fractions)
    kw = dict(steps=60, lr_enc=[1e-3, 1e-2, 3e-3, 1e-3], lr_dec=[1e-3, 1e-3, 1e-2, 3e-4],
              weight_decay=[0.0, 0.1, 0.0, 0.01], loss=loss, eval_every=20,
              record_embeddings=True)
    a, b = init_ensemble(cfg, seeds), init_ensemble(cfg, seeds)
    ha, hb = trainer(a, labels, masks, **kw), train_reference(b, labels, masks, **kw)
    assert np.allclose(ha.loss, hb.loss, atol=1e-5)
    assert np.allclose(ha.embeddings, hb.embeddings, atol=1e-4)
    for pa, pb in zip(a.parameters(), b.parameters()):      # embeddings and decoder weights
        assert torch.allclose(pa, pb, atol=1e-4)
    assert np.abs(ha.whole_acc - hb.whole_acc).max() <= 2 / cfg.n ** 2  # a borderline pair at most
    assert list(ha.steps) == [0, 20, 40, 60]


def test_whole_accuracy_is_weighted_mean():
    cfg = ModelConfig(n=10, depth=1, width=4)
    labels, masks = _setup(cfg, [0, 1], [0.3, 0.7])
    h = train(init_ensemble(cfg, [0, 1]), labels, masks, steps=10, eval_every=5)
    p = masks.mean(1)[:, None]
    assert np.allclose(h.whole_acc, p * h.train_acc + (1 - p) * h.test_acc, atol=1e-6)


def test_same_seed_same_numbers():
    cfg = ModelConfig(n=10, depth=1, width=6, mode="difference")
    labels, masks = _setup(cfg, [0, 1, 0, 1], [0.3, 0.3, 0.6, 0.6])
    a, b = (train(init_ensemble(cfg, [0, 1, 0, 1]), labels, masks, steps=30) for _ in range(2))
    assert np.array_equal(a.loss, b.loss)


def test_training_learns_mod3():
    cfg = ModelConfig(n=12, depth=1, width=16, mode="squared")
    labels, masks = _setup(cfg, [0], [0.8])
    hist = train(init_ensemble(cfg, [0]), labels, masks, steps=600, lr_enc=1e-2, lr_dec=1e-2)
    assert hist.train_acc[0, -1] > 0.95


def test_bad_inputs():
    cfg = ModelConfig(n=6, depth=1, width=4)
    labels, masks = _setup(cfg, [0], [0.5])
    model = init_ensemble(cfg, [0])
    with pytest.raises(ValueError, match="loss must be one of"):
        train(model, labels, masks, steps=5, loss="hinge")
    with pytest.raises(ValueError, match="steps must be"):
        train(model, labels, masks, steps=0)
    with pytest.raises(ValueError, match="masks must have shape"):
        train(model, labels, masks[:, :10], steps=5)
    with pytest.raises(ValueError, match="lr_enc must be finite and >= 0"):
        train(model, labels, masks, steps=5, lr_enc=-1.0)
    with pytest.raises(ValueError, match="one value per model"):
        train(model, labels, masks, steps=5, lr_dec=[1e-3, 1e-3])
    with pytest.raises(ValueError, match="device must be"):
        resolve_device("tpu")
