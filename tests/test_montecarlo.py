import numpy as np
import pytest

from geneft import montecarlo as mc
from geneft.tasks import from_adjacency, make_relation, train_mask

SMALL = [("mod", {"k": 2}), ("mod", {"k": 3}), ("greater", {}), ("bipartite", {"a": 2}),
         ("bipartite", {"a": 3})]


@pytest.mark.parametrize("name, params", SMALL)
def test_posterior_equals_enumeration_of_all_consistent_relabellings(name, params):
    rel = make_relation(name, 7, **params)
    for seed in range(8):
        for fraction in (0.1, 0.25, 0.5):
            obs = train_mask(49, fraction, seed).reshape(7, 7)
            exact = np.where(obs, rel.matrix, mc.orbit_posterior(rel, obs))
            assert np.abs(mc.posterior(rel, obs) - exact).max() < 1e-9


def test_order_sampler_matches_exact_downset_count():
    rel = make_relation("greater", 12)
    truth = rel.matrix.astype(bool)
    obs = train_mask(144, 0.08, 3).reshape(12, 12)
    before = mc._transitive_closure(obs & truth | (obs & truth.T).T)
    exact = mc._downset_probabilities(before)
    sampled = mc._mcmc_probabilities(before, np.random.default_rng(0))
    np.fill_diagonal(exact, 0)
    np.fill_diagonal(sampled, 0)
    assert np.abs(exact - sampled).max() < 0.05


def test_equivalence_sampling_matches_exact():
    rel = make_relation("mod", 15, k=3)
    obs = train_mask(225, 0.05, 1).reshape(15, 15)
    exact = mc.posterior(rel, obs)
    old = mc._EXACT_WORK
    try:
        mc._EXACT_WORK = 0           # force the sampled path
        sampled = mc.posterior(rel, obs, seed=4)
    finally:
        mc._EXACT_WORK = old
    assert abs(mc.draw_accuracy(exact) - mc.draw_accuracy(sampled)) < 0.01


@pytest.mark.parametrize("name, params", [("mod", {"k": 3}), ("greater", {}),
                                          ("bipartite", {"a": 10})])
def test_accuracy_tends_to_one(name, params):
    res = mc.achievable_accuracy(make_relation(name, 30, **params), [0.1, 0.5, 0.95], draws=3)
    assert res["mean"][-1] == pytest.approx(1.0, abs=1e-9)
    assert (np.diff(res["mean"]) >= -1e-9).all()
    assert res["accuracy"].shape == (3, 3)


def test_deterministic():
    rel = make_relation("greater", 20)
    a = mc.achievable_accuracy(rel, [0.05], draws=2, seed=1)
    b = mc.achievable_accuracy(rel, [0.05], draws=2, seed=1)
    assert (a["accuracy"] == b["accuracy"]).all()


def test_bad_inputs():
    rel = make_relation("mod", 6, k=2)
    with pytest.raises(ValueError, match="observed must have shape"):
        mc.posterior(rel, np.zeros((5, 5), bool))
    with pytest.raises(ValueError, match="draws must be"):
        mc.achievable_accuracy(rel, [0.5], draws=0)
    with pytest.raises(ValueError, match="generic relation needs n <= 8"):
        mc.posterior(from_adjacency(np.eye(9, dtype=int)), np.zeros((9, 9), bool))
