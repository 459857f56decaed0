"""Field-theory learning curves of deep networks on the hypersphere (Cohen, Malka, Ringel,
arXiv 1906.05301; spec beyond.md, chapter A).

In the wide, noisy-training limit a deep fully connected network is a Gaussian field whose
covariance is the NNGP kernel, and its averaged prediction is the GP posterior mean (kernel ridge
regression with ridge sigma^2, the Langevin noise; spec A.2.1). On the sphere S^(d-1) of radius
sqrt(d) the kernel depends only on t = x.x'/d and is diagonalised by spherical harmonics, with one
eigenvalue lambda_l per degree l (A.2.3). The equivalence-kernel (EK) learning curve (A.2.5) then
says that the degree-l part of a target is half learned at N_l* = sigma^2 / lambda_l samples.

Everything here is numpy/scipy with plain arrays in and out: the NNGP recursions (A.2.2), the
Gegenbauer spectrum with multiplicities (A.2.3), targets of known spectral content (A.2.4), the
EK curve (A.2.5), the renormalised-ridge curve of Sollich / Bordelon-Canatar-Pehlevan (A.2.6,
credited to them, for contrast), exact GP regression, and the random-feature network of A.3.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import optimize, special

from . import progress as _progress

__all__ = ["ACTIVATIONS", "nngp", "multiplicity", "gegenbauer", "gegenbauer_all", "spectrum", "sphere",
           "Target", "ek_curve", "renormalized_curve", "gp_predict", "gp_test_error",
           "gp_errors", "learning_curves", "relu_features", "feature_ridge_test_error", "feature_curves",
           "langevin_predictions", "langevin_curves", "degree_errors"]

ACTIVATIONS = ("relu", "erf")


def nngp(t, depth: int, activation: str = "relu", sigma_w2: float = 2.0,
         sigma_b2: float = 0.0, sigma_w0: float = 1.0):
    """The NNGP kernel k(t) of a depth-`depth` network (hidden layers) between two points of
    the sphere of radius sqrt(d) with x.x'/d = t (spec A.2.2).

    K^0 = sigma_b2 + sigma_w0 * t, and per hidden layer the arc-cosine recursion (ReLU, Cho and
    Saul) or Williams' arcsin recursion (erf). With ReLU, sigma_w2 = 2, sigma_b2 = 0 the diagonal
    stays 1 at every depth."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {list(ACTIVATIONS)}, got {activation!r}")
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise ValueError(f"depth must be an integer >= 0, got {depth!r}")
    t = np.asarray(t, dtype=float)
    k = sigma_b2 + sigma_w0 * t                  # K^l(x, x')
    q = sigma_b2 + sigma_w0 + 0 * t              # K^l(x, x) = K^l(x', x')
    for _ in range(depth):
        if activation == "relu":
            cos = np.clip(k / q, -1.0, 1.0)
            theta = np.arccos(cos)
            k = sigma_b2 + sigma_w2 / (2 * np.pi) * q * (np.sin(theta) + (np.pi - theta) * cos)
            q = sigma_b2 + sigma_w2 / 2 * q
        else:
            k = sigma_b2 + sigma_w2 * 2 / np.pi * np.arcsin(2 * k / (1 + 2 * q))
            q = sigma_b2 + sigma_w2 * 2 / np.pi * np.arcsin(2 * q / (1 + 2 * q))
    return k


def multiplicity(d: int, l: int) -> int:
    """N(d, l): the number of independent degree-l spherical harmonics on S^(d-1) (A.2.3)."""
    if d < 2 or l < 0:
        raise ValueError(f"need d >= 2 and l >= 0, got d={d!r}, l={l!r}")
    if l == 0:
        return 1
    return (2 * l + d - 2) * math.comb(l + d - 3, l - 1) // l


def gegenbauer(l: int, d: int, t):
    """P_l^(d)(t) = C_l^((d-2)/2)(t) / C_l^((d-2)/2)(1), the Legendre polynomial in d
    dimensions, normalised to P_l(1) = 1 (A.2.3)."""
    alpha = (d - 2) / 2
    if alpha == 0:                                # d = 2: Chebyshev, the alpha -> 0 limit
        return np.cos(l * np.arccos(np.clip(t, -1, 1)))
    return special.eval_gegenbauer(l, alpha, t) / special.eval_gegenbauer(l, alpha, 1.0)


def gegenbauer_all(lmax: int, d: int, t):
    """P_0^(d)(t), ..., P_lmax^(d)(t) one after another, by the three-term recurrence of the
    Gegenbauer polynomials C_(l+1) = (2(l + a) t C_l - (l + 2a - 1) C_(l-1)) / (l + 1), a =
    (d - 2)/2, run at t and at 1 for the normalisation (d >= 3)."""
    a = (d - 2) / 2
    t = np.asarray(t, dtype=float)
    prev, cur = np.ones_like(t), 2 * a * t
    prev1, cur1 = 1.0, 2 * a
    yield prev / prev1
    for l in range(1, lmax + 1):
        yield cur / cur1
        prev, cur = cur, (2 * (l + a) * t * cur - (l + 2 * a - 1) * prev) / (l + 1)
        prev1, cur1 = cur1, (2 * (l + a) * cur1 - (l + 2 * a - 1) * prev1) / (l + 1)


def spectrum(kernel, d: int, lmax: int, nodes: int = 200) -> np.ndarray:
    """lambda_0..lambda_lmax of the dot-product kernel `kernel(t)` on S^(d-1) under the uniform
    probability measure (A.2.3): lambda_l = E_t[k(t) P_l^(d)(t)] with t = u.x distributed as
    (1 - t^2)^((d-3)/2), by Gauss-Jacobi quadrature."""
    if d < 3:
        raise ValueError(f"d must be >= 3 for the Gauss-Jacobi weight, got {d!r}")
    t, w = special.roots_jacobi(nodes, (d - 3) / 2, (d - 3) / 2)
    w = w / w.sum()
    k = kernel(t)
    return np.array([np.sum(w * k * gegenbauer(l, d, t)) for l in range(lmax + 1)])


def sphere(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """n points uniform on the sphere of radius sqrt(d) in R^d."""
    x = rng.standard_normal((n, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True) * np.sqrt(d)


class Target:
    """g(x) = sum_l c_l sqrt(N(d, l)) P_l^(d)(u_l . x_hat): a pure degree-l harmonic of L2 norm
    c_l per degree, with random unit directions u_l (A.2.4)."""

    def __init__(self, d: int, c2: dict, seed: int = 0):
        if not c2 or any(l < 0 or p < 0 for l, p in c2.items()):
            raise ValueError(f"c2 must map degrees >= 0 to powers >= 0, got {c2!r}")
        self.d, self.c2 = d, {int(l): float(p) for l, p in c2.items()}
        u = np.random.default_rng(seed).standard_normal((len(self.c2), d))
        self.u = dict(zip(self.c2, u / np.linalg.norm(u, axis=1, keepdims=True)))

    def component(self, l: int, x: np.ndarray) -> np.ndarray:
        """The unit-norm degree-l harmonic sqrt(N(d, l)) P_l(u_l . x_hat) at points x."""
        t = x @ self.u[l] / np.sqrt(self.d)
        return np.sqrt(multiplicity(self.d, l)) * gegenbauer(l, self.d, t)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return sum(np.sqrt(p) * self.component(l, x) for l, p in self.c2.items())


def ek_curve(n, lambdas, c2: dict, sigma2: float, per_degree: bool = False):
    """Equivalence-kernel test error E_g(N) = sum_l c_l^2 [(sigma^2/N)/(lambda_l + sigma^2/N)]^2
    for noise-free labels (A.2.5); with per_degree, a dict l -> error of degree l."""
    n = np.asarray(n, dtype=float)
    parts = {l: p * ((sigma2 / n) / (lambdas[l] + sigma2 / n)) ** 2 for l, p in c2.items()}
    return parts if per_degree else sum(parts.values())


def renormalized_curve(n, lambdas, d: int, c2: dict, sigma2: float):
    """The renormalised-ridge learning curve (Sollich 2002; Bordelon, Canatar, Pehlevan 2020;
    spec A.2.6, for contrast): kappa solves kappa = sigma^2 + kappa sum_l N(d,l) lambda_l /
    (N lambda_l + kappa), and E_g = sum_l c_l^2 (kappa/(N lambda_l + kappa))^2 / (1 - gamma).
    Returns (E_g, kappa) arrays over n."""
    lam = np.asarray(lambdas, dtype=float)
    mult = np.array([multiplicity(d, l) for l in range(len(lam))], dtype=float)
    errors, kappas = [], []
    for N in np.atleast_1d(np.asarray(n, dtype=float)):
        f = lambda k: k - sigma2 - k * np.sum(mult * lam / (N * lam + k))  # noqa: E731
        kappa = optimize.brentq(f, sigma2, sigma2 + np.sum(mult * lam) + 1.0)
        gamma = np.sum(mult * N * lam ** 2 / (N * lam + kappa) ** 2)
        errors.append(sum(p * (kappa / (N * lam[l] + kappa)) ** 2 for l, p in c2.items())
                      / (1 - gamma))
        kappas.append(kappa)
    return np.array(errors), np.array(kappas)


def gp_predict(x_train, y_train, x_test, kernel, sigma2: float) -> np.ndarray:
    """The GP posterior mean K(x*, X)[K(X, X) + sigma^2 I]^-1 y at x_test (A.2.1), with
    kernel(t) a dot-product kernel of t = x.x'/d."""
    d = x_train.shape[1]
    K = kernel(x_train @ x_train.T / d)
    alpha = np.linalg.solve(K + sigma2 * np.eye(len(K)), y_train)
    return kernel(x_test @ x_train.T / d) @ alpha


def gp_test_error(x_train, y_train, x_test, y_test, kernel, sigma2: float) -> float:
    """Test MSE of `gp_predict`."""
    return float(np.mean((gp_predict(x_train, y_train, x_test, kernel, sigma2) - y_test) ** 2))


def gp_errors(x_train, y_train, spectra: dict, target: Target, sigma2_list) -> dict:
    """Exact population errors of the GP posterior mean over the uniform measure on the sphere,
    with no test set, for each kernel (name -> its spectrum lambda_0..lambda_L, e.g. L = 30) and
    each ridge in `sigma2_list`: {name: [{"total": E_x[(f - g)^2], l: (c_l - a_l)^2, ...} per
    sigma2]}, with a_l the projection of f on the target's unit degree-l harmonic.

    With f = sum_i alpha_i k(x, x_i), the Funk-Hecke formula gives E_x[k(x, x_i) Y(x)] =
    lambda_l Y(x_i) for a degree-l harmonic Y, and the addition theorem gives E_x[k(x, x_i)
    k(x, x_j)] = sum_l lambda_l^2 N(d, l) P_l(t_ij); the spectrum truncates both sums, and the
    kernel itself is its truncated expansion."""
    d = x_train.shape[1]
    spectra = {name: np.asarray(lam, dtype=float) for name, lam in spectra.items()}
    lmax = max(len(lam) for lam in spectra.values()) - 1
    t = np.clip(x_train @ x_train.T / d, -1.0, 1.0)
    kernel = {name: np.zeros_like(t) for name in spectra}
    second = {name: np.zeros_like(t) for name in spectra}
    for l, p in enumerate(gegenbauer_all(lmax, d, t)):
        p = multiplicity(d, l) * p
        for name, lam in spectra.items():
            if l < len(lam):
                kernel[name] += lam[l] * p
                second[name] += lam[l] ** 2 * p
    components = {l: target.component(l, x_train) for l in target.c2}
    out = {}
    for name, lam in spectra.items():
        out[name] = []
        for s2 in sigma2_list:
            alpha = np.linalg.solve(kernel[name] + s2 * np.eye(len(t)), y_train)
            a = {l: float(lam[l] * alpha @ components[l]) for l in target.c2}
            total = float(alpha @ second[name] @ alpha + sum(target.c2.values())
                          - 2 * sum(np.sqrt(p) * a[l] for l, p in target.c2.items()))
            out[name].append({"total": total,
                              **{l: (np.sqrt(p) - a[l]) ** 2 for l, p in target.c2.items()}})
    return out


def learning_curves(target: Target, depths, n_list, sigma2_list, draws: int, lmax: int = 30,
                    seed: int = 0, progress: bool = False) -> pd.DataFrame:
    """Exact NNGP GP regression over dataset draws: one row per (depth, sigma2, n, draw) with
    the population test MSE and per-degree errors (`gp_errors`, exact over the sphere, so the
    only noise is the draw of the training set). Draw k of size n uses the same points for
    every depth and sigma2."""
    spectra = {h: spectrum(lambda t, h=h: nngp(t, h), target.d, lmax) for h in depths}
    rows = []
    grid = [(n, k) for n in n_list for k in range(draws)]
    for n, k in _progress.bar(grid, progress=progress, desc="GP draws"):
        x = sphere(n, target.d, np.random.default_rng([seed, n, k]))
        for depth, errors in gp_errors(x, target(x), spectra, target, sigma2_list).items():
            for s2, err in zip(sigma2_list, errors):
                rows.append({"depth": depth, "sigma2": s2, "n": n, "draw": k,
                             "test_mse": err.pop("total"),
                             **{f"degree_{l}": e for l, e in err.items()}})
    return pd.DataFrame(rows)


def relu_features(x, depth: int, width: int, rng: np.random.Generator,
                  sigma_w2: float = 2.0) -> np.ndarray:
    """Last-hidden-layer features of a random depth-`depth` ReLU network of `width` (A.3 iv),
    scaled so that features @ features.T estimates the NNGP kernel: (n, width)."""
    if depth < 1:
        raise ValueError(f"depth must be >= 1 for a hidden layer, got {depth!r}")
    h = x / np.sqrt(x.shape[1])                      # K^0 = x.x'/d
    for _ in range(depth):
        w = rng.standard_normal((h.shape[1], width)) * np.sqrt(sigma_w2)
        h = np.maximum(h @ w, 0.0) / np.sqrt(width)
    return h


def feature_ridge_test_error(phi_train, y_train, phi_test, y_test, sigma2: float) -> float:
    """Test MSE of the trained read-out: ridge regression on the features with penalty sigma^2,
    i.e. exact Bayesian last-layer inference, the GP with the empirical kernel phi phi^T."""
    width = phi_train.shape[1]
    a = np.linalg.solve(phi_train.T @ phi_train + sigma2 * np.eye(width), phi_train.T @ y_train)
    return float(np.mean((phi_test @ a - y_test) ** 2))


def feature_curves(target: Target, depth: int, widths, n_list, sigma2: float, draws: int,
                   n_test: int, seed: int = 0, progress: bool = False) -> pd.DataFrame:
    """The finite-width "trained net" of A.3 (iv): a random depth-`depth` ReLU network with only
    its read-out trained (ridge, penalty sigma2), next to the exact GP on the same data and test
    set. Draw k is one network per width and one nested sample (the first n points for each
    n). One row per (width, n, draw): `net_mse`, `gp_mse` and their ratio."""
    rng = np.random.default_rng(seed)
    x_test = sphere(n_test, target.d, rng)
    y_test = target(x_test)
    kernel = lambda t: nngp(t, depth)  # noqa: E731
    samples = [sphere(max(n_list), target.d, np.random.default_rng([seed, k, 2]))
               for k in range(draws)]
    gp = {(n, k): gp_test_error(x[:n], target(x[:n]), x_test, y_test, kernel, sigma2)
          for k, x in enumerate(samples) for n in n_list}       # the same for every width
    rows = []
    grid = [(w, k) for w in widths for k in range(draws)]
    for width, k in _progress.bar(grid, progress=progress, desc="random-feature nets"):
        x_all = samples[k]
        phi = relu_features(np.vstack([x_all, x_test]), depth, width,
                            np.random.default_rng([seed, width, k, 1]))
        phi_all, phi_test = phi[:len(x_all)], phi[len(x_all):]
        for n in n_list:
            net = feature_ridge_test_error(phi_all[:n], target(x_all[:n]), phi_test, y_test,
                                           sigma2)
            rows.append({"width": width, "n": n, "draw": k, "net_mse": net,
                         "gp_mse": gp[n, k], "ratio": net / gp[n, k]})
    return pd.DataFrame(rows)


def langevin_predictions(x_train, y_train, x_test, depth: int, width: int, sigma2: float, *,
                         steps: int, lr: float, burn_in: int, every: int = 10,
                         sigma_w2: float = 2.0, seed: int = 0, device="cpu") -> np.ndarray:
    """Time-averaged prediction at x_test of a whole depth-`depth` ReLU network of `width`
    trained by Langevin dynamics on S = sum_mu (f(x_mu) - y_mu)^2 / (2 sigma2) + norm(theta)^2 / 2
    (spec A.2.1, in the parametrisation where every weight has a unit Gaussian prior and each
    layer is scaled by sqrt(sigma_w^2 / fan-in), the first by sqrt(1/d): the prior over f is the
    network's, with the NNGP kernel `nngp(., depth)` as width -> infinity). One step: theta <-
    theta - lr grad S + sqrt(2 lr) xi. Predictions are averaged every `every` steps after
    `burn_in` steps; at equilibrium their average is the posterior mean, the GP's for a wide
    network."""
    import torch
    if burn_in >= steps:
        raise ValueError(f"burn_in must be < steps, got burn_in={burn_in!r}, steps={steps!r}")
    dev = torch.device(device)
    gen = torch.Generator(device=dev).manual_seed(seed)
    d = x_train.shape[1]
    x = torch.as_tensor(x_train, dtype=torch.float32, device=dev)
    xt = torch.as_tensor(x_test, dtype=torch.float32, device=dev)
    y = torch.as_tensor(y_train, dtype=torch.float32, device=dev)
    sizes = [d] + [width] * depth + [1]
    weights = [torch.randn(a, b, generator=gen, device=dev).requires_grad_()
               for a, b in zip(sizes[:-1], sizes[1:])]
    scales = [1 / math.sqrt(d)] + [math.sqrt(sigma_w2 / width)] * depth

    def f(inputs):
        h = inputs @ weights[0] * scales[0]
        for w, scale in zip(weights[1:], scales[1:]):
            h = torch.relu(h) @ w * scale
        return h[:, 0]

    total, count = torch.zeros(len(xt), device=dev), 0
    for step in range(steps):
        energy = ((f(x) - y) ** 2).sum() / (2 * sigma2) + sum((w ** 2).sum() for w in weights) / 2
        grads = torch.autograd.grad(energy, weights)
        with torch.no_grad():
            for w, g in zip(weights, grads):
                w -= lr * g
                w += math.sqrt(2 * lr) * torch.randn(w.shape, generator=gen, device=dev)
            if step >= burn_in and (step - burn_in) % every == 0:
                total += f(xt)
                count += 1
    return (total / count).cpu().numpy().astype(float)


def langevin_curves(target: Target, depth: int, width: int, n_list, sigma2: float, n_test: int,
                    *, steps: int, lr: float, burn_in: int, seed: int = 0, device="cpu",
                    progress: bool = False) -> pd.DataFrame:
    """A.3 (v): the whole network trained by Langevin dynamics (`langevin_predictions`) against
    the exact GP on the same draw and test set, one row per n: `langevin_mse`, `gp_mse`, and
    `gap`, the mean squared difference of the two predictors relative to the GP's test MSE."""
    x_test = sphere(n_test, target.d, np.random.default_rng([seed, 3]))
    y_test = target(x_test)
    rows = []
    for n in _progress.bar(list(n_list), progress=progress, desc="Langevin chains"):
        x = sphere(n, target.d, np.random.default_rng([seed, n, 0]))
        y = target(x)
        chain = langevin_predictions(x, y, x_test, depth, width, sigma2, steps=steps,
                                     lr=lr, burn_in=burn_in, seed=seed + n, device=device)
        gp = gp_predict(x, y, x_test, lambda t: nngp(t, depth), sigma2)
        gp_mse = float(np.mean((gp - y_test) ** 2))
        rows.append({"n": n, "langevin_mse": float(np.mean((chain - y_test) ** 2)),
                     "gp_mse": gp_mse, "gap": float(np.mean((chain - gp) ** 2)) / gp_mse})
    return pd.DataFrame(rows)


def degree_errors(prediction, x_test, target: Target) -> dict:
    """Per-degree error of a predictor measured on test points: (c_l - a_l)^2 with a_l the
    projection of the prediction on the target's unit degree-l harmonic (Monte Carlo over the
    test set); the empirical counterpart of `ek_curve(..., per_degree=True)`."""
    out = {}
    for l, p in target.c2.items():
        a = float(np.mean(prediction * target.component(l, x_test)))
        out[l] = (np.sqrt(p) - a) ** 2
    return out
