"""Encoder + decoder networks, stacked into ensembles (the paper's Section 2).

A model maps a pair (x1, x2) to a logit: the encoder looks up embeddings E[x1], E[x2] in R^d
(the "repons"), a combiner forms the decoder input z, and an MLP decoder of `depth` hidden layers
of `width` units maps z to one logit; P(R = 1) = sigmoid(logit).

Combiner modes (the paper's decoder inputs):

    concat      z = [E[x1], E[x2]]        in R^(2d)   (no inductive bias)
    difference  z = E[x1] - E[x2]         in R^d      (translation invariance)
    squared     z = (E[x1] - E[x2])**2    in R^d      (translation and reflection invariance)

An ensemble of M models of the same shape is held as plain tensors with a leading model axis,
so one batched matmul (torch.bmm) advances all of them; `Ensemble.single(m)` cuts out model m
as an ordinary model with the same numbers, which is what the reference trainer uses.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

__all__ = ["ModelConfig", "MODES", "ACTIVATIONS", "IDEAL_DECODERS", "ideal_config", "Ensemble",
           "init_ensemble", "combine", "forward", "decode"]

MODES = ("concat", "difference", "squared")
ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu, "gelu": torch.nn.functional.gelu,
               "silu": torch.nn.functional.silu}


@dataclass(frozen=True)
class ModelConfig:
    """Shape of one model. Defaults are the paper's Table III as given by the teaching notebook
    of Boigé (CoursIA 2.9b).

    Attributes:
        n: number of symbols (rows of the embedding table).
        dim: embedding dimension d.
        depth: number of hidden layers of the decoder (0 = a single linear unit).
        width: units per hidden layer.
        activation: one of ACTIVATIONS.
        mode: decoder input, one of MODES.
        init_scale: embeddings start as N(0, init_scale^2) (0.5: the teaching notebook's choice).
        fixed_decoder: (gain, bias) of a frozen linear decoder, logit = gain * z + bias; only
            with depth 0 and dim 1 (the ideal decoders). None: the decoder is trained.
    """

    n: int = 30
    dim: int = 2
    depth: int = 3
    width: int = 50
    activation: str = "tanh"
    mode: str = "concat"
    init_scale: float = 0.5
    fixed_decoder: tuple | None = None

    def __post_init__(self):
        for name, low in (("n", 2), ("dim", 1), ("depth", 0), ("width", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {list(MODES)}, got {self.mode!r}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, "
                             f"got {self.activation!r}")
        if not self.init_scale > 0:
            raise ValueError(f"init_scale must be > 0, got {self.init_scale}")
        if self.fixed_decoder is not None and (self.depth, self.input_dim) != (0, 1):
            raise ValueError("fixed_decoder needs depth 0 and a one-dimensional decoder input "
                             "(dim 1, mode 'difference' or 'squared')")

    @property
    def input_dim(self) -> int:
        return 2 * self.dim if self.mode == "concat" else self.dim

    @property
    def layer_sizes(self) -> list[int]:
        """[input, hidden..., 1]."""
        return [self.input_dim] + [self.width] * self.depth + [1]


# The "ideal" decoders of the paper's Fig. 3: d = 1, no hidden layer, nothing to learn but
# the embeddings. For an equivalence the input is s = (E1 - E2)^2 and the model can only say
# "related iff embedded at (almost) the same point"; for an order s = E1 - E2 and it can only
# compare positions on a line. The paper writes them as one ReLU unit, ReLU(0.1 - s) and
# ReLU(E1 - E2), trained on a clipped probability (as the teaching notebook
# states them). We use the logistic form of the same
# unit, logit = BETA * (0.1 - s) and BETA * (s - 0.1), so BCE-with-logits applies unchanged
# (our choice). The steep gain keeps the ReLU's short range: pairs of different classes stop
# repelling once they are well apart, so one-dimensional embeddings can pass each other.
IDEAL_GAIN, IDEAL_THRESHOLD = 20.0, 0.1
IDEAL_DECODERS = {"equivalence": ("squared", (-IDEAL_GAIN, IDEAL_GAIN * IDEAL_THRESHOLD)),
                  "order": ("difference", (IDEAL_GAIN, -IDEAL_GAIN * IDEAL_THRESHOLD))}


def ideal_config(family: str, n: int = 30, init_scale: float = 0.5) -> ModelConfig:
    """The maximally biased decoder for a relation family (the paper's Fig. 3); see
    IDEAL_DECODERS."""
    if family not in IDEAL_DECODERS:
        raise ValueError(f"ideal decoders exist for families {sorted(IDEAL_DECODERS)}, "
                         f"got {family!r}")
    mode, gain_bias = IDEAL_DECODERS[family]
    return ModelConfig(n=n, dim=1, depth=0, width=1, mode=mode, init_scale=init_scale,
                       fixed_decoder=gain_bias)


@dataclass
class Ensemble:
    """M models of one shape. `embeddings` is (M, n, d); layer l has weights (M, in_l, out_l)
    and biases (M, 1, out_l)."""

    config: ModelConfig
    embeddings: torch.Tensor
    weights: list = field(default_factory=list)
    biases: list = field(default_factory=list)

    @property
    def size(self) -> int:
        return self.embeddings.shape[0]

    def encoder_params(self) -> list[torch.Tensor]:
        return [self.embeddings]

    def decoder_params(self) -> list[torch.Tensor]:
        """The trainable decoder tensors (none for a fixed decoder)."""
        if self.config.fixed_decoder is not None:
            return []
        return [p for pair in zip(self.weights, self.biases) for p in pair]

    def parameters(self) -> list[torch.Tensor]:
        """Every tensor of the model, trainable or not (for copying and moving)."""
        return [self.embeddings] + [p for pair in zip(self.weights, self.biases) for p in pair]

    def single(self, m: int) -> "Ensemble":
        """Model m alone, as an ensemble of one holding detached copies of its tensors."""
        take = lambda t: t[m:m + 1].detach().clone()  # noqa: E731
        return Ensemble(self.config, take(self.embeddings), [take(w) for w in self.weights],
                        [take(b) for b in self.biases])

    def to(self, device) -> "Ensemble":
        move = lambda t: t.detach().to(device)  # noqa: E731
        return Ensemble(self.config, move(self.embeddings), [move(w) for w in self.weights],
                        [move(b) for b in self.biases])


def init_ensemble(config: ModelConfig, seeds, *, device="cpu") -> Ensemble:
    """Initialise one model per seed, reproducibly: model m depends only on (config, seeds[m]).

    Embeddings ~ N(0, init_scale^2); decoder layers follow PyTorch's nn.Linear default,
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases.
    """
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must be a non-empty list of integers")
    sizes = config.layer_sizes
    emb, ws, bs = [], [[] for _ in sizes[1:]], [[] for _ in sizes[1:]]
    for s in seeds:
        g = torch.Generator().manual_seed(s)
        emb.append(torch.randn(config.n, config.dim, generator=g) * config.init_scale)
        for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            bound = 1.0 / math.sqrt(fan_in)
            ws[l].append((torch.rand(fan_in, fan_out, generator=g) * 2 - 1) * bound)
            bs[l].append((torch.rand(1, fan_out, generator=g) * 2 - 1) * bound)
    if config.fixed_decoder is not None:
        gain, bias = config.fixed_decoder
        ws[0] = [torch.full((1, 1), float(gain)) for _ in seeds]
        bs[0] = [torch.full((1, 1), float(bias)) for _ in seeds]
    stack = lambda xs: torch.stack(xs).to(device)  # noqa: E731
    return Ensemble(config, stack(emb), [stack(w) for w in ws], [stack(b) for b in bs])


def combine(embeddings: torch.Tensor, pairs: torch.Tensor, mode: str) -> torch.Tensor:
    """Decoder input z for every pair and model (the combiner modes above).

    Args:
        embeddings: (M, n, d).
        pairs: (P, 2) long, the (x1, x2) indices shared by all models, or (M, P, 2), one set
            of pairs per model.
    Returns:
        (M, P, 2d) for concat, (M, P, d) otherwise.
    """
    if pairs.dim() == 2:
        e1, e2 = embeddings[:, pairs[:, 0]], embeddings[:, pairs[:, 1]]
    else:
        rows = torch.arange(embeddings.shape[0], device=embeddings.device)[:, None]
        e1, e2 = embeddings[rows, pairs[..., 0]], embeddings[rows, pairs[..., 1]]   # (M, P, d)
    if mode == "concat":
        return torch.cat([e1, e2], dim=-1)
    if mode == "difference":
        return e1 - e2
    if mode == "squared":
        return (e1 - e2) ** 2
    raise ValueError(f"mode must be one of {list(MODES)}, got {mode!r}")


def forward(model: Ensemble, pairs: torch.Tensor) -> torch.Tensor:
    """Logits of every model on every pair, (M, P); `pairs` as in `combine`."""
    return decode(model, combine(model.embeddings, pairs, model.config.mode))


def decode(model: Ensemble, h: torch.Tensor, *, first: int = 0) -> torch.Tensor:
    """The decoder from layer `first` on: h (M, P, in_first) is that layer's input; returns
    the logits (M, P). `first` > 0 evaluates the rest of a decoder above a given layer."""
    act = ACTIVATIONS[model.config.activation]
    last = len(model.weights) - 1
    for l in range(first, last + 1):
        h = torch.baddbmm(model.biases[l], h, model.weights[l])
        if l < last:
            h = act(h)
    return h.squeeze(-1)

