"""Knowledge-graph autoencoding tasks: the relations of the paper's Table I and their datasets.

A binary relation R on n symbols is a directed graph with adjacency matrix R in {0,1}^(n x n).
The dataset is all n^2 ordered pairs (x1, x2), diagonal included, labelled y = R(x1, x2).
A train fraction p of the pairs is drawn uniformly without replacement.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Relation", "RELATIONS", "N_MAX", "make_relation", "parse_relation", "from_adjacency",
           "classes", "check_split", "all_pairs", "train_mask"]


@dataclass(frozen=True, eq=False)
class Relation:
    """A relation on n symbols with the family it belongs to.

    `family` is what an ideal reasoner knows a priori (the paper's Appendix D): "equivalence"
    (k classes of given sizes), "order" (strict total order), "bipartite" (complete bipartite
    K_{a,n-a}) or "generic" (a user matrix; only its unlabelled graph is known).
    """

    name: str  # e.g. "mod", "greater", "bipartite", "custom"
    matrix: np.ndarray = field(repr=False)  # (n, n) uint8 adjacency, R[x1, x2]
    family: str  # "equivalence" | "order" | "bipartite" | "generic"
    params: dict = field(default_factory=dict)  # e.g. {"k": 3} or {"a": 10}

    @property
    def n(self) -> int:
        return self.matrix.shape[0]

    @property
    def label(self) -> str:
        """Short human name, e.g. 'mod 3', 'greater-than', 'bipartite a=10'."""
        if self.name == "mod":
            return f"mod {self.params['k']}"
        if self.name == "bipartite":
            return f"bipartite a={self.params['a']}"
        return {"greater": "greater-than"}.get(self.name, self.name)


def check_int(name: str, value, low: int, high: int | None = None) -> int:
    """`value` as an int in low..high (high None: no upper bound), else a ValueError naming
    `name` and the allowed range. Numpy integers are accepted; bools are not."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        allowed = f">= {low}" if high is None else f"in {low}..{high}"
        raise ValueError(f"{name} must be {allowed}, got {value}")
    return int(value)


def _mod(n: int, *, k: int = 3) -> Relation:
    """Equality mod k: R(x1, x2) = 1 iff x1 = x2 (mod k). An equivalence with k classes, so
    2 <= k <= n (a larger k has fewer than k classes on n symbols)."""
    k = check_int("k", k, 2, n)
    x = np.arange(n)
    return Relation("mod", (x[:, None] % k == x[None, :] % k).astype(np.uint8), "equivalence",
                    {"k": k})


def _greater(n: int) -> Relation:
    """Greater-than: R(x1, x2) = 1 iff x2 > x1, i.e. x1 < x2. A strict total order."""
    x = np.arange(n)
    return Relation("greater", (x[None, :] > x[:, None]).astype(np.uint8), "order", {})


def _bipartite(n: int, *, a: int = 10) -> Relation:
    """Complete bipartite K_{a,n-a}: exactly one of x1, x2 lies in S = {0, ..., a-1}."""
    a = check_int("a", a, 1, n - 1)
    s = np.arange(n) < a
    return Relation("bipartite", (s[:, None] ^ s[None, :]).astype(np.uint8), "bipartite",
                    {"a": a})


RELATIONS = {"mod": _mod, "greater": _greater, "bipartite": _bipartite}
N_MAX = 1000   # symbols of a named relation: its automorphisms take seconds at n = 1000


def make_relation(name: str, n: int = 30, **params) -> Relation:
    """Build a named relation on n symbols (the paper's Table I).

    Args:
        name: one of RELATIONS: "mod" (takes k, default 3), "greater", "bipartite" (takes a,
            default 10).
        n: number of symbols, >= 2; the paper uses 30.
    Raises:
        ValueError: unknown name, n < 2, k < 2, a outside 1..n-1, or a parameter the relation
            does not take.
    """
    if not isinstance(name, str) or name not in RELATIONS:
        raise ValueError(f"relation must be one of {sorted(RELATIONS)}, got {name!r}")
    n = check_int("n", n, 2, N_MAX)
    try:
        return RELATIONS[name](n, **params)
    except TypeError as err:
        raise ValueError(f"relation {name!r} got unexpected parameters {sorted(params)}") from err


def parse_relation(short_name: str, n: int) -> Relation:
    """A relation from its short name: 'modK' (K >= 2), 'greater' or 'bipartiteA'
    (1 <= A < n), e.g. parse_relation('mod3', 30). Used by chapter parameters and the CLI."""
    if not isinstance(short_name, str):
        raise ValueError(f"relation must be a name such as 'mod3', 'greater' or 'bipartite10', "
                         f"got {short_name!r}")
    for name in ("mod", "bipartite"):
        if short_name.startswith(name) and short_name[len(name):].isdigit():
            key = "k" if name == "mod" else "a"
            return make_relation(name, n, **{key: int(short_name[len(name):])})
    if short_name == "greater":
        return make_relation("greater", n)
    raise ValueError(f"relation {short_name!r} not understood; use 'modK' (K >= 2), 'greater' or "
                     f"'bipartiteA' (1 <= A < n), e.g. 'mod3', 'bipartite10'")


def from_adjacency(matrix, name: str = "custom") -> Relation:
    """Wrap a user-given square 0/1 matrix as a relation of the generic family.

    Raises:
        ValueError: if the matrix is not square, smaller than 2 x 2, or has entries other than 0/1.
    """
    m = np.asarray(matrix)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"matrix must be square (n, n), got shape {m.shape}")
    if m.shape[0] < 2:
        raise ValueError(f"matrix must be at least 2 x 2, got {m.shape}")
    if not np.isin(m, (0, 1)).all():
        raise ValueError("matrix entries must be 0 or 1")
    return Relation(name, m.astype(np.uint8), "generic", {})


def classes(relation: Relation) -> np.ndarray:
    """(n,) int class label of every symbol of an equivalence relation: the index of the first
    symbol of its class (so mod k on 0..n-1 gives x mod k).

    Raises:
        ValueError: if the relation is not of the equivalence family.
    """
    if relation.family != "equivalence":
        raise ValueError(f"classes need an equivalence relation, got family {relation.family!r}")
    return np.argmax(relation.matrix, axis=1)


def all_pairs(relation: Relation) -> tuple[np.ndarray, np.ndarray]:
    """The dataset: every ordered pair and its label.

    Returns:
        pairs: (n^2, 2) int64, row i*n + j is (i, j).
        labels: (n^2,) float32 in {0, 1}.
    """
    n = relation.n
    i, j = np.divmod(np.arange(n * n), n)
    return np.stack([i, j], axis=1), relation.matrix.reshape(-1).astype(np.float32)


def check_split(fraction, n_pairs: int, *, name: str = "fraction") -> int:
    """The number of train pairs, round(fraction * n_pairs), after checking that the split
    leaves at least one train pair and one test pair (an empty set has no loss or accuracy).

    Raises:
        ValueError: naming `name`, the counts and the fractions that work for `n_pairs`.
    """
    m = int(round(float(fraction) * n_pairs))
    if not 1 <= m <= n_pairs - 1:
        raise ValueError(f"{name} {fraction} of {n_pairs} pairs gives {m} train and "
                         f"{n_pairs - m} test pairs; both must be >= 1, so {name} must be in "
                         f"[{1 / n_pairs:.3g}, {1 - 1 / n_pairs:.3g}] here")
    return m


def train_mask(n_pairs: int, fraction: float, seed: int) -> np.ndarray:
    """Deterministic train split: round(fraction * n_pairs) pairs drawn without replacement.

    Args:
        n_pairs: dataset size N.
        fraction: train fraction p, strictly between 0 and 1.
        seed: integer seed; the same (fraction, seed) always gives the same split.
    Returns:
        (N,) bool, True for training pairs.
    """
    fraction = float(fraction)
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be in the open interval (0, 1), got {fraction}")
    m = int(round(fraction * n_pairs))
    mask = np.zeros(n_pairs, dtype=bool)
    mask[np.random.default_rng(seed).permutation(n_pairs)[:m]] = True
    return mask
