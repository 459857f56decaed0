import pytest
import torch

from geneft.models import (ModelConfig, combine, decode, forward, ideal_config,
                           init_ensemble)


def test_modes_shapes_and_symmetry():
    e = torch.randn(3, 5, 2)
    pairs = torch.tensor([[0, 1], [1, 0], [2, 2]])
    assert combine(e, pairs, "concat").shape == (3, 3, 4)
    d = combine(e, pairs, "difference")
    assert torch.allclose(d[:, 0], -d[:, 1])
    sq = combine(e, pairs, "squared")
    assert torch.allclose(sq[:, 0], sq[:, 1]) and (sq[:, 2] == 0).all()


def test_init_depends_only_on_seed():
    cfg = ModelConfig(n=6, depth=2, width=4)
    a, b = init_ensemble(cfg, [3, 7]), init_ensemble(cfg, [7])
    assert torch.equal(a.embeddings[1], b.embeddings[0])
    assert all(torch.equal(wa[1], wb[0]) for wa, wb in zip(a.weights, b.weights))


def test_decode_from_a_later_layer_continues_the_forward_pass():
    cfg = ModelConfig(n=5, depth=3, width=4, mode="concat")
    ens = init_ensemble(cfg, [0, 1])
    pairs = torch.cartesian_prod(torch.arange(5), torch.arange(5))
    h = torch.tanh(torch.baddbmm(ens.biases[0], combine(ens.embeddings, pairs, "concat"),
                                 ens.weights[0]))
    torch.testing.assert_close(decode(ens, h, first=1), forward(ens, pairs))


def test_forward_matches_plain_mlp():
    cfg = ModelConfig(n=5, depth=2, width=3, mode="concat")
    ens = init_ensemble(cfg, [0, 1])
    pairs = torch.cartesian_prod(torch.arange(5), torch.arange(5))
    out = forward(ens, pairs)
    m = 1
    h = torch.cat([ens.embeddings[m][pairs[:, 0]], ens.embeddings[m][pairs[:, 1]]], 1)
    for i, (w, b) in enumerate(zip(ens.weights, ens.biases)):
        h = h @ w[m] + b[m]
        h = torch.tanh(h) if i < len(ens.weights) - 1 else h
    assert torch.allclose(out[m], h[:, 0], atol=1e-6)


def test_ideal_decoder_is_fixed_and_short_ranged():
    cfg = ideal_config("equivalence", n=4)
    ens = init_ensemble(cfg, [0])
    assert ens.decoder_params() == []
    ens.embeddings[:] = torch.tensor([[[0.0], [0.0], [1.0], [3.0]]])
    logits = forward(ens, torch.tensor([[0, 1], [0, 2], [0, 3]]))[0]
    assert logits[0] > 0 > logits[1] > logits[2]


@pytest.mark.parametrize("kwargs, match", [
    (dict(mode="sum"), "mode must be one of"), (dict(activation="elu"), "activation must be"),
    (dict(depth=-1), "depth must be"), (dict(width=0), "width must be"),
    (dict(n=1), "n must be"), (dict(init_scale=0.0), "init_scale"),
    (dict(fixed_decoder=(1.0, 0.0)), "fixed_decoder needs depth 0"),
])
def test_bad_config(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ModelConfig(**kwargs)


def test_bad_ideal_family():
    with pytest.raises(ValueError, match="ideal decoders exist for families"):
        ideal_config("bipartite")
