"""Appendix-D Monte Carlo: the accuracy an ideal reasoner reaches from a random p-fraction of pairs.

The reasoner knows the relation's type (its unlabelled graph, hence its logical properties) but
not the labelling: a priori every one of the ``n!/|Aut(G)|`` relabelled graphs is equally likely,
the same hypothesis space whose size defines the description length b. Given the observed pairs it
predicts each unobserved pair u with the Bayes-optimal guess, right with probability
max(p_u, 1 - p_u), where p_u = P(R_u = 1 | observations) (the paper's Appendix D):

    accuracy = [#observed + sum_u max(p_u, 1 - p_u)] / n^2.

Pairs fixed by closure (reflexivity, symmetry, transitivity, colourability, antisymmetry) come out
with p_u in {0, 1}: closure is not a separate rule but a consequence of conditioning. The posterior
is computed per family: equivalences and bipartite graphs by exact counting, total orders by exact
counting over downsets when the poset is narrow enough and by a Markov chain over linear
extensions otherwise; any relation on n <= 8 by brute force over the orbit (the reference the tests
compare against). Observed sets have exactly round(p n^2) pairs, like the training split.

A second reasoner knows less: only that the relation is an equivalence (any number of classes of
any sizes, every set partition equally likely a priori); its posterior comes from a Gibbs sampler
over the components' classes, checked against the enumeration of all set partitions.
"""
from __future__ import annotations

import itertools

import numpy as np

from . import units
from .tasks import Relation, classes, train_mask

__all__ = ["posterior", "draw_accuracy", "split_accuracy", "achievable_accuracy",
           "reasoner_curves", "bound_comparison", "curve_table", "curves_from_table",
           "describe_bias", "describe_bound", "bound_view", "bound_numbers", "orbit_posterior",
           "partition_enumeration_posterior", "PRIORS"]

_MAX_ORBIT_N = 8
_EXACT_WORK = 20_000         # equivalence: exact pair marginals up to this many DP states
_MAX_DOWNSETS = 20_000       # order: exact downset DP up to this many downsets


# ------------------------------------------------------------------ reference: brute force orbit
def orbit_posterior(relation: Relation, observed: np.ndarray) -> np.ndarray:
    """Posterior P(R_u = 1 | observed) by enumerating all relabellings (n <= 8 only).

    Args:
        observed: (n, n) bool mask of the observed pairs.
    Returns:
        (n, n) float64 matrix of p_u (0 or 1 where determined).
    """
    n = relation.n
    if n > _MAX_ORBIT_N:
        raise ValueError(f"orbit enumeration needs n <= {_MAX_ORBIT_N}, got n = {n}")
    perms = np.array(list(itertools.permutations(range(n))))            # (n!, n)
    orbit = relation.matrix[perms[:, :, None], perms[:, None, :]]        # (n!, n, n)
    orbit = np.unique(orbit.reshape(len(perms), -1), axis=0).reshape(-1, n, n)
    truth = relation.matrix
    ok = (orbit == truth)[:, observed].all(axis=1)
    return orbit[ok].mean(axis=0)


# ------------------------------------------------------------------ equivalences
class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))
        self.parity = [0] * n  # parity relative to parent (used for bipartite)

    def find(self, x: int) -> tuple[int, int]:
        p = 0
        while self.parent[x] != x:
            p ^= self.parity[x]
            x = self.parent[x]
        return x, p

    def union(self, x: int, y: int, odd: int = 0) -> None:
        (rx, px), (ry, py) = self.find(x), self.find(y)
        if rx != ry:
            self.parent[ry], self.parity[ry] = rx, px ^ py ^ odd

    def groups(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Component index (0..m-1) and parity of every node."""
        found = [self.find(x) for x in range(n)]
        roots = {r: i for i, r in enumerate(dict.fromkeys(r for r, _ in found))}
        return np.array([roots[r] for r, _ in found]), np.array([p for _, p in found])


class _Colorings:
    """Maps component -> class with class c receiving exactly caps[c] nodes and no two conflicting
    components in one class. Counted exactly by a dynamic programme over the component order that
    remembers only the classes of earlier components still in conflict with later ones; the same
    table draws exact uniform samples."""

    def __init__(self, sizes: tuple, conflicts: frozenset, caps: tuple):
        self.sizes, self.caps, m = sizes, tuple(caps), len(sizes)
        self.adj = [set() for _ in range(m)]
        for a, b in conflicts:
            self.adj[a].add(b)
            self.adj[b].add(a)
        self.frontier = [tuple(j for j in range(i) if any(l >= i for l in self.adj[j]))
                         for i in range(m + 1)]
        self._memo = {}

    def _moves(self, i: int, left: tuple, fcols: tuple):
        """Valid classes for component i and the state each leads to."""
        col = dict(zip(self.frontier[i], fcols))
        taken = {col[j] for j in self.adj[i] if j in col}
        for c in range(len(left)):
            if c in taken or left[c] < self.sizes[i]:
                continue
            new_left = left[:c] + (left[c] - self.sizes[i],) + left[c + 1:]
            col[i] = c
            yield c, (i + 1, new_left, tuple(col[j] for j in self.frontier[i + 1]))

    def _count(self, i: int, left: tuple, fcols: tuple) -> int:
        """Number of completions from state (i, left, fcols). Classes are interchangeable once
        their remaining capacity and frontier members are given, so states are memoised under
        a canonical key: frontier classes renamed by first appearance, the capacities of the
        classes off the frontier sorted. Up to k! states share one entry."""
        if i == len(self.sizes):
            return 1
        rename = {}
        for c in fcols:
            rename.setdefault(c, len(rename))
        key = (i, tuple(rename[c] for c in fcols), tuple(left[c] for c in rename),
               tuple(sorted(left[c] for c in range(len(left)) if c not in rename)))
        if key not in self._memo:
            self._memo[key] = sum(self._count(*state) for _, state in self._moves(i, left, fcols))
        return self._memo[key]

    def count(self) -> int:
        return self._count(0, self.caps, ())

    def sample(self, rng) -> np.ndarray:
        """One uniformly random valid colouring, (m,) int."""
        state, out = (0, self.caps, ()), []
        while state[0] < len(self.sizes):
            moves = list(self._moves(*state))
            w = np.array([float(self._count(*s)) for _, s in moves])
            c, state = moves[rng.choice(len(moves), p=w / w.sum())]
            out.append(c)
        return np.array(out)


def _merge(sizes: tuple, conflicts: frozenset, a: int, b: int) -> tuple[tuple, frozenset]:
    """Components a < b forced into one class: b is folded into a."""
    idx = [i if i < b else (a if i == b else i - 1) for i in range(len(sizes))]
    new_sizes = list(sizes[:b] + sizes[b + 1:])
    new_sizes[a] += sizes[b]
    new_conf = frozenset(tuple(sorted((idx[x], idx[y]))) for x, y in conflicts)
    return tuple(new_sizes), new_conf


def _observed_components(relation: Relation, observed: np.ndarray) -> tuple[np.ndarray, int]:
    """The symbols joined by observed related pairs: (component of each symbol, count)."""
    uf = _UnionFind(relation.n)
    for i, j in zip(*np.nonzero(observed & (relation.matrix == 1))):
        uf.union(int(i), int(j))
    comp, _ = uf.groups(relation.n)
    return comp, int(comp.max() + 1)


def _equivalence_posterior(relation: Relation, observed: np.ndarray, rng, *,
                           halves: bool = False):
    truth = relation.matrix
    comp, m = _observed_components(relation, observed)
    sizes = tuple(int(s) for s in np.bincount(comp, minlength=m))
    neg = observed & (truth == 0)
    conflicts = frozenset(tuple(sorted((int(comp[i]), int(comp[j]))))
                          for i, j in zip(*np.nonzero(neg)))
    # order components so that conflicting ones are close: keeps the DP frontier small
    order = _narrow_order(m, conflicts)
    rank = np.argsort(order)
    sizes = tuple(sizes[c] for c in order)
    conflicts = frozenset(tuple(sorted((int(rank[a]), int(rank[b])))) for a, b in conflicts)
    comp = rank[comp]
    caps = tuple(sorted(np.unique(classes(relation), return_counts=True)[1].tolist()))
    same = _same_class_probability(sizes, conflicts, caps, rng)           # (2, m, m): halves
    out = same[:, comp[:, None], comp[None, :]]                          # (2, n, n)
    return (out[0], out[1]) if halves else out.mean(axis=0)


def _narrow_order(m: int, conflicts: frozenset) -> list[int]:
    """An order of the components that keeps the DP frontier (placed components with a conflict
    still to come) small: greedily place the component that leaves the smallest frontier,
    preferring the one most tied to what is already placed."""
    adj = [set() for _ in range(m)]
    for a, b in conflicts:
        adj[a].add(b)
        adj[b].add(a)
    placed, order, remaining = set(), [], set(range(m))

    def frontier_after(v):
        rest = remaining - {v}
        return sum(1 for u in placed | {v} if adj[u] & rest)

    while remaining:
        v = min(remaining,
                key=lambda v: (frontier_after(v), -len(adj[v] & placed), -len(adj[v]), v))
        order.append(v)
        placed.add(v)
        remaining.remove(v)
    return order


def _same_class_probability(sizes, conflicts, caps, rng, *, samples: int = 800) -> np.ndarray:
    """P(components a and b share a class), (2, m, m): exactly, by recounting with a and b
    merged, when that costs at most _EXACT_WORK DP states in all (both halves equal); else from
    `samples` exact uniform colourings, the first and second half of them apart. At n = 30 and
    mod 3, 800 samples rather than 200 cut the accuracy's upward bias (`split_accuracy`) at
    p = 0.03-0.04 from about 0.003 to under 0.001, for 3.6 times the time."""
    m = len(sizes)
    pairs = [(a, b) for a in range(m) for b in range(a + 1, m) if (a, b) not in conflicts]
    dp = _Colorings(sizes, conflicts, caps)
    total = dp.count()
    if len(pairs) * len(dp._memo) > _EXACT_WORK:
        colors = np.stack([dp.sample(rng) for _ in range(samples)])         # (S, m)
        same = colors[:, :, None] == colors[:, None, :]                     # (S, m, m)
        return np.stack([same[: samples // 2].mean(axis=0), same[samples // 2:].mean(axis=0)])
    same = np.eye(m)
    for a, b in pairs:
        same[a, b] = same[b, a] = _Colorings(*_merge(sizes, conflicts, a, b), caps).count() / total
    return np.stack([same, same])


# ------------------------------------------------------------------ complete bipartite graphs
def _bipartite_posterior(relation: Relation, observed: np.ndarray, rng, *, halves: bool = False):
    """Observed pairs fix whether two nodes sit on the same side (label 0) or opposite sides
    (label 1): components with a parity. A hypothesis orients every component; the side S must
    hold exactly a nodes. Counted exactly with generating polynomials prod_c (z^x_c + z^y_c)."""
    n, truth, a = relation.n, relation.matrix, relation.params["a"]
    uf = _UnionFind(n)
    for i, j in zip(*np.nonzero(observed)):
        uf.union(int(i), int(j), odd=int(truth[i, j]))
    comp, parity = uf.groups(n)
    m = comp.max() + 1
    x = np.bincount(comp[parity == 0], minlength=m)   # nodes with parity 0 per component
    y = np.bincount(comp[parity == 1], minlength=m)
    polys = [_poly(int(x[c]), int(y[c])) for c in range(m)]
    total = _poly_product(polys)[a]
    # p_same[c, d] = P(parity-0 groups of c and d on the same side)
    p_same = np.eye(m)
    for c in range(m):
        for d in range(c + 1, m):
            rest = _poly_product(polys[:c] + polys[c + 1:d] + polys[d + 1:])
            joint = _poly(int(x[c] + x[d]), int(y[c] + y[d]))
            p_same[c, d] = p_same[d, c] = np.convolve(rest, joint)[a] / total
    same_group = parity[:, None] == parity[None, :]
    p_same_side = np.where(same_group, p_same[comp[:, None], comp[None, :]],
                           1.0 - p_same[comp[:, None], comp[None, :]])
    p = 1.0 - p_same_side
    return (p, p) if halves else p


def _poly(x: int, y: int) -> np.ndarray:
    """z^x + z^y as a coefficient vector: the component puts x or y nodes into S."""
    p = np.zeros(max(x, y) + 1)
    p[x] += 1
    p[y] += 1
    return p


def _poly_product(polys: list) -> np.ndarray:
    out = np.ones(1)
    for p in polys:
        out = np.convolve(out, p)
    return np.pad(out, (0, 1))  # index a may equal the full degree


# ------------------------------------------------------------------ total orders
def _order_posterior(relation: Relation, observed: np.ndarray, rng, *, halves: bool = False):
    """Observed pairs fix the order of two nodes; transitive closure gives the partial order.
    P(i before j) is the fraction of linear extensions with i before j: exact over the downset
    lattice when it is small, else from a Markov chain (two independent halves of its chains
    when `halves`)."""
    truth = relation.matrix.astype(bool)
    before = _transitive_closure(observed & truth | (observed & truth.T).T)
    exact = _downset_probabilities(before)
    parts = [exact, exact] if exact is not None else list(_mcmc_probabilities(before, rng))
    out = []
    for lt in parts:
        lt = lt.copy()
        np.fill_diagonal(lt, 0.0)  # a strict order is irreflexive
        # R(i, j) = 1 iff i precedes j in the hidden order encoded by `truth`
        out.append(np.where(before, 1.0, np.where(before.T, 0.0, lt)))
    return tuple(out) if halves else (out[0] + out[1]) / 2


def _transitive_closure(rel: np.ndarray) -> np.ndarray:
    """Boolean transitive closure by repeated squaring, (n, n) bool."""
    closure = rel.copy()
    while True:
        nxt = closure | (closure.astype(np.int64) @ closure.astype(np.int64) > 0)
        if (nxt == closure).all():
            return closure
        closure = nxt


def _downset_probabilities(before: np.ndarray) -> np.ndarray | None:
    """Exact P(i before j) by dynamic programming over downsets (bitmasks); None if the poset
    has more than _MAX_DOWNSETS downsets."""
    n = len(before)
    pred = [sum(1 << int(p) for p in np.nonzero(before[:, i])[0]) for i in range(n)]
    levels, index = [[0]], {0: 0}
    for _ in range(n):
        nxt = []
        for d in levels[-1]:
            for i in range(n):
                if not d >> i & 1 and pred[i] & d == pred[i]:
                    e = d | 1 << i
                    if e not in index:
                        index[e] = len(index)
                        nxt.append(e)
        if len(index) > _MAX_DOWNSETS:
            return None
        levels.append(nxt)
    states = [d for level in levels for d in level]
    fwd = dict.fromkeys(states, 0.0)
    fwd[0] = 1.0
    for d in states:
        for i in range(n):
            if not d >> i & 1 and pred[i] & d == pred[i]:
                fwd[d | 1 << i] += fwd[d]
    bwd = dict.fromkeys(states, 0.0)
    bwd[(1 << n) - 1] = 1.0
    for d in reversed(states):
        bwd[d] += sum(bwd[d | 1 << i] for i in range(n)
                      if not d >> i & 1 and pred[i] & d == pred[i])
    counts = np.zeros((n, n))
    bits = 1 << np.arange(n)
    for d in states:
        absent = (d & bits) == 0                                   # (n,) nodes not yet placed
        for i in np.nonzero(absent)[0]:
            if pred[i] & d == pred[i]:
                counts[i] += fwd[d] * bwd[d | 1 << int(i)] * absent   # i placed while j absent
    return counts / fwd[(1 << n) - 1]


def _mcmc_probabilities(before: np.ndarray, rng, *, chains: int = 256, burn: int = 40,
                        sweeps: int = 100) -> np.ndarray:
    """P(i before j) from `chains` heat-bath chains on the linear extensions of `before`, (2, n, n):
    the estimates of the first and the second half of the chains, independent of each other.

    One move takes a random node x out of the order and puts it back at a uniformly random
    position among those its predecessors and successors allow (a Gibbs update of x's place
    given the relative order of the others); a sweep is n moves. Each chain starts from a
    random topological order, runs `burn` sweeps, then is read after each of `sweeps` sweeps.
    256 chains rather than 64 halve the upward bias of the accuracy of the pooled estimate at
    n = 30, p = 0.01 (from about 0.002 to 0.001, measured with `split_accuracy`) for twice the
    time.
    """
    n = len(before)
    pos = np.stack([np.argsort(_random_topological_order(before, rng)) for _ in range(chains)])
    rows = np.arange(chains)
    counts = np.zeros((2, n, n))
    for sweep in range(burn + sweeps):
        for _ in range(n):
            x = rng.integers(0, n, size=chains)
            old = pos[rows, x]
            others = pos - (pos > old[:, None])                         # order without x
            others[rows, x] = -1
            lo = np.where(before[:, x].T, others, -1).max(axis=1) + 1
            hi = np.where(before[x, :], others, n - 1).min(axis=1)
            new = lo + (rng.random(chains) * (hi - lo + 1)).astype(np.int64)
            pos = others + (others >= new[:, None])
            pos[rows, x] = new
        if sweep >= burn:
            ahead = pos[:, :, None] < pos[:, None, :]                       # (chains, n, n)
            counts += np.stack([ahead[: chains // 2].sum(axis=0), ahead[chains // 2:].sum(axis=0)])
    return counts / (np.array([chains // 2, chains - chains // 2])[:, None, None] * sweeps)


def _random_topological_order(before: np.ndarray, rng) -> np.ndarray:
    indeg = before.sum(axis=0).astype(int)
    placed = np.zeros(len(before), dtype=bool)
    order = []
    for _ in range(len(before)):
        ready = np.nonzero((indeg == 0) & ~placed)[0]
        i = int(rng.choice(ready))
        order.append(i)
        placed[i] = True
        indeg -= before[i]
    return np.array(order)


# ------------------------------------------------------------------ equivalences, k unknown
def _partition_posterior(relation: Relation, observed: np.ndarray, rng, *, halves: bool = False,
                         chains: int = 64, burn: int = 40, sweeps: int = 100):
    """The posterior of a reasoner that knows only that the relation is an equivalence: a
    uniform prior over every set partition of the symbols (any number of classes, any sizes).
    Related observed pairs join components; unrelated ones forbid two components one class.
    A Gibbs sampler over the components' class labels, `chains` chains at once: given the
    others, a component goes to each allowed class or to a new one with equal probability
    (each choice is one partition, all equally likely a priori); a sweep updates every
    component once. Returns P(R_u = 1) from the two halves of the chains, or their mean."""
    truth = relation.matrix
    comp, m = _observed_components(relation, observed)
    conflict = np.zeros((m, m), dtype=bool)
    neg = observed & (truth == 0)
    conflict[comp[np.nonzero(neg)[0]], comp[np.nonzero(neg)[1]]] = True
    conflict |= conflict.T
    labels = np.tile(np.arange(m), (chains, 1))                 # (chains, m): all singletons
    rows, same = np.arange(chains), np.zeros((2, m, m))
    for sweep in range(burn + sweeps):
        for x in range(m):
            others = np.ones(m, dtype=bool)
            others[x] = False
            used = np.zeros((chains, m), dtype=bool)
            used[rows[:, None], labels[:, others]] = True         # classes of the others
            banned = np.zeros((chains, m), dtype=bool)
            banned[rows[:, None], labels[:, conflict[x]]] = True
            allowed = used & ~banned                                # (chains, m)
            fresh = np.argmin(used, axis=1)                         # an empty class (m labels)
            allowed[rows, fresh] = True
            pick = (rng.random(chains) * allowed.sum(axis=1)).astype(np.int64)
            labels[:, x] = np.argmax(np.cumsum(allowed, axis=1) > pick[:, None], axis=1)
        if sweep >= burn:
            eq = labels[:, :, None] == labels[:, None, :]           # (chains, m, m)
            same += np.stack([eq[: chains // 2].sum(axis=0), eq[chains // 2:].sum(axis=0)])
    same /= np.array([chains // 2, chains - chains // 2])[:, None, None] * sweeps
    out = same[:, comp[:, None], comp[None, :]]                  # (2, n, n)
    return (out[0], out[1]) if halves else out.mean(axis=0)


def partition_enumeration_posterior(relation: Relation, observed: np.ndarray) -> np.ndarray:
    """The reference for `_partition_posterior`: P(R_u = 1 | observed) by enumerating every set
    partition of the n <= 8 symbols (Bell(8) = 4,140) and keeping those consistent with the
    observed pairs, each equally likely."""
    n = relation.n
    if n > _MAX_ORBIT_N:
        raise ValueError(f"partition enumeration needs n <= {_MAX_ORBIT_N}, got n = {n}")
    blocks = [[0]]
    for _ in range(1, n):                       # restricted growth strings, one per partition
        blocks = [b + [c] for b in blocks for c in range(max(b) + 2)]
    mats = np.array([np.equal.outer(b, b) for b in blocks]).astype(float)   # (B, n, n)
    ok = (mats == relation.matrix)[:, observed].all(axis=1)
    return mats[ok].mean(axis=0)


# ------------------------------------------------------------------ public API
POSTERIORS = {"equivalence": _equivalence_posterior, "bipartite": _bipartite_posterior,
              "order": _order_posterior}
# What the reasoner knows: the relation's type (its unlabelled graph: class sizes, order, sides)
# or, for an equivalence, only that it is one (`_partition_posterior`).
PRIORS = ("type", "equivalence")


def posterior(relation: Relation, observed: np.ndarray, *, seed: int = 0,
              halves: bool = False, prior: str = "type"):
    """P(R_u = 1 | observed pairs) for every pair u, under a uniform prior over relabellings.

    Args:
        relation: the true relation (its family picks the algorithm; generic needs n <= 8).
        observed: (n, n) bool mask of observed pairs.
        seed: for the sampled regimes (large equivalence problems, wide partial orders).
        halves: return the estimates of two independent halves of the samples instead of their
            mean (both the exact posterior where it is computed exactly); `split_accuracy`
            takes them.
        prior: what the reasoner knows (PRIORS): "type", the relation up to relabelling (the
            paper's reasoner); "equivalence", only that the relation is an equivalence, with
            any number of classes of any sizes (a uniform prior over set partitions, sampled).
    Returns:
        (n, n) float64; observed pairs carry their true label. With `halves`, a pair of them.
    """
    observed = np.asarray(observed, dtype=bool)
    if observed.shape != relation.matrix.shape:
        raise ValueError(f"observed must have shape {relation.matrix.shape}, got {observed.shape}")
    rng = np.random.default_rng(seed)
    if prior not in PRIORS:
        raise ValueError(f"prior must be one of {list(PRIORS)}, got {prior!r}")
    if prior == "equivalence":
        if relation.family != "equivalence":
            raise ValueError(f"prior 'equivalence' needs an equivalence relation, got the "
                             f"family {relation.family!r}")
        parts = _partition_posterior(relation, observed, rng, halves=True)
    elif relation.family in POSTERIORS:
        parts = POSTERIORS[relation.family](relation, observed, rng, halves=True)
    elif relation.n <= _MAX_ORBIT_N:
        parts = (orbit_posterior(relation, observed),) * 2
    else:
        raise ValueError(f"the Monte Carlo for a generic relation needs n <= {_MAX_ORBIT_N}; "
                         f"families with fast posteriors: {sorted(POSTERIORS)}")
    parts = tuple(np.where(observed, relation.matrix, p) for p in parts)
    return parts if halves else (parts[0] + parts[1]) / 2


def draw_accuracy(p: np.ndarray) -> float:
    """Whole-dataset accuracy of the Bayes-optimal guesser: the mean of max(p_u, 1 - p_u) over all
    pairs, where observed pairs have p_u in {0, 1} (the paper's Appendix D).

    With an estimated p_u this is biased upward: max(p̂, 1 - p̂) of a noisy p̂ exceeds
    max(p, 1 - p) on average where p is near 1/2. `split_accuracy` is biased the other way."""
    return float(np.maximum(p, 1.0 - p).mean())


def split_accuracy(p_a: np.ndarray, p_b: np.ndarray) -> float:
    """Accuracy of guessing each pair by one independent estimate of its posterior and scoring
    the guess with the other, averaged over both roles:

        mean_u [g(p_a, p_b) + g(p_b, p_a)] / 2,
        g(a, b) = b if a > 1/2, 1 - b if a < 1/2, else 1/2.

    With p_b unbiased and independent of p_a, g(p_a, p_b) is on average the accuracy of the rule
    "guess by p_a", which no rule exceeds; so the expected value lies at or below the Bayes
    accuracy, and `draw_accuracy` of the pooled estimate at or above it (up to the chain's own
    bias). Equal to `draw_accuracy(p)` when p_a = p_b = p (an exact posterior).

    Args:
        p_a, p_b: (n, n) posteriors from independent samples (`posterior(..., halves=True)`).
    """
    def g(a, b):
        return np.where(a > 0.5, b, np.where(a < 0.5, 1.0 - b, 0.5))
    return float(((g(p_a, p_b) + g(p_b, p_a)) / 2).mean())


def _scored(p: np.ndarray, truth: np.ndarray) -> float:
    """Accuracy on the true relation of guessing each pair's more likely label (a coin where
    p_u = 1/2)."""
    return float(np.where(p > 0.5, truth, np.where(p < 0.5, 1 - truth, 0.5)).mean())


def achievable_accuracy(relation: Relation, fractions, *, draws: int = 20, seed: int = 0,
                        prior: str = "type", cache="off", progress: bool = False) -> dict:
    """Appendix-D Monte Carlo curve: mean accuracy of an ideal reasoner vs train fraction.

    Each draw observes a uniformly random set of round(p n^2) pairs (the train split of
    `tasks.train_mask` with seed (seed, draw)) and scores the Bayes-optimal guess. Where the
    posterior is estimated by sampling (wide partial orders, large equivalence problems) the
    score of the pooled estimate (`draw_accuracy`) is biased upward; "split" holds
    `split_accuracy` of the two halves of the samples, biased downward, so the two bracket the
    exact value (they coincide where every posterior is exact). `prior`: as in `posterior`;
    with "equivalence" the true relation is not a draw from the reasoner's prior (it always has
    the relation's classes), so each guess is scored against the truth instead, and "split"
    equals "accuracy".

    `cache`: a run cache (`units.run_units`; one unit per fraction, all its draws), None the
    default one, "off" (the default here) none.

    Returns:
        dict with "fraction" (F,), "accuracy" (F, draws), "mean" (F,), "sem" (F,),
        "split" (F, draws), "split_mean" (F,) and "seconds" (what computing it took, also
        when read from the cache).
    """
    specs = _fraction_specs(relation, fractions, draws, seed, prior)
    found = _units(specs, cache, progress, f"MC {relation.label}")
    return _curve(specs, found)


def reasoner_curves(relations: dict, fractions, *, draws: int = 20, seed: int = 0,
                    cache="off", progress: bool = False) -> tuple[dict, dict]:
    """`achievable_accuracy` of every relation, and with prior "equivalence" of every
    equivalence relation (the reasoner that knows only that), as one list of units: shards
    split all of them in one pass.

    Args:
        relations: {short name: Relation}. fractions, draws, seed, cache: as for
            `achievable_accuracy`.
    Returns:
        ({key: curve of the paper's reasoner}, {key: curve of the "equivalence" reasoner}),
        each curve as `achievable_accuracy` returns it.
    """
    jobs = [(key, prior) for prior in ("type", "equivalence") for key, rel in relations.items()
            if prior == "type" or rel.family == "equivalence"]
    specs = {job: _fraction_specs(relations[job[0]], fractions, draws, seed, job[1])
             for job in jobs}
    found = iter(_units([s for job in jobs for s in specs[job]], cache, progress, "MC"))
    curves = {job: _curve(specs[job], [next(found) for _ in specs[job]]) for job in jobs}
    return ({key: c for (key, prior), c in curves.items() if prior == "type"},
            {key: c for (key, prior), c in curves.items() if prior != "type"})


def _fraction_specs(relation: Relation, fractions, draws, seed, prior) -> list[dict]:
    """The units of `achievable_accuracy`: one per train fraction."""
    if draws < 1:
        raise ValueError(f"draws must be >= 1, got {draws}")
    common = {"relation": {"name": relation.name, "family": relation.family,
                           "params": relation.params, "matrix": relation.matrix.tolist()},
              "draws": int(draws), "seed": int(seed), "prior": prior}
    return [{**common, "fraction": float(f)} for f in np.asarray(fractions, dtype=float)]


def _units(specs, cache, progress, desc) -> list[dict]:
    return units.run_units("montecarlo.achievable_accuracy", _fraction_unit, specs,
                           modules=("montecarlo.py", "tasks.py"), cache=cache,
                           progress=progress, desc=desc)


def _curve(specs: list[dict], found: list[dict]) -> dict:
    """The curve of `achievable_accuracy` from its units' results."""
    acc, split = np.stack([u["accuracy"] for u in found]), np.stack([u["split"] for u in found])
    draws = acc.shape[1]
    return {"fraction": np.array([s["fraction"] for s in specs]), "accuracy": acc,
            "mean": acc.mean(axis=1),
            "sem": (acc.std(axis=1, ddof=1) / np.sqrt(draws) if draws > 1
                    else np.zeros(len(specs))),
            "split": split, "split_mean": split.mean(axis=1),
            "seconds": units.compute_seconds(found)}


def _fraction_unit(spec: dict) -> dict:
    """Every draw of `achievable_accuracy` at one train fraction: "accuracy", "split" (draws,)."""
    r = spec["relation"]
    relation = Relation(r["name"], np.asarray(r["matrix"], dtype=np.uint8), r["family"],
                        r["params"])
    n, draws, seed, prior = relation.n, spec["draws"], spec["seed"], spec["prior"]
    acc, split = np.empty(draws), np.empty(draws)
    for d in range(draws):
        obs = train_mask(n * n, spec["fraction"], seed=seed * 100_003 + d).reshape(n, n)
        p_a, p_b = posterior(relation, obs, seed=seed * 100_003 + d, halves=True, prior=prior)
        if prior == "type":
            acc[d], split[d] = draw_accuracy((p_a + p_b) / 2), split_accuracy(p_a, p_b)
        else:       # the truth is no draw from this prior: score the guesses against it
            acc[d] = split[d] = _scored((p_a + p_b) / 2, relation.matrix)
    return {"accuracy": acc, "split": split}


def bound_comparison(curves: dict, relations: dict, *, level: float = 0.9,
                     tolerance: float = 0.05, z: float = 2.0):
    """The Monte Carlo curves against the balls-in-buckets bound f_UB (the paper's Fig. 2).

    At each sampled fraction d = mean - f_UB (the paper's Eq. 5). The curve is *significantly
    below* the bound where d < -z * s.e. (with one draw the s.e. is 0: any shortfall counts),
    and *within tolerance* where ``|d| <= tolerance`` everywhere (the paper: "within about 0.05").

    Args:
        curves: {short name: `achievable_accuracy` result}.
        relations: {short name: Relation}, holding every key of `curves`.
        level: the accuracy at which both curves' crossing fractions are read off.
    Returns:
        pandas DataFrame indexed by short name: relation, "MC − f_UB, min", "MC − f_UB, max",
        "sampling bias, at most" (the largest gap between the pooled and the split estimate of
        `achievable_accuracy`, which bounds the pooled estimate's upward bias; 0 where every
        posterior is exact or the curve has no split estimate), "MC reaches level at"
        (interpolated, NaN if never), "f_UB reaches level at" (closed
        form), "never below" (bool: nowhere significantly below), "below at" (the fractions where
        it is, as text, "" if none), "within tolerance" (bool).
    """
    import pandas as pd
    from . import statics
    rows = {}
    for key, res in curves.items():
        rel = relations[key]
        d = res["mean"] - statics.accuracy_upper_bound(res["fraction"], rel)
        below = d < -z * np.asarray(res["sem"])
        split = np.asarray(res.get("split_mean", res["mean"]))
        rows[key] = {"relation": rel.label,
                     "MC − f_UB, min": d.min(), "MC − f_UB, max": d.max(),
                     "sampling bias, at most": float(np.max(res["mean"] - split)),
                     "MC reaches level at": statics.crossing_fraction(res["fraction"], res["mean"],
                                                                     level),
                     "f_UB reaches level at": statics.bound_crossing(rel, level),
                     "never below": not below.any(),
                     "below at": ", ".join(f"{f:g}" for f in res["fraction"][below]),
                     "within tolerance": bool(np.abs(d).max() <= tolerance)}
    return pd.DataFrame.from_dict(rows, orient="index")


def curve_table(curves: dict):
    """`achievable_accuracy` curves as one tidy table for the results store, a row per relation
    and fraction: key, fraction, draws, mean, sem and split_mean (the per-draw accuracies are
    left out: the mean and its standard error are what the chapter reads)."""
    import pandas as pd
    return pd.DataFrame([{"key": key, "fraction": float(f), "draws": res["accuracy"].shape[1],
                          "mean": float(m), "sem": float(e), "split_mean": float(s)}
                         for key, res in curves.items()
                         for f, m, e, s in zip(res["fraction"], res["mean"], res["sem"],
                                               res["split_mean"])])


def curves_from_table(table) -> dict:
    """The inverse of `curve_table`: {key: dict with "fraction", "mean", "sem", "split_mean"
    (F,) arrays and "draws"}, in the table's order, as `bound_comparison` takes it."""
    return {key: {"fraction": part["fraction"].to_numpy(float),
                  "mean": part["mean"].to_numpy(float), "sem": part["sem"].to_numpy(float),
                  "split_mean": part["split_mean"].to_numpy(float),
                  "draws": int(part["draws"].iloc[0])}
            for key, part in table.groupby("key", sort=False)}


def describe_bias(table) -> str:
    """One plain-text sentence on the sampling bias of a `bound_comparison` table: how much the
    pooled Monte Carlo estimate may overstate the ideal reasoner's accuracy where a posterior is
    sampled (Markov chains over orders, sampled class assignments)."""
    worst = table["sampling bias, at most"]
    if not (worst > 0).any():
        return "Every posterior here is computed exactly, so the Monte Carlo has no sampling bias."
    key = worst.idxmax()
    return (f"Where a posterior is sampled, the Monte Carlo may overstate the accuracy, by at most "
            f"{worst[key]:.4f} ({table.loc[key, 'relation']}: the gap to an estimate biased the "
            "other way).")


def describe_bound(table, tolerance: float = 0.05) -> str:
    """Two verdicts from a `bound_comparison` table in one plain-text sentence (for glue, no TeX):
    which relations stay within `tolerance` of the bound f_UB everywhere, and which never fall
    significantly (two standard errors) below it, e.g. "No relation stays within 0.05 of the
    bound; only bipartite a=10 never falls more than two standard errors below it."."""
    within = [r["relation"] for _, r in table.iterrows() if r["within tolerance"]]
    above = [r["relation"] for _, r in table.iterrows() if r["never below"]]
    total = len(table)
    if len(within) == total:
        first = f"every relation stays within {tolerance:g} of the bound"
    elif not within:
        first = f"no relation stays within {tolerance:g} of the bound"
    else:
        first = (f"only {_and(within)} {'stays' if len(within) == 1 else 'stay'} within "
                 f"{tolerance:g} of the bound")
    if len(above) == total:
        second = "none falls more than two standard errors below it"
    elif not above:
        second = "every relation falls more than two standard errors below it somewhere"
    else:
        second = (f"only {_and(above)} never {'falls' if len(above) == 1 else 'fall'} more than "
                  "two standard errors below it")
    return first[0].upper() + first[1:] + "; " + second + "."


def bound_view(table, *, tolerance: float = 0.05, level: float = 0.9):
    """A `bound_comparison` table narrowed for the page: relation; "within <tolerance>" (bool);
    "below at", the fractions where the Monte Carlo is significantly below the bound ("nowhere"
    if none); "MC − bound", its range over the sampled fractions as text ("−0.079 … +0.045");
    and the train fractions at which the Monte Carlo and the bound reach `level`."""
    import pandas as pd

    def signed(v):
        return f"{v:+.3f}".replace("-", "\u2212")

    return pd.DataFrame({
        "relation": table["relation"],
        f"within {tolerance:g}": table["within tolerance"].astype(bool),
        "below at": [v or "nowhere" for v in table["below at"]],
        "MC − bound": [f"{signed(a)} … {signed(b)}"
                       for a, b in zip(table["MC − f_UB, min"], table["MC − f_UB, max"])],
        f"MC reaches {level:g}": table["MC reaches level at"],
        f"bound reaches {level:g}": table["f_UB reaches level at"]}, index=table.index)


def bound_numbers(table, tolerance: float = 0.05) -> dict:
    """What the chapter's prose quotes from a `bound_comparison` table, by glue name: per
    relation k, "k_mc_p90" (where the Monte Carlo reaches the table's level), "k_mc_min" and
    "k_mc_max" (the range of MC − f_UB), "k_mc_excess" (how far above the bound it runs, the
    max) and "k_mc_deficit" (how far below, minus the min); and "bound_sentence"
    (`describe_bound`) and "bias_sentence" (`describe_bias`)."""
    out = {"bound_sentence": describe_bound(table, tolerance),
           "bias_sentence": describe_bias(table)}
    for key, row in table.iterrows():
        low, high = float(row["MC − f_UB, min"]), float(row["MC − f_UB, max"])
        out.update({f"{key}_mc_p90": float(row["MC reaches level at"]), f"{key}_mc_min": low,
                    f"{key}_mc_max": high, f"{key}_mc_excess": high, f"{key}_mc_deficit": -low})
    return out


def _and(items: list) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
