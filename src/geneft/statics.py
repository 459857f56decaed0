"""Statics: how much data a relation needs (GenEFT spec section 3, Eqs. 3-5, Table II).

The relation's type (its unlabelled graph) is known; what must be learned is which of the
``n!/|Aut(G)|`` labellings is the true one, ``b = log2(n!/|Aut(G)|)`` bits. Each training pair is
crudely assumed to reveal one of the b bits at random (balls in buckets).
"""
from __future__ import annotations

import math

import igraph
import numpy as np

from .tasks import Relation

__all__ = ["aut_order", "description_length", "description_length_paper", "known_fraction",
           "critical_fraction", "p_star", "accuracy_upper_bound", "crossing_fraction", "summary"]


def aut_order(relation: Relation) -> int:
    """``|Aut(G)|``: the number of permutations pi with R(pi i, pi j) = R(i, j) for all i, j.

    Counted exactly by BLISS (python-igraph) on the directed graph of R. Self-loops (the diagonal)
    are encoded as a vertex colour, since BLISS works on simple graphs.
    """
    m = relation.matrix
    off = m.copy()
    np.fill_diagonal(off, 0)
    edges = list(zip(*np.nonzero(off)))
    g = igraph.Graph(n=relation.n, edges=[(int(i), int(j)) for i, j in edges], directed=True)
    return int(g.count_automorphisms(color=[int(c) for c in np.diag(m)]))


def description_length(relation: Relation) -> float:
    """Exact description length ``b = log2(n! / |Aut(G)|)`` in bits (spec 3.1).

    ``|Aut(G)|`` divides n! (it is a subgroup of S_n), so the ratio is an exact integer: the number
    of distinct labellings of the graph.
    """
    return math.log2(math.factorial(relation.n) // aut_order(relation))


def description_length_paper(relation: Relation) -> float:
    """The paper's approximate b per family (spec 3.1, Table II), in bits.

    equivalence with k classes: n log2 k; total order: log2 n!; complete bipartite K_{a,n-a}:
    log2 C(n, a); generic: n^2 (every entry of R is a free bit).
    """
    n, fam = relation.n, relation.family
    if fam == "equivalence":
        return n * math.log2(relation.params["k"])
    if fam == "order":
        return math.lgamma(n + 1) / math.log(2)
    if fam == "bipartite":
        return math.log2(math.comb(n, relation.params["a"]))
    return float(n * n)


def known_fraction(m, bits: float):
    """Balls in buckets, Eq. (3): expected fraction of the b bits known after m samples.

    f(m) = 1 - (1 - 1/b)^m. Accepts scalar or array m.
    """
    if bits < 1:
        raise ValueError(f"bits must be >= 1, got {bits}")
    return 1.0 - (1.0 - 1.0 / bits) ** np.asarray(m, dtype=float)


def critical_fraction(bits: float, n_pairs: int, *, alpha: float = 0.9) -> float:
    """Crude critical train fraction, Eq. (4): f(N p_c) = alpha.

    p_c = log(1 - alpha) / (N log(1 - 1/b)); can exceed 1 (not learnable from a fraction).
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in the open interval (0, 1), got {alpha}")
    if bits <= 1:
        raise ValueError(f"bits must be > 1, got {bits}")
    return math.log(1.0 - alpha) / (n_pairs * math.log(1.0 - 1.0 / bits))


def p_star(relation: Relation) -> float:
    """p*: the probability that a pair which cannot be deduced is related (spec 3.3).

    equivalence with k classes: 1/k (a random pair is related with probability ~1/k);
    bipartite: 1/2; total order: 1/3 (the three-node module argument); generic: 1/2.
    Only max(p*, 1 - p*) enters Eq. (5).
    """
    return {"equivalence": 1.0 / relation.params.get("k", 2), "order": 1.0 / 3.0,
            "bipartite": 0.5}.get(relation.family, 0.5)


def accuracy_upper_bound(fraction, relation: Relation, *, bits: float | None = None):
    """Upper bound on whole-dataset accuracy, Eq. (5).

    f_UB = f(m) + max(p*, 1 - p*) (1 - f(m)), m = fraction * n^2, f from Eq. (3).

    Args:
        fraction: train fraction(s) p in [0, 1], scalar or array.
        relation: the relation (sets n, p* and, by default, b).
        bits: description length to use; default the paper's approximation, as the paper does.
    """
    b = description_length_paper(relation) if bits is None else bits
    f = known_fraction(np.asarray(fraction, dtype=float) * relation.n ** 2, b)
    ps = p_star(relation)
    return f + max(ps, 1.0 - ps) * (1.0 - f)


def crossing_fraction(fractions, accuracy, level: float = 0.9) -> float:
    """First train fraction at which an accuracy curve reaches `level`, by linear interpolation
    between the measured points; nan if it never does. `fractions` must be increasing."""
    x, y = np.asarray(fractions, dtype=float), np.asarray(accuracy, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or (np.diff(x) <= 0).any():
        raise ValueError("fractions must be a 1-D increasing array with one accuracy per entry")
    above = np.nonzero(y >= level)[0]
    if len(above) == 0:
        return float("nan")
    i = above[0]
    if i == 0:
        return float(x[0])
    return float(x[i - 1] + (level - y[i - 1]) * (x[i] - x[i - 1]) / (y[i] - y[i - 1]))


def summary(relation: Relation, alpha: float = 0.9) -> dict:
    """Every static number of one relation (spec 3.1-3.3) as a JSON-ready dict: ``|Aut(G)|`` as a
    decimal string, b exact and paper-approximate, p*, and the crude p_c of Eq. (4) from each b
    (p_crude uses the paper's b, as the paper does)."""
    n_pairs = relation.n ** 2
    bits_exact, bits_paper = description_length(relation), description_length_paper(relation)
    crude = lambda b: critical_fraction(b, n_pairs, alpha=alpha) if b > 1 else None  # noqa: E731
    return {"relation": relation.name, "label": relation.label, "n": relation.n,
            **relation.params, "family": relation.family, "alpha": alpha,
            "aut": str(aut_order(relation)),
            "log2_n_factorial": math.log2(math.factorial(relation.n)),
            "bits_exact": bits_exact, "bits_paper": bits_paper, "p_star": p_star(relation),
            "p_crude": crude(bits_paper), "p_crude_exact": crude(bits_exact)}
