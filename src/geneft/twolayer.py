"""Large two-layer networks in mean-field time: feature learning, overfitting and feature
unlearning on separate time scales (Montanari and Urbani, arXiv 2502.21269).

Only the paper's abstract and introduction were available to us, so the setting here is our
own choice within the one they describe. The network is f(x) = (1/m) sum_i a_i sigma(<w_i, x>),
trained by full-batch gradient descent on L = (1/2n) sum_mu (f(x_mu) - y_mu)^2 with step eta * m
per parameter, so that each neuron moves O(1) per unit of mean-field time t = eta * step and
curves for different widths m coincide. Inputs are x ~ N(0, I_d); labels are pure noise
(y = tau xi) or a single-index target y = phi(<u, x>) + tau xi with phi(z) = tanh(2z).

`simulate` trains one network per (sample ratio alpha = n/d, seed), the seeds of each alpha in
one batched tensor. (`make_data` can also pad datasets of different sizes into one batch, the
padding weighted zero in the loss; one batch per size is faster.) Four observables (train MSE,
test excess risk, feature alignment, path norm) are recorded on a log-spaced step grid. Data
and initial weights are drawn in float64; training runs in float32 by default (float64 on
request), deterministic for a given seed on one device.

`timescales` reads the time scales off the curves (t_feat and t_fit interpolated between the
recorded steps by `crossing`), and `criteria` judges them by the success
criteria we set for this reproduction (the thresholds below; the paper's own figures were not
available to us); `claims` turns the verdicts into the scorecard's rows. `analyse` does all of it
from the recorded runs, so that a stored full-size result is judged as the page's own run is.
The `*_numbers` functions at the end hand each section of the chapter the numbers its prose
quotes, as one dict. The figures are in `geneft.plots.twolayer`.
"""
from __future__ import annotations

import dataclasses
import functools
import inspect
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from . import threads, units
from .train import resolve_device

__all__ = ["ACTIVATIONS", "TARGETS", "gaussian_equivalence", "Data", "make_data", "init",
           "network", "gradients", "gd_step", "alignment", "path_norm", "eval_steps", "grid_ratio",
           "stable_eta", "simulate", "crossing", "timescales", "timescale_table",
           "Separation", "separation", "growth", "middle", "chapter_cost", "TRY_IT",
           "try_it_seconds", "init_contrast", "width_sweep", "width_gaps", "with_reference",
           "Check", "phase_checks", "init_checks", "width_check", "criteria", "criteria_table",
           "size_numbers", "size_gist", "claims", "CURVES", "analyse", "listing", "trend",
           "against", "criteria_met", "findings_reproduced", "phase_numbers",
           "separation_numbers", "init_numbers", "noise_numbers", "width_numbers",
           "summary_numbers"]

ACTIVATIONS = {"relu": torch.relu, "identity": lambda h: h}
TARGETS = {"latent": lambda z: torch.tanh(2 * z), "noise": lambda z: torch.zeros_like(z)}
FEAT_LEVEL = 0.9   # t_feat: the alignment reaches this share of its peak
FIT_LEVEL = 0.01   # t_fit: the train MSE drops below this
# Column names of `timescale_table`: E test excess risk, A alignment, P path norm, T last step.
LABELS = {"alpha": "α", "t_feat": "t_feat", "t_star": "t*", "t_fit": "t_fit", "test_0": "E(0)",
          "test_star": "E(t*)", "test_end": "E(T)", "align_peak": "max A", "align_end": "A(T)",
          "path_star": "P(t*)", "path_end": "P(T)"}


def gaussian_equivalence(sigma=np.tanh, *, points: int = 400_001, cutoff: float = 12.0):
    """The Gaussian-equivalence coefficients of a nonlinearity: for z ~ N(0, 1),
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
    y = torch.zeros(R, n_max, dtype=torch.float64)
    weight = torch.zeros(R, n_max, dtype=torch.float64)
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
    """Initial parameters: w_i ~ N(0, I_d / d), a_i ~ N(0, a0^2).

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
    """f(x) = (1/m) sum_i a_i sigma(<w_i, x>), the mean-field scaling. a: (R, m), W: (R, m, d),
    X: (R, n, d); returns (R, n)."""
    h = X @ W.transpose(1, 2)                                    # (R, n, m)
    return (ACTIVATIONS[activation](h) @ a.unsqueeze(-1)).squeeze(-1) / a.shape[1]   # (R, n)


def gradients(a, W, data: Data, *, activation: str = "relu"):
    """Gradients of L = (1/2) sum_mu weight_mu (f(x_mu) - y_mu)^2 with respect to a and W,
    written out (d relu(h)/dh = 1[h > 0]) so that a step costs two batched matrix products of
    size n x m x d (the pre-activations and grad_W) and two matrix-vector products.

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
    times its gradient, so k steps are mean-field time t = eta * k. Returns (a, W)."""
    m = a.shape[1]
    grad_a, grad_W, _ = gradients(a, W, data, activation=activation)
    return (a - eta * m * grad_a if train_a else a), W - eta * m * grad_W


def alignment(a, W, u):
    """Feature alignment ``A = sum_i abs(a_i) norm(w_i) abs(cos(w_i, u)) / sum_i abs(a_i)
    norm(w_i)``, in [0, 1]: the weight-averaged cosine of the neurons with the latent
    direction u. Returns (R,)."""
    norm = W.norm(dim=-1)                                          # (R, m)
    cos = (W @ u.unsqueeze(-1)).squeeze(-1).abs() / norm.clamp_min(1e-300)
    mass = a.abs() * norm
    return (mass * cos).sum(1) / mass.sum(1)


def path_norm(a, W):
    """Path norm ``P = (1/m) sum_i abs(a_i) norm(w_i)``, our measure of complexity: the
    Rademacher complexity of two-layer ReLU nets with path norm at most P is at most
    2 P max_mu norm(x_mu) / sqrt(n). Returns (R,)."""
    return (a.abs() * W.norm(dim=-1)).mean(1)


def eval_steps(steps: int, points: int = 40):
    """0 and about `points` log-spaced steps from 1 to `steps` (unique integers, sorted)."""
    return np.unique(np.concatenate([[0], np.geomspace(1, steps, points).round().astype(int)]))


def grid_ratio(steps: int, points: int = 40) -> float:
    """The factor between consecutive recorded steps of `eval_steps(steps, points)` where the
    grid is log-spaced: steps^(1 / (points - 1)) (1.25 for 6000 steps and 40 points). A time
    read off the grid alone is known only to this factor."""
    return float(steps ** (1 / (points - 1)))


def stable_eta(eta: float, a0: float) -> float:
    """The mean-field step for init scale a0: eta up to a0 = 1, eta / a0^2 above. The tangent
    kernel of the network scales as a0^2 at init, so a fixed step diverges for a large a0
    (a0 = 10 needs eta / 100)."""
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
             dtype: str = "float32", device: str = "auto", cache="off",
             progress: bool = False) -> pd.DataFrame:
    """Full-batch gradient descent in mean-field time for every (alpha, seed), the seeds of one
    alpha batched.

    Each parameter moves by eta * m times its gradient per step, so the mean-field time after
    k steps is t = eta * k.

    Args:
        alphas: sample ratios n/d; n = round(alpha * d).
        seeds: the seeds of data and initialisation; every alpha runs every seed.
        d, m: input dimension and width. a0: std of the second-layer weights at init.
        tau: label-noise std. target: a key of TARGETS. eta: the mean-field step.
        steps: gradient steps. n_test: fresh test points. eval_points: log-spaced records.
        activation: a key of ACTIVATIONS. train_a: False freezes the second layer.
        dtype: "float32" (the default; faster on CPU) or "float64".
        device: "auto" (CUDA when present), "cpu" or "cuda".
        cache: run cache of each alpha's networks (`units.run_units`): a directory, None (the
            default cache) or "off" (the default here: none). Sharded by ``$GENEFT_SHARD``.
        progress: a tqdm bar over the alphas.

    Returns:
        One row per (alpha, seed, step): alpha, seed, n, step, t, train (train MSE), test
        (test excess risk E (f - phi)^2), align (A), path (P); ``attrs["compute_s"]``: the
        seconds the training took (when trained: also for networks read from the cache).

    Raises:
        ValueError: naming the argument and its allowed values.
    """
    options = dict(d=d, m=m, a0=a0, tau=tau, target=target, eta=eta, steps=steps,
                   n_test=n_test, eval_points=eval_points, activation=activation,
                   train_a=train_a, dtype=dtype)
    frames, seconds = _networks([dict(alpha=al, **options) for al in alphas], seeds,
                                device=device, cache=cache, progress=progress)
    rows = pd.concat(frames, ignore_index=True).sort_values(["alpha", "seed", "step"],
                                                            ignore_index=True)
    rows.attrs["compute_s"] = seconds
    return rows


def _networks(specs: list[dict], seeds, *, device, cache, progress) -> tuple[list, float]:
    """`_train_alpha` of every spec (the options of `simulate` at one alpha) for `seeds`,
    through the run cache: one unit per spec. One table of rows per spec, and the seconds
    their training took (when trained, for a cached unit too)."""
    if not specs or not len(seeds):
        raise ValueError(f"need alphas > 0, at least one seed, m >= 1, steps >= 1, eta > 0 "
                         f"and a0 >= 0; got {len(specs)} alphas and seeds={list(seeds)}")
    for spec in specs:
        _check(spec, seeds)
    seeds = [int(s) for s in seeds]
    found = units.run_units(
        "twolayer.simulate", functools.partial(_unit, device=device),
        [{**spec, "seeds": seeds} for spec in specs], modules=("twolayer.py",), cache=cache,
        progress=progress, desc="networks")
    return [f["rows"] for f in found], units.compute_seconds(found)


def _check(spec: dict, seeds) -> None:
    if spec["activation"] not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got "
                         f"{spec['activation']!r}")
    if spec["dtype"] not in ("float32", "float64"):
        raise ValueError(f"dtype must be one of ['float32', 'float64'], got {spec['dtype']!r}")
    if not (spec["alpha"] > 0 and len(seeds) and spec["m"] >= 1 and spec["steps"] >= 1
            and spec["eta"] > 0 and spec["a0"] >= 0):
        raise ValueError(f"need alphas > 0, at least one seed, m >= 1, steps >= 1, eta > 0 and "
                         f"a0 >= 0; got alpha={spec['alpha']}, seeds={list(seeds)}, "
                         f"m={spec['m']}, steps={spec['steps']}, eta={spec['eta']}, "
                         f"a0={spec['a0']}")


def _unit(spec: dict, device) -> dict:
    """One unit of `_networks`: the networks of every seed at one alpha, as {"rows": table}."""
    return {"rows": _train_alpha(spec.pop("alpha"), spec.pop("seeds"), device=device, **spec)}


def _train_alpha(al, seeds, *, d, m, a0, tau, target, eta, steps, n_test, eval_points,
                 activation, train_a, dtype, device) -> pd.DataFrame:
    """The networks of every seed at one sample ratio, trained as one batch (its seeds share n,
    so nothing is padded: one batch per alpha is faster than padding, bench/twolayer.py)."""
    dev, dt = resolve_device(device), getattr(torch, dtype)
    record = set(eval_steps(steps, eval_points).tolist())
    n = max(1, round(al * d))
    data = make_data([n] * len(seeds), d, list(seeds), target=target, tau=tau, n_test=n_test)
    a, W = init(len(seeds), m, d, list(seeds), a0=a0)
    for name in ("X", "y", "weight", "X_test", "y_test", "u"):
        setattr(data, name, getattr(data, name).to(dev, dt))
    a, W = a.to(dev, dt), W.to(dev, dt)
    rows = []
    with threads.one_thread_if_small(len(seeds) * n * m):          # the hidden activations
        for k in range(steps + 1):
            if k in record:
                obs = {key: v.cpu().numpy()
                       for key, v in _observe(a, W, data, activation).items()}
                rows += [{"alpha": al, "seed": s, "n": n, "step": k, "t": eta * k,
                          **{key: float(v[r]) for key, v in obs.items()}}
                         for r, s in enumerate(seeds)]
            if k < steps:
                a, W = gd_step(a, W, data, eta=eta, activation=activation, train_a=train_a)
    return pd.DataFrame(rows)


def crossing(steps, values, level: float, *, rising: bool, log_values: bool = False) -> float:
    """The step at which a recorded curve first reaches `level` (values >= level if `rising`,
    values < level if not), interpolated between that record and the one before it: linear in
    log step (in the step itself when the earlier record is step 0) and linear in the value (in
    its log if `log_values` and both values are positive).

    Returns:
        The step as a float; the first recorded step if the curve starts at the level; NaN if
        it never reaches it.
    """
    steps, values = np.asarray(steps, dtype=float), np.asarray(values, dtype=float)
    hit = np.flatnonzero(values >= level if rising else values < level)
    if len(hit) == 0:
        return math.nan
    j = hit[0]
    if j == 0:
        return float(steps[0])
    (s0, s1), (v0, v1) = steps[j - 1:j + 1], values[j - 1:j + 1]
    if log_values and v0 > 0 and v1 > 0:
        v0, v1, level = math.log(v0), math.log(v1), math.log(level)
    frac = (level - v0) / (v1 - v0)
    if s0 <= 0:
        return float(s0 + frac * (s1 - s0))
    return float(math.exp(math.log(s0) + frac * (math.log(s1) - math.log(s0))))


def timescales(curves: pd.DataFrame, *, by: str = "alpha", feat_level: float = FEAT_LEVEL,
               fit_level: float = FIT_LEVEL) -> pd.DataFrame:
    """The time scales of seed-averaged curves of `simulate`, one row per value of `by`.

    t_feat is the step at which the alignment A first reaches feat_level of its peak, t_fit the
    step at which the train MSE first drops below fit_level (NaN if never), both interpolated
    between recorded steps by `crossing`; t_star is the recorded step of the lowest test error.
    Also: the test error at 0, t_star and the end; A at its peak and at the end; the path norm P
    at t_star and at the end; the train MSE at the end.

    Args:
        curves: rows of `simulate` (columns step, train, test, align, path and `by`).
        by: the column that labels a curve ("alpha", or e.g. "a0" for runs at one alpha).

    Returns:
        A DataFrame indexed by `by`.
    """
    mean = curves.groupby([by, "step"], as_index=False)[["train", "test", "align", "path"]].mean()
    out = {}
    for key, g in mean.groupby(by):
        g = g.sort_values("step").reset_index(drop=True)
        feat = crossing(g.step, g["align"], feat_level * g["align"].max(), rising=True)
        fit = crossing(g.step, g.train, fit_level, rising=False, log_values=True)
        star = g.test.idxmin()
        out[key] = {"t_feat": feat, "t_fit": fit,
                    "t_star": g.step[star], "test_0": g.test.iloc[0], "test_star": g.test[star],
                    "test_end": g.test.iloc[-1], "align_peak": g["align"].max(),
                    "align_end": g["align"].iloc[-1], "path_star": g.path[star],
                    "path_end": g.path.iloc[-1], "train_end": g.train.iloc[-1]}
    return pd.DataFrame.from_dict(out, orient="index").rename_axis(by)


def timescale_table(ts: pd.DataFrame) -> pd.DataFrame:
    """`timescales` for a reader: the curve label as the first column, then the columns of
    LABELS in its order and named by it, step columns as rounded integers (None where never
    reached);
    the train MSE at the end is left out."""
    columns = [ts.index.name] + [c for c in LABELS if c in ts.columns]
    out = ts.reset_index()[columns].rename(columns=LABELS)
    for column in ("t_feat", "t*", "t_fit"):
        out[column] = pd.Series([None if pd.isna(v) else int(round(v)) for v in out[column]],
                                dtype=object)
    return out


@dataclass(frozen=True)
class Separation:
    """How the fitting time separates from the feature time as the data grow.

    Attributes:
        ratio: t_fit / t_feat per alpha (NaN where t_fit was not reached).
        slope: s of the least-squares fit ratio = c alpha^s on log-log axes (NaN with fewer than
            two finite ratios).
        prefactor: c.
    """

    ratio: pd.Series
    slope: float
    prefactor: float


def separation(ts: pd.DataFrame) -> Separation:
    """t_fit / t_feat per alpha from `timescales`, and the power law through it."""
    ratio = ts.t_fit / ts.t_feat
    ok = np.isfinite(ratio.to_numpy(float)) & (ratio.to_numpy(float) > 0)
    if ok.sum() < 2:
        return Separation(ratio, math.nan, math.nan)
    alpha = np.asarray(ratio.index, dtype=float)
    slope, log_c = np.polyfit(np.log(alpha[ok]), np.log(ratio.to_numpy(float)[ok]), 1)
    return Separation(ratio, float(slope), float(np.exp(log_c)))


def growth(ts: pd.DataFrame) -> dict:
    """How t_fit, t_feat and their ratio grow across sample ratios: each at the largest alpha
    of `ts` (from `timescales`) at which the training set was fitted, divided by its value at
    the smallest such alpha. Keys: first, last (those alphas), fit, feat, ratio (= fit / feat);
    the factors are NaN with fewer than two fitted alphas."""
    fitted = ts[np.isfinite(ts.t_fit.to_numpy(float))].sort_index()
    if len(fitted) < 2:
        return dict(first=math.nan, last=math.nan, fit=math.nan, feat=math.nan, ratio=math.nan)
    a, b = fitted.iloc[0], fitted.iloc[-1]
    fit, feat = float(b.t_fit / a.t_fit), float(b.t_feat / a.t_feat)
    return dict(first=float(fitted.index[0]), last=float(fitted.index[-1]), fit=fit, feat=feat,
                ratio=fit / feat)


def middle(alphas) -> float:
    """The middle of the sample ratios `alphas` (the upper one of two middles), where the chapter
    contrasts init scales and widths."""
    return sorted(alphas)[len(alphas) // 2]


def chapter_cost(params) -> float:
    """The work of every network the chapter trains with `params` (a
    `profiles.TwolayerParams`), as the sum over networks of n m d x steps: one gradient step
    costs O(n m d). The ratio of two costs scales a measured run time to other parameters."""
    p, mid = params, middle(params.alphas)
    samples_steps = (sum(p.alphas) * p.width * p.steps                    # main runs
                     + mid * p.width * p.contrast_steps * len(p.contrast_a0s)
                     + sum(p.noise_alphas) * p.width * p.steps
                     + mid * sum(p.widths) * p.steps)                     # alpha x m x steps
    return float(samples_steps * p.d * p.d * p.seeds)                     # n = alpha d


# The chapter's exercises ("Try it"), as the parameters each changes: {name: {parameter: value}}.
TRY_IT = {"lazy": dict(contrast_a0s=(1.0, 3.0, 10.0)), "clean": dict(tau=0.01),
          "long": dict(alphas=(8, 16, 32, 64), steps=20_000)}


def try_it_seconds(params, seconds: float) -> dict:
    """The run time of each exercise of TRY_IT, scaled from `seconds` (the measured training
    time of a run with `params`) by `chapter_cost`. Keys: run_s (`seconds`) and try_<name>_s."""
    cost = chapter_cost(params)
    return {"run_s": seconds, **{
        f"try_{name}_s": seconds * chapter_cost(dataclasses.replace(params, **change)) / cost
        for name, change in TRY_IT.items()}}


def init_contrast(alpha: float, seeds, a0s, *, eta: float = 0.2, steps: int = 8000,
                  **kwargs) -> pd.DataFrame:
    """`simulate` at one sample ratio for each init scale a0 in `a0s`, with the step
    `stable_eta(eta, a0)`; the rows of all runs with a column a0. `kwargs` go to `simulate`
    (every init scale is one unit of its cache)."""
    return _variants(alpha, seeds, "a0", a0s, lambda a0: dict(a0=a0, eta=stable_eta(eta, a0)),
                     steps=steps, **kwargs)


def width_sweep(alpha: float, seeds, widths, **kwargs) -> pd.DataFrame:
    """`simulate` at one sample ratio for each width m in `widths`; the rows of all runs with a
    column m. `kwargs` go to `simulate` (every width is one unit of its cache)."""
    return _variants(alpha, seeds, "m", widths, lambda m: dict(m=m), **kwargs)


def _variants(alpha, seeds, column: str, values, change, *, device="auto", cache="off",
              progress=False, **kwargs) -> pd.DataFrame:
    """`simulate([alpha], seeds, **kwargs)` with the options `change(v)` for each v of
    `values`, in one list of units; the rows of all with a column `column` = v."""
    base = inspect.signature(simulate).parameters
    options = {k: p.default for k, p in base.items() if p.default is not inspect.Parameter.empty
               and k not in ("device", "cache", "progress")}
    unknown = sorted(set(kwargs) - set(options))
    if unknown:
        raise TypeError(f"unexpected arguments {unknown}; simulate takes {sorted(options)}")
    specs = [{**options, **kwargs, **change(v), "alpha": alpha} for v in values]
    frames, seconds = _networks(specs, seeds, device=device, cache=cache, progress=progress)
    rows = pd.concat([f.sort_values(["alpha", "seed", "step"], ignore_index=True)
                      .assign(**{column: v}) for f, v in zip(frames, values)], ignore_index=True)
    rows.attrs["compute_s"] = seconds
    return rows


def width_gaps(curves: pd.DataFrame, *, base: int, steps: dict) -> pd.DataFrame:
    """How far the seed-mean test error of each width m lies from the width `base`'s:
    abs(E_m - E_base) at each named step.

    Args:
        curves: rows of `simulate` with a column m (e.g. from `width_sweep`), `base` among them.
        base: the reference width. steps: {column label: recorded step}.

    Returns:
        One row per width other than `base`: m and one column per label of `steps`.
    """
    mean = curves.groupby(["m", "step"]).test.mean().unstack("m")          # (steps, widths)
    gap = mean.drop(columns=base).sub(mean[base], axis=0).abs()
    return pd.DataFrame({"m": list(gap.columns),
                         **{label: gap.loc[step].to_numpy() for label, step in steps.items()}})


def with_reference(main: pd.DataFrame, runs: pd.DataFrame, *, column: str,
                   value) -> pd.DataFrame:
    """`runs` (rows of `init_contrast` or `width_sweep`, at one sample ratio) with the main
    runs at that sample ratio put first, labelled `column` = `value`: the reference curve that
    the init scales (column "a0", value the main runs' a0) or the widths (column "m", value
    their width) are compared with."""
    alpha = runs.alpha.iloc[0]
    return pd.concat([main[main.alpha == alpha].assign(**{column: value}), runs],
                     ignore_index=True)


# Our success criteria. The paper's abstract states the four findings but, to us, no numbers;
# the thresholds say how clearly a run must show each finding to count as reproducing it.
TEST_DROP = 0.4    # E(t*) <= TEST_DROP E(0): feature learning cuts the test error
TEST_RISE = 1.8    # E(T) >= TEST_RISE E(t*): and the late phase raises it again
FEAT_BY = 100      # t_feat <= FEAT_BY steps: the feature is learned early
FIT_AFTER = 200    # t_fit >= FIT_AFTER steps: the training set is fitted later
ALIGN_KEPT = 0.5   # A(T) <= ALIGN_KEPT max A: most of the alignment is unlearned
PATH_SHARE = 0.4   # P(t*) <= PATH_SHARE P(T): most complexity grows after the best test error
INIT_ALIGN = 0.5   # max A from the largest init <= INIT_ALIGN x max A from the small init
INIT_TEST = 1.2    # min E from the largest init >= INIT_TEST x min E from the small init
WIDTH_GAP = 0.05   # abs(E_m - E_base) <= WIDTH_GAP at t* for each further width m: mean-field limit


@dataclass(frozen=True)
class Check:
    """One success criterion: the finding it tests ("(i)" to "(iv)" of the paper's abstract, or
    "width" for the mean-field check), what it asks (thresholds included, short), the numbers it
    was judged on (per sample ratio, in increasing order, where there are several), and whether
    they meet it."""

    finding: str
    criterion: str
    measured: str
    met: bool


def listing(values, fmt: str = "g", *, missing: str = "never") -> str:
    """Numbers as a comma-separated list for the text, each formatted by the format
    specification `fmt` (no thousands separators, which would read as list commas), NaN as
    `missing`."""
    return ", ".join(missing if pd.isna(v) else format(float(v), fmt) for v in values)


def _monotone(values, sign: int) -> bool:
    """Strictly increasing (sign 1) or decreasing (sign -1), over at least two finite values."""
    v = np.asarray(values, dtype=float)
    return len(v) >= 2 and bool(np.all(sign * np.diff(v) > 0))


def trend(values) -> str:
    """How values ordered by sample ratio move, in words for the text: "rises" or "falls" if
    strictly monotone over at least two values, else "is not monotone"."""
    return ("rises" if _monotone(values, 1) else "falls" if _monotone(values, -1)
            else "is not monotone")


def against(value: float, tolerance: float, digits: int = 3) -> str:
    """A measured gap against a tolerance, as the text shows it: the value rounded to `digits`
    decimals is "below", "at" or "above" the tolerance (so 0.0498 against 0.05 reads "at")."""
    shown, tol = round(float(value), digits), round(float(tolerance), digits)
    return "below" if shown < tol else "at" if shown == tol else "above"


def _late(ts: pd.DataFrame):
    """E(T)/E(t*) and A(T)/max A per sample ratio of `timescales`: how much the late phase
    raises the test error, and how much of the alignment it keeps."""
    return ts.test_end / ts.test_star, ts.align_end / ts.align_peak


def phase_checks(ts: pd.DataFrame) -> dict[str, Check]:
    """The criteria judged on the main runs (one row per alpha of `timescales`): findings (iv)
    non-monotone test error and feature unlearning, (iii) separation of time scales, (i) slow
    growth of the complexity. Keys, in the order of the findings: non_monotone, unlearning,
    feature_first, separation_grows, complexity_grows, complexity_late. Each criterion on a
    quantity per alpha must hold at every alpha (alpha = n/d)."""
    rise, kept = _late(ts)
    share, ratio = ts.path_star / ts.path_end, separation(ts).ratio
    return {
        "non_monotone": Check(
            "(iv)", f"E(t*)/E(0) ≤ {TEST_DROP:g}; E(T)/E(t*) ≥ {TEST_RISE:g}",
            f"{listing(ts.test_star / ts.test_0, '.2f')}; {listing(rise, '.2f')}",
            bool((ts.test_star <= TEST_DROP * ts.test_0).all() and (rise >= TEST_RISE).all())),
        "unlearning": Check("(iv)", f"A(T)/max A ≤ {ALIGN_KEPT:g}", listing(kept, ".2f"),
                            bool((kept <= ALIGN_KEPT).all())),
        "feature_first": Check(
            "(iii)", f"t_feat ≤ {FEAT_BY}; t_fit ≥ {FIT_AFTER} steps",
            f"{listing(ts.t_feat, '.0f')}; {listing(ts.t_fit, '.0f')}",
            bool((ts.t_feat <= FEAT_BY).all() and (ts.t_fit >= FIT_AFTER).all())),
        "separation_grows": Check("(iii)", "t_fit/t_feat rises with α", listing(ratio, ".1f"),
                                  _monotone(ratio, 1)),
        "complexity_grows": Check("(i)", "P(T) rises with α", listing(ts.path_end, ".1f"),
                                  _monotone(ts.path_end, 1)),
        "complexity_late": Check(
            "(i)", f"P(t*)/P(T) ≤ {PATH_SHARE:g}, falls with α", listing(share, ".3f"),
            bool((share <= PATH_SHARE).all()) and _monotone(share, -1)),
    }


def init_checks(by_a0: pd.DataFrame, *, a0: float) -> dict[str, Check]:
    """Finding (ii): the largest init scale of `by_a0` (`timescales` by a0) against the small
    one `a0`. Keys: init_alignment, init_test.

    Raises:
        ValueError: if `by_a0` holds no init scale larger than `a0`.
    """
    big = float(by_a0.index.max())
    if a0 not in by_a0.index or big <= a0:
        raise ValueError(f"by_a0 must hold a0={a0} and a larger init scale; "
                         f"has {list(by_a0.index)}")
    small, large = by_a0.loc[a0], by_a0.loc[big]
    return {
        "init_alignment": Check(
            "(ii)", f"max A(a₀ = {big:g}) ≤ {INIT_ALIGN:g} max A(a₀ = {a0:g})",
            f"{large.align_peak:.2f} vs {small.align_peak:.2f}",
            bool(large.align_peak <= INIT_ALIGN * small.align_peak)),
        "init_test": Check(
            "(ii)", f"min E(a₀ = {big:g}) ≥ {INIT_TEST:g} min E(a₀ = {a0:g})",
            f"{large.test_star:.3f} vs {small.test_star:.3f}",
            bool(large.test_star >= INIT_TEST * small.test_star)),
    }


def width_check(gaps: pd.DataFrame, *, base: int) -> dict[str, Check]:
    """The mean-field limit from `width_gaps` (its column "at t*"): the test error of each
    further width m of `gaps` against that of width `base`, at t* only (not at the end).
    Key: width_collapse."""
    gap = float(gaps["at t*"].max())
    return {"width_collapse": Check(
        "width", f"|E(m) − E({base})| ≤ {WIDTH_GAP:g} at t*, m = {listing(gaps.m)}",
        f"{gap:.3f}", bool(gap <= WIDTH_GAP))}


def criteria(ts: pd.DataFrame, by_a0: pd.DataFrame, gaps: pd.DataFrame, *,
             a0: float, base: int) -> dict[str, Check]:
    """Every success criterion of the chapter, keyed by name: `phase_checks(ts)`,
    `init_checks(by_a0, a0=a0)` and `width_check(gaps, base=base)`: two per finding of the
    abstract and one for the mean-field limit."""
    return {**phase_checks(ts), **init_checks(by_a0, a0=a0), **width_check(gaps, base=base)}


def criteria_table(checks: dict[str, Check], full: dict[str, Check] | None = None
                   ) -> pd.DataFrame:
    """The checks as a narrow table, the verdict early: columns finding, met, criterion, this
    run (the measured values); with `full` (the same checks of a full-size result) also "met at
    full size" and "full size" (its measured values). Where the full size states a criterion
    for other sizes (its widths, its largest init scale), the criterion cell gives both."""
    def row(key):
        c = checks[key]
        out = {"finding": c.finding, "met": c.met, "criterion": c.criterion,
               "this run": c.measured}
        if full is not None:           # the same criterion at full size, found by its name
            out.update({"met at full size": full[key].met, "full size": full[key].measured})
            if full[key].criterion != c.criterion:
                out["criterion"] = f"{c.criterion}; at full size: {full[key].criterion}"
        return out

    return pd.DataFrame([row(key) for key in checks])


def size_numbers(found: dict | None) -> str:
    """The headline numbers of one result of `analyse` as a clause for the text (the same
    wording at every size): t_fit/t_feat per sample ratio and its power law, the late rise of
    the test error, the alignment kept, the init contrast and the width gaps. "not stored" for
    None."""
    if found is None:
        return "not stored"
    ts, by_a0, gaps = found["ts"], found["by_a0"], found["gaps"]
    sep, big = separation(ts), float(by_a0.index.max())
    rise, kept = _late(ts)
    small = found["a0"]
    return (f"t_fit/t_feat = {listing(sep.ratio, '.0f')} at α = {listing(ts.index)} (exponent "
            f"{sep.slope:.2f}), E(T)/E(t*) = {rise.min():.2f} to {rise.max():.2f}, "
            f"A(T)/max A = {kept.min():.2f} to {kept.max():.2f}, max A = "
            f"{by_a0.align_peak[big]:.2f} at a₀ = {big:g} against "
            f"{by_a0.align_peak[small]:.2f} at a₀ = {small:g}, and a width gap of "
            f"{gaps['at t*'].max():.3f} at t* and {gaps['at the end'].max():.3f} at the end "
            f"(m = {listing(gaps.m)} against {found['base']})")


def size_gist(checks: dict[str, Check], full: dict[str, Check] | None) -> str:
    """One clause for the text: how the success criteria of a full-size result (`full`, None if
    none is stored) compare with those of this run (`checks`, the same keys)."""
    if full is None:
        return "no full-size result is stored for the full profile's configuration"
    met = sum(c.met for c in full.values())
    changed = [f"{full[k].finding} “{full[k].criterion}” is {'met' if full[k].met else 'not met'} "
               f"there ({full[k].measured}, against {checks[k].measured} here)"
               for k in checks if full[k].met != checks[k].met]
    same = f"{met} of the {len(full)} success criteria are met"
    return (f"{same}, the same ones as in this run" if not changed
            else f"{same}; unlike in this run, " + "; ".join(changed))


def claims(checks: dict[str, Check], ts: pd.DataFrame, by_a0: pd.DataFrame,
           gaps: pd.DataFrame, *, a0: float, base: int) -> list:
    """The scorecard's rows: the paper's four findings (as its abstract states them), each with
    our numbers and the status of its two checks, and the mean-field check of our setting (one
    comparison of widths, shown but not counted: it is no claim of the paper)."""
    from .scorecard import Claim, status

    sep, big = separation(ts), float(by_a0.index.max())
    small, large = by_a0.loc[a0], by_a0.loc[big]
    rise, kept = _late(ts)
    met = lambda *keys: status([checks[k].met for k in keys])  # noqa: E731
    return [
        Claim("Finding (iv)", "test error is non-monotone: feature unlearning",
              "interior minimum, late rise, alignment lost",
              rf"$E(T)/E(t^*)$ = {rise.min():.2f} to {rise.max():.2f}; $A(T)/\max A$ ≤ "
              f"{kept.max():.2f}",
              rf"$E(t^*) \le {TEST_DROP:g}\,E(0)$, $E(T) \ge {TEST_RISE:g}\,E(t^*)$, "
              rf"$A(T) \le {ALIGN_KEPT:g} \max A$", met("non_monotone", "unlearning"),
              "tl-phases"),
        Claim("Finding (iii)", "feature learning and overfitting separate in time",
              "separation grows with $n/d$",
              rf"$t_\mathrm{{fit}}/t_\mathrm{{feat}}$ = {listing(sep.ratio, '.0f')} "
              rf"at $\alpha = n/d$ = {listing(ts.index)} (slope {sep.slope:.2f})",
              rf"$t_\mathrm{{feat}} \le {FEAT_BY}$, $t_\mathrm{{fit}} \ge {FIT_AFTER}$ steps; "
              r"ratio increasing in $\alpha = n/d$", met("feature_first", "separation_grows"),
              "tl-separation"),
        Claim("Finding (i)", "overfitting waits for complexity to grow",
              "slow growth of the complexity",
              f"$P(t^*)/P(T)$ = {listing(ts.path_star / ts.path_end, '.2f')}",
              rf"$P(T)$ increasing in $\alpha = n/d$; $P(t^*)/P(T) \le {PATH_SHARE:g}$, "
              "decreasing",
              met("complexity_grows", "complexity_late"), "tl-noise"),
        Claim("Finding (ii)", "the bias to small complexity needs a small start",
              "large init: no feature learning",
              rf"$a_0 = {big:g}$: $\max A$ {large.align_peak:.2f}, $\min E$ "
              f"{large.test_star:.3f} ($a_0 = {a0:g}$: {small.align_peak:.2f}, "
              f"{small.test_star:.3f})",
              rf"$\max A$ at most {INIT_ALIGN:g}×, $\min E$ at least {INIT_TEST:g}× the small "
              "start's", met("init_alignment", "init_test"), "tl-init"),
        Claim("Mean-field check", "test error at $t^*$ agrees across widths $m$",
              "width-independent dynamics in the mean-field scaling",
              f"$m$ = {base} vs {listing(gaps.m)}: gap {gaps['at t*'].max():.3f} at $t^*$ "
              f"({gaps['at the end'].max():.3f} at the end, not judged)",
              rf"$\le {WIDTH_GAP:g}$ at $t^*$", met("width_collapse"), "tl-width",
              counted=False),
    ]


# The chapter's recorded runs, as `analyse` reads them and the results store keeps them:
# main (`simulate`, every alpha), init (`init_contrast`), noise (`simulate`, target "noise"),
# width (`width_sweep`); init and width at the middle sample ratio.
CURVES = ("main", "init", "noise", "width")


def analyse(curves: dict, *, a0: float, base: int) -> dict:
    """The chapter's analysis of its recorded runs, the same for the run a page makes and for a
    stored full-size result: time scales, width gaps, success criteria and scorecard rows.

    Args:
        curves: {name: rows} for each name of CURVES (columns as `simulate` returns them, with
            a0 in "init" and m in "width").
        a0: the init scale of the main runs. base: their width.

    Returns:
        A dict: ts (`timescales` of main), by_a0 (of init, with the main runs as the a0 curve),
        noise_ts, gaps (`width_gaps` at the main runs' t* and at the last recorded step),
        checks (`criteria`), claims (`claims`), and the a0 and base it was given.

    Raises:
        ValueError: `curves` lacks a table of CURVES.
    """
    missing = [name for name in CURVES if name not in curves]
    if missing:
        raise ValueError(f"curves must hold the tables {list(CURVES)}; missing {missing}")
    main = curves["main"]
    ts = timescales(main)
    by_a0 = timescales(with_reference(main, curves["init"], column="a0", value=a0), by="a0")
    wide = with_reference(main, curves["width"], column="m", value=base)
    gaps = width_gaps(wide, base=base, steps={"at t*": ts.t_star[wide.alpha.iloc[0]],
                                              "at the end": int(wide.step.max())})
    checks = criteria(ts, by_a0, gaps, a0=a0, base=base)
    return {"ts": ts, "by_a0": by_a0, "noise_ts": timescales(curves["noise"]), "gaps": gaps,
            "checks": checks, "claims": claims(checks, ts, by_a0, gaps, a0=a0, base=base),
            "a0": a0, "base": base}


# The numbers the chapter's prose quotes: one function per section, each returning a dict
# {name: value} that the chapter glues as "tl_<name>" (`tables.glue`). Lists run over the
# sample ratios in increasing order.

def _of_the(flags) -> str:
    """How many of `flags` are true, of how many, as the text says it: "k of the n"."""
    flags = [bool(f) for f in flags]
    return f"{sum(flags)} of the {len(flags)}"


def criteria_met(checks: dict[str, Check]) -> str:
    """How many success criteria `checks` are met, for the text: "8 of the 9"."""
    return _of_the(c.met for c in checks.values())


def findings_reproduced(claims: list) -> str:
    """How many counted scorecard rows of `claims` (the paper's findings, not our mean-field
    check) are reproduced, for the text: "3 of the 4"."""
    return _of_the(c.status == "reproduced" for c in claims if c.counted)


def phase_numbers(ts: pd.DataFrame, params) -> dict:
    """The numbers of the section "Three phases of training" and of the summaries: the settings
    of the main runs (`params`, a `profiles.TwolayerParams`), the levels that define t_feat and
    t_fit, and from `ts` (`timescales` of the main runs) the time scales, test errors,
    alignments and path norms per sample ratio, the late rise of the test error (rise_range),
    the share of the alignment kept (kept_range) and how the best and final test errors move
    with the sample ratio (star_trend, end_trend, in words)."""
    p, (rise, kept) = params, _late(ts)
    return {
        "m": p.width, "eta": p.eta, "tau": p.tau, "steps": p.steps, "a0": p.a0,
        "seeds": p.seeds, "alphas": listing(p.alphas), "feat_level": FEAT_LEVEL,
        "fit_level": FIT_LEVEL, "records": len(eval_steps(p.steps, p.eval_points)),
        "grid": grid_ratio(p.steps, p.eval_points),
        "test0": float(ts.test_0.mean()), "feat_max": int(round(ts.t_feat.max())),
        "early_max": int(round(max(ts.t_star.max(), ts.t_feat.max()))),
        "feat_list": listing(ts.t_feat, ".0f"), "star_list": listing(ts.t_star),
        "fit_list": listing(ts.t_fit, ".0f"), "test_star": listing(ts.test_star, ".3f"),
        "test_end": listing(ts.test_end, ".3f"), "align_peak": listing(ts.align_peak, ".2f"),
        "align_end": listing(ts.align_end, ".2f"), "path_star": listing(ts.path_star, ".1f"),
        "path_end": listing(ts.path_end, ".1f"),
        "rise_range": f"{rise.min():.2f} to {rise.max():.2f}",
        "kept_range": f"{kept.min():.0%} to {kept.max():.0%}",
        "star_trend": trend(ts.test_star), "end_trend": trend(ts.test_end)}


def separation_numbers(ts: pd.DataFrame) -> dict:
    """The numbers of the section "The separation of time scales", from `ts` (`timescales`):
    the ratios t_fit/t_feat and the exponent of their power law (`separation`), and how the
    ratio, t_fit and t_feat grow from the first to the last fitted sample ratio (`growth`)."""
    sep, grown = separation(ts), growth(ts)
    return {"slope": sep.slope, "ratios": listing(sep.ratio, ".0f"),
            "grow_from": grown["first"], "grow_to": grown["last"],
            "grow_ratio": grown["ratio"], "grow_fit": grown["fit"], "grow_feat": grown["feat"]}


def init_numbers(by_a0: pd.DataFrame, contrast: pd.DataFrame, params) -> dict:
    """The numbers of the section "A small start is needed": the largest init scale of `by_a0`
    (`timescales` by a0) against the small start `params.a0`: peak alignment, best and final
    test error of each, the large start's test error and path norm at step 0 (`contrast`: the
    rows of every start, with a column a0); and the sample ratio and steps of these runs."""
    big, small = by_a0.index.max(), params.a0
    start = contrast[(contrast.a0 == big) & (contrast.step == 0)]
    return {"alpha_mid": middle(params.alphas), "contrast_steps": params.contrast_steps,
            "big_a0": float(big), "test0_big": float(by_a0.test_0[big]),
            "path0_big": float(start.path.mean()),
            "align_small": float(by_a0.align_peak[small]),
            "align_big": float(by_a0.align_peak[big]),
            "best_small": float(by_a0.test_star[small]), "best_big": float(by_a0.test_star[big]),
            "end_small": float(by_a0.test_end[small]), "end_big": float(by_a0.test_end[big])}


def noise_numbers(noise_ts: pd.DataFrame, ts: pd.DataFrame, params) -> dict:
    """The numbers of the section "Pure noise": the fitting times and final path norms of the
    pure-noise runs (`noise_ts`, `timescales` of them, at `params.noise_alphas`), and their
    fitting times over those of the main runs (`ts`) at the same sample ratio ("not measured"
    where the main runs have no such ratio or never fitted)."""
    vs = noise_ts.t_fit / ts.t_fit.reindex(noise_ts.index)
    return {"noise_alphas": listing(params.noise_alphas),
            "noise_fit": listing(noise_ts.t_fit, ".0f"),
            "noise_vs": listing(vs, ".2f", missing="not measured"),
            "noise_path": listing(noise_ts.path_end, ".1f")}


def width_numbers(gaps: pd.DataFrame, params) -> dict:
    """The numbers of the section "Mean-field collapse across widths": the largest gap of
    `gaps` (`width_gaps`) at t* and at the end, each in words against WIDTH_GAP, their ratio,
    the tolerance, and the widths compared (`params.width` against `params.widths`)."""
    star, end = gaps["at t*"].max(), gaps["at the end"].max()
    return {"width_star": float(star), "width_end": float(end),
            "widths": ", ".join(str(m) for m in (params.width, *params.widths)),
            "width_others": listing(params.widths), "width_tol": WIDTH_GAP,
            "width_star_word": against(star, WIDTH_GAP), "width_end_word": against(end, WIDTH_GAP),
            "width_factor": float(end / star)}


def summary_numbers(found: dict, found_full: dict | None, full) -> dict:
    """The numbers of the section "At full size" and of the summaries: the settings of the
    full profile (`full`, a `profiles.TwolayerParams`), how its stored result (`found_full`,
    `analyse` of it, None if none is stored) compares with this run's (`found`), the headline
    numbers of each (`size_numbers`), and how many criteria this run meets and findings it
    reproduces."""
    full_checks = None if found_full is None else found_full["checks"]
    return {"full_d": full.d, "full_seeds": full.seeds, "full_steps": f"{full.steps:,d}",
            "full_contrast_steps": f"{full.contrast_steps:,d}",
            "full_a0s": listing(full.contrast_a0s), "full_widths": listing(full.widths),
            "full_gist": size_gist(found["checks"], full_checks),
            "quick_numbers": size_numbers(found), "full_numbers": size_numbers(found_full),
            "met": criteria_met(found["checks"]), "findings": findings_reproduced(found["claims"])}
