"""Activity-weight duality: the generalization gap as sharpness times dual-weight spread
(Feng, Zhang and Tu, Nature Machine Intelligence 5, 908 (2023)).

A dense layer maps activities a to z = W a. A test input whose activities are a' = a + da gives
the same downstream output as the training input a under the weights W + dW whenever
dW a = W da; the minimum-Frobenius-norm solution is the rank-one dual weight change

    dW* = (W da) a^T / norm(a)^2

so the loss of a test sample equals the loss of its matched training sample under a perturbed
layer, exactly. Projected on the eigenvectors v_n of the training-loss Hessian, the mean loss
difference splits exactly over directions:

    mean_k dl_k = sum_n [ mu_gamma,n mu_theta,n + c_n sigma_gamma,n sigma_theta,n ],

with theta_k,n = v_n . vec(dW*_k) (the dual weights), gamma_k,n = v_n . g_k (the secant
gradient g_k = dl_k dw_k / norm(dw_k)^2), means mu, population standard deviations sigma and
correlations c over test samples k. sigma_gamma is the sharpness factor, sigma_theta the size.

The functions here take a layer's weights, the activities entering it and `rest`, the fixed
map from the layer's output z to the logits, so the same code analyses the middle layer of an
MLP and the first decoder layer of a GenEFT model. Then come the chapter's datasets, the
training of its MLPs (ReLU, no biases, SGD) and its sweep, its criteria and verdicts, and at the
end the verdicts and the hyperparameter figure computed from the result tables alone, the same
for the page's run and a stored full-size one.
"""
from __future__ import annotations

import gzip
import math
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from . import progress as _progress

__all__ = ["dual_weights", "secant", "nearest_same_label", "layer_hessian", "decomposition",
           "analyse_layer", "spearman", "DATASETS", "Dataset", "load_data", "RunConfig",
           "init_mlp", "train_mlp", "mlp_rest", "analyse_mlp", "analyse_decoder", "summary",
           "SWEPT", "plan", "settings", "sweep", "trends", "geneft_phases", "LABELS",
           "EXPECTED_TRENDS", "run_labels", "configurations",
           "gap_share", "checks", "verdicts", "criteria", "expected_trends", "trend_tally",
           "follows_gap", "capped_runs", "changes", "direction", "phase_means", "bridge_separates",
           "bridge_ratios", "claims", "approx", "seed_range", "FACTOR_NAMES", "FACTOR_SHORT",
           "trend_table", "FIGURE_COLUMNS", "assess", "size_comparison", "factor_figure"]

F64 = torch.float64


# --- the duality ----------------------------------------------------------------------------

def dual_weights(W, a, a_prime):
    """Minimum-norm dual weight changes ``dW*_k = (W da_k) a_k^T / norm(a_k)^2``, da = a' - a.

    Args:
        W: (n_out, n_in) layer weights (row = output unit).
        a, a_prime: (K, n_in) activities of the matched training and test samples.

    Returns:
        (K, n_out, n_in): ``(W + dW*_k) a_k = W a'_k`` for every k, and the Frobenius norm of
        ``dW*_k`` is ``norm(W da_k) / norm(a_k)``. Pairs with a_k = 0 have no solution and raise.

    Raises:
        ValueError: if some a_k is zero.
    """
    norm2 = (a * a).sum(-1)                                       # (K,)
    if bool((norm2 == 0).any()):
        raise ValueError(f"a must be nonzero for every pair; {int((norm2 == 0).sum())} are zero")
    return torch.einsum("ko,ki->koi", (a_prime - a) @ W.T, a) / norm2[:, None, None]


def secant(dl, dw):
    """Secant ("effective gradient") vectors g_k = dl_k dw_k / norm(dw_k)^2, so that
    g_k . dw_k = dl_k exactly. dl: (K,), dw: (K, M); returns (K, M)."""
    return dl[:, None] * dw / (dw * dw).sum(1, keepdim=True).clamp_min(1e-300)


def nearest_same_label(X_train, y_train, X_test, y_test):
    """For every test sample, the index of the closest training sample (Euclidean) of the same
    label, as the paper pairs them. Arrays (N, D), (N,), (K, D), (K,); returns (K,) int64.

    Raises:
        ValueError: if a test label has no training sample.
    """
    X_train, X_test = torch.as_tensor(X_train, dtype=F64), torch.as_tensor(X_test, dtype=F64)
    y_train, y_test = torch.as_tensor(y_train), torch.as_tensor(y_test)
    dist = torch.cdist(X_test, X_train)                           # (K, N)
    dist[y_test[:, None] != y_train[None, :]] = math.inf
    if bool(torch.isinf(dist.min(1).values).any()):
        raise ValueError("every test label must occur in the training set")
    return dist.argmin(1)


def layer_hessian(W, a_train, y_train, rest, loss):
    """Exact Hessian of the mean training loss L(W) = mean_mu loss(rest(W a_mu), y_mu) with
    respect to the M = n_out * n_in entries of W (row-major vec), (M, M), symmetrised."""
    def L(flat):
        return loss(rest(a_train @ flat.view_as(W).T), y_train).mean()
    H = torch.autograd.functional.hessian(L, W.reshape(-1), vectorize=True)
    return (H + H.T) / 2


# --- the decomposition ----------------------------------------------------------------------

@dataclass(frozen=True)
class Decomposition:
    """Per-direction factors of the A-W decomposition, directions sorted by Hessian eigenvalue
    (largest first). Arrays are numpy (M,); see `decomposition`."""

    lam: np.ndarray           # Hessian eigenvalues lambda_n
    mu_gamma: np.ndarray      # mean over test samples of gamma_k,n
    mu_theta: np.ndarray      # mean of theta_k,n
    sigma_gamma: np.ndarray   # std (ddof 0) of gamma: the sharpness factor
    sigma_theta: np.ndarray   # std of theta: the size factor
    corr: np.ndarray          # Pearson correlation c_n (0 where a std is 0)

    @property
    def mean_terms(self) -> np.ndarray:
        return self.mu_gamma * self.mu_theta

    @property
    def cov_terms(self) -> np.ndarray:
        return self.corr * self.sigma_gamma * self.sigma_theta

    @property
    def contributions(self) -> np.ndarray:
        """mu_gamma mu_theta + c sigma_gamma sigma_theta per direction; they sum to the A-W
        estimate of the gap."""
        return self.mean_terms + self.cov_terms


def decomposition(gamma, theta, lam) -> Decomposition:
    """Split mean_k gamma_k . theta_k over the coordinates n:
    mean_k gamma_k,n theta_k,n = mu_gamma,n mu_theta,n + c_n sigma_gamma,n sigma_theta,n.

    Args:
        gamma, theta: (K, M) coordinates of the secant gradients and dual weights in an
            orthonormal basis. lam: (M,) the basis' eigenvalues (carried along).
    """
    gamma, theta = np.asarray(gamma, float), np.asarray(theta, float)
    mg, mt = gamma.mean(0), theta.mean(0)
    sg, st = gamma.std(0), theta.std(0)
    cov = ((gamma - mg) * (theta - mt)).mean(0)
    denom = sg * st
    corr = np.divide(cov, denom, out=np.zeros_like(cov), where=denom > 0)
    return Decomposition(np.asarray(lam, float), mg, mt, sg, st, corr)


def spearman(x, y) -> float:
    """Spearman rank correlation of two 1-d arrays (scipy.stats.spearmanr); NaN, without a
    warning, when either is constant."""
    from scipy.stats import spearmanr
    if np.ptp(np.asarray(x, float)) == 0 or np.ptp(np.asarray(y, float)) == 0:
        return math.nan
    return float(spearmanr(x, y).statistic)


def analyse_layer(W, rest, loss, a_train, y_train, a_match, a_test, y_test):
    """The A-W analysis of one layer: dual weights of every test sample against its
    matched training sample, their exact loss differences, the training-loss Hessian and the
    decomposition of the A-W gap estimate over its eigen-directions. Everything in float64.

    Args:
        W: (n_out, n_in) the layer. rest: maps the layer output z (B, n_out) to logits.
        loss: per-sample loss(logits, labels) -> (B,).
        a_train, y_train: activities and labels of the training set (for the Hessian and the
            training loss). a_match: (K, n_in) activities of the matched training samples;
            a_test, y_test: (K, n_in), (K,) of the test samples.

    Returns:
        dict with "decomposition" (Decomposition), "aw" (mean_k dl_k), "gap" (test loss minus
        training loss), "train_loss", "test_loss", "exactness" (``max_k abs(l(x'_k, W) -
        l(x_k, W + dW*_k))``), "identity" (``abs(sum of contributions - aw)``) and
        "displacement" (the mean over test samples of ``norm(da_k) / norm(a_k)``: how far the
        test activities lie from their matched training activities, independent of W).
    """
    W = W.to(F64)
    dW = dual_weights(W, a_match, a_test)                              # (K, n_out, n_in)
    with torch.no_grad():
        l_test = loss(rest(a_test @ W.T), y_test)                      # (K,)
        l_match = loss(rest(a_match @ W.T), y_test)
        l_dual = loss(rest(torch.einsum("koi,ki->ko", W + dW, a_match)), y_test)
        train_loss = loss(rest(a_train @ W.T), y_train).mean()
    dl = l_test - l_match
    dw = dW.reshape(len(dW), -1)                                       # (K, M)
    g = secant(dl, dw)
    lam, V = torch.linalg.eigh(layer_hessian(W, a_train, y_train, rest, loss))
    lam, V = lam.flip(0), V.flip(1)                                    # largest first
    dec = decomposition((g @ V).numpy(), (dw @ V).numpy(), lam.numpy())
    aw = float(dl.mean())
    return {"decomposition": dec, "aw": aw, "gap": float(l_test.mean() - train_loss),
            "train_loss": float(train_loss), "test_loss": float(l_test.mean()),
            "exactness": float((l_test - l_dual).abs().max()),
            "identity": abs(float(dec.contributions.sum()) - aw),
            "displacement": float(((a_test - a_match).norm(dim=1) / a_match.norm(dim=1)).mean())}


# --- data -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Dataset:
    """Inputs scaled to [0, 1] and integer labels; `name` says where they came from."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def _split(name, X, y, train_per_class, test_per_class, seed):
    """A stratified split: test_per_class test samples of each class (the same for every
    train_per_class), then train_per_class training samples of each class from the rest."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    X, y = X[order], y[order]
    test = np.zeros(len(y), bool)
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        test[idx[:test_per_class]] = True
    train = np.zeros(len(y), bool)
    for c in np.unique(y):
        idx = np.flatnonzero((y == c) & ~test)
        if len(idx) < train_per_class:
            raise ValueError(f"train_per_class must be <= {len(idx)} for {name} (class {c}), "
                             f"got {train_per_class}")
        train[idx[:train_per_class]] = True
    return Dataset(name, X[train], y[train], X[test], y[test])


def _digits(train_per_class, seed):
    """scikit-learn's bundled 8x8 digits (1797 images, no download), pixels / 16; 74 test
    images per class leave up to 100 training images in the smallest class."""
    from sklearn.datasets import load_digits
    d = load_digits()
    return _split("digits (scikit-learn, 8x8)", d.data / 16.0, d.target, train_per_class, 74,
                  seed)


def _synthetic(train_per_class, seed):
    """Ten Gaussian prototypes mu_c ~ N(0, I_64) and x = sigmoid(mu_c + 1.6 xi) (our
    offline stand-in for digits)."""
    rng = np.random.default_rng(1000 + seed)
    protos = rng.standard_normal((10, 64))
    y = np.repeat(np.arange(10), train_per_class + 80)
    X = 1 / (1 + np.exp(-(protos[y] + 1.6 * rng.standard_normal((len(y), 64)))))
    return _split("synthetic Gaussian mixture (64 features)", X, y, train_per_class, 80, seed)


def _read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


def _mnist(train_per_class, seed):
    """MNIST from a local copy only (no download): the four .gz IDX files in ``$GENEFT_MNIST``."""
    root = Path(os.environ.get("GENEFT_MNIST", "~/.cache/mnist")).expanduser()
    files = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    missing = [f for f in files if not (root / f).exists()]
    if missing:
        raise FileNotFoundError(f"dataset 'mnist' needs a local copy: {missing} not found in "
                                f"{root} (set GENEFT_MNIST); use dataset 'digits' otherwise")
    Xtr, ytr, Xte, yte = (_read_idx(root / f) for f in files)
    picked = _split("MNIST (local copy)", Xtr.reshape(len(Xtr), -1) / 255.0, ytr.astype(int),
                    train_per_class, 0, seed)
    test = np.random.default_rng(seed).permutation(len(yte))[:1000]
    return replace(picked, X_test=Xte.reshape(len(Xte), -1)[test] / 255.0,
                   y_test=yte[test].astype(int))


DATASETS = {"digits": _digits, "synthetic": _synthetic, "mnist": _mnist}


def load_data(dataset: str = "digits", *, train_per_class: int = 100, seed: int = 0) -> Dataset:
    """The chapter's data: "digits" (default; bundled with scikit-learn), "synthetic" (made
    here) or "mnist" (a local copy only). The test set does not depend on train_per_class.

    Raises:
        ValueError: naming `dataset` and the allowed values, or a too large train_per_class.
    """
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {sorted(DATASETS)}, got {dataset!r}")
    return DATASETS[dataset](train_per_class, seed)


# --- the chapter's networks -----------------------------------------------------------------

@dataclass(frozen=True)
class RunConfig:
    """One training run of the d_in-30-30-10 ReLU MLP without biases, as in the paper's
    public demo code (whose values the comments quote as "official")."""

    lr: float = 0.1               # SGD learning rate (official code: 0.1)
    batch_size: int = 25          # SGD batch size (official: 25)
    beta: float = 0.0             # weight-norm penalty beta * norm(theta) (official sweep 0..2e-2)
    penalty_epochs: int = 200     # epochs the penalty is applied (official: 200)
    init_scale: float = 1.0       # multiplies PyTorch's default init (official sweep 4..7 on MNIST)
    dropout: float = 0.0          # dropout after the first layer
    train_per_class: int = 100    # training samples per class
    max_epochs: int = 1500        # cap; training stops at loss < 1e-3 and accuracy 1
    hidden: int = 30              # hidden units per layer (official: 30)


def init_mlp(d_in: int, hidden: int, *, scale: float = 1.0, seed: int = 0):
    """Weights [W1 (hidden, d_in), W2 (hidden, hidden), W3 (10, hidden)] ~ U(+-1/sqrt(fan_in))
    times scale (PyTorch's nn.Linear default), float32."""
    g = torch.Generator().manual_seed(seed)
    sizes = [(hidden, d_in), (hidden, hidden), (10, hidden)]
    return [((torch.rand(o, i, generator=g) * 2 - 1) / math.sqrt(i) * scale).requires_grad_()
            for o, i in sizes]


def _logits(Ws, X, *, dropout=0.0, generator=None):
    h = torch.relu(X @ Ws[0].T)
    if dropout > 0:
        keep = torch.rand(h.shape, generator=generator) >= dropout
        h = h * keep / (1 - dropout)
    return torch.relu(h @ Ws[1].T) @ Ws[2].T


def train_mlp(data: Dataset, config: RunConfig, *, seed: int = 0):
    """Plain SGD on the cross-entropy, mini-batches in a seeded order; stops when the training
    loss is below 1e-3 and the training accuracy is 1, or at max_epochs.

    Returns:
        (weights [W1, W2, W3] as float64 tensors, epochs run).
    """
    X = torch.as_tensor(data.X_train, dtype=torch.float32)
    y = torch.as_tensor(data.y_train, dtype=torch.long)
    Ws = init_mlp(X.shape[1], config.hidden, scale=config.init_scale, seed=seed)
    opt = torch.optim.SGD(Ws, lr=config.lr)
    g = torch.Generator().manual_seed(10_000 + seed)
    for epoch in range(1, config.max_epochs + 1):
        for idx in torch.randperm(len(y), generator=g).split(config.batch_size):
            loss = torch.nn.functional.cross_entropy(
                _logits(Ws, X[idx], dropout=config.dropout, generator=g), y[idx])
            if config.beta > 0 and epoch <= config.penalty_epochs:
                loss = loss + config.beta * torch.cat([W.reshape(-1) for W in Ws]).norm()
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            out = _logits(Ws, X)
            done = (torch.nn.functional.cross_entropy(out, y) < 1e-3
                    and bool((out.argmax(1) == y).all()))
        if done:
            break
    return [W.detach().to(F64) for W in Ws], epoch


def _ce(logits, labels):
    return torch.nn.functional.cross_entropy(logits, labels, reduction="none")


def mlp_rest(Ws):
    """The map from the middle layer's output z to the logits: W3 relu(z)."""
    return lambda z: torch.relu(z) @ Ws[2].T


def analyse_mlp(data: Dataset, Ws):
    """`analyse_layer` for the middle 30x30 layer of a trained MLP: its input
    activities are relu(W1 x); test samples are paired in input space."""
    X_train, X_test = (torch.as_tensor(x, dtype=F64) for x in (data.X_train, data.X_test))
    y_train, y_test = (torch.as_tensor(y, dtype=torch.long) for y in (data.y_train, data.y_test))
    match = nearest_same_label(X_train, y_train, X_test, y_test)
    act = lambda X: torch.relu(X @ Ws[0].T)  # noqa: E731
    a_train, a_test = act(X_train), act(X_test)
    keep = (a_train[match] ** 2).sum(1) > 0       # a dead activity vector has no dual
    return {**analyse_layer(Ws[1], mlp_rest(Ws), _ce, a_train, y_train, a_train[match][keep],
                            a_test[keep], y_test[keep]), "dropped_pairs": int((~keep).sum())}


def analyse_decoder(model, pairs, labels, train_mask):
    """`analyse_layer` for the first decoder layer of a trained GenEFT model (our extension,
    not in the paper): its input activities are the combined repon embeddings z of a pair,
    a held-out pair is a new activity at that layer, and it is matched to the nearest
    training pair of the same label in z-space. The loss is the per-pair BCE on the logit.

    Args:
        model: a models.Ensemble of one model (Ensemble.single). pairs: (P, 2) all pairs;
            labels: (P,) in {0, 1}; train_mask: (P,) bool.
    """
    from .models import ACTIVATIONS, Ensemble, combine, decode
    cfg = model.config
    if model.size != 1 or cfg.depth < 1:
        raise ValueError("model must be a single model (Ensemble.single) with depth >= 1")
    act = ACTIVATIONS[cfg.activation]
    m64 = Ensemble(cfg, model.embeddings.to(F64), [w.to(F64) for w in model.weights],
                   [b.to(F64) for b in model.biases])
    W0, b0 = m64.weights[0][0], m64.biases[0][0]                # (in, out), (1, out)

    def rest(z):                                                # first layer's W a -> logit
        return decode(m64, act(z + b0)[None], first=1)[0]

    bce = lambda logit, y: torch.nn.functional.binary_cross_entropy_with_logits(  # noqa: E731
        logit, y, reduction="none")
    z = combine(m64.embeddings, torch.as_tensor(pairs), cfg.mode)[0]   # (P, in)
    y = torch.as_tensor(labels, dtype=F64)
    train = torch.as_tensor(train_mask)
    match = nearest_same_label(z[train], y[train], z[~train], y[~train])
    return analyse_layer(W0.T, rest, bce, z[train], y[train], z[train][match], z[~train],
                         y[~train])


def geneft_phases(relation: str, fraction: float, rates: dict, seeds, *, steps: int = 4000,
                  depth: int = 2, width: int = 20, n: int = 30, progress: bool = False):
    """Train GenEFT models (concat, tanh, d = 2, Adam, chapter 3's set-up) at each named pair
    of learning rates and run `analyse_decoder` on each (the chapter's bridge to GenEFT).

    Args:
        relation: a relation name ("mod3"). fraction: train fraction (one split per seed).
        rates: {phase name: (eta_enc, eta_dec)}. seeds: seeds per phase.

    Returns:
        (table, results): one row per (phase, seed) with the final train and test accuracy,
        the `summary` numbers and `seconds` (its wall time for training and analysis);
        {(phase, seed): the full analysis}.
    """
    import pandas as pd
    from .models import ModelConfig, init_ensemble
    from .tasks import all_pairs, parse_relation, train_mask
    from .train import train
    rel = parse_relation(relation, n)
    pairs, labels = all_pairs(rel)
    config = ModelConfig(n=n, dim=2, depth=depth, width=width)
    rows, results = [], {}
    for phase, seed in _progress.bar([(p, s) for p in rates for s in seeds],
                                       progress=progress, desc="GenEFT models"):
        start = time.perf_counter()
        mask = train_mask(len(labels), fraction, seed)
        model = init_ensemble(config, [seed])
        hist = train(model, torch.as_tensor(labels), torch.as_tensor(mask)[None], steps=steps,
                     lr_enc=rates[phase][0], lr_dec=rates[phase][1], eval_every=steps)
        results[(phase, seed)] = analyse_decoder(model.single(0), pairs, labels, mask)
        rows.append({"phase": phase, "seed": seed, "train_acc": float(hist.train_acc[0, -1]),
                     "test_acc": float(hist.test_acc[0, -1]), **summary(results[(phase, seed)]),
                     "seconds": time.perf_counter() - start})
    return pd.DataFrame(rows), results


def summary(result) -> dict:
    """The numbers of one analysis the chapter tabulates: gap and A-W estimate, exactness and
    identity errors, the mean and covariance parts, the sharpness-size sum sum_n sigma_gamma
    sigma_theta, the size sum_n sigma_theta^2, the mean sharpness mean_n sigma_gamma, the largest
    eigenvalue, the median correlation, the Spearman correlation of sigma_gamma with lambda
    over the top 100 directions and the relative displacement of the test activities."""
    dec = result["decomposition"]
    top = min(100, len(dec.lam))
    return {"gap": result["gap"], "aw": result["aw"], "train_loss": result["train_loss"],
            "test_loss": result["test_loss"], "exactness": result["exactness"],
            "identity": result["identity"], "mean_terms": float(dec.mean_terms.sum()),
            "cov_terms": float(dec.cov_terms.sum()),
            "sharp_size": float((dec.sigma_gamma * dec.sigma_theta).sum()),
            "size": float((dec.sigma_theta ** 2).sum()),
            "sharpness": float(dec.sigma_gamma.mean()), "lam_max": float(dec.lam[0]),
            "corr_median": float(np.median(dec.corr[:top])),
            "spearman_top100": spearman(dec.sigma_gamma[:top], dec.lam[:top]),
            "displacement": result["displacement"]}


# The chapter's swept hyperparameters: RunConfig field -> the parameter (profiles.DualityParams)
# holding its values.
SWEPT = {"lr": "lrs", "batch_size": "batch_sizes", "beta": "betas", "init_scale": "init_scales",
         "dropout": "dropouts", "train_per_class": "train_sizes"}


def plan(params) -> tuple[RunConfig, dict]:
    """The base RunConfig and the swept factors {RunConfig field: values} of the chapter's
    parameters (`profiles.DualityParams`); parameters that sweep nothing give {"lr": (lr,)},
    the base configuration alone."""
    base = RunConfig(**{f: getattr(params, f) for f in (
        "lr", "batch_size", "beta", "penalty_epochs", "init_scale", "dropout",
        "train_per_class", "max_epochs")})
    factors = {f: getattr(params, name) for f, name in SWEPT.items() if getattr(params, name)}
    return base, factors or {"lr": (params.lr,)}


def settings(base: RunConfig, factors: dict) -> dict:
    """The configurations `sweep` trains: the base and every one-factor change of it, each
    once, as {RunConfig: [(factor, value), ...]} (the base is filed under every factor).

    Raises:
        ValueError: a factor is no field of RunConfig.
    """
    unknown = sorted(set(factors) - set(vars(base)))
    if unknown:
        raise ValueError(f"factors must be fields of RunConfig {sorted(vars(base))}, "
                         f"got {unknown}")
    configs = {}
    for name, values in factors.items():
        for v in sorted(set(values) | {getattr(base, name)}):
            configs.setdefault(replace(base, **{name: v}), []).append((name, v))
    return configs


def sweep(dataset: str, base: RunConfig, factors: dict, seeds, *, progress: bool = False):
    """Train and analyse the base configuration and every one-factor change of it.

    Args:
        dataset: a key of DATASETS. base: the RunConfig every run starts from.
        factors: {RunConfig field: [values]}; each value is run with the other fields at base,
            and the base value is added to every factor's values.
        seeds: seeds per configuration (the data split, the init and the batch order).

    Returns:
        (table, results): a pandas DataFrame with one row per (factor, value, seed) holding
        the factor, its value, the seed, `run` (one id per trained network: the base runs
        appear under every factor), `is_base`, the epochs run, `seconds` (its wall time for
        training and analysis) and the `summary` numbers; and
        {run: the full analysis of `analyse_mlp`}.
    """
    import pandas as pd
    configs = settings(base, factors)
    rows, results = [], {}
    jobs = [(c, s) for c in configs for s in seeds]
    for run, (config, seed) in enumerate(_progress.bar(jobs, progress=progress, desc="A-W runs")):
        start = time.perf_counter()
        data = load_data(dataset, train_per_class=config.train_per_class, seed=seed)
        Ws, epochs = train_mlp(data, config, seed=seed)
        results[run] = analyse_mlp(data, Ws)
        seconds = time.perf_counter() - start
        rows += [{"factor": name, "value": v, "seed": seed, "run": run,
                  "is_base": config == base, "epochs": epochs, "seconds": seconds,
                  **summary(results[run])}
                 for name, v in configs[config]]
    return pd.DataFrame(rows), results


def trends(table, columns=("gap", "sharp_size", "size", "sharpness")):
    """Per swept factor, the Spearman correlation between the factor's value and the
    seed-averaged `columns` (its sign is the trend our criteria read). Factors with a
    single value are left out. Returns a DataFrame indexed by factor."""
    import pandas as pd
    means = table.groupby(["factor", "value"])[list(columns)].mean().reset_index()
    out = {f: {c: spearman(g.value, g[c]) for c in columns}
           for f, g in means.groupby("factor") if g.value.nunique() > 1}
    return pd.DataFrame.from_dict(out, orient="index", columns=list(columns)).rename_axis("factor")


# --- the chapter's criteria and verdicts -----------------------------------------------------
# Our success criteria: the paper's own numbers and figures were not available to us, so the
# thresholds below are our choices, stated in the chapter.

EXACT_TOL = 1e-8          # the duality and the decomposition identity, in float64
TIGHT_LOSS = 1e-3         # runs below this training cross-entropy ...
GAP_TOL_TIGHT = 0.02      # ... have an A-W estimate within 2 % of the measured gap
LOOSE_LOSS = 1e-2         # runs below this one ...
GAP_TOL_LOOSE = 0.10      # ... within 10 %
MEAN_RATIO_MAX = 0.1      # the mean terms are at most 10 % of the covariance terms ...
MEAN_RATIO_SHARE = 0.75   # ... in at least 75 % of the runs
SPEARMAN_MIN = 0.4        # Spearman rho of sigma_gamma with lambda (top 100 directions), every run
GAP_SHARE = 0.9           # "where the gap lives": the leading directions carrying 90 % of it
CHANGE_TOL = 0.05         # a seed mean that moves by less than 5 % "barely changed"

# (factor, quantity, sign): our reading of the paper's account of each hyperparameter; the
# abstract says only that each acts on the sharpness, the size or both.
EXPECTED_TRENDS = (
    ("beta", "size", -1), ("beta", "gap", -1),
    ("batch_size", "sharpness", +1), ("batch_size", "gap", +1),
    ("lr", "sharpness", -1),
    ("init_scale", "size", +1), ("init_scale", "gap", +1),
    ("dropout", "sharpness", -1),
    ("train_per_class", "size", -1), ("train_per_class", "gap", -1),
)

# Column names for the page's tables (HTML: the tables are rendered as HTML), kept short so
# that a table fits the text column; the chapter defines each in words.
LABELS = {"configuration": "configuration", "seeds": "seeds", "epochs": "epochs",
          "train_loss": "train CE", "gap": "gap", "aw": "A-W",
          "sharp_size": "Σ σ<sub>γ</sub>σ<sub>θ</sub>", "size": "size",
          "sharpness": "sharpness", "lam_max": "λ<sub>max</sub>",
          "phase": "phase", "seed": "seed", "train_acc": "train acc.",
          "test_acc": "test acc.", "exactness": "duality error",
          "displacement": "‖Δa‖/‖a‖"}

# The hyperparameters (RunConfig fields) in words: for axes, and short for tables and legends.
FACTOR_NAMES = {"lr": "learning rate", "batch_size": "batch size",
                "beta": "weight-norm penalty β", "init_scale": "initial weight scale",
                "dropout": "dropout rate", "train_per_class": "training images per class"}
FACTOR_SHORT = {"lr": "learning rate", "batch_size": "batch size", "beta": "penalty β",
                "init_scale": "init scale", "dropout": "dropout",
                "train_per_class": "images per class"}

_MEANS = ["epochs", "train_loss", "gap", "aw", "sharp_size", "size", "sharpness", "lam_max"]


def run_labels(runs) -> np.ndarray:
    """Each row's configuration as text: "base" or "<hyperparameter in words> = value", e.g.
    "batch size = 250" (`FACTOR_SHORT`; `sweep`'s table)."""
    names = runs.factor.map(lambda f: FACTOR_SHORT.get(f, f))
    return np.where(runs.is_base, "base", names + " = " + runs.value.map("{:g}".format))


def configurations(table):
    """Seed means of `sweep`'s table, one row per trained configuration (`run_labels`), with
    the number of seeds; columns "configuration", "seeds" and epochs, train_loss, gap, aw,
    sharp_size, size, sharpness, lam_max."""
    runs = table.drop_duplicates("run")
    grouped = runs.assign(configuration=run_labels(runs)).groupby("configuration", sort=False)
    out = grouped[_MEANS].mean()
    out.insert(0, "seeds", grouped.size())
    return out.reset_index()


def gap_share(dec: Decomposition, share: float = GAP_SHARE) -> int:
    """The number of leading directions (largest eigenvalue first) whose contributions first
    add up to `share` of the A-W estimate; len(dec.lam) if the running sum never gets there."""
    cum = np.cumsum(dec.contributions) / dec.contributions.sum()
    reached = np.flatnonzero(cum >= share)
    return int(reached[0] + 1) if len(reached) else len(cum)


def checks(runs) -> dict:
    """The numbers our criteria judge, over `runs`: `sweep`'s table with one row per trained
    network (`table.drop_duplicates("run")`). Relative errors of the A-W estimate are
    ``abs(aw - gap) / abs(gap)``; the mean-term ratio is ``abs(sum mu mu) / abs(sum c sigma
    sigma)``, the two parts of the decomposition.

    Raises:
        ValueError: if a run appears twice.
    """
    if runs.run.duplicated().any():
        raise ValueError("runs must hold one row per run: pass table.drop_duplicates('run')")
    rel = ((runs.aw - runs.gap) / runs.gap).abs()
    tight, loose = runs.train_loss < TIGHT_LOSS, runs.train_loss < LOOSE_LOSS
    ratio = (runs.mean_terms / runs.cov_terms).abs()
    worst = lambda s: float(s.max()) if len(s) else math.nan  # noqa: E731
    return {"runs": len(runs), "exactness": float(runs.exactness.max()),
            "identity": float(runs.identity.max()),
            "gap_err_tight": worst(rel[tight]), "n_tight": int(tight.sum()),
            "gap_err_loose": worst(rel[loose]), "n_loose": int(loose.sum()),
            "gap_err_all": float(rel.max()), "mean_ratio_max": float(ratio.max()),
            "mean_ratio_share": float((ratio <= MEAN_RATIO_MAX).mean()),
            "spearman_min": float(runs.spearman_top100.min()),
            "spearman_median": float(runs.spearman_top100.median()),
            "corr_median": float(runs.corr_median.median())}


def verdicts(c: dict) -> dict:
    """Each of our criteria applied to `checks`: True (met), False (missed) or None (not
    testable: no run reached the training loss the criterion needs)."""
    return {"duality": c["exactness"] <= EXACT_TOL, "identity": c["identity"] <= EXACT_TOL,
            "gap_tight": c["gap_err_tight"] <= GAP_TOL_TIGHT if c["n_tight"] else None,
            "gap_loose": c["gap_err_loose"] <= GAP_TOL_LOOSE if c["n_loose"] else None,
            "mean_terms": c["mean_ratio_share"] >= MEAN_RATIO_SHARE,
            "sharpness": c["spearman_min"] >= SPEARMAN_MIN}


def _e(x: float) -> str:
    """1e-08 -> "1e-8"."""
    return f"{x:.0e}".replace("e-0", "e-").replace("e+0", "e")


def criteria(c: dict):
    """Our criteria as a narrow table for the page: criterion, met (bool, or None where not
    testable), threshold, this run's value; rows in the order of `verdicts`."""
    import pandas as pd
    v = verdicts(c)
    within = lambda err, n: (f"{err:.2%} ({n} of {c['runs']})" if n  # noqa: E731
                             else f"no run (of {c['runs']})")
    rows = [
        ("duality exact", f"error ≤ {_e(EXACT_TOL)}", _e(c["exactness"])),
        ("decomposition sums to A-W", f"error ≤ {_e(EXACT_TOL)}", _e(c["identity"])),
        (f"A-W ≈ gap, train CE < {_e(TIGHT_LOSS)}", f"within {GAP_TOL_TIGHT:.0%}",
         within(c["gap_err_tight"], c["n_tight"])),
        (f"A-W ≈ gap, train CE < {_e(LOOSE_LOSS)}", f"within {GAP_TOL_LOOSE:.0%}",
         within(c["gap_err_loose"], c["n_loose"])),
        ("mean terms ≪ covariance",
         f"≤ {MEAN_RATIO_MAX:g} in ≥ {MEAN_RATIO_SHARE:.0%} of runs",
         f"{c['mean_ratio_share']:.0%} of runs (max {c['mean_ratio_max']:.3f})"),
        ("σγ rises with λ (top 100)", f"ρ ≥ {SPEARMAN_MIN:g}, every run",
         f"min {c['spearman_min']:.2f}, median {c['spearman_median']:.2f}"),
    ]
    return pd.DataFrame([(r[0], met, *r[1:]) for r, met in zip(rows, v.values())],
                        columns=["criterion", "met", "threshold", "this run"])


def changes(table, columns=("gap", "sharp_size", "size", "sharpness", "lam_max")):
    """Per swept factor, the seed mean of each of `columns` at the factor's largest value
    divided by that at its smallest; columns "from" and "to" hold the two values. Factors
    with a single value are left out. Returns a DataFrame indexed by factor."""
    import pandas as pd
    means = table.groupby(["factor", "value"])[list(columns)].mean()
    rows = {}
    for factor, g in means.groupby(level="factor"):
        if len(g) > 1:
            values = g.index.get_level_values("value")
            rows[factor] = {"from": values[0], "to": values[-1],
                            **(g.iloc[-1] / g.iloc[0]).to_dict()}
    return pd.DataFrame.from_dict(rows, orient="index",
                                  columns=["from", "to", *columns]).rename_axis("factor")


def direction(ratio: float, tol: float = CHANGE_TOL) -> str:
    """A ratio of two values in words: "rose" above 1 + tol, "fell" below 1 - tol, else
    "barely changed"."""
    return "rose" if ratio > 1 + tol else "fell" if ratio < 1 - tol else "barely changed"


def expected_trends(table, expected=EXPECTED_TRENDS, *, tol: float = CHANGE_TOL):
    """Our expected trends against a sweep, one row per (factor, quantity) of `expected`:
    the expected direction ("up" or "down"), rho (Spearman correlation of the factor's value
    with the seed means, see `trends`), ratio (see `changes`), measured (`direction` of the
    ratio) and "as expected": rho has the expected sign AND the ratio moved by more than
    `tol` that way (None where the factor was not swept)."""
    import pandas as pd
    quantities = sorted({q for _, q, _ in expected})
    trend, change = trends(table, columns=quantities), changes(table, columns=quantities)
    rows = []
    for factor, quantity, sign in expected:
        row = {"hyperparameter": factor, "quantity": quantity,
               "expected": "up" if sign > 0 else "down", "measured": "not swept",
               "ratio": math.nan, "rho": math.nan, "as expected": None}
        if factor in trend.index:
            rho, ratio = float(trend.loc[factor, quantity]), float(change.loc[factor, quantity])
            word = direction(ratio, tol)
            row.update(measured=word, ratio=ratio, rho=rho, **{"as expected": bool(
                np.sign(rho) == sign and word == ("rose" if sign > 0 else "fell"))})
        rows.append(row)
    return pd.DataFrame(rows)


def _and(items) -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    items = list(items)
    return " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items)


def trend_tally(expect) -> dict:
    """From `expected_trends`: how many swept expectations hold ("held" of "tested") and the
    missed ones in words ("the gap fell as the initial weight scale grew"; "none" if none)."""
    tested = expect[expect["as expected"].notna()]
    missed = tested[~tested["as expected"].astype(bool)]
    words = [f"the {q} {m} as the {FACTOR_NAMES.get(f, f)} grew" for f, q, m in
             zip(missed.hyperparameter, missed.quantity, missed.measured)]
    return {"held": int(tested["as expected"].astype(bool).sum()), "tested": len(tested),
            "missed": _and(words) if words else "none"}


def trend_table(expect):
    """`expected_trends` for the page, narrow and in words: hyperparameter (`FACTOR_SHORT`),
    quantity, "as expected" (the verdict), "expected" (up or down), "measured" (rose, fell,
    barely changed, not swept), ratio (largest over smallest swept value) and ρ."""
    out = expect.assign(hyperparameter=expect.hyperparameter.map(lambda f: FACTOR_SHORT.get(f, f)))
    return out[["hyperparameter", "quantity", "as expected", "expected", "measured", "ratio",
                "rho"]].rename(columns={"rho": "ρ"})


def follows_gap(table, column: str = "sharp_size") -> tuple[int, int]:
    """In how many swept factors `column` (default: the sharpness-size sum sum_n sigma_gamma
    sigma_theta) moves the same way as the gap (same sign of the `trends` correlation), and
    of how many."""
    trend = trends(table, columns=("gap", column))
    return int((np.sign(trend.gap) == np.sign(trend[column])).sum()), len(trend)


def capped_runs(runs, max_epochs: int) -> str:
    """A sentence on the runs (one row per run) that stopped at the epoch cap, naming their
    configurations (`run_labels`), or saying that none did."""
    capped = (runs.epochs >= max_epochs).to_numpy()
    if not capped.any():
        return "No run stopped at the epoch cap"
    names = ", ".join(dict.fromkeys(run_labels(runs)[capped]))
    return (f"{int(capped.sum())} of the {len(runs)} runs ({names}) stopped at the epoch cap "
            "before reaching that loss")


_BRIDGE = ["train_acc", "test_acc", "gap", "sharp_size", "size", "sharpness", "displacement"]


def phase_means(bridge):
    """Seed means per phase of `geneft_phases`' table, indexed by phase: train_acc,
    test_acc, gap, sharp_size, size, sharpness and displacement (those present)."""
    return bridge.groupby("phase")[[c for c in _BRIDGE if c in bridge]].mean()


def bridge_separates(bridge) -> bool:
    """Our bridge criterion on `geneft_phases`' table, seed by seed: every model of the
    memorizing phase M has a lower test accuracy and a larger sharpness-size sum
    sum_n sigma_gamma sigma_theta than every model of the generalizing phase G."""
    G, M = bridge[bridge.phase == "G"], bridge[bridge.phase == "M"]
    return bool(M.test_acc.max() < G.test_acc.min() and M.sharp_size.min() > G.sharp_size.max())


def bridge_ratios(bridge, columns=("sharp_size", "size", "sharpness", "displacement")) -> dict:
    """M over G for each of `columns` of `geneft_phases`' table, robust to a few seeds: per
    column {"low": smallest M value / largest G value (the smallest ratio of any M model to
    any G model), "geo": ratio of the geometric means over seeds, "high": largest M / smallest
    G, "G spread": largest G / smallest G}; and "larger": the factor, "size" or "sharpness",
    whose ratio is larger both at "low" and at "geo", or "neither" if they disagree."""
    G, M = bridge[bridge.phase == "G"], bridge[bridge.phase == "M"]
    geo = lambda x: float(np.exp(np.log(x).mean()))  # noqa: E731
    out = {q: {"low": float(M[q].min() / G[q].max()), "geo": geo(M[q]) / geo(G[q]),
               "high": float(M[q].max() / G[q].min()), "G spread": float(G[q].max() / G[q].min())}
           for q in columns if q in bridge}
    size, sharp = out["size"], out["sharpness"]
    larger = ("size" if size["low"] > sharp["low"] and size["geo"] > sharp["geo"] else
              "sharpness" if size["low"] < sharp["low"] and size["geo"] < sharp["geo"] else
              "neither")
    return {**out, "larger": larger}


def approx(x: float) -> str:
    """x to two significant digits, without exponent notation for numbers people read:
    21356 -> "21,000", 112.07 -> "110", 4.79 -> "4.8", 0.0059 -> "0.0059"."""
    r = float(f"{x:.2g}")
    return f"{r:,.0f}" if abs(r) >= 10 else f"{r:g}"


def seed_range(x, fmt: str | None = None) -> str:
    """Values over seeds as "lo to hi", each by `approx` or by the format specification
    `fmt` (".3f" for accuracies), or one value when both read the same."""
    show = approx if fmt is None else (lambda v: format(v, fmt))  # noqa: E731
    lo, hi = show(min(x)), show(max(x))
    return lo if lo == hi else f"{lo} to {hi}"


def claims(c: dict, expect, bridge) -> list:
    """The chapter's scorecard rows (`scorecard.Claim`) from `checks`, `expected_trends` and
    `geneft_phases`' table; statuses from `verdicts`, `trend_tally` and `bridge_separates`.
    The GenEFT bridge is our extension, not a claim of the paper: its row is shown but not
    counted in the book's tally."""
    from . import scorecard
    v, t = verdicts(c), trend_tally(expect)
    gap = [x for x in (v["gap_tight"], v["gap_loose"]) if x is not None] or [False]
    G, M = (bridge[bridge.phase == p].sharp_size for p in ("G", "M"))
    seeds = bridge.groupby("phase").size()
    return [
        scorecard.Claim("Duality", "a test sample's loss is a training sample's loss under "
                        "dual weights", "exact", f"largest error {_e(c['exactness'])}; "
                        f"identity {_e(c['identity'])}", r"$\le 10^{-8}$",
                        scorecard.status([v["duality"], v["identity"]]), "aw-exact"),
        scorecard.Claim("Gap estimate", "the A-W estimate equals the gap", "near "
                        "interpolation", f"within {c['gap_err_all']:.2%} over all runs",
                        r"2 % (training CE $< 10^{-3}$), 10 % ($< 10^{-2}$)",
                        scorecard.status(gap), "aw-exact"),
        scorecard.Claim("Decomposition", "mean terms negligible; sharpness grows with the "
                        "curvature", r"gap $\approx c \sum_n \sigma_{\gamma,n}\sigma_{\theta,n}$",
                        f"mean/covariance ≤ {MEAN_RATIO_MAX:g} in {c['mean_ratio_share']:.0%} "
                        f"of runs; lowest Spearman {c['spearman_min']:.2f}",
                        r"ratio $\le 0.1$ in 75 % of runs; $\rho \ge 0.4$",
                        scorecard.status([v["mean_terms"], v["sharpness"]]), "aw-directions"),
        scorecard.Claim("Hyperparameters", "each hyperparameter acts on sharpness, size or "
                        "both", "directions: our reading of the paper",
                        f"{t['held']} of {t['tested']} directions as expected",
                        rf"sign of Spearman $\rho$ and a change over {CHANGE_TOL:.0%}",
                        scorecard.status([bool(x) for x in expect["as expected"].dropna()])
                        if t["tested"] else "not testable", "aw-factors"),
        scorecard.Claim("GenEFT bridge", r"memorization has the larger "
                        r"$\sum_n \sigma_{\gamma,n}\sigma_{\theta,n}$",
                        "not in the paper: our extension",
                        f"G {seed_range(G)}, M {seed_range(M)} ({seeds.min()} seeds per phase)",
                        "every M model above every G model, with lower test accuracy",
                        scorecard.status(bridge_separates(bridge)), "aw-bridge",
                        counted=False),
    ]


# --- both sizes: the verdicts and the hyperparameter figure from the result tables -----------
# The chapter computes these from the tables of the run it makes and from the tables of a
# stored full-size run (geneft.store), with the same functions, so the two sizes compare.

#: Axis labels of `factor_figure`'s panels, by column of the sweep table (matplotlib mathtext).
#:
#: :meta hide-value:
FIGURE_COLUMNS = {"gap": "gap", "sharp_size": r"$\Sigma_n\,\sigma_{\gamma,n}\sigma_{\theta,n}$",
                  "size": r"size $\Sigma_n\,\sigma_{\theta,n}^2$",
                  "sharpness": r"mean sharpness $\sigma_{\gamma,n}$"}


def assess(table, bridge) -> dict:
    """The chapter's verdicts from its two result tables, `sweep`'s table (one row per factor,
    value and seed) and `geneft_phases`' table (one row per phase and seed).

    Returns:
        {"runs": one row per trained network, "checks": `checks`, "expect":
        `expected_trends`, "tally": `trend_tally`, "claims": `claims` (the scorecard rows)}.
    """
    runs = table.drop_duplicates("run")
    c, expect = checks(runs), expected_trends(table)
    return {"runs": runs, "checks": c, "expect": expect, "tally": trend_tally(expect),
            "claims": claims(c, expect, bridge)}


def size_comparison(found: dict, full: dict | None) -> str:
    """Where a full-size result differs from the page's run, in words, from `assess` of each
    (`full` None: nothing stored): the networks and seeds behind it, the expected
    hyperparameter effects that held at each size, and the scorecard rows whose status
    differs."""
    if full is None:
        return ("no full-size result is stored for this configuration, so the scorecard's "
                "full-size column reads \"not stored\"")
    seeds = configurations(full["runs"]).seeds.min()
    t, q = full["tally"], found["tally"]
    changed = [f"{a.item} ({a.status} here, {b.status} at full size)"
               for a, b in zip(found["claims"], full["claims"]) if a.status != b.status]
    rows = ("every scorecard row has the same status at both sizes" if not changed else
            f"the scorecard rows that differ are {_and(changed)}")
    return (f"with {len(full['runs'])} networks ({seeds} seeds per setting), "
            f"{t['held']} of the {t['tested']} expected hyperparameter effects held (here "
            f"{q['held']} of {q['tested']}; missed at full size: {t['missed']}), and {rows}")


def factor_figure(table, *, columns: dict | None = None):
    """The chapter's hyperparameter figure from `sweep`'s table: one panel per factor swept
    over two or more values, each of `columns` as its seed mean (band: one standard deviation)
    divided by its mean at the factor's base value (`plots.factor_panels`), two panels a row,
    the page's width, with one legend; a factor whose values span a factor of 10 or more is
    drawn on a log axis. `columns`: {column: axis label}; None: `FIGURE_COLUMNS`.

    Returns:
        the Figure, or None when no factor has two values.
    """
    columns = FIGURE_COLUMNS if columns is None else columns
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.ticker import NullFormatter

    from . import plots
    counts = table.groupby("factor", sort=False).value.nunique()
    factors = list(counts.index[counts > 1])
    if not factors:
        return None
    base = table[table.is_base].groupby("factor").value.first().to_dict()
    ncols = min(2, len(factors))
    nrows = -(-len(factors) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(plots.WIDTH, 2.6 * nrows + 0.4),
                             squeeze=False)
    plots.factor_panels(axes.ravel(), table, factors, columns, base=base)
    for ax, factor in zip(axes.ravel(), factors):
        values = table.value[table.factor == factor]
        if values.min() > 0 and values.max() >= 10 * values.min():
            ax.set_xscale("log")                      # e.g. learning rates 0.005 .. 0.1
            ax.set_xticks(sorted(values.unique()), [f"{v:g}" for v in sorted(values.unique())])
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(FACTOR_NAMES.get(factor, factor))
    handles = axes[0, 0].get_lines()[:len(columns)] + [
        Line2D([], [], color=plots.PALETTE["black"], lw=0.6, label="base value")]
    spare = axes.ravel()[len(factors):]
    for ax in spare:
        ax.axis("off")
    if len(spare):
        spare[0].legend(handles=handles, loc="center")
    else:
        fig.legend(handles=handles, loc="outside upper center", ncols=3)
    return fig
