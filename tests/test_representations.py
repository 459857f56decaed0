"""The silhouette against a direct transcription of its definition."""
import numpy as np
import pytest

from geneft.representations import silhouette


def silhouette_loop(x, y):
    """Rousseeuw's definition, one symbol at a time."""
    s = []
    for i in range(len(x)):
        d = np.linalg.norm(x - x[i], axis=1)
        own = (y == y[i]) & (np.arange(len(x)) != i)
        if not own.any():
            s.append(0.0)
            continue
        a = d[own].mean()
        b = min(d[y == c].mean() for c in set(y.tolist()) - {y[i]})
        s.append(0.0 if max(a, b) == 0 else (b - a) / max(a, b))
    return float(np.mean(s))


def test_collapsed_classes_score_one():
    centres = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    labels = np.arange(30) % 3
    assert silhouette(centres[labels], labels) == 1.0


def test_unrelated_positions_score_near_zero(rng):
    labels = np.arange(600) % 3
    assert abs(silhouette(rng.normal(size=(600, 2)), labels)) < 0.05


@pytest.mark.parametrize("n, k", [(7, 2), (30, 3), (31, 5)])
def test_matches_the_definition(rng, n, k):
    x, y = rng.normal(size=(n, 2)), rng.integers(0, k, size=n)
    y[:2] = [0, 1]  # at least two classes
    assert silhouette(x, y) == pytest.approx(silhouette_loop(x, y), abs=1e-12)


def test_singleton_class_and_bad_input():
    x = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0]])
    assert silhouette(x, [0, 0, 1]) == pytest.approx(silhouette_loop(x, np.array([0, 0, 1])))
    with pytest.raises(ValueError, match="two classes"):
        silhouette(x, [0, 0, 0])
    with pytest.raises(ValueError, match="labels"):
        silhouette(x, [0, 1])
