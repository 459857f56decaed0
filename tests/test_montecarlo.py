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
    sampled = mc._mcmc_probabilities(before, np.random.default_rng(0)).mean(axis=0)
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


def test_bound_comparison_flags_follow_the_standard_error():
    from geneft.statics import accuracy_upper_bound, bound_crossing
    rel = make_relation("mod", 30, k=3)
    fractions = np.array([0.05, 0.1, 0.2])
    bound = accuracy_upper_bound(fractions, rel)
    curves = {"mod3": {"fraction": fractions, "mean": bound + np.array([-0.03, 0.01, 0.0]),
                       "sem": np.array([0.01, 0.01, 0.01])},
              "wide": {"fraction": fractions, "mean": bound + np.array([-0.03, 0.06, 0.0]),
                       "sem": np.array([0.02, 0.01, 0.0])}}
    table = mc.bound_comparison(curves, {"mod3": rel, "wide": rel}, tolerance=0.05)
    assert table.loc["mod3", "MC − f_UB, min"] == pytest.approx(-0.03)
    assert table.loc["mod3", "below at"] == "0.05" and not table.loc["mod3", "never below"]
    assert table.loc["mod3", "within tolerance"]
    # 0.03 below is 1.5 s.e.: not significant; 0.06 above is outside the tolerance
    assert table.loc["wide", "never below"] and table.loc["wide", "below at"] == ""
    assert not table.loc["wide", "within tolerance"]
    assert table.loc["mod3", "f_UB reaches level at"] == pytest.approx(bound_crossing(rel, 0.9))


@pytest.mark.parametrize("within, never_below, text", [
    ([True, True], [True, True], "Every relation stays within 0.05 of the bound; none falls more "
                                 "than two standard errors below it."),
    ([False, False], [False, True], "No relation stays within 0.05 of the bound; only "
                                    "greater-than never falls more than two standard errors "
                                    "below it."),
    ([True, False], [False, False], "Only mod 3 stays within 0.05 of the bound; every relation "
                                    "falls more than two standard errors below it somewhere."),
], ids=["all-good", "one-above", "all-below"])
def test_describe_bound(within, never_below, text):
    import pandas as pd
    table = pd.DataFrame({"relation": ["mod 3", "greater-than"], "within tolerance": within,
                          "never below": never_below})
    assert mc.describe_bound(table, tolerance=0.05) == text


def test_describe_bound_lists_several_names():
    import pandas as pd
    table = pd.DataFrame({"relation": ["a", "b", "c"], "within tolerance": [True, True, False],
                          "never below": [False, True, True]})
    assert mc.describe_bound(table, 0.1) == ("Only a and b stay within 0.1 of the bound; only b "
                                             "and c never fall more than two standard errors "
                                             "below it.")


def test_bound_view_is_narrow_and_readable():
    import pandas as pd
    table = pd.DataFrame({"relation": ["mod 3", "bipartite a=10"],
                          "MC − f_UB, min": [-0.079, 0.0], "MC − f_UB, max": [0.045, 0.054],
                          "MC reaches level at": [0.062, float("nan")],
                          "f_UB reaches level at": [0.063, 0.044],
                          "never below": [False, True], "below at": ["0.03", ""],
                          "within tolerance": [False, False]}, index=["mod3", "bipartite10"])
    view = mc.bound_view(table, tolerance=0.05, level=0.9)
    assert list(view.columns) == ["relation", "within 0.05", "below at", "MC − bound",
                                  "MC reaches 0.9", "bound reaches 0.9"]
    assert view.loc["mod3", "MC − bound"] == "\u22120.079 … +0.045"
    assert view.loc["bipartite10", "below at"] == "nowhere"
    assert view["within 0.05"].dtype == bool and not view["within 0.05"].any()


def test_split_accuracy_equals_draw_accuracy_for_an_exact_posterior(rng):
    p = rng.random((6, 6))
    assert mc.split_accuracy(p, p) == pytest.approx(mc.draw_accuracy(p))
    a, b = np.array([[0.7]]), np.array([[0.4]])               # opposite sides of 1/2
    assert mc.split_accuracy(a, b) == pytest.approx((0.4 + 0.3) / 2)
    assert mc.split_accuracy(np.array([[0.5]]), b) == pytest.approx((0.5 + 0.5) / 2)


def test_pooled_and_split_estimates_bracket_the_exact_accuracy():
    """A short Markov chain on a wide order (whose exact posterior the downset count gives):
    over repeated chains, the pooled estimate scores above the exact accuracy and the split
    one below it."""
    rel = make_relation("greater", 12)
    truth = rel.matrix.astype(bool)
    obs = train_mask(144, 0.03, 2).reshape(12, 12)
    before = mc._transitive_closure(obs & truth | (obs & truth.T).T)

    def complete(lt):
        lt = lt.copy()
        np.fill_diagonal(lt, 0.0)
        return np.where(obs, rel.matrix, np.where(before, 1.0, np.where(before.T, 0.0, lt)))

    exact = mc.draw_accuracy(complete(mc._downset_probabilities(before)))
    pooled, split = [], []
    for seed in range(20):
        a, b = (complete(h) for h in mc._mcmc_probabilities(
            before, np.random.default_rng(seed), chains=8, burn=5, sweeps=5))
        pooled.append(mc.draw_accuracy((a + b) / 2))
        split.append(mc.split_accuracy(a, b))
    assert np.mean(split) < exact < np.mean(pooled)
    assert (np.array(pooled) >= np.array(split)).all()     # per draw, not only on average


def test_curve_table_round_trip():
    rel = make_relation("greater", 10)
    curves = {"greater": mc.achievable_accuracy(rel, [0.1, 0.4], draws=3)}
    table = mc.curve_table(curves)
    assert list(table.columns) == ["key", "fraction", "draws", "mean", "sem", "split_mean"]
    back = mc.curves_from_table(table)["greater"]
    for name in ("fraction", "mean", "sem", "split_mean"):
        assert np.array_equal(back[name], curves["greater"][name])
    assert back["draws"] == 3
    from geneft.tasks import parse_relation
    relations = {"greater": parse_relation("greater", 10)}
    pd_back = mc.bound_comparison({"greater": back}, relations)
    assert pd_back.equals(mc.bound_comparison(curves, relations))
    assert "computed exactly" in mc.describe_bias(pd_back)


@pytest.mark.parametrize("k", [2, 3])
def test_partition_sampler_matches_enumeration_of_all_set_partitions(k):
    rel = make_relation("mod", 7, k=k)
    for seed in range(4):
        for fraction in (0.1, 0.3):
            obs = train_mask(49, fraction, seed).reshape(7, 7)
            exact = np.where(obs, rel.matrix, mc.partition_enumeration_posterior(rel, obs))
            got = mc.posterior(rel, obs, prior="equivalence", seed=seed)
            assert np.abs(got - exact).max() < 0.05


def test_partition_enumeration_closed_form():
    """With nothing observed, two symbols share a class in B(n-1) of the B(n) set partitions
    (merge them into one symbol): Bell numbers B(6) = 203, B(7) = 877."""
    rel = make_relation("mod", 7, k=3)
    p = mc.partition_enumeration_posterior(rel, np.zeros((7, 7), bool))
    assert p[0, 1] == pytest.approx(203 / 877) and p[3, 3] == 1.0


def test_knowing_the_classes_helps_the_reasoner():
    """The reasoner that knows only "equivalence" needs more data than the one that knows the
    three classes of 10 (same draws, paired); both reach 1 once every class is connected."""
    rel = make_relation("mod", 30, k=3)
    typed = mc.achievable_accuracy(rel, [0.06, 0.1, 0.5], draws=4)
    loose = mc.achievable_accuracy(rel, [0.06, 0.1, 0.5], draws=4, prior="equivalence")
    assert (loose["accuracy"][:2] < typed["accuracy"][:2]).mean() >= 0.75
    assert loose["mean"][-1] == pytest.approx(1.0) and (loose["split"] == loose["accuracy"]).all()


def test_reasoner_curves_are_each_relations_achievable_accuracy(tmp_path):
    """The chapter's one call (one list of cache units for every relation and both reasoners)
    gives `achievable_accuracy`'s curves, computed or read back from the cache."""
    rels = {"mod2": make_relation("mod", 8, k=2), "greater": make_relation("greater", 8)}
    for cache in ("off", tmp_path, tmp_path):
        typed, loose = mc.reasoner_curves(rels, [0.1, 0.4], draws=3, seed=2, cache=cache)
        assert list(typed) == ["mod2", "greater"] and list(loose) == ["mod2"]
        for key, rel in rels.items():
            one = mc.achievable_accuracy(rel, [0.1, 0.4], draws=3, seed=2)
            assert np.array_equal(typed[key]["accuracy"], one["accuracy"])
            assert np.array_equal(typed[key]["split"], one["split"])
        one = mc.achievable_accuracy(rels["mod2"], [0.1, 0.4], draws=3, seed=2,
                                     prior="equivalence")
        assert np.array_equal(loose["mod2"]["accuracy"], one["accuracy"])
        assert loose["mod2"]["seconds"] > 0


def test_bad_prior():
    rel = make_relation("mod", 6, k=2)
    with pytest.raises(ValueError, match="prior must be one of"):
        mc.posterior(rel, np.zeros((6, 6), bool), prior="nothing")
    with pytest.raises(ValueError, match="needs an equivalence"):
        mc.posterior(make_relation("greater", 6), np.zeros((6, 6), bool), prior="equivalence")


def test_bound_numbers_name_each_relations_range_and_the_sentences():
    import pandas as pd
    table = pd.DataFrame({"relation": ["mod 3", "greater-than"],
                          "MC − f_UB, min": [-0.079, 0.0], "MC − f_UB, max": [0.045, 0.054],
                          "sampling bias, at most": [0.0, 0.002],
                          "MC reaches level at": [0.062, float("nan")],
                          "never below": [False, True], "within tolerance": [False, False]},
                         index=["mod3", "greater"])
    numbers = mc.bound_numbers(table, 0.05)
    assert numbers["mod3_mc_deficit"] == pytest.approx(0.079)     # how far below: minus the min
    assert numbers["mod3_mc_min"] == -0.079 and numbers["mod3_mc_max"] == 0.045
    assert numbers["greater_mc_excess"] == 0.054 and np.isnan(numbers["greater_mc_p90"])
    assert numbers["bound_sentence"] == mc.describe_bound(table, 0.05)
    assert numbers["bias_sentence"] == mc.describe_bias(table)
