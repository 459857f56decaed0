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
MLP and the first decoder layer of a GenEFT model. The chapter's experiment on them (its data,
networks, sweep, GenEFT bridge and verdicts) is `geneft.digits`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

__all__ = ["dual_weights", "secant", "nearest_same_label", "layer_hessian", "Decomposition",
           "decomposition", "spearman", "analyse_layer", "summary", "GAP_SHARE", "gap_share",
           "corr_quartiles"]

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
    # here, not at the top: scipy.stats takes about 2 s of CPU to import, and `profiles` loads
    # this module (through `digits`) only to check a dataset name
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


# --- what the chapter reads off one analysis -----------------------------------------------

def summary(result) -> dict:
    """The numbers of one `analyse_layer` result the chapter tabulates: gap and A-W estimate,
    exactness and identity errors, the mean and covariance parts, the sharpness-size sum
    sum_n sigma_gamma sigma_theta, the size sum_n sigma_theta^2, the mean sharpness
    mean_n sigma_gamma, the largest eigenvalue, the median correlation, the Spearman
    correlation of sigma_gamma with lambda over the top 100 directions and the relative
    displacement of the test activities."""
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


GAP_SHARE = 0.9           # "where the gap lives": the leading directions carrying 90 % of it


def gap_share(dec: Decomposition, share: float = GAP_SHARE) -> int:
    """The number of leading directions (largest eigenvalue first) whose contributions first
    add up to `share` of the A-W estimate; len(dec.lam) if the running sum never gets there."""
    cum = np.cumsum(dec.contributions) / dec.contributions.sum()
    reached = np.flatnonzero(cum >= share)
    return int(reached[0] + 1) if len(reached) else len(cum)


def corr_quartiles(dec: Decomposition, top: int = 100) -> tuple[float, float]:
    """The first and third quartiles of the correlation c_n over the `top` leading directions
    (largest eigenvalue first): where the middle half of them lies."""
    q1, q3 = np.percentile(dec.corr[:top], [25, 75])
    return float(q1), float(q3)
