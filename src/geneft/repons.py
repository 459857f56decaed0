"""Repon dynamics: the effective theory of two (or N + 1) embeddings under a linear decoder.

Spec section 5.2-5.3 (paper Theorem 2, Eqs. 8-12). Two repons x1, x2 of one class, a locally
linear decoder D(x) = A x + b and the target y of both; with r = (x1 - x2) / 2 and the decoder's
offset at its optimum, the loss is ``l = |A r|^2`` and gradient flow with rates eta_A (decoder) and
eta_x (repons) reads

    dA/dt = -2 eta_A A r r^T,      dr/dt = -eta_x A^T A r                         (Eq. 8)

In one dimension (a = the decoder weight, c = the half-separation):

    da/dt = -2 eta_A c^2 a,        dc/dt = -eta_x a^2 c                           (Eq. 10)

which conserves C = a^2 / (2 eta_A) - c^2 / eta_x (Eq. 11). For C > 0 the repons collide
(c -> 0, generalization); for C < 0 the decoder's spring dies first (a -> 0, c stays apart:
memorization). With a(0) ~ N(0, sigma_a^2), c(0) ~ N(0, sigma_c^2),

    p_r = P(C > 0) = (2/pi) arctan( (sigma_a / sigma_c) sqrt(eta_x / (2 eta_A)) )    (Eq. 12)

One repon against a cluster of N (derived in chapter 3; s = separation, c = s / 2):

    da/dt = -eta_A N/(N+1) s^2 a,  ds/dt = -eta_x a^2 s,  C_N = a^2/eta_A - N s^2/((N+1) eta_x)
    p_r^(N) = (2/pi) arctan( (sigma_a / sigma_c) sqrt((1 + 1/N) eta_x / (4 eta_A)) )

which is Eq. 12 at N = 1. The learning rates are written eta_a (decoder) and eta_x (repons).
"""
from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

__all__ = ["flow", "flow_matrix", "conserved", "separatrix", "integrate", "euler",
           "collision_time", "p_r", "p_r_cluster", "p_r_montecarlo", "cluster_flow",
           "cluster_conserved", "simulate_cluster", "descend"]

RTOL, ATOL = 1e-11, 1e-13   # solve_ivp tolerances: C is conserved to ~1e-10 relative


def _rates(eta_a, eta_x):
    if not (np.all(np.asarray(eta_a) > 0) and np.all(np.asarray(eta_x) > 0)):
        raise ValueError(f"eta_a and eta_x must be > 0, got {eta_a!r} and {eta_x!r}")


def flow(state, eta_a: float, eta_x: float) -> np.ndarray:
    """Right-hand side of Eq. 10 for state (a, c) (any trailing shape)."""
    a, c = state
    return np.array([-2 * eta_a * c ** 2 * a, -eta_x * a ** 2 * c])


def flow_matrix(A: np.ndarray, r: np.ndarray, eta_a: float, eta_x: float):
    """Right-hand side of Eq. 8: (dA/dt, dr/dt) for a decoder A (m, d) and half-separation r
    (d,)."""
    return -2 * eta_a * A @ np.outer(r, r), -eta_x * A.T @ A @ r


def conserved(a, c, eta_a: float, eta_x: float):
    """C = a^2 / (2 eta_A) - c^2 / eta_x (Eq. 11)."""
    return np.asarray(a) ** 2 / (2 * eta_a) - np.asarray(c) ** 2 / eta_x


def separatrix(a, eta_a: float, eta_x: float):
    """The line C = 0 in the (a, c) plane: ``c = |a| sqrt(eta_x / (2 eta_A))``."""
    return np.abs(a) * np.sqrt(eta_x / (2 * eta_a))


def integrate(a0: float, c0: float, eta_a: float, eta_x: float, t) -> np.ndarray:
    """Solve Eq. 10 with scipy's solve_ivp (DOP853, rtol 1e-11) at times `t` (T,), from
    t = 0. Returns (2, T): a(t), c(t)."""
    _rates(eta_a, eta_x)
    t = np.asarray(t, dtype=float)
    sol = solve_ivp(lambda _, y: flow(y, eta_a, eta_x), (0.0, float(t[-1])), [a0, c0],
                    method="DOP853", t_eval=t, rtol=RTOL, atol=ATOL)
    return sol.y


def euler(a0, c0, eta_a: float, eta_x: float, *, dt: float, steps: int) -> np.ndarray:
    """Discrete gradient descent on Eq. 10 (learning rates eta * dt): (2, steps + 1, ...)."""
    _rates(eta_a, eta_x)
    out = np.empty((2, steps + 1) + np.shape(a0))
    out[:, 0] = a0, c0
    for k in range(steps):
        out[:, k + 1] = out[:, k] + dt * flow(out[:, k], eta_a, eta_x)
    return out


def collision_time(a0: float, c0: float, eta_a: float, eta_x: float, *,
                   shrink: float = 1e-3) -> float:
    """Time for the half-separation to fall to ``shrink * |c0|`` along Eq. 10, in closed form.

    With K = eta_x C, a^2 = 2 eta_A (K + c^2) / eta_x and dc/dt = -2 eta_A (K + c^2) c, so
    t(c) = ln[ c0^2 (K + c^2) / (c^2 (K + c0^2)) ] / (4 eta_A K)  (K -> 0: (1/c^2 - 1/c0^2) /
    (4 eta_A)). Infinite when c never gets there (c^2 tends to -K > (shrink c0)^2).
    """
    _rates(eta_a, eta_x)
    if not 0 < shrink < 1:
        raise ValueError(f"shrink must be in (0, 1), got {shrink!r}")
    K = eta_x * conserved(a0, c0, eta_a, eta_x)
    c02, c2 = c0 ** 2, (shrink * c0) ** 2
    if c0 == 0:
        return 0.0
    if K + c2 <= 0:
        return float("inf")
    if abs(K) < 1e-12 * c02:
        return (1 / c2 - 1 / c02) / (4 * eta_a)
    return float(np.log(c02 * (K + c2) / (c2 * (K + c02))) / (4 * eta_a * K))


def p_r(ratio, *, sigma_ratio: float = 1.0):
    """Eq. 12 with ratio = eta_x / eta_A (encoder over decoder) and sigma_ratio = sigma_a /
    sigma_c."""
    ratio = np.asarray(ratio, dtype=float)
    return 2 / np.pi * np.arctan(sigma_ratio * np.sqrt(ratio / 2))


def p_r_cluster(ratio, n_cluster: int, *, sigma_ratio: float = 1.0):
    """One repon against a cluster of N (module docstring): Eq. 12 at the effective ratio
    (1 + 1/N) / 2 * ratio, so p_r_cluster(ratio, 1) == p_r(ratio)."""
    if n_cluster < 1:
        raise ValueError(f"n_cluster must be >= 1, got {n_cluster!r}")
    return p_r((1 + 1 / n_cluster) / 2 * np.asarray(ratio, dtype=float), sigma_ratio=sigma_ratio)


def p_r_montecarlo(ratio: float, *, draws: int = 100_000, sigma_ratio: float = 1.0,
                   seed: int = 0) -> tuple[float, float]:
    """P(C > 0) by sampling a(0) ~ N(0, sigma_ratio^2), c(0) ~ N(0, 1) with eta_A = 1,
    eta_x = ratio. Returns (estimate, standard error)."""
    rng = np.random.default_rng(seed)
    a, c = sigma_ratio * rng.standard_normal(draws), rng.standard_normal(draws)
    hit = conserved(a, c, 1.0, ratio) > 0
    p = hit.mean()
    return float(p), float(np.sqrt(p * (1 - p) / draws))


# ---- one repon against a cluster of N: the full N + 1 particle system -----------------------

def cluster_flow(a, b, x, eta_a: float, eta_x: float, y: float = 1.0):
    """Gradient flow of l = 1/2 sum_i (a x_i + b - y)^2 over decoder (a, b) and every repon
    position x_i (1-D). a, b: (D,) for D independent systems, x: (N + 1, D).
    Returns (da/dt, db/dt, dx/dt)."""
    e = a * x + b - y                                                  # residuals (N + 1, D)
    return -eta_a * np.sum(e * x, 0), -eta_a * np.sum(e, 0), -eta_x * a * e


def cluster_conserved(a, s, n_cluster: int, eta_a: float, eta_x: float):
    """C_N = a^2 / eta_A - N s^2 / ((N + 1) eta_x), s the repon-cluster separation."""
    return np.asarray(a) ** 2 / eta_a - n_cluster * np.asarray(s) ** 2 / ((n_cluster + 1) * eta_x)


def simulate_cluster(a0, s0, n_cluster: int, eta_a: float, eta_x: float, t_end: float, *,
                     y: float = 1.0, points: int = 200, rtol: float = RTOL,
                     atol: float = ATOL) -> dict:
    """Integrate N + 1 repons (the N cluster members as separate particles) and the decoder
    (a, b) with solve_ivp, started with the centroid at 0 and b = y, where the effective theory
    is exact. a0, s0: scalars or (D,) arrays of independent systems, integrated together.

    Returns dict with t (points,), a, b (points, D), x (points, N + 1, D) and s = x_0 - mean
    of the cluster (points, D); D = 1 for scalar inputs.
    """
    _rates(eta_a, eta_x)
    a0, s0 = np.atleast_1d(np.asarray(a0, float)), np.atleast_1d(np.asarray(s0, float))
    d, k = a0.size, n_cluster + 1
    x0 = np.concatenate([n_cluster * s0[None] / k, np.repeat(-s0[None] / k, n_cluster, 0)])

    def rhs(_, z):
        z = z.reshape(k + 2, d)
        da, db, dx = cluster_flow(z[0], z[1], z[2:], eta_a, eta_x, y)
        return np.concatenate([da[None], db[None], dx]).ravel()

    t = np.linspace(0, t_end, points)
    start = np.concatenate([a0[None], np.full((1, d), y), x0]).ravel()
    sol = solve_ivp(rhs, (0, t_end), start, method="DOP853", t_eval=t, rtol=rtol, atol=atol)
    z = sol.y.reshape(k + 2, d, points).transpose(2, 0, 1)                  # (points, k+2, D)
    x = z[:, 2:]
    return {"t": t, "a": z[:, 0], "b": z[:, 1], "x": x, "s": x[:, 0] - x[:, 1:].mean(1)}


def descend(a0, b0, x0, eta_a: float, eta_x: float, *, dt: float, steps: int,
            y: float = 1.0) -> dict:
    """Plain gradient descent (learning rates eta * dt) on l = 1/2 sum_i (a x_i + b - y)^2
    from arbitrary starts: a0, b0 (D,), x0 (K, D) for K repons of one class in D independent
    systems. Nothing is centred or optimal here, unlike the effective theory.
    Returns dict with the final a, b (D,) and x (K, D)."""
    _rates(eta_a, eta_x)
    a, b, x = (np.array(v, dtype=float) for v in (a0, b0, x0))
    for _ in range(steps):
        da, db, dx = cluster_flow(a, b, x, eta_a, eta_x, y)
        a, b, x = a + dt * da, b + dt * db, x + dt * dx
    return {"a": a, "b": b, "x": x}
