import numpy as np
import pytest

from geneft.tasks import all_pairs, from_adjacency, make_relation, train_mask


def test_mod_is_equivalence_with_k_classes():
    rel = make_relation("mod", 12, k=4)
    r = rel.matrix.astype(bool)
    assert r.diagonal().all() and (r == r.T).all()
    assert ((r.astype(int) @ r.astype(int) > 0) == r).all()      # transitive
    assert len({tuple(row) for row in rel.matrix}) == 4


def test_greater_is_strict_total_order():
    r = make_relation("greater", 9).matrix.astype(bool)
    assert not r.diagonal().any() and not (r & r.T).any()
    assert (r | r.T | np.eye(9, dtype=bool)).all()


def test_bipartite_counts():
    rel = make_relation("bipartite", 10, a=3)
    assert rel.matrix.sum() == 2 * 3 * 7 and (rel.matrix == rel.matrix.T).all()


def test_all_pairs_row_major():
    rel = make_relation("mod", 5, k=2)
    pairs, labels = all_pairs(rel)
    assert pairs.shape == (25, 2) and labels.dtype == np.float32
    assert all(labels[i * 5 + j] == rel.matrix[i, j] for i in range(5) for j in range(5))


def test_train_mask_deterministic_and_sized():
    a, b = train_mask(900, 0.3, 7), train_mask(900, 0.3, 7)
    assert (a == b).all() and a.sum() == 270
    assert (train_mask(900, 0.3, 8) != a).any()


@pytest.mark.parametrize("call, match", [
    (lambda: make_relation("mod", 1), "n must be"),
    (lambda: make_relation("mod", 10, k=1), "k must be"),
    (lambda: make_relation("bipartite", 10, a=10), r"a must be in 1\.\.9"),
    (lambda: make_relation("bipartite", 10, a=0), r"a must be in 1\.\.9"),
    (lambda: make_relation("nope", 10), "relation must be one of"),
    (lambda: make_relation("greater", 10, k=3), "unexpected parameters"),
    (lambda: train_mask(100, 0.0, 0), "fraction must be in the open interval"),
    (lambda: train_mask(100, 1.0, 0), "fraction must be in the open interval"),
    (lambda: from_adjacency(np.zeros((2, 3))), "square"),
    (lambda: from_adjacency(np.full((3, 3), 2)), "0 or 1"),
])
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()
