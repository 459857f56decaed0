"""Large two-layer networks in mean-field time: feature learning, overfitting and feature
unlearning on separate time scales (Montanari and Urbani, arXiv 2502.21269; spec beyond.md B).

The network is f(x) = (1/m) sum_i a_i sigma(<w_i, x>) (spec B.2), trained by full-batch gradient
descent on L = (1/2n) sum_mu (f(x_mu) - y_mu)^2 with step eta * m per parameter, so that each
neuron moves O(1) per unit of mean-field time t = eta * step and curves for different widths m
coincide. Inputs are x ~ N(0, I_d); labels are pure noise (y = tau xi) or a single-index target
y = phi(<u, x>) + tau xi with phi(z) = tanh(2z) (spec B.2).

`simulate` trains one network per (sample ratio alpha = n/d, seed), the seeds of each alpha in
one batched tensor. (`make_data` can also pad datasets of different sizes into one batch, the
padding weighted zero in the loss; measured, that is slower than one batch per size.) The observables of spec B.2
(train MSE, test excess risk, feature alignment, path norm) are recorded on a log-spaced step
grid. Data and initial weights are drawn in float64; training runs in float32 by default
(float64 on request), deterministic for a given seed on one device.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from . import progress as _progress
from .train import resolve_device

__all__ = ["ACTIVATIONS", "TARGETS", "gaussian_equivalence", "Data", "make_data", "init",
           "network", "gradients", "gd_step", "alignment", "path_norm", "eval_steps", "stable_eta",
           "simulate", "timescales"]

ACTIVATIONS = {"relu": torch.relu, "identity": lambda h: h}
TARGETS = {"latent": lambda z: torch.tanh(2 * z), "noise": lambda z: torch.zeros_like(z)}


def gaussian_equivalence(sigma=np.tanh, *, points: int = 400_001, cutoff: float = 12.0):
    """The Gaussian-equivalence coefficients of a nonlinearity (spec B.2): for z ~ N(0, 1),
    sigma(z) is replaced by mu0 + mu1 z + mu_star g with g ~ N(0, 1) independent, where
    mu0 = E sigma(z), mu1 = E z sigma(z), mu_star^2 = E sigma(z)^2 - mu0^2 - mu1^2.

    The expectations are trapezoid sums on a uniform grid over [-cutoff, cutoff], accurate to
    about 1e-9 also for functions with a kink such as ReLU (Gauss-Hermite is not).

    Args:
        sigma: a vectorised function of a numpy array.

    Returns:
        (mu0, mu1, mu_star2) as floats. ReLU: (1/sqrt(2 pi), 1/2, 1/2 - 1/(2 pi) - 1/4).
    """
    z = np.linspace(-cutoff, cutoff, points)
    w = np.exp(-z ** 2 / 2) / math.sqrt(2 * math.pi) * (z[1] - z[0])
    w[[0, -1]] /= 2
    s = sigma(z)
    mu0, mu1 = float(w @ s), float(w @ (z * s))
    return mu0, mu1, float(w @ s ** 2) - mu0 ** 2 - mu1 ** 2


@dataclass
class Data:
    """Training and test sets of every replica, padded to a common size.

    Attributes:
        X: (R, n_max, d) inputs; y: (R, n_max) labels; weight: (R, n_max) 1/n_r on real
        samples and 0 on padding; X_test: (R, n_test, d); y_test: (R, n_test) the noiseless
        target phi(<u, x>) (0 for pure noise); u: (R, d) unit latent directions; n: (R,) sizes.
    """

    X: torch.Tensor
    y: torch.Tensor
    weight: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    u: torch.Tensor
    n: torch.Tensor


def make_data(ns, d: int, seeds, *, target: str = "latent", tau: float = 0.5,
              n_test: int = 2000) -> Data:
    """One dataset per replica r: n = ns[r] samples in dimension d drawn with seed seeds[r].

    Raises:
        ValueError: naming `target` (allowed: TARGETS), `d`, `ns`, `tau` or `n_test`.
    """
    if target not in TARGETS:
        raise ValueError(f"target must be one of {sorted(TARGETS)}, got {target!r}")
    if d < 1 or n_test < 1 or tau < 0 or len(ns) != len(seeds) or min(ns) < 1:
        raise ValueError(f"need d >= 1, n_test >= 1, tau >= 0 and one n >= 1 per seed; got "
                         f"d={d}, n_test={n_test}, tau={tau}, ns={list(ns)}, seeds={list(seeds)}")
    phi, n_max, R = TARGETS[target], max(ns), len(ns)
    X = torch.zeros(R, n_max, d, dtype=torch.float64)
    y, weight = torch.zeros(R, n_max, dtype=torch.float64), torch.zeros(R, n_max, dtype=torch.float64)
    X_test = torch.empty(R, n_test, d, dtype=torch.float64)
    y_test, u = torch.empty(R, n_test, dtype=torch.float64), torch.empty(R, d, dtype=torch.float64)
    for r, (n, seed) in enumerate(zip(ns, seeds)):
        g = torch.Generator().manual_seed(int(seed))
        u[r] = torch.randn(d, generator=g, dtype=torch.float64)
        u[r] /= u[r].norm()
        X[r, :n] = torch.randn(n, d, generator=g, dtype=torch.float64)
        y[r, :n] = phi(X[r, :n] @ u[r]) + tau * torch.randn(n, generator=g, dtype=torch.float64)
        weight[r, :n] = 1.0 / n
        X_test[r] = torch.randn(n_test, d, generator=g, dtype=torch.float64)
        y_test[r] = phi(X_test[r] @ u[r])
    return Data(X, y, weight, X_test, y_test, u, torch.tensor(list(ns)))


def init(R: int, m: int, d: int, seeds, *, a0: float = 0.1):
    """Initial parameters (spec B.2): w_i ~ N(0, I_d / d), a_i ~ N(0, a0^2).

    Returns:
        a: (R, m) second-layer weights; W: (R, m, d) first-layer weights.
    """
    a = torch.empty(R, m, dtype=torch.float64)
    W = torch.empty(R, m, d, dtype=torch.float64)
    for r, seed in enumerate(seeds):
        g = torch.Generator().manual_seed(10_007 + int(seed))  # not the data's stream
        W[r] = torch.randn(m, d, generator=g, dtype=torch.float64) / math.sqrt(d)
        a[r] = a0 * torch.randn(m, generator=g, dtype=torch.float64)
    return a, W


def network(a, W, X, *, activation: str = "relu"):
    """f(x) = (1/m) sum_i a_i sigma(<w_i, x>) (spec B.2). a: (R, m), W: (R, m, d), X: (R, n, d);
    returns (R, n)."""
    h = X @ W.transpose(1, 2)                                    # (R, n, m)
    return (ACTIVATIONS[activation](h) @ a.unsqueeze(-1)).squeeze(-1) / a.shape[1]   # (R, n)


def gradients(a, W, data: Data, *, activation: str = "relu"):
    """Gradients of L = (1/2) sum_mu weight_mu (f(x_mu) - y_mu)^2 with respect to a and W,
    written out (d relu(h)/dh = 1[h > 0]) so that each step costs three batched matmuls.

    Returns:
        (grad_a (R, m), grad_W (R, m, d), residual (R, n_max)).
    """
    m = a.shape[1]
    h = data.X @ W.transpose(1, 2)                                # (R, n, m)
    s = ACTIVATIONS[activation](h)
    r = torch.bmm(s, a.unsqueeze(-1)).squeeze(-1) / m - data.y    # (R, n)
    wr = (data.weight * r).unsqueeze(-1)                          # (R, n, 1)
    grad_a = torch.bmm(wr.transpose(1, 2), s).squeeze(1) / m      # (R, m)
    back = (h > 0) * wr if activation == "relu" else wr.expand_as(h)   # (R, n, m)
    grad_W = torch.bmm(back.transpose(1, 2), data.X) * (a / m).unsqueeze(-1)   # (R, m, d)
    return grad_a, grad_W, r


def gd_step(a, W, data: Data, *, eta: float, activation: str = "relu", train_a: bool = True):
    """One full-batch gradient step in mean-field scaling: each parameter moves by eta * m
    times its gradient, so k steps are mean-field time t = eta * k (spec B.2). Returns (a, W)."""
    m = a.shape[1]
    grad_a, grad_W, _ = gradients(a, W, data, activation=activation)
    return (a - eta * m * grad_a if train_a else a), W - eta * m * grad_W


def alignment(a, W, u):
    """Feature alignment ``A = sum_i abs(a_i) norm(w_i) abs(cos(w_i, u)) / sum_i abs(a_i)
    norm(w_i)``, in [0, 1] (spec B.2). Returns (R,)."""
    norm = W.norm(dim=-1)                                          # (R, m)
    cos = (W @ u.unsqueeze(-1)).squeeze(-1).abs() / norm.clamp_min(1e-300)
    mass = a.abs() * norm
    return (mass * cos).sum(1) / mass.sum(1)


def path_norm(a, W):
    """Path norm ``P = (1/m) sum_i abs(a_i) norm(w_i)``, the complexity proxy of spec B.2: it bounds the
    Rademacher complexity of two-layer ReLU nets. Returns (R,)."""
    return (a.abs() * W.norm(dim=-1)).mean(1)


def eval_steps(steps: int, points: int = 40):
    """0 and about `points` log-spaced steps from 1 to `steps` (unique integers, sorted)."""
    return np.unique(np.concatenate([[0], np.geomspace(1, steps, points).round().astype(int)]))


def stable_eta(eta: float, a0: float) -> float:
    """The mean-field step for init scale a0: eta up to a0 = 1, eta / a0^2 above. The tangent
    kernel of the network scales as a0^2 at init, so a fixed step diverges for a large a0 (spec
    B.3: a0 = 10 needs 0.002 where a0 = 0.1 takes 0.2)."""
    return eta / max(1.0, a0 ** 2)


def _observe(a, W, data, activation):
    f = network(a, W, data.X, activation=activation)
    f_test = network(a, W, data.X_test, activation=activation)
    return {"train": (data.weight * (f - data.y) ** 2).sum(1),
            "test": ((f_test - data.y_test) ** 2).mean(1),
            "align": alignment(a, W, data.u), "path": path_norm(a, W)}


def simulate(alphas, seeds, *, d: int = 30, m: int = 100, a0: float = 0.1, tau: float = 0.5,
             target: str = "latent", eta: float = 0.2, steps: int = 6000, n_test: int = 2000,
             eval_points: int = 40, activation: str = "relu", train_a: bool = True,
             dtype: str = "float32", device: str = "auto",
             progress: bool = False) -> pd.DataFrame:
    """Full-batch gradient descent in mean-field time for every (alpha, seed), the seeds of one
    alpha batched.

    Each parameter moves by eta * m times its gradient per step, so the mean-field time after
    k steps is t = eta * k (spec B.2).

    Args:
        alphas: sample ratios n/d; n = round(alpha * d).
        seeds: the seeds of data and initialisation; every alpha runs every seed.
        d, m: input dimension and width. a0: std of the second-layer weights at init.
        tau: label-noise std. target: a key of TARGETS. eta: the mean-field step.
        steps: gradient steps. n_test: fresh test points. eval_points: log-spaced records.
        activation: a key of ACTIVATIONS. train_a: False freezes the second layer.
        dtype: "float32" (twice as fast on CPU; the default) or "float64".
        device: "auto" (CUDA when present), "cpu" or "cuda". progress: a tqdm bar over steps.

    Returns:
        One row per (alpha, seed, step): alpha, seed, n, step, t, train (train MSE), test
        (test excess risk E (f - phi)^2), align (A), path (P).

    Raises:
        ValueError: naming the argument and its allowed values.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    if not alphas or min(alphas) <= 0 or not seeds or m < 1 or steps < 1 or eta <= 0 or a0 < 0:
        raise ValueError(f"need alphas > 0, at least one seed, m >= 1, steps >= 1, eta > 0 and "
                         f"a0 >= 0; got alphas={list(alphas)}, seeds={list(seeds)}, m={m}, "
                         f"steps={steps}, eta={eta}, a0={a0}")
    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype must be one of ['float32', 'float64'], got {dtype!r}")
    dev, dt = resolve_device(device), getattr(torch, dtype)
    record = set(eval_steps(steps, eval_points).tolist())
    # One batch per alpha: its seeds share n, so nothing is padded (bench/twolayer.py: padding
    # every alpha to the largest n was 1.6-4.8x slower per step than this).
    rows = []
    bar = _progress.bar(total=len(alphas) * steps, progress=progress, desc="gradient descent",
               miniters=200)
    for al in alphas:
        n = max(1, round(al * d))
        data = make_data([n] * len(seeds), d, list(seeds), target=target, tau=tau, n_test=n_test)
        a, W = init(len(seeds), m, d, list(seeds), a0=a0)
        for name in ("X", "y", "weight", "X_test", "y_test", "u"):
            setattr(data, name, getattr(data, name).to(dev, dt))
        a, W = a.to(dev, dt), W.to(dev, dt)
        for k in range(steps + 1):
            if k in record:
                obs = {key: v.cpu().numpy() for key, v in _observe(a, W, data, activation).items()}
                rows += [{"alpha": al, "seed": s, "n": n, "step": k, "t": eta * k,
                          **{key: float(v[r]) for key, v in obs.items()}}
                         for r, s in enumerate(seeds)]
            if k < steps:
                a, W = gd_step(a, W, data, eta=eta, activation=activation, train_a=train_a)
                bar.update()
    bar.close()
    return pd.DataFrame(rows).sort_values(["alpha", "seed", "step"], ignore_index=True)


def timescales(curves: pd.DataFrame, *, feat_level: float = 0.9, fit_level: float = 0.01):
    """Per alpha, from seed-averaged curves of `simulate` (spec B.3):
    t_feat, the first recorded step where A reaches feat_level of its peak; t_fit, the first
    where the train MSE drops below fit_level (NaN if never); t_star, the step of the lowest
    test error; the test error at 0, t_star and the end; A at its peak and at the end; P at
    t_star and at the end.

    Returns:
        A DataFrame indexed by alpha.
    """
    mean = curves.groupby(["alpha", "step"], as_index=False)[["train", "test", "align",
                                                               "path"]].mean()
    out = {}
    for al, g in mean.groupby("alpha"):
        g = g.sort_values("step").reset_index(drop=True)
        feat = g.step[g["align"] >= feat_level * g["align"].max()].iloc[0]
        fitted = g.step[g.train < fit_level]
        star = g.test.idxmin()
        out[al] = {"t_feat": feat, "t_fit": fitted.iloc[0] if len(fitted) else np.nan,
                   "t_star": g.step[star], "test_0": g.test.iloc[0], "test_star": g.test[star],
                   "test_end": g.test.iloc[-1], "align_peak": g["align"].max(),
                   "align_end": g["align"].iloc[-1], "path_star": g.path[star],
                   "path_end": g.path.iloc[-1], "train_end": g.train.iloc[-1]}
    return pd.DataFrame.from_dict(out, orient="index").rename_axis("alpha")
