"""Repon dynamics: the effective theory of two (or N + 1) embeddings under a linear decoder.

The paper's Theorem 2 and Eqs. 8-12 (numbered as the third-party teaching notebook of Boige's
CoursIA course quotes them; the repon picture itself goes back to Liu et al. 2022). Two repons
x1, x2 of one class, a locally linear decoder D(x) = A x + b and the target y of both; with
r = (x1 - x2) / 2 and the decoder's offset at its optimum, the loss is ``l = |A r|^2`` and
gradient flow with rates eta_A (decoder) and eta_x (repons) reads

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

The last part of the module holds the chapter's checks of the theory against the trained
network's learning-rate phase diagram (the paper's Figs. 5 and 8): the boundary fits, the
verdicts with their stated tolerances (judged once per grid by `verdicts`), the sentences and
numbers the prose quotes (`phase_numbers`) and the scorecard rows built from the same verdicts.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.integrate import solve_ivp

from . import phases, scorecard

__all__ = ["flow", "flow_matrix", "conserved", "separatrix", "relative_drift", "integrate", "euler",
           "collision_time", "p_r", "p_r_cluster", "p_r_montecarlo", "cluster_flow",
           "cluster_conserved", "simulate_cluster", "descend", "BOUND_SE", "descent_collisions",
           "law_checks", "law_table", "stored_law", "law_sentence", "p_r_cluster_notebook",
           "cluster_collisions", "cluster_check",
           "cluster_deviation", "RULE", "SLOPE_TOL", "RATIO_FACTOR", "PhaseGrid", "phase_grid",
           "boundary_edges", "slope_range", "slope_range_text", "grid_factor",
           "memorization_reach", "boundary_checks", "weight_decay_check", "weight_decay_finding",
           "weight_decay_gist", "Verdicts", "verdicts", "NOT_STORED", "phase_numbers", "summary",
           "boundary_text", "stored_note", "typical_runs", "embedding_motion", "duration_text",
           "count_text", "scorecard_claims"]

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


def relative_drift(a, c, eta_a: float, eta_x: float) -> float:
    """How far C (Eq. 11) wanders along a path a(t), c(t) (each (T,)):
    ``max |C - C(0)| / |C(0)|``."""
    C = conserved(a, c, eta_a, eta_x)
    return float(np.max(np.abs(C - C[0])) / abs(C[0]))


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


# ---- the laws against simulation: two repons under gradient descent, a repon and a cluster ----

BOUND_SE = 2.0      # a measured share lies "above" a law when it exceeds it by this many s.e.


def descent_collisions(ratios, *, draws: int, steps: int, seed: int = 0,
                       shrink: float = 0.1) -> np.ndarray:
    """The share of two-repon systems that collide under plain gradient descent, per ratio.

    For each ratio eta_x / eta_A (with eta_A = 1), `draws` systems start from independent
    N(0, 1) draws of the decoder weight a, its offset b, the repons' midpoint m and their
    half-separation c (x1,2 = m +- c, target 1): nothing is centred and b is not at its optimum,
    unlike the effective theory of Eq. 12. Each takes `steps` gradient steps (`descend`) of size
    dt = 0.05 / max(1, eta_x), stable at every ratio; a system has collided when its separation
    has fallen below `shrink` times its start.

    Returns:
        (len(ratios),) shares in [0, 1].
    """
    if not 0 < shrink < 1:
        raise ValueError(f"shrink must be in (0, 1), got {shrink!r}")
    ratios = np.asarray(ratios, dtype=float)
    rng = np.random.default_rng(seed)
    a0, b0, c0, m0 = rng.standard_normal((4, len(ratios), draws))          # each (R, draws)
    eta_x = np.repeat(ratios[:, None], draws, 1)                           # (R, draws)
    end = descend(a0.ravel(), b0.ravel(), np.stack([m0 + c0, m0 - c0]).reshape(2, -1), 1.0,
                  eta_x.ravel(), dt=(0.05 / np.maximum(1.0, eta_x)).ravel(), steps=steps)
    separation = np.abs(end["x"][0] - end["x"][1]).reshape(len(ratios), draws)
    return (separation < shrink * np.abs(2 * c0)).mean(1)


def law_checks(ratios, mc, gd, gd_draws: int, *, se: float = BOUND_SE) -> dict:
    """Monte Carlo and gradient descent against Eq. 12 with sigma_a = sigma_c.

    Args:
        ratios: (R,) eta_x / eta_A.
        mc: (R, 2) Monte Carlo estimates and their standard errors (`p_r_montecarlo`).
        gd: (R,) collision shares of `descent_collisions`, over `gd_draws` systems each.
        se: how many standard errors a share must exceed the law by to count as above it.

    Returns:
        dict: `mc_maxdev` (largest ``|MC - law|``), `mc_maxz` (the same in standard errors),
        `gd_maxdev` (largest ``|gd - law|``), `gd_above` (how many shares lie above the law by more
        than `se` standard errors sqrt(p (1 - p) / draws), floored at 1 / draws so that a share
        of 0 or 1 has one) and `upper_bound` (True when none does: the law bounds gradient
        descent from above, as the paper says it bounds generalization).
    """
    law, mc, gd = p_r(ratios), np.asarray(mc, dtype=float), np.asarray(gd, dtype=float)
    dev = np.abs(mc[:, 0] - law)
    gd_se = np.maximum(np.sqrt(gd * (1 - gd) / gd_draws), 1 / gd_draws)
    above = int(np.sum(gd > law + se * gd_se))
    return {"mc_maxdev": float(dev.max()), "mc_maxz": float(np.max(dev / np.maximum(mc[:, 1],
                                                                                   1e-12))),
            "gd_maxdev": float(np.max(np.abs(gd - law))), "gd_above": above,
            "upper_bound": above == 0}


LAW_COLUMNS = ("ratio", "mc", "mc_se", "gd")     # the stored arctan-law table (`law_table`)


def law_table(ratios, mc, gd) -> pd.DataFrame:
    """The arctan-law comparison as one table for the results store: per ratio, the Monte
    Carlo estimate and its standard error (`p_r_montecarlo`) and the gradient-descent share
    (`descent_collisions`). `stored_law` reads it back."""
    ratios, mc, gd = (np.asarray(v, dtype=float) for v in (ratios, mc, gd))
    if mc.shape != (len(ratios), 2) or gd.shape != ratios.shape:
        raise ValueError(f"mc must be (R, 2) and gd (R,) for R = {len(ratios)} ratios, got "
                         f"{mc.shape} and {gd.shape}")
    return pd.DataFrame(dict(zip(LAW_COLUMNS, (ratios, mc[:, 0], mc[:, 1], gd))))


def stored_law(stored, gd_draws: int) -> tuple[np.ndarray | None, dict | None]:
    """(ratios, `law_checks`) of a stored `law_table` (a `store.Stored` with table "law"), or
    (None, None) when nothing is stored."""
    if stored is None:
        return None, None
    table = stored.tables["law"]
    missing = set(LAW_COLUMNS) - set(table.columns)
    if missing:
        raise ValueError(f"the stored law table lacks the columns {sorted(missing)}")
    ratios = table["ratio"].to_numpy(float)
    return ratios, law_checks(ratios, table[["mc", "mc_se"]].to_numpy(float),
                              table["gd"].to_numpy(float), gd_draws)


def law_sentence(checks: dict | None, ratios, *, mc_draws: int, gd_draws: int) -> str:
    """The arctan law at full size in one sentence for the prose, from `stored_law`; says so
    when nothing is stored."""
    if checks is None:
        return "The full-size Monte Carlo of the arctan law is not stored."
    bound = "an upper bound" if checks["upper_bound"] else "not an upper bound"
    return (f"At full size, with {mc_draws:,} Monte Carlo draws and {gd_draws:,} two-repon "
            f"systems per ratio, the Monte Carlo meets the arctan law within "
            f"{checks['mc_maxdev']:.4f} ({checks['mc_maxz']:.1f} standard errors) over "
            f"{len(ratios)} ratios, and gradient descent lies above it by more than "
            f"{BOUND_SE:g} standard errors at {checks['gd_above']} of them: the law is {bound} "
            f"for the uncentred system there too.")


def p_r_cluster_notebook(ratio, n_cluster: int, *, sigma_ratio: float = 1.0):
    """The one-repon-against-a-cluster law as the third-party teaching notebook writes it:
    (2/pi) arctan(sigma_ratio sqrt(ratio / (4 (1 + 1/N)))), ratio = eta_x / eta_A. At N = 1 it
    is p_r(ratio / 4), not Eq. 12; `p_r_cluster` is the law derived in chapter 3."""
    if n_cluster < 1:
        raise ValueError(f"n_cluster must be >= 1, got {n_cluster!r}")
    ratio = np.asarray(ratio, dtype=float)
    return 2 / np.pi * np.arctan(sigma_ratio * np.sqrt(ratio / (4 * (1 + 1 / n_cluster))))


def cluster_collisions(n_cluster: int, ratio: float = 1.0, *, draws: int = 300, seed: int = 0,
                       t_end: float = 2000.0) -> dict:
    """One repon joining a cluster of N, simulated particle by particle (`simulate_cluster`,
    eta_A = 1, eta_x = ratio) from `draws` starts a0, c0 ~ N(0, 1), separation s0 = 2 c0.

    A system has collided when by `t_end` its separation has shrunk by a larger factor than its
    decoder weight: ``|s / s0| < |a / a0|``.

    Returns:
        dict: `simulated` (the share that collided) and `sign` (the share with C_N > 0 at the
        same starts, what the theory predicts for them).
    """
    rng = np.random.default_rng(seed)
    a0, c0 = rng.standard_normal((2, draws))
    sim = simulate_cluster(a0, 2 * c0, n_cluster, 1.0, ratio, t_end, points=2, rtol=1e-8,
                           atol=1e-12)
    hit = np.abs(sim["s"][-1] / (2 * c0)) < np.abs(sim["a"][-1] / a0)
    return {"simulated": float(hit.mean()),
            "sign": float((cluster_conserved(a0, 2 * c0, n_cluster, 1.0, ratio) > 0).mean())}


def cluster_check(ns, ratio: float = 1.0, *, draws: int = 300, seed: int = 1):
    """`cluster_collisions` for each cluster size N in `ns`, beside the derived law
    (`p_r_cluster`) and the teaching notebook's form (`p_r_cluster_notebook`), sigma_a = sigma_c.

    Returns:
        DataFrame with columns N, simulated, standard error (of the simulated share), share
        with C > 0 (the share of the same starts with C_N > 0), derived law, teaching
        notebook's form.
    """
    rows = []
    for k, n in enumerate(ns):
        sim = cluster_collisions(n, ratio, draws=draws, seed=seed + k)
        se = np.sqrt(sim["simulated"] * (1 - sim["simulated"]) / draws)
        rows.append({"N": int(n), "simulated": sim["simulated"], "standard error": float(se),
                     "share with C > 0": sim["sign"],
                     "derived law": float(p_r_cluster(ratio, n)),
                     "teaching notebook's form": float(p_r_cluster_notebook(ratio, n))})
    return pd.DataFrame(rows)


def cluster_deviation(table) -> dict:
    """How far the simulated collision rates of `cluster_check` lie from each law, in their
    standard errors: {"derived": ``max |simulated - derived law| / s.e.``, "notebook": the same
    for the teaching notebook's form, "sign": ``max |simulated - share with C > 0|`` (a plain
    difference of shares: the theory says it is 0)}."""
    se = table["standard error"].clip(lower=1e-12)
    out = {name: float(((table["simulated"] - table[column]).abs() / se).max())
           for name, column in (("derived", "derived law"),
                                ("notebook", "teaching notebook's form"))}
    out["sign"] = float((table["simulated"] - table["share with C > 0"]).abs().max())
    return out


# ---- the trained network: the learning-rate phase diagram (the paper's Figs. 5 and 8) --------

RULE = 10.0          # the paper's rule of thumb: the decoder at most ~10x faster, eta_dec/eta_enc
SLOPE_TOL = 0.5      # our tolerance on the boundary's log-log slope (the theory's: 1)
RATIO_FACTOR = 3.0   # our tolerance on a boundary's ratio: within this factor of the reference


@dataclass(frozen=True)
class PhaseGrid:
    """A learning-rate phase diagram without and with decoder weight decay (`phase_grid`)."""

    table: pd.DataFrame       # one row per run, with its `phase` (Table IV)
    cells: pd.DataFrame       # phases.phase_map over (weight_decay, lr_enc, lr_dec)
    weight_decay: float       # the decoder weight decay of the second diagram
    fits: dict                # {weight decay: phases.fit_boundary of that diagram}
    bounds: dict              # {weight decay: its boundary points (phases.phase_boundary)}

    @property
    def off(self) -> dict:
        """The boundary fit without weight decay."""
        return self.fits[0.0]

    @property
    def on(self) -> dict:
        """The boundary fit with weight decay."""
        return self.fits[self.weight_decay]

    def diagram(self, weight_decay: float) -> pd.DataFrame:
        """The cells of the diagram at `weight_decay`."""
        return self.cells[self.cells["weight_decay"] == weight_decay]

    def counts(self, weight_decay: float) -> dict:
        """{phase: number of cells with that majority phase} at `weight_decay`."""
        return phases.phase_counts(self.diagram(weight_decay))

    def slopes(self, weight_decay: float) -> tuple[float, float]:
        """The range of boundary slopes that the cells of the diagram at `weight_decay` allow
        (`slope_range` of its `boundary_edges`)."""
        return slope_range(boundary_edges(self.diagram(weight_decay)))

    def panels(self) -> dict:
        """{title: (cells, fit, boundary points)} of the two diagrams, for
        `plots.lr_phase_panels`."""
        return {("no weight decay" if wd == 0 else f"decoder weight decay {wd:g}"):
                (self.diagram(wd), self.fits[wd], self.bounds[wd])
                for wd in (0.0, self.weight_decay)}


def phase_grid(table: pd.DataFrame, weight_decay: float, *, threshold: float = 0.9,
               grokking_delay: int = 1000) -> PhaseGrid:
    """Read a learning-rate sweep: classify every run (Table IV, `phases.classify_table`),
    take the majority phase of each (weight decay, eta_enc, eta_dec) cell (`phases.phase_map`)
    and fit each diagram's generalization/memorization boundary (`phases.boundary_fits`).

    Args:
        table: a sweep table with curves (`sweeps.run_sweep` or `sweeps.from_tables`) holding
            weight decays 0 and `weight_decay`; it is not modified.
        weight_decay: the decoder weight decay of the second diagram (> 0).
        threshold, grokking_delay: Table IV's accuracy threshold and delay.

    Raises:
        ValueError: the table lacks one of the two weight decays.
    """
    held = sorted(set(table["weight_decay"]))
    if weight_decay <= 0 or not {0.0, weight_decay} <= set(held):
        raise ValueError(f"table must hold weight decays 0 and weight_decay > 0; it holds "
                         f"{held}, weight_decay is {weight_decay!r}")
    table = table.copy()
    table["phase"] = phases.classify_table(table, threshold=threshold,
                                           grokking_delay=grokking_delay)
    cells = phases.phase_map(table, ["weight_decay", "lr_enc", "lr_dec"])
    fits, bounds = phases.boundary_fits(cells, "weight_decay")
    return PhaseGrid(table, cells, float(weight_decay), fits, bounds)


def boundary_edges(diagram: pd.DataFrame, *, below: str = "generalization",
                   above: str = "memorization") -> pd.DataFrame:
    """The two cells on either side of each boundary point of a phase diagram: in every column
    lr_enc where the phase steps from `below` to `above` as lr_dec grows (the last such step,
    as `phases.phase_boundary` takes it), the largest lr_dec in `below` (`low`) and the next
    one, in `above` (`high`). The boundary passes somewhere between them.

    Returns:
        DataFrame with columns lr_enc, low, high, one row per boundary column.
    """
    rows = []
    for x, col in diagram.sort_values("lr_dec").groupby("lr_enc"):
        ys, ph = col["lr_dec"].to_numpy(), col["phase"].to_numpy()
        step = [i for i in range(len(ys) - 1) if ph[i] == below and ph[i + 1] == above]
        if step:
            rows.append({"lr_enc": float(x), "low": float(ys[step[-1]]),
                         "high": float(ys[step[-1] + 1])})
    return pd.DataFrame(rows, columns=["lr_enc", "low", "high"])


def slope_range(edges: pd.DataFrame) -> tuple[float, float]:
    """The log-log slopes of the straight lines log y = s log x + c that pass between the two
    cells of every boundary column (`boundary_edges`): low <= y <= high at each x = lr_enc.

    A line of slope s fits when max_j (log low_j - s u_j) <= min_k (log high_k - s u_k),
    u = log lr_enc; each pair of columns j, k with u_j > u_k then gives the lower bound
    s >= (log low_j - log high_k) / (u_j - u_k), and with the roles swapped an upper bound.
    How wide the range is shows what a grid of this resolution can say about the slope.

    Returns:
        (smallest, largest) slope; (NaN, NaN) with fewer than two boundary columns or when no
        straight line passes between all of them.
    """
    if len(edges) < 2:
        return float("nan"), float("nan")
    u = np.log10(edges["lr_enc"].to_numpy(float))
    lo, hi = np.log10(edges["low"].to_numpy(float)), np.log10(edges["high"].to_numpy(float))
    du = u[:, None] - u[None, :]                                  # u_j - u_k
    gap = lo[:, None] - hi[None, :]                               # log low_j - log high_k
    smallest = np.max(gap[du > 0] / du[du > 0])
    largest = np.min(gap[du < 0] / du[du < 0])
    if smallest > largest + 1e-9:
        return float("nan"), float("nan")
    return float(smallest), float(largest)


def slope_range_text(slopes: tuple[float, float], points: int, *, theory: float = 1.0) -> str:
    """`slope_range` as a clause for the chapter's prose. Whether the range holds the theory's
    slope is decided at the two decimals shown (the ends are where a line touches a cell)."""
    lo, hi = slopes
    if points < 2:
        return "with fewer than two boundary columns, the grid does not determine a slope"
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "no straight line passes between the cells of every boundary column"
    lo2, hi2 = round(lo, 2), round(hi, 2)
    where = ("has the theory's {:g} at its edge" if theory in (lo2, hi2) else
             "contains the theory's {:g}" if lo2 < theory < hi2 else "excludes the theory's {:g}")
    return (f"every line with a slope from {lo:.2f} to {hi:.2f} passes between the same "
            f"cells, a range that {where.format(theory)}")


def grid_factor(diagram: pd.DataFrame, column: str = "lr_dec") -> float:
    """The factor between neighbouring values of a log-spaced grid axis (e.g. 10 ** 0.5 for
    half-decade steps); NaN with fewer than two values."""
    values = np.sort(np.unique(diagram[column].to_numpy(float)))
    if len(values) < 2:
        return float("nan")
    return float((values[-1] / values[0]) ** (1 / (len(values) - 1)))


def memorization_reach(diagram: pd.DataFrame) -> float:
    """The fastest encoder rate lr_enc at which some cell of the diagram memorizes (NaN when
    none does)."""
    memorizing = diagram.loc[diagram["phase"] == "memorization", "lr_enc"]
    return float(memorizing.max()) if len(memorizing) else float("nan")


def boundary_checks(fit: dict, *, rule: float = RULE, slope_tol: float = SLOPE_TOL,
                    factor: float = RATIO_FACTOR) -> dict:
    """The paper's Fig. 5 claim on one fitted boundary (`phases.fit_boundary`): a line of
    constant ratio, i.e. log-log slope 1 (Eq. 12 depends on the rates only through
    eta_x / eta_A), at eta_dec / eta_enc near the rule of thumb.

    Returns:
        dict: `slope` (``|slope - 1| < slope_tol``), `ratio` (the ratio within a factor `factor` of
        `rule`; the ratio is defined from one boundary column on, the slope from two) and
        `factor` (how far the ratio is from the rule, max(ratio / rule, rule / ratio) >= 1;
        NaN without a boundary).
    """
    slope, ratio = fit["slope"], fit["ratio"]
    off_by = max(ratio / rule, rule / ratio) if np.isfinite(ratio) else float("nan")
    return {"slope": bool(np.isfinite(slope) and abs(slope - 1) < slope_tol),
            "ratio": bool(np.isfinite(ratio) and off_by <= factor), "factor": float(off_by)}


def weight_decay_check(grid: PhaseGrid, *, factor: float = RATIO_FACTOR) -> dict:
    """The paper's Fig. 8 claim, "decoder weight decay does not shift the boundary", on a grid.

    Three outcomes:
        "shift": both diagrams have a boundary; `shift` = ratio with / ratio without, and
            `ok` when it lies within a factor `factor` either way.
        "no memorization": the diagram without weight decay has a boundary, but with weight
            decay no cell memorizes. The boundary, if there is one, lies above every cell, so
            its ratio exceeds `largest`, the largest eta_dec / eta_enc of the grid, and the
            shift is at least `at_least` = largest / ratio without; `ok` is False when that
            already exceeds `factor`, None (undecided) otherwise.
        "no boundary": anything else (no boundary without weight decay, or memorizing cells
            with weight decay but no column that steps into them); `ok` is None.

    Returns:
        dict: outcome, ok, shift, largest, at_least (NaN where they do not apply), and
        `memorizing_off`, `memorizing_on`, `cells` (memorizing cells of each diagram, and the
        cells per diagram).
    """
    off, on = grid.off["ratio"], grid.on["ratio"]
    diagram = grid.diagram(grid.weight_decay)
    out = {"memorizing_off": grid.counts(0.0)["memorization"],
           "memorizing_on": grid.counts(grid.weight_decay)["memorization"],
           "cells": len(diagram), "shift": float("nan"), "largest": float("nan"),
           "at_least": float("nan"), "ok": None}
    if np.isfinite(off) and np.isfinite(on):
        out.update(outcome="shift", shift=on / off, ok=bool(1 / factor <= on / off <= factor))
    elif np.isfinite(off) and out["memorizing_on"] == 0:
        largest = float((diagram["lr_dec"] / diagram["lr_enc"]).max())
        out.update(outcome="no memorization", largest=largest, at_least=largest / off,
                   ok=False if largest / off > factor else None)
    else:
        out["outcome"] = "no boundary"
    return out


def weight_decay_finding(check: dict, weight_decay: float, ratio_off: float) -> str:
    """The outcome of `weight_decay_check` in one sentence (plain text, for the chapter's
    prose), with the boundary ratio without weight decay, `ratio_off`, for comparison."""
    c, wd = check, f"{weight_decay:g}"
    if c["outcome"] == "shift":
        return (f"with weight decay {wd} the boundary sits at a ratio of "
                f"{ratio_off * c['shift']:.1f}, against {ratio_off:.1f} without: a shift by a "
                f"factor {c['shift']:.2f}")
    if c["outcome"] == "no memorization":
        return (f"with weight decay {wd} no cell memorizes ({c['memorizing_off']} of "
                f"{c['cells']} without), so the boundary moves past the grid's largest ratio, "
                f"{c['largest']:.0f}: at least {c['at_least']:.0f} times the ratio of "
                f"{ratio_off:.1f} without weight decay")
    return (f"with weight decay {wd}, {c['memorizing_on']} of {c['cells']} cells memorize, but "
            f"no column steps from generalization into memorization, so there is no boundary "
            f"to compare")


def weight_decay_gist(check: dict) -> str:
    """The outcome of `weight_decay_check` in a few words, a verb phrase whose subject is the
    weight decay ("... removes memorization from the grid, ...")."""
    if check["outcome"] == "shift":
        return f"moves the boundary by a factor {check['shift']:.2f}"
    if check["outcome"] == "no memorization":
        return (f"removes memorization from the grid, moving the boundary at least "
                f"{check['at_least']:.0f}-fold (a bound set by the grid's largest ratio)")
    return "leaves no boundary to compare"


@dataclass(frozen=True)
class Verdicts:
    """The paper's Figs. 5 and 8 judged on one PhaseGrid (`verdicts`), once: the chapter's prose
    (`phase_numbers`) and its scorecard rows (`scorecard_claims`) both read them from here."""

    grid: PhaseGrid                  # the phase diagrams judged
    fig5: dict                       # boundary_checks of the boundary without weight decay
    slopes: tuple[float, float]      # the slopes its cells allow (slope_range; NaN: none)
    fig8: dict                       # weight_decay_check of the grid

    @property
    def fig5_status(self) -> str:
        """The Fig. 5 scorecard status: slope and ratio both within tolerance, one, or neither."""
        return scorecard.status([self.fig5["slope"], self.fig5["ratio"]])

    @property
    def fig8_status(self) -> str:
        """The Fig. 8 scorecard status; "not testable" when `weight_decay_check` is undecided."""
        ok = self.fig8["ok"]
        return "not testable" if ok is None else "reproduced" if ok else "not reproduced"


def verdicts(grid: PhaseGrid) -> Verdicts:
    """Judge the paper's Fig. 5 (a boundary of slope 1 at a ratio near RULE: `boundary_checks`,
    with the slopes the cells allow, `PhaseGrid.slopes`) and Fig. 8 (decoder weight decay
    leaves the boundary in place: `weight_decay_check`) on `grid`, at the module's tolerances."""
    return Verdicts(grid, boundary_checks(grid.off), grid.slopes(0.0), weight_decay_check(grid))


NOT_STORED = {"boundary": "not stored", "fit": "not stored", "points": 0, "step": float("nan"),
              "slope_range": "the full-size grid is not stored",
              "wd_gist": "cannot be checked: the full-size grid is not stored"}


def phase_numbers(judged: Verdicts | None) -> dict:
    """What the chapter's prose quotes about one phase grid, by glue name (the chapter glues them
    as rp_<name> for its own grid, rp_full_<name> for the stored full-size one).

    Returns:
        dict: the boundary without weight decay (`slope`, `ratio`, `points`, `boundary` and
        `fit`: `boundary_text` with and without the slopes the cells allow, `slope_lo`,
        `slope_hi`, `slope_range`), the Fig. 5 verdicts (`rule_factor`; `v_slope`, `v_rule`:
        "within" or "outside" the tolerance), the cells (`counts`, `counts_wd`: "phase count,
        ..." without and with weight decay; `step`: `grid_factor`; `mem_reach`:
        `memorization_reach`) and Fig. 8 (`wd_finding`, `wd_gist`). For `judged` None (nothing
        stored) NOT_STORED: the keys the full-size section quotes, saying so.
    """
    if judged is None:
        return dict(NOT_STORED)
    grid, fit, (lo, hi) = judged.grid, judged.grid.off, judged.slopes
    counts = {wd: ", ".join(f"{k} {v}" for k, v in grid.counts(wd).items())
              for wd in (0.0, grid.weight_decay)}
    return {"slope": fit["slope"], "ratio": fit["ratio"], "points": fit["points"],
            "boundary": boundary_text(fit, judged.slopes), "fit": boundary_text(fit),
            "slope_lo": lo, "slope_hi": hi,
            "slope_range": slope_range_text(judged.slopes, fit["points"]),
            "rule_factor": judged.fig5["factor"],
            "v_slope": "within" if judged.fig5["slope"] else "outside",
            "v_rule": "within" if judged.fig5["ratio"] else "outside",
            "counts": counts[0.0], "counts_wd": counts[grid.weight_decay],
            "step": grid_factor(grid.diagram(0.0)),
            "mem_reach": memorization_reach(grid.diagram(0.0)),
            "wd_finding": weight_decay_finding(judged.fig8, grid.weight_decay, fit["ratio"]),
            "wd_gist": weight_decay_gist(judged.fig8)}


PHASE_SHORT = {"generalization": "gen.", "grokking": "grok.", "memorization": "mem.",
               "confusion": "conf."}      # the phases' column headers in `summary`


def summary(grids: dict) -> pd.DataFrame:
    """One row per phase diagram of the PhaseGrids in `grids` ({name: grid}, e.g. {"quick":
    ..., "full size": ...}; None values are left out), narrow enough for the page: the run, the
    decoder weight decay (λ), the fitted slope with the range of slopes the cells allow
    (`slope_range`; NaN without a fit), the boundary's rate ratio eta_dec / eta_enc (NaN
    without one), the number of boundary columns and the cells of each majority phase."""
    rows = []
    for name, grid in grids.items():
        if grid is None:
            continue
        for wd in (0.0, grid.weight_decay):
            fit, (lo, hi) = grid.fits[wd], grid.slopes(wd)
            slope = float("nan") if not np.isfinite(fit["slope"]) else (
                f"{fit['slope']:.2f} ({lo:.2f}–{hi:.2f})" if np.isfinite(lo) else
                f"{fit['slope']:.2f}")
            counts = grid.counts(wd)
            rows.append({"run": name, "λ": wd, "slope": slope, "ratio": fit["ratio"],
                         "columns": int(fit["points"]),
                         **{short: counts[phase] for phase, short in PHASE_SHORT.items()}})
    return pd.DataFrame(rows)


def boundary_text(fit: dict, slopes: tuple[float, float] | None = None) -> str:
    """A fitted boundary in a few words: its slope (with the range of slopes the cells allow,
    `slope_range`, when given and defined) and ratio, or why there is none."""
    if fit["points"] >= 2:
        allowed = (f" (cells allow {slopes[0]:.2f}–{slopes[1]:.2f})"
                   if slopes is not None and np.isfinite(slopes[0]) else "")
        return f"slope {fit['slope']:.2f}{allowed}, ratio {fit['ratio']:.1f}"
    if fit["points"] == 1:
        return f"one boundary column, ratio {fit['ratio']:.1f}"
    return "no boundary"


def stored_note(grid: PhaseGrid | None, config_hash: str, law_ratios=None) -> str:
    """What the results store holds for the full-size phase diagram, in a sentence, and for the
    full-size arctan law (`law_ratios`: its ratios from `stored_law`, None if not stored) in
    another, on a line of its own."""
    law = ("\nThe full-size Monte Carlo of the arctan law is not stored." if law_ratios is None
           else f"\nIt also holds the arctan law's full-size Monte Carlo at {len(law_ratios)} "
                f"{'ratio' if len(law_ratios) == 1 else 'ratios'}.")
    if grid is None:
        return (f"No full-size result is stored for this configuration (config {config_hash}), "
                "so only the quick profile is shown." + law)
    return f"The results store holds {len(grid.table)} runs of this configuration." + law


def typical_runs(grid: PhaseGrid) -> dict:
    """A typical generalizing and a typical memorizing run of the diagram without weight decay
    (`phases.representative`: the run with the median test accuracy of its phase): {phase: its
    row of `grid.table`}, without a phase that no run has."""
    plain = grid.table[grid.table["weight_decay"] == 0]
    picks = {ph: phases.representative(plain, ph) for ph in ("generalization", "memorization")}
    return {ph: plain.loc[i] for ph, i in picks.items() if i is not None}


def embedding_motion(runs: dict, *, device="auto") -> dict:
    """Retrain `runs` ({name: a row of a sweep table}, e.g. `typical_runs`) with their embeddings
    recorded (`sweeps.embedding_paths`): {name: (steps (T,), embeddings (T, n, d))}, as
    `plots.embedding_snapshots` and `live.motion` take them."""
    from . import sweeps            # torch: imported only when a chapter retrains
    paths = sweeps.embedding_paths([sweeps.run_of(run) for run in runs.values()], device=device)
    return {name: (run.curve_step, path) for (name, run), path in zip(runs.items(), paths)}


def duration_text(seconds: float) -> str:
    """A run time for a reader: "about 40 s", "about 3 min" (rounded; at least 10 s)."""
    if not np.isfinite(seconds) or seconds < 0:
        raise ValueError(f"seconds must be finite and >= 0, got {seconds!r}")
    if seconds < 90:
        return f"about {max(10, round(seconds, -1)):.0f} s"
    return f"about {round(seconds / 60):.0f} min"


def count_text(count: int, noun: str) -> str:
    """A count with its noun for prose: "one seed", "2 seeds" (plural by adding "s")."""
    return f"one {noun}" if count == 1 else f"{count} {noun}s"


def scorecard_claims(*, drift: float, law: dict, ratios, quick: Verdicts,
                     full: Verdicts | None = None, full_law: dict | None = None,
                     full_ratios=None) -> list:
    """The chapter's scorecard rows (`scorecard.Claim`), each status decided from verdicts
    computed once elsewhere (`law_checks`, `verdicts`).

    Args:
        drift: the largest relative drift of C along an ODE-solver solution of Eq. 10.
        law: `law_checks` of the Monte Carlo of Eq. 12 at `ratios` (eta_x / eta_A).
        quick: `verdicts` of the phase diagram this run computed; full: of the stored full-size
            one, if any.
        full_law, full_ratios: `law_checks` of the stored full-size Monte Carlo and its ratios,
            if any.
    """
    Claim, status = scorecard.Claim, scorecard.status
    half = float(p_r(2.0))                                      # rho = 1: eta_x / eta_A = 2

    def law_text(checks, at):
        return (f"$p_r(\\rho = 1)$ = {half:.3f}; Monte Carlo within {checks['mc_maxdev']:.4f} "
                f"of the law over {len(at)} ratios")

    def law_status(checks):
        return status([abs(half - 0.5) < 1e-12, checks["mc_maxdev"] <= 0.01])

    return [
        Claim("Fig. 4 / Eq. 11", "$C = a^2/2\\eta_A - c^2/\\eta_x$ is conserved along Eq. 10",
              "conserved", f"relative drift {drift:.1e} (ODE solver)", "drift below $10^{-2}$",
              status(drift < 1e-2), "rp-theory", full="the same at every profile",
              full_status=status(drift < 1e-2)),
        Claim("Fig. 6 / Eq. 12", "$p_r = \\frac{2}{\\pi}\\arctan\\rho$ with $\\rho = "
              "\\sqrt{\\eta_x/2\\eta_A}$; $p_r = 0.5$ at $\\rho = 1$",
              "$p_r(\\rho = 1) = 0.5$", law_text(law, ratios),
              "Monte Carlo within 0.01 (our tolerance)", law_status(law), "rp-pr",
              full=law_text(full_law, full_ratios) if full_law else "not stored",
              full_status=law_status(full_law) if full_law else None),
        Claim("Fig. 5", "the generalization/memorization boundary is a line of constant ratio, "
              f"$\\eta_\\mathrm{{dec}}/\\eta_\\mathrm{{enc}} \\lesssim {RULE:.0f}$",
              f"slope 1, ratio ≲ {RULE:.0f}", boundary_text(quick.grid.off, quick.slopes),
              f"slope 1 ± {SLOPE_TOL}; ratio within a factor {RATIO_FACTOR:.0f} of {RULE:.0f} "
              "(our tolerance)", quick.fig5_status, "rp-phase",
              full=boundary_text(full.grid.off, full.slopes) if full else "not stored",
              full_status=full.fig5_status if full else None),
        Claim("Fig. 8", f"decoder weight decay ({quick.grid.weight_decay:g}, our choice) does not "
              "shift the boundary", "not shifted", _fig8_text(quick),
              f"shift within a factor {RATIO_FACTOR:.0f} (our tolerance)", quick.fig8_status,
              "rp-phase",
              full=_fig8_text(full) if full else "not stored",
              full_status=full.fig8_status if full else None),
    ]


def _fig8_text(judged: Verdicts) -> str:
    """The Fig. 8 outcome in a few words, for a scorecard cell."""
    c, grid = judged.fig8, judged.grid
    if c["outcome"] == "shift":
        return (f"{boundary_text(grid.on)} with weight decay, {boundary_text(grid.off)} without: "
                f"shift by a factor {c['shift']:.2f}")
    if c["outcome"] == "no memorization":
        return (f"no cell memorizes with weight decay ({c['memorizing_off']} of {c['cells']} "
                f"without): the boundary leaves the grid, a shift by a factor of at least "
                f"{c['at_least']:.0f}")
    return (f"no boundary to compare ({c['memorizing_on']} of {c['cells']} cells memorize with "
            f"weight decay, {c['memorizing_off']} without)")
