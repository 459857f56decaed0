"""Training: many independent models in one batched computation (the paper's Section 2, as
the teaching notebook gives it: Adam on the binary cross-entropy).

Every model trains full batch on its own train split with Adam, with separate learning rates for
the encoder (eta_enc, the embedding table) and the decoder (eta_dec), optional L2 weight decay on
the decoder, and BCE-with-logits or squared loss. A training step evaluates each model on its own
train pairs only (gathered per model, padded to the largest train set with zero weight); an
evaluation step runs every model on all n^2 pairs for train, test and whole-dataset accuracy.

`train` advances an `Ensemble` of M models at once with a hand-written Adam whose learning rate
and weight decay are per-model tensors (so a learning-rate grid is one batch). `train_reference`
trains the same models one at a time with torch.optim.Adam and two parameter groups: the plain
loop the tests compare the ensemble against.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from . import progress as _progress
from .models import Ensemble, forward
from .tasks import check_int

__all__ = ["History", "LOSSES", "resolve_device", "train", "train_reference", "accuracy"]

# loss(output, label) elementwise, and the output value at which the prediction flips to 1
LOSSES = {
    "bce": (lambda out, y: F.binary_cross_entropy_with_logits(out, y.expand_as(out),
                                                              reduction="none"), 0.0),
    "mse": (lambda out, y: 0.5 * (out - y) ** 2, 0.5),
}
ADAM_BETAS, ADAM_EPS = (0.9, 0.999), 1e-8


@dataclass
class History:
    """What training recorded, as numpy arrays. T evaluation points at `steps`.

    Attributes:
        steps: (T,) step index of each evaluation (0 = initialisation, last = final step).
        loss: (M, T) train loss.
        train_acc, test_acc, whole_acc: (M, T) accuracy on the train pairs, the held-out pairs
            and all n^2 pairs (whole = p * train + (1 - p) * test).
        embeddings: (M, T, n, d) if recorded, else None.
    """

    steps: np.ndarray
    loss: np.ndarray
    train_acc: np.ndarray
    test_acc: np.ndarray
    whole_acc: np.ndarray
    embeddings: np.ndarray | None = None


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """"auto" picks CUDA when present, else CPU; "cpu" and "cuda[:i]" are taken as given."""
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(device)
    except RuntimeError:
        device = None
    if device is None or device.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {device}")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' was requested but torch.cuda.is_available() is False")
    return device


def accuracy(out: torch.Tensor, labels: torch.Tensor, masks: torch.Tensor, loss: str) -> dict:
    """Train / test / whole accuracy per model from outputs (M, P) and masks (M, P) bool."""
    correct = ((out > LOSSES[loss][1]).float() == labels).float()
    n_train = masks.sum(1)
    n_test = (~masks).sum(1)
    train = (correct * masks).sum(1) / n_train.clamp(min=1)
    test = (correct * ~masks).sum(1) / n_test.clamp(min=1)
    return {"train_acc": torch.where(n_train > 0, train, torch.nan),
            "test_acc": torch.where(n_test > 0, test, torch.nan),
            "whole_acc": correct.mean(1)}


def _per_model(value, m: int, name: str, device) -> torch.Tensor:
    """A scalar or length-M sequence as an (M,) float tensor; must be >= 0."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape not in ((), (m,)):
        raise ValueError(f"{name} must be a scalar or have one value per model ({m}), "
                         f"got shape {arr.shape}")
    t = torch.as_tensor(np.broadcast_to(arr, (m,)).copy(), dtype=torch.float32, device=device)
    if not torch.isfinite(t).all() or (t < 0).any():
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    return t


def _check(model: Ensemble, labels, masks, steps: int, eval_every: int, loss: str):
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {sorted(LOSSES)}, got {loss!r}")
    check_int("steps", steps, 1)
    check_int("eval_every", eval_every, 1)
    n_pairs = model.config.n ** 2
    if tuple(labels.shape) != (n_pairs,):
        raise ValueError(f"labels must have shape ({n_pairs},) for n = {model.config.n}, "
                         f"got {tuple(labels.shape)}")
    if tuple(masks.shape) != (model.size, n_pairs):
        raise ValueError(f"masks must have shape ({model.size}, {n_pairs}) (models x pairs), "
                         f"got {tuple(masks.shape)}")


def _train_index(masks: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Each model's train-pair indices, (M, K) long with K the largest train set, and weights
    (M, K): 1 / (train set size) on real entries, 0 on the padding."""
    counts = masks.sum(1)                                                   # (M,)
    k = max(int(counts.max()), 1)
    # a stable sort puts each model's train pairs first, in increasing pair order
    index = torch.sort(masks.to(torch.uint8), dim=1, descending=True, stable=True).indices[:, :k]
    real = torch.arange(k, device=masks.device)[None, :] < counts[:, None]
    return index, real.float() / counts.clamp(min=1)[:, None].float()


def _eval_steps(steps: int, eval_every: int) -> list[int]:
    return sorted(set(range(0, steps, eval_every)) | {steps})


def train(model: Ensemble, labels, masks, *, steps: int, lr_enc=1e-3, lr_dec=1e-3,
          weight_decay=0.0, loss: str = "bce", eval_every: int = 100,
          record_embeddings: bool = False, progress: bool = False) -> History:
    """Train every model of the ensemble in place, full batch, with per-model Adam.

    Args:
        model: M models of one shape (see models.init_ensemble); trained in place.
        labels: (n^2,) labels of all pairs in row-major order (tasks.all_pairs).
        masks: (M, n^2) bool, True where the pair is in model m's train set.
        steps: number of Adam updates.
        lr_enc, lr_dec: learning rates eta_enc and eta_dec, scalars or one per model.
        weight_decay: L2 coefficient on the decoder (added to the gradient, as torch.optim.Adam
            does), scalar or one per model.
        loss: one of LOSSES ("bce": BCE-with-logits, decision at logit 0; "mse":
            1/2 (out - y)^2 on the raw output, decision at 0.5).
        eval_every: record metrics at steps 0, k, 2k, ... and at the final step.
        record_embeddings: also keep the embedding tables at each evaluation step.
        progress: show a tqdm bar over steps.
    """
    device = model.embeddings.device
    labels = torch.as_tensor(np.asarray(labels), dtype=torch.float32, device=device)
    masks = torch.as_tensor(np.asarray(masks), dtype=torch.bool, device=device)
    _check(model, labels, masks, steps, eval_every, loss)
    m = model.size
    lrs = {"enc": _per_model(lr_enc, m, "lr_enc", device),
           "dec": _per_model(lr_dec, m, "lr_dec", device)}
    wd = _per_model(weight_decay, m, "weight_decay", device)
    n = model.config.n
    pairs = torch.cartesian_prod(torch.arange(n, device=device), torch.arange(n, device=device))
    loss_fn = LOSSES[loss][0]
    weight = masks.float() / masks.sum(1, keepdim=True).clamp(min=1)  # per-model mean over train
    index, index_weight = _train_index(masks)                              # (M, K)
    train_pairs, train_labels = pairs[index], labels[index]               # (M, K, 2), (M, K)

    params = model.encoder_params() + model.decoder_params()
    for p in params:
        p.requires_grad_(True)
    n_enc = len(model.encoder_params())
    # per-model rates and decay as views broadcasting over each tensor's (M, ...) shape
    rates = [_per_tensor(lrs["enc" if i < n_enc else "dec"], p) for i, p in enumerate(params)]
    decay = [_per_tensor(wd, p) for p in params[n_enc:]]
    state = {"exp_avg": [torch.zeros_like(p) for p in params],
             "exp_avg_sq": [torch.zeros_like(p) for p in params]}
    records, at = [], set(_eval_steps(steps, eval_every))
    for step in _progress.bar(range(steps + 1), progress=progress, desc="train", leave=False):
        if step in at:
            with torch.no_grad():
                out = forward(model, pairs)
                per_model = (loss_fn(out, labels) * weight).sum(1)             # (M,)
            records.append(_record(model, out, per_model, labels, masks, loss,
                                   record_embeddings))
        if step == steps:
            break
        out = forward(model, train_pairs)                                       # (M, K)
        per_model = (loss_fn(out, train_labels) * index_weight).sum(1)        # (M,)
        grads = torch.autograd.grad(per_model.sum(), params)
        _adam_step(params, list(grads), state, step + 1, rates, decay)
    for p in params:
        p.requires_grad_(False)
    return _history(_eval_steps(steps, eval_every), records)


def _per_tensor(values: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """(M,) per-model values as a view (M, 1, ...) that broadcasts over p's (M, ...) shape."""
    return values.view((values.shape[0],) + (1,) * (p.dim() - 1))


def _adam_step(params, grads, state, t: int, rates: list, decay: list) -> None:
    """One Adam update of every tensor at once (torch's multi-tensor `_foreach` kernels, as
    torch.optim.Adam(foreach=True) uses). `rates` holds each tensor's per-model learning rate
    and `decay` the L2 coefficient of the last len(decay) tensors (the decoder), both as views
    from `_per_tensor`."""
    beta1, beta2 = ADAM_BETAS
    bc1, bc2_sqrt = 1 - beta1 ** t, (1 - beta2 ** t) ** 0.5
    n_enc = len(params) - len(decay)
    with torch.no_grad():
        if decay:
            l2 = torch._foreach_mul(params[n_enc:], decay)
            grads[n_enc:] = torch._foreach_add(grads[n_enc:], l2)
        torch._foreach_lerp_(state["exp_avg"], grads, 1 - beta1)
        torch._foreach_mul_(state["exp_avg_sq"], beta2)
        torch._foreach_addcmul_(state["exp_avg_sq"], grads, grads, value=1 - beta2)
        denom = torch._foreach_sqrt(state["exp_avg_sq"])
        torch._foreach_div_(denom, bc2_sqrt)
        torch._foreach_add_(denom, ADAM_EPS)
        update = torch._foreach_mul(state["exp_avg"], torch._foreach_div(rates, bc1))
        torch._foreach_div_(update, denom)
        torch._foreach_sub_(params, update)


def _record(model, out, per_model_loss, labels, masks, loss, record_embeddings) -> dict:
    rec = {k: v.cpu().numpy() for k, v in accuracy(out, labels, masks, loss).items()}
    rec["loss"] = per_model_loss.cpu().numpy()
    if record_embeddings:
        rec["embeddings"] = model.embeddings.detach().cpu().numpy().copy()
    return rec


def _history(steps: list[int], records: list[dict]) -> History:
    stack = lambda key: np.stack([r[key] for r in records], axis=1)  # noqa: E731
    return History(steps=np.array(steps), loss=stack("loss"), train_acc=stack("train_acc"),
                   test_acc=stack("test_acc"), whole_acc=stack("whole_acc"),
                   embeddings=stack("embeddings") if "embeddings" in records[0] else None)


def train_reference(model: Ensemble, labels, masks, *, steps: int, lr_enc=1e-3, lr_dec=1e-3,
                    weight_decay=0.0, loss: str = "bce", eval_every: int = 100,
                    record_embeddings: bool = False) -> History:
    """The plain loop: each model trained alone with torch.optim.Adam (two parameter groups).

    Same arguments and result as `train`; slow, kept as the reference for tests and benchmarks.
    The ensemble's tensors are updated with the trained values at the end.
    """
    device = model.embeddings.device
    labels = torch.as_tensor(np.asarray(labels), dtype=torch.float32, device=device)
    masks = torch.as_tensor(np.asarray(masks), dtype=torch.bool, device=device)
    _check(model, labels, masks, steps, eval_every, loss)
    m = model.size
    lr_enc, lr_dec, wd = (_per_model(v, m, name, device).tolist() for v, name in
                          ((lr_enc, "lr_enc"), (lr_dec, "lr_dec"), (weight_decay, "weight_decay")))
    histories = []
    for i in range(m):
        one = model.single(i)
        hist = _train_one(one, labels, masks[i:i + 1], steps, lr_enc[i], lr_dec[i], wd[i], loss,
                          eval_every, record_embeddings)
        histories.append(hist)
        with torch.no_grad():
            for dst, src in zip(model.parameters(), one.parameters()):
                dst[i:i + 1] = src
    return History(**{k: None if histories[0].__dict__[k] is None else
                      (histories[0].steps if k == "steps" else
                       np.concatenate([h.__dict__[k] for h in histories]))
                      for k in History.__dataclass_fields__})


def _train_one(one, labels, mask, steps, lr_enc, lr_dec, wd, loss, eval_every, record_embeddings):
    n = one.config.n
    device = labels.device
    pairs = torch.cartesian_prod(torch.arange(n, device=device), torch.arange(n, device=device))
    trainable = one.encoder_params() + one.decoder_params()
    for p in trainable:
        p.requires_grad_(True)
    groups = [{"params": one.encoder_params(), "lr": lr_enc, "weight_decay": 0.0}]
    if one.decoder_params():
        groups.append({"params": one.decoder_params(), "lr": lr_dec, "weight_decay": wd})
    opt = torch.optim.Adam(groups, betas=ADAM_BETAS, eps=ADAM_EPS)
    loss_fn = LOSSES[loss][0]
    at, records = set(_eval_steps(steps, eval_every)), []
    for step in range(steps + 1):
        out = forward(one, pairs)
        value = loss_fn(out[0][mask[0]], labels[mask[0]]).mean().reshape(1)
        if step in at:
            records.append(_record(one, out.detach(), value.detach(), labels, mask, loss,
                                   record_embeddings))
        if step == steps:
            break
        opt.zero_grad()
        value.sum().backward()
        opt.step()
    for p in trainable:
        p.requires_grad_(False)
    return _history(_eval_steps(steps, eval_every), records)

