"""The ensemble trainer with hand-written gradients: `train.train`'s arithmetic without autograd.

A training step of `train.train` is a forward pass of M small MLPs on their train pairs, an
autograd backward pass and a multi-tensor Adam update. This module computes the same numbers
with the backward pass written out (the chain rule through the decoder layers and the embedding
gather), and with Adam over one flat buffer holding every parameter of every model:

    forward    z = combine(E[x1], E[x2]);  h_l = act(h_(l-1) W_l + b_l);  out = h_L W + b
    backward   g_out = w_k * dloss/dout  (BCE: sigmoid(out) - y;  MSE: out - y)
               g_W = h_(l-1)^T g_l,  g_b = sum_k g_l,  g_(l-1) = (g_l W_l^T) * act'(h_(l-1))
               g_E = scatter-add of g_z over the pairs' symbols (x1, x2)
    Adam       torch.optim.Adam's update (its fused kernel), with a learning rate and an L2
               coefficient per model

No graph is recorded, activations are kept only where the backward pass reads them, and the
activation derivative is computed from the activation's output (tanh: 1 - t^2, relu: t > 0).
Models are processed in chunks small enough for their activations to stay in the CPU's cache
(elementwise passes over a whole ensemble are memory-bound), each chunk padded only to its own
largest train set; activations are stored as columns, one per pair (the products above
transposed: this CPU's batched matmul is up to 4x faster so on narrow layers); and a small
ensemble trains on one intra-op thread (`threads.SMALL_FLOATS`). Numbers agree with
`train.train` and `train.train_reference` to float32 rounding (tests/test_fasttrain.py);
bench/README.md has the profile and the speed-up.

This lives beside `train` rather than inside it because the sweep cache keys hash the source
of `train.py` (`sweeps.code_version`): editing it would invalidate every cached run.
Activations without a derivative here (`GRADIENTS`) fall back to `train.train`.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from . import progress as _progress
from . import threads
from . import train as _train
from .models import Ensemble, combine

__all__ = ["GRADIENTS", "train"]

# activation's derivative as a function of its output t (so the pre-activation need not be kept)
GRADIENTS = {"tanh": lambda g, t: torch.ops.aten.tanh_backward(g, t),
             "relu": lambda g, t: g * (t > 0)}
# models per chunk: about this many floats of activations per chunk (fits in a 2 MB L2 cache)
CHUNK_FLOATS = 2 ** 19


def train(model: Ensemble, labels, masks, *, steps: int, lr_enc=1e-3, lr_dec=1e-3,
          weight_decay=0.0, loss: str = "bce", eval_every: int = 100,
          record_embeddings: bool = False, progress: bool = False) -> _train.History:
    """`train.train` with hand-written gradients: same arguments, same result to float32
    rounding, faster. Activations outside GRADIENTS are trained by `train.train`.

    Args:
        model: M models of one shape (see models.init_ensemble); trained in place.
        labels: (n^2,) labels of all pairs in row-major order (tasks.all_pairs).
        masks: (M, n^2) bool, True where the pair is in model m's train set.
        steps, lr_enc, lr_dec, weight_decay, loss, eval_every, record_embeddings, progress:
            as in `train.train`.
    Returns:
        train.History.
    Raises:
        ValueError: as `train.train` (bad loss, steps, shapes, rates).
    """
    if model.config.activation not in GRADIENTS:
        return _train.train(model, labels, masks, steps=steps, lr_enc=lr_enc, lr_dec=lr_dec,
                            weight_decay=weight_decay, loss=loss, eval_every=eval_every,
                            record_embeddings=record_embeddings, progress=progress)
    device = model.embeddings.device
    labels = torch.as_tensor(np.asarray(labels), dtype=torch.float32, device=device)
    masks = torch.as_tensor(np.asarray(masks), dtype=torch.bool, device=device)
    _train._check(model, labels, masks, steps, eval_every, loss)
    m, n = model.size, model.config.n
    pairs = torch.cartesian_prod(torch.arange(n, device=device), torch.arange(n, device=device))
    weight = masks.float() / masks.sum(1, keepdim=True).clamp(min=1)
    index, index_weight = _train._train_index(masks)                        # (M, K)
    flat = _Flat(model, _train._per_model(lr_enc, m, "lr_enc", device),
                 _train._per_model(lr_dec, m, "lr_dec", device),
                 _train._per_model(weight_decay, m, "weight_decay", device))
    # per chunk of models: parameter and gradient views, rows of the train pairs' symbols in
    # the flattened (models x symbols) embedding table, labels and loss weights, each padded
    # only to the largest train set of the chunk
    rows = pairs[index] + n * torch.arange(m, device=device)[:, None, None]  # (M, K, 2)
    counts = masks.sum(1).tolist()
    batch = []
    for sl in _chunks(model, counts):
        k = max(1, *counts[sl])
        batch.append((flat.ensemble(sl), flat.grad_ensemble(sl),
                      (rows[sl, :k] - n * sl.start).contiguous(), labels[index[sl, :k]],
                      index_weight[sl, :k].contiguous()))
    every_pair = [flat.ensemble(sl) for sl in _chunks(model, [n * n] * m)]  # for evaluations
    with threads.one_thread_if_small(m * index.shape[1] * sum(model.config.layer_sizes)):
        records = _loop(flat, batch, every_pair, pairs, labels, masks, weight, loss, steps,
                        eval_every, record_embeddings, progress)
    flat.copy_to(model)
    return _train._history(_train._eval_steps(steps, eval_every), records)


def _loop(flat, batch, every_pair, pairs, labels, masks, weight, loss, steps, eval_every,
          record_embeddings, progress) -> list[dict]:
    """The training steps, with a record at every evaluation step (the logits of every pair
    computed chunk by chunk of `every_pair`, with the layers of the steps)."""
    loss_grad = LOSS_GRADS[loss]
    records, at = [], set(_train._eval_steps(steps, eval_every))
    for step in _progress.bar(range(steps + 1), progress=progress, desc="train", leave=False):
        if step in at:
            view = flat.ensemble()
            with torch.no_grad():
                out = torch.cat([_forward(v, combine(v.embeddings, pairs, v.config.mode).mT)[1]
                                 for v in every_pair]).squeeze(1)               # (M, n^2)
                per_model = (_train.LOSSES[loss][0](out, labels) * weight).sum(1)   # (M,)
            records.append(_train._record(view, out, per_model, labels, masks, loss,
                                          record_embeddings))
        if step == steps:
            break
        for views, grads, chunk_rows, chunk_labels, chunk_weight in batch:
            _gradients(views, grads, chunk_rows, chunk_labels, chunk_weight, loss_grad)
        flat.adam_step()
    return records


# dloss/dout of each loss, as a function of the output and the label
LOSS_GRADS = {"bce": lambda out, y: torch.sigmoid(out).sub_(y),
              "mse": lambda out, y: out - y}


def _chunks(model: Ensemble, counts: list[int]) -> list[slice]:
    """Slices of the model axis, each holding at most about CHUNK_FLOATS floats of activations
    (one model at least) when its models' train sets are padded to the largest among them
    (`counts`: each model's number of pairs): as few chunks as that allows, of near-equal size
    where the train sets allow it. Models of one train fraction, next to each other in a batch
    as the sweeps order them, share chunks, and a chunk of small train sets is not padded to a
    large one."""
    per_pair = sum(model.config.layer_sizes) + 2 * model.config.dim
    fits = lambda a, b: b - a == 1 or (b - a) * max(counts[a:b]) * per_pair <= CHUNK_FLOATS  # noqa: E731
    starts, widest = [0], counts[0]                       # greedy, left to right
    for i in range(1, len(counts)):
        widest = max(widest, counts[i])
        if (i + 1 - starts[-1]) * widest * per_pair > CHUNK_FLOATS:
            starts.append(i)
            widest = counts[i]
    bounds = [i * len(counts) // len(starts) for i in range(len(starts) + 1)]  # near-equal
    if not all(fits(a, b) for a, b in zip(bounds, bounds[1:])):
        bounds = starts + [len(counts)]
    return [slice(a, b) for a, b in zip(bounds, bounds[1:])]


def _gradients(model: Ensemble, grads: Ensemble, rows: torch.Tensor, labels: torch.Tensor,
               weight: torch.Tensor, loss_grad) -> None:
    """Write d(sum over models of the weighted train loss)/d(parameters) into `grads`.

    model, grads: the same M models (grads' tensors are written in place; for a fixed decoder
    only the embeddings). rows (M, K, 2): each train pair's two symbols as rows of the
    flattened (M * n, d) embedding table; labels and weight (M, K): the pairs' labels and loss
    weights (0 on padding)."""
    cfg, act_grad = model.config, GRADIENTS[model.config.activation]
    m, k, d = rows.shape[0], rows.shape[1], cfg.dim
    rows = rows.reshape(-1)
    e = model.embeddings.reshape(m * cfg.n, d).index_select(0, rows).view(m, k, 2, d)
    e1, e2 = e[:, :, 0], e[:, :, 1]                                          # (M, K, d)
    if cfg.mode == "concat":
        z = e.view(m, k, 2 * d)
    else:
        z = e1 - e2 if cfg.mode == "difference" else (e1 - e2) ** 2          # (M, K, d)
    hs, out = _forward(model, z.mT)                                          # out (M, 1, K)
    last = len(model.weights) - 1
    g = loss_grad(out.view(m, k), labels).mul_(weight).view(m, 1, k)
    trained = cfg.fixed_decoder is None
    for l in range(last, -1, -1):
        if trained:
            _weight_grad(hs[l], g, out=grads.weights[l])
            torch.sum(g, 2, keepdim=True, out=grads.biases[l].mT)
        g = _input_grad(g, model.weights[l])                                # (M, in_l, K)
        if l > 0:
            g = act_grad(g, hs[l])
    g = g.mT                                                                # (M, K, in)
    if cfg.mode == "concat":
        ge = g.reshape(m, k, 2, d)
    else:
        g1 = g if cfg.mode == "difference" else g * 2 * (e1 - e2)
        ge = torch.stack([g1, -g1], dim=2)                                  # (M, K, 2, d)
    grads.embeddings.zero_().view(m * cfg.n, d).index_add_(0, rows, ge.reshape(-1, d))


def _forward(model: Ensemble, z: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
    """The decoder on inputs z (M, in, K), one column per pair: the inputs and each hidden
    layer's activation [z, h_1, ..., h_L], each (M, width, K), and the logits (M, 1, K)."""
    hs, last = [z], len(model.weights) - 1
    for l in range(last):
        hs.append(_hidden(hs[-1], model.weights[l], model.biases[l], model.config.activation))
    return hs, _layer(hs[-1], model.weights[last], model.biases[last])


# The layers' products with the activations stored as columns, one per pair, (M, width, K):
# with W (M, a, u), a layer is W^T h, its weight gradient h g^T and its input gradient W g.
# Per chunk of models this CPU's bmm is 4x faster at width 10 (21 models: 170 vs 722 us for
# the three products) and 7 % faster at width 50 than with one row per pair (bench/README.md).

def _layer(h: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """W^T h + b: h (M, a, K), w (M, a, u), b (M, 1, u) -> (M, u, K). bmm + add_: baddbmm's
    bias broadcast costs more than a pass."""
    return torch.bmm(w.mT, h).add_(b.mT)


def _weight_grad(h: torch.Tensor, g: torch.Tensor, out: torch.Tensor) -> None:
    """h g^T into `out`: (M, a, K), (M, u, K) -> (M, a, u). For one unit (the output) as the
    row (g h^T)^T: bmm's matrix-vector case costs about four times that here."""
    if g.shape[1] == 1:                  # out^T (M, 1, a) is a view of out's numbers
        torch.bmm(g, h.mT, out=out.mT)
    else:
        torch.bmm(h, g.mT, out=out)


def _input_grad(g: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """W g: (M, u, K), (M, a, u) -> (M, a, K); for one unit a broadcast product."""
    return w * g if w.shape[2] == 1 else torch.bmm(w, g)


_MINUS_ONE = torch.tensor(-1.0)     # a scalar operand (a 0-dim tensor serves any device)


def _hidden(h: torch.Tensor, w: torch.Tensor, b: torch.Tensor, activation: str) -> torch.Tensor:
    """A hidden layer, act(W^T h + b) (shapes as `_layer`). tanh as 2 sigmoid(2 (W^T h + b)) - 1
    in three passes (`baddbmm` scaled by 2, `sigmoid_`, one `add`): on a chunk that fits in the
    cache this CPU's `tanh` costs about four times that (bench/README.md), and the result is
    within 2e-7 of tanh (float32 rounding; tests/test_fasttrain.py)."""
    if activation == "tanh":
        t = torch.baddbmm(b.mT, w.mT, h, beta=2, alpha=2).sigmoid_()
        return torch.add(_MINUS_ONE, t, alpha=2, out=t)
    return _layer(h, w, b).relu_()


class _Flat:
    """Every parameter of every model in one flat buffer (each tensor a contiguous block of it),
    with the gradients in a buffer of the same layout: one Adam update is one fused kernel over
    the buffer, with the per-model rates and L2 coefficients expanded to one value per
    element."""

    def __init__(self, model: Ensemble, lr_enc, lr_dec, wd):
        self.config = model.config
        tensors = model.parameters()
        self.shapes = [t.shape for t in tensors]
        self.param = torch.cat([t.detach().reshape(-1) for t in tensors])
        self.grad = torch.zeros_like(self.param)
        trained = model.config.fixed_decoder is None
        zero = torch.zeros_like(lr_enc)
        per = lambda values, t: values[:, None].expand(t.shape[0], t[0].numel())  # noqa: E731
        self.lr = torch.cat([per(lr_enc if i == 0 else (lr_dec if trained else zero), t)
                             .reshape(-1) for i, t in enumerate(tensors)])
        self.wd = torch.cat([per(wd if i > 0 and trained else zero, t).reshape(-1)
                             for i, t in enumerate(tensors)])
        self.decay = bool((self.wd > 0).any())
        # torch's fused Adam kernel with learning rate 1 writes the update direction
        # -m_hat / (sqrt(v_hat) + eps) into `direction` (zeroed before each step); the
        # per-element rates then scale it into the parameters
        self.direction = torch.zeros_like(self.param)
        self.direction.grad = self.grad
        self.adam = torch.optim.Adam([self.direction], lr=1.0, betas=_train.ADAM_BETAS,
                                     eps=_train.ADAM_EPS, fused=True)

    def _views(self, buffer: torch.Tensor, sl: slice | None) -> Ensemble:
        views, start = [], 0
        for shape in self.shapes:
            size = math.prod(shape)
            view = buffer[start:start + size].view(shape)
            views.append(view if sl is None else view[sl])
            start += size
        return Ensemble(self.config, views[0], views[1::2], views[2::2])   # E, W_l, b_l

    def ensemble(self, sl: slice | None = None) -> Ensemble:
        """The parameters as an Ensemble of views (models `sl`, default all)."""
        return self._views(self.param, sl)

    def grad_ensemble(self, sl: slice) -> Ensemble:
        return self._views(self.grad, sl)

    def adam_step(self) -> None:
        """torch.optim.Adam's update (L2 added to the gradient) with per-element rates."""
        if self.decay:
            self.grad.addcmul_(self.wd, self.param)
        self.direction.zero_()
        self.adam.step()
        self.param.addcmul_(self.lr, self.direction)

    def copy_to(self, model: Ensemble) -> None:
        with torch.no_grad():
            for dst, src in zip(model.parameters(), self.ensemble().parameters()):
                dst.copy_(src)
