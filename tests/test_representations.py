"""The silhouette against a direct transcription of its definition; the rank correlation
against Pearson's correlation of ranks and its t test; the chapter's clustering summary by hand."""
import numpy as np
import pandas as pd
import pytest
from scipy.stats import t as student_t

from geneft.representations import cluster_correlation, cluster_summary, silhouette


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


# ---- cluster_correlation ------------------------------------------------------------------------

def test_monotone_relations_have_rank_correlation_one(rng):
    x = rng.normal(size=30)
    up = cluster_correlation(x, np.exp(x))
    assert up["rho"] == pytest.approx(1.0) and up["significant"] and up["runs"] == 30
    down = cluster_correlation(x, -x ** 3)
    assert down["rho"] == pytest.approx(-1.0) and not down["significant"]  # negative: no


def test_matches_pearson_of_ranks_and_the_t_test(rng):
    x, y = rng.normal(size=25), rng.normal(size=25)
    y = y + 0.5 * x
    ranks = lambda v: np.argsort(np.argsort(v))  # noqa: E731  (no ties in continuous draws)
    rho = np.corrcoef(ranks(x), ranks(y))[0, 1]
    t = rho * np.sqrt((25 - 2) / (1 - rho ** 2))
    got = cluster_correlation(x, y)
    assert got["rho"] == pytest.approx(rho, abs=1e-12)
    assert got["p"] == pytest.approx(2 * student_t.sf(abs(t), 23), rel=1e-9)


def test_constant_or_tiny_inputs_give_nan_without_warning():
    for x, y in [([0.1, 0.1, 0.1, 0.1], [0.5, 0.6, 0.7, 0.8]), ([0.1, 0.2], [0.3, 0.4])]:
        got = cluster_correlation(x, y)
        assert np.isnan(got["rho"]) and np.isnan(got["p"]) and not got["significant"]


def test_cluster_correlation_bad_input():
    with pytest.raises(ValueError, match="equal length"):
        cluster_correlation([0.1, 0.2, 0.3], [0.1, 0.2])
    with pytest.raises(ValueError, match="alpha"):
        cluster_correlation([0.1, 0.2, 0.3], [0.1, 0.2, 0.3], alpha=1.5)


def test_cluster_summary_by_hand():
    runs = pd.DataFrame(dict(phase=["confusion", "generalization", "generalization"],
                             silhouette=[0.1, 0.4, 0.6]))
    link = {"rho": 0.5, "p": 1e-3, "runs": 3, "alpha": 0.01, "significant": True}
    got = cluster_summary(runs, link)
    assert (got["rho"], got["rho_p"], got["n_runs"]) == (0.5, 1e-3, 3)
    assert got["sil_by_phase"] == "generalization 0.50, confusion 0.10"   # Table IV order
    assert got["sil_gen"] == pytest.approx(0.5) and np.isnan(got["sil_mem"])  # no memorizer
    assert got["link_short"] == "significant at the 1 % level"
    assert got["link"].startswith("the runs that test better")
    weak = cluster_summary(runs, {**link, "alpha": 0.05, "significant": False})
    assert weak["link_short"] == "not significant at the 5 % level"
    assert weak["link"] == "we find no significant link at that level"
