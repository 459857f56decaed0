import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, strategies as st

from geneft.statics import (accuracy_upper_bound, aut_order, critical_fraction, crossing_fraction,
                            description_length, known_fraction, summary)
from geneft.tasks import from_adjacency, make_relation


@pytest.mark.parametrize("n", range(3, 61))
def test_greater_has_trivial_group(n):
    rel = make_relation("greater", n)
    assert aut_order(rel) == 1
    assert description_length(rel) == pytest.approx(math.log2(math.factorial(n)), abs=1e-9)


@pytest.mark.parametrize("n", range(3, 61))
def test_mod_k_closed_form(n):
    for k in (2, 3, 5):
        if n % k == 0 and n // k >= 1:
            expected = math.factorial(k) * math.factorial(n // k) ** k
            rel = make_relation("mod", n, k=k)
            assert aut_order(rel) == expected
            assert description_length(rel) == pytest.approx(
                math.log2(math.factorial(n) // expected), abs=1e-9)


@pytest.mark.parametrize("n", range(3, 61))
def test_bipartite_closed_form(n):
    for a in {1, n // 2, n // 3 or 1}:
        expected = math.factorial(a) * math.factorial(n - a) * (2 if 2 * a == n else 1)
        assert aut_order(make_relation("bipartite", n, a=a)) == expected


def test_aut_matches_networkx_on_small_random_graphs(rng):
    for _ in range(20):
        m = (rng.random((6, 6)) < 0.4).astype(int)
        g = nx.DiGraph()
        g.add_nodes_from((i, {"loop": int(m[i, i])}) for i in range(6))
        g.add_edges_from((i, j) for i in range(6) for j in range(6) if m[i, j] and i != j)
        matcher = nx.algorithms.isomorphism.DiGraphMatcher(
            g, g, node_match=lambda a, b: a["loop"] == b["loop"])
        assert aut_order(from_adjacency(m)) == sum(1 for _ in matcher.isomorphisms_iter())


def test_paper_numbers():
    """Spec section 6 headline numbers (n = 30, alpha = 0.9)."""
    mod3, mod5 = summary(make_relation("mod", 30, k=3)), summary(make_relation("mod", 30, k=5))
    gt, bip = summary(make_relation("greater", 30)), summary(make_relation("bipartite", 30, a=10))
    assert (round(mod3["bits_paper"], 1), round(mod3["bits_exact"], 1)) == (47.5, 39.8)
    assert (round(mod5["bits_paper"], 1), round(mod5["bits_exact"], 1)) == (69.7, 53.3)
    assert round(gt["bits_exact"], 1) == 107.7 and round(bip["bits_exact"], 1) == 24.8
    assert [round(d["p_crude"], 3) for d in (mod3, mod5, gt, bip)] == [0.120, 0.177, 0.274, 0.062]
    assert (round(mod3["p_crude_exact"], 3), round(mod5["p_crude_exact"], 3)) == (0.100, 0.135)


def test_hand_values():
    # b = 2: one sample knows half the bits; f(N p_c) = 0.75 needs 2 samples
    assert known_fraction(1, 2.0) == pytest.approx(0.5)
    assert critical_fraction(2.0, 4, alpha=0.75) == pytest.approx(0.5)
    # f_UB of greater-than at p -> 0 is 2/3 (max(p*, 1 - p*)), at large p -> 1
    gt = make_relation("greater", 30)
    assert accuracy_upper_bound(0.0, gt) == pytest.approx(2 / 3)
    assert accuracy_upper_bound(1.0, gt) > 0.999
    # spec 3.3 reference value: mod 3 at p = 0.05 -> 0.872
    assert accuracy_upper_bound(0.05, make_relation("mod", 30, k=3)) == pytest.approx(0.872, abs=1e-3)


@given(st.floats(1.5, 1000), st.lists(st.floats(0, 1), min_size=2, max_size=20))
def test_upper_bound_is_at_most_one_and_monotone(bits, ps):
    rel = make_relation("mod", 12, k=3)
    ps = np.sort(ps)
    f = accuracy_upper_bound(ps, rel, bits=bits)
    assert (f <= 1 + 1e-12).all() and (np.diff(f) >= -1e-12).all()


@given(st.floats(1.01, 500), st.floats(1.01, 500))
def test_critical_fraction_increases_with_bits(b1, b2):
    lo, hi = sorted((b1, b2))
    if hi - lo > 1e-6:
        assert critical_fraction(lo, 900) < critical_fraction(hi, 900)


def test_crossing_fraction():
    assert crossing_fraction([0.1, 0.2, 0.3], [0.5, 0.8, 1.0], 0.9) == pytest.approx(0.25)
    assert math.isnan(crossing_fraction([0.1, 0.2], [0.5, 0.6], 0.9))
    with pytest.raises(ValueError, match="increasing"):
        crossing_fraction([0.2, 0.1], [0.5, 0.6])


@pytest.mark.parametrize("call, match", [
    (lambda: critical_fraction(10, 900, alpha=1.0), "alpha"),
    (lambda: critical_fraction(1.0, 900), "bits"),
    (lambda: known_fraction(3, 0.5), "bits"),
])
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()
