import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from geneft.statics import (accuracy_upper_bound, aut_order, by_decoder, critical_fraction,
                            crossing_fraction, crossing_interval, crossings_text, describe_full,
                            description_length, findings, known_fraction, network_runs,
                            order_verdict, stored_findings, summary)
from geneft.tasks import from_adjacency, make_relation


@pytest.mark.parametrize("n", range(3, 61))
def test_greater_has_trivial_group(n):
    rel = make_relation("greater", n)
    assert aut_order(rel) == 1
    assert description_length(rel) == pytest.approx(math.log2(math.factorial(n)), abs=1e-9)


@pytest.mark.parametrize("n", range(3, 61))
def test_mod_k_closed_form(n):
    """Residues mod k split n symbols into r = n mod k classes of ceil(n/k) and k - r of
    floor(n/k); an automorphism permutes within classes and swaps classes of equal size."""
    for k in (k for k in (2, 3, 5) if k <= n):               # k > n is refused
        big, small, r = -(-n // k), n // k, n % k
        expected = (math.factorial(r) * math.factorial(k - r)
                    * math.factorial(big) ** r * math.factorial(small) ** (k - r))
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
    bound = accuracy_upper_bound(0.05, make_relation("mod", 30, k=3))
    assert bound == pytest.approx(0.872, abs=1e-3)


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


# ------------------------------------------------------------------ the chapter's findings
from geneft import paper, scorecard  # noqa: E402
from geneft.statics import (bound_crossing, comparison_view, decoder_order,  # noqa: E402
                            description_table, gap_view, induction_gap, majority_baseline,
                            paper_comparison, scorecard_claims)

PAPER_RELATIONS = {"mod3": make_relation("mod", 30, k=3), "mod5": make_relation("mod", 30, k=5),
                   "greater": make_relation("greater", 30),
                   "bipartite10": make_relation("bipartite", 30, a=10)}


@pytest.mark.parametrize("key", list(PAPER_RELATIONS))
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_bound_crossing_is_where_the_bound_reaches_the_level(key, level):
    rel = PAPER_RELATIONS[key]
    p = bound_crossing(rel, level)
    assert 0 < p < 1
    assert accuracy_upper_bound(p, rel) == pytest.approx(level, abs=1e-12)


def test_bound_crossing_is_zero_when_guessing_already_reaches_the_level():
    # mod 5: guessing "unrelated" is right with probability 4/5 before any data
    assert bound_crossing(PAPER_RELATIONS["mod5"], 0.75) == 0.0
    with pytest.raises(ValueError, match="level"):
        bound_crossing(PAPER_RELATIONS["mod5"], 1.0)


def test_majority_baseline_counts_related_pairs():
    assert majority_baseline(PAPER_RELATIONS["mod3"]) == pytest.approx(600 / 900)
    assert majority_baseline(PAPER_RELATIONS["greater"]) == pytest.approx(1 - 435 / 900)
    assert majority_baseline(PAPER_RELATIONS["bipartite10"]) == pytest.approx(1 - 400 / 900)


def test_description_table_closed_forms():
    table = description_table(PAPER_RELATIONS)
    assert list(table.index) == list(PAPER_RELATIONS)
    mod3 = table.loc["mod3"]
    log_aut = math.log2(math.factorial(3) * math.factorial(10) ** 3)
    assert mod3["log₂ |Aut(G)|"] == pytest.approx(log_aut)
    # b exact = log2 n! - log2 |Aut(G)|
    assert mod3["b, exact"] == pytest.approx(math.log2(math.factorial(30)) - log_aut)
    assert table.loc["greater", "log₂ |Aut(G)|"] == 0
    assert table.loc["greater", "crit. p, approx. b"] == pytest.approx(0.274, abs=5e-4)


def test_paper_comparison_agrees_at_the_papers_settings():
    table = paper_comparison(PAPER_RELATIONS)
    assert list(table.index) == list(paper.BITS_PAPER)
    assert table["b agrees"].all() and table["crit. fraction agrees"].all()
    other = paper_comparison(PAPER_RELATIONS, alpha=0.5)
    assert other["b agrees"].all() and other["crit. fraction agrees"].isna().all()
    assert paper_comparison({"mod3": make_relation("mod", 12, k=3)}).empty
    # the notebook's p_c from the exact b is compared where it gives one (mod 3, mod 5)
    assert table.loc["mod3", "crit. fraction exact b, paper"] == 0.100
    assert math.isnan(table.loc["greater", "crit. fraction exact b, paper"])


def test_comparison_view_pairs_paper_and_ours():
    table = paper_comparison(PAPER_RELATIONS)
    view = comparison_view(table)
    assert list(view.columns) == ["relation", "agrees", "b, approx.", "b, exact",
                                  "crit. p, approx. b", "crit. p, exact b"]
    assert view.loc["mod3", "b, exact"] == "39.8 / 39.8"
    assert view.loc["mod5", "crit. p, exact b"] == "0.135 / 0.135"
    assert view.loc["greater", "crit. p, exact b"] == "– / 0.274"
    assert view["agrees"].all()
    table.loc["mod5", "crit. fraction agrees"] = False       # one value off: that row fails
    assert list(comparison_view(table)["agrees"]) == [True, False, True, True]
    other = comparison_view(paper_comparison(PAPER_RELATIONS, alpha=0.5))
    assert other["agrees"].all()                            # p_c not compared off alpha = 0.9


def _sweep(means_by_fraction, seeds=2, spread=0.0):
    """A fake decoder's runs (as `by_decoder` gives them): per fraction, `seeds` accuracies
    around the given mean."""
    import pandas as pd
    fraction = np.repeat(list(means_by_fraction), seeds)
    offsets = np.tile(np.linspace(-spread, spread, seeds), len(means_by_fraction))
    seed = np.tile(range(seeds), len(means_by_fraction))
    return pd.DataFrame({"fraction": fraction, "seed": seed,
                         "whole_acc": np.repeat(list(means_by_fraction.values()), seeds)
                         + offsets})


def test_network_runs_pair_every_decoder_on_the_same_splits():
    from geneft.profiles import resolve
    from geneft.statics import network_runs
    p = resolve("statics", trained_relations=("mod3", "bipartite10"), fractions=(0.2, 0.5),
                seeds=2, steps=30, ideal_steps=70)
    runs = network_runs(p)
    per = {}
    for r in runs:
        per.setdefault((r.relation, "ideal" if r.decoder == "ideal" else r.mode), []).append(r)
    assert list(per) == [("mod3", "concat"), ("mod3", "difference"), ("mod3", "squared"),
                         ("mod3", "ideal"), ("bipartite10", "concat"),
                         ("bipartite10", "difference"), ("bipartite10", "squared")]  # no ideal
    for (_, decoder), part in per.items():
        assert [(r.fraction, r.seed) for r in part] == [(0.2, 0), (0.2, 1), (0.5, 0), (0.5, 1)]
        steps = 70 if decoder == "ideal" else 30
        assert {(r.steps, r.eval_every, r.lr_enc, r.lr_dec) for r in part} == \
            {(steps, steps, p.lr, p.lr)}
    assert {(r.depth, r.width) for r in runs if r.decoder == "mlp"} == {(p.depth, p.width)}


def test_by_decoder_splits_a_table_by_relation_and_decoder_in_order():
    import pandas as pd
    from geneft.statics import by_decoder
    table = pd.DataFrame({"relation": ["greater"] * 3 + ["mod3"] * 2,
                          "mode": ["difference", "difference", "concat", "squared", "concat"],
                          "decoder": ["mlp", "ideal", "mlp", "ideal", "mlp"],
                          "whole_acc": [0.1, 0.2, 0.3, 0.4, 0.5]})
    parts = by_decoder(table)
    assert {k: list(v) for k, v in parts.items()} == {
        "greater": ["difference", "ideal", "concat"], "mod3": ["ideal", "concat"]}
    assert list(parts["greater"]["ideal"].whole_acc) == [0.2]


def test_induction_gap_reads_crossings_and_sorts_decoders():
    runs = {"mod3": {"slow": _sweep({0.1: 0.5, 0.2: 0.6, 0.3: 0.7}),
                     "fast": _sweep({0.1: 0.8, 0.2: 1.0, 0.3: 1.0}, spread=0.05)}}
    table = induction_gap(runs, PAPER_RELATIONS, reasoner={"mod3": 0.05})
    assert list(table["decoder"]) == ["fast", "slow"]
    fast = table.loc[("mod3", "fast")]
    p_c = critical_fraction(30 * math.log2(3), 900)          # b = n log2 k
    assert fast["fraction needed"] == pytest.approx(0.15)
    assert fast["× crit. fraction"] == pytest.approx(0.15 / p_c)
    assert fast["more than ideal reasoner"] == pytest.approx(0.10)
    assert fast["seed spread"] == pytest.approx(0.05)
    assert fast["accuracy at smallest fraction"] == 0.8
    assert fast["accuracy at largest fraction"] == 1.0
    assert math.isnan(table.loc[("mod3", "slow"), "fraction needed"])
    assert induction_gap(runs, PAPER_RELATIONS).loc[("mod3", "fast"),
                                                    "more than ideal reasoner"] == "no Monte Carlo"
    view = gap_view(table, [0.3, 0.1, 0.2])
    assert list(view.columns) == ["relation", "decoder", "p needed", "95 % seed interval", "gap",
                                  "gap, k unknown", "× crit. p", "acc. at 0.1", "acc. at 0.3"]
    blind = induction_gap(runs, PAPER_RELATIONS, loose={"mod3": 0.12})
    assert blind.loc[("mod3", "fast"), "more than k-blind reasoner"] == pytest.approx(0.03)
    assert view.loc[("mod3", "slow"), "95 % seed interval"] == "never"
    assert view.loc[("mod3", "fast"), "gap"] == pytest.approx(0.10)
    assert view.loc[("mod3", "fast"), "acc. at 0.1"] == 0.8
    assert list(gap_view(table, [0.2]).columns)[-1] == "acc. at 0.2"


def test_crossing_interval_spans_the_crossings_of_the_seeds():
    """Two seeds: a resample holds seed 0 twice, seed 1 twice (a quarter each) or both, so the
    95 % interval runs from the crossing of the better seed's curve to the worse one's."""
    runs = _sweep({0.1: 0.7, 0.2: 0.85, 0.3: 0.95}, seeds=2, spread=0.04)
    worse, better = (crossing_fraction([0.1, 0.2, 0.3], runs.whole_acc[runs.seed == s], 0.9)
                     for s in (0, 1))
    got = crossing_interval(runs, 0.9)
    assert (got["low"], got["high"]) == pytest.approx((better, worse))
    assert got["never"] == 0.0
    same = crossing_interval(_sweep({0.1: 0.7, 0.2: 0.85, 0.3: 0.95}, seeds=3), 0.9)
    point = crossing_fraction([0.1, 0.2, 0.3], [0.7, 0.85, 0.95], 0.9)
    assert (same["low"], same["high"]) == pytest.approx((point, point))


def test_crossing_interval_says_never_and_rejects_bad_input():
    runs = _sweep({0.1: 0.7, 0.2: 0.88, 0.3: 0.89}, seeds=2, spread=0.02)   # seed 1 reaches 0.91
    got = crossing_interval(runs, 0.9)
    # only a resample of seed 1 twice (probability 1/4) reaches 0.9: the mixed mean is 0.89
    assert math.isinf(got["high"]) and 0.7 < got["never"] < 0.8
    with pytest.raises(ValueError, match="every seed at every fraction"):
        crossing_interval(runs.iloc[1:], 0.9)
    with pytest.raises(ValueError, match="draws must be"):
        crossing_interval(runs, 0.9, draws=0)
    with pytest.raises(ValueError, match="coverage must be"):
        crossing_interval(runs, 0.9, coverage=1.0)


@pytest.mark.parametrize("needed, expected, agrees, inversions", [
    ({"a": 0.1, "b": 0.2, "c": 0.3}, ("a", "b", "c"), True, []),
    ({"a": 0.1, "b": 0.3, "c": 0.2}, ("a", "b", "c"), False, ["b not before c"]),
    ({"a": 0.2, "b": 0.1, "c": 0.3}, (("a", "b"), "c"), True, []),
    ({"a": 0.1, "c": float("nan"), "d": float("nan")}, ("a", "c", "d"), False, ["c not before d"]),
    ({"a": 0.1, "c": 0.3}, ("a", "b", "c"), True, []),
], ids=["in-order", "one-swap", "tie-group", "two-nevers", "absent-decoder"])
def test_decoder_order(needed, expected, agrees, inversions):
    result = decoder_order(needed, expected)
    assert result["agrees"] is agrees and result["inversions"] == inversions


def test_decoder_order_text_lists_least_data_first():
    assert decoder_order({"x": float("nan"), "y": 0.25}, ("y", "x"))["measured"] == \
        "y (0.25) < x (never)"


def _bound(never_below, within):
    import pandas as pd
    return pd.DataFrame({"relation": ["mod 3", "greater-than"], "MC − f_UB, min": [-0.08, 0.0],
                         "MC − f_UB, max": [0.04, 0.03],
                         "below at": ["0.03" if not never_below[0] else "", ""],
                         "never below": never_below, "within tolerance": within},
                        index=["mod3", "greater"])


def test_scorecard_claims_statuses_follow_the_numbers():
    comparison = paper_comparison(PAPER_RELATIONS)
    orders = {"mod3": {"measured": "ideal (0.1) < concat (0.2)", "agrees": True},
              "greater": {"measured": "concat (0.1) < difference (0.2)", "agrees": False}}
    claims = scorecard_claims(comparison, _bound([False, True], [False, True]), orders)
    assert [c.item for c in claims] == ["Table II", "Eq. 4", "Fig. 2", "Fig. 3"]
    assert [c.status for c in claims] == ["reproduced", "reproduced", "partly", "partly"]
    assert "mod 3 47.5 / 39.8" in claims[0].paper and "-0.080 to +0.040" in claims[2].ours
    assert "mod 3 0.120 (exact $b$: 0.100)" in claims[1].paper
    assert "greater-than 0.274;" in claims[1].paper
    scorecard.html("statics", claims)          # balanced $...$ in every cell
    claims = scorecard_claims(paper_comparison(PAPER_RELATIONS, alpha=0.5),
                              _bound([True, True], [True, True]), orders, alpha=0.5)
    assert claims[1].status == "not testable" and claims[2].status == "reproduced"
    small = scorecard_claims(paper_comparison({"mod3": make_relation("mod", 12, k=3)}),
                             _bound([True, True], [True, True]), {})
    assert [c.status for c in small] == ["not testable", "not testable", "reproduced",
                                         "not testable"]


def test_decoder_order_settles_only_swaps_whose_seed_intervals_are_apart():
    needed = {"a": 0.3, "b": 0.2, "c": 0.1}
    intervals = {"a": (0.28, 0.32), "b": (0.15, 0.29), "c": (0.05, 0.12)}
    result = decoder_order(needed, ("a", "b", "c"), intervals=intervals)
    assert result["inversions"] == ["a not before b", "a not before c", "b not before c"]
    assert result["settled"] == ["a not before c", "b not before c"]       # a, b overlap
    words = order_verdict(result).split(";")
    assert "seed intervals overlap" in words[0] and "seed intervals apart" in words[1]
    assert order_verdict(decoder_order({"a": 0.1}, ("a",))) == "in the paper's order"


def _tiny_statics():
    from geneft.profiles import resolve
    return resolve("statics", n=8, mc_relations=("mod3", "greater"), mc_fractions=(0.2, 0.5),
                   mc_draws=2, trained_relations=("mod3", "greater"), fractions=(0.3, 0.6),
                   seeds=2, depth=1, width=3, steps=5, ideal_steps=5, workers=1, cache="off",
                   device="cpu")


def test_stored_findings_give_the_verdicts_of_the_run_that_stored_them(tmp_path):
    """Both stored tables read back (store -> curves_from_table, from the runs table) give the
    verdicts `findings` gives on the fresh results; nothing stored gives None."""
    from geneft import montecarlo, store, sweeps
    from geneft.profiles import stored_config
    from geneft.tasks import parse_relation
    p = _tiny_statics()
    assert stored_findings(p, root=tmp_path) is None
    table = sweeps.run_sweep(network_runs(p), cache="off", device="cpu")
    curves = {k: montecarlo.achievable_accuracy(parse_relation(k, p.n), p.mc_fractions,
                                                draws=p.mc_draws) for k in p.mc_relations}
    loose = {"mod3": montecarlo.achievable_accuracy(parse_relation("mod3", p.n), p.mc_fractions,
                                                    draws=p.mc_draws, prior="equivalence")}
    for name, tables in (("statics/networks", sweeps.to_tables(table)),
                         ("statics/reasoner", {"curves": montecarlo.curve_table(curves),
                                               "loose": montecarlo.curve_table(loose)})):
        store.save(name, tables, stored_config(name, p), wall_s=1.0, root=tmp_path)
    relations = {k: parse_relation(k, p.n) for k in ("mod3", "greater")}
    fresh = findings(by_decoder(table), curves, relations, loose=loose)
    big = stored_findings(p, root=tmp_path)
    assert [c.status for c in big["claims"]] == [c.status for c in fresh["claims"]]
    assert [c.ours for c in big["claims"]] == [c.ours for c in fresh["claims"]]
    for part in ("gap", "bound"):
        pd.testing.assert_frame_equal(big[part], fresh[part], rtol=1e-6)
    assert big["orders"] == fresh["orders"] and "full-size run of" in big["provenance"]
    assert describe_full(big["claims"], big).startswith("every scorecard row has the status")
    assert describe_full(big["claims"], None).startswith("no full-size result is stored")


@pytest.mark.slow
def test_cli_run_stores_tables_whose_findings_are_the_pages(tmp_path, monkeypatch):
    """`geneft run statics -p save_results true` at a tiny size stores the networks and the
    reasoner; `stored_findings` of that configuration gives the verdicts the page glued."""
    import ast
    import json

    from geneft.cli import main
    from geneft.profiles import resolve
    monkeypatch.setenv("GENEFT_DATA", str(tmp_path / "data"))
    tiny = dict(n="12", mc_fractions="0.01,0.1,0.3", mc_draws="3", fractions="0.2,0.5,0.8",
                seeds="3", depth="1", width="4", steps="30", ideal_steps="30")
    args = [a for name, text in tiny.items() for a in ("-p", name, text)]
    assert main(["run", "statics", *args, "-p", "workers", "1", "-p", "cache", "off",
                 "-p", "save_results", "true", "--device", "cpu", "--quiet",
                 "--out", str(tmp_path / "out")]) == 0
    nb = json.loads((tmp_path / "out" / "statics-quick.ipynb").read_text())
    glued = {}
    for o in (o for c in nb["cells"] for o in c.get("outputs", [])):
        text = o.get("data", {}).get("application/papermill.record/text/plain", "<")
        if "scrapbook" in o.get("metadata", {}) and not text.startswith("<"):
            glued[o["metadata"]["scrapbook"]["name"]] = text      # repr of the glued value
    big = stored_findings(resolve("statics", **{k: ast.literal_eval(v) if "," not in v else
                                                 tuple(map(float, v.split(",")))
                                                 for k, v in tiny.items()}))
    assert big is not None and len(big["curves"]) == 3
    for key in ("mod3", "greater"):
        assert repr(crossings_text(big["gap"], key)) == glued[f"statics_{key}_order"]
        assert repr(order_verdict(big["orders"][key])) == glued[f"statics_{key}_verdict"]
        assert big["bound"].loc[key, "MC − f_UB, min"] == pytest.approx(
            float(glued[f"statics_{key}_mc_min"]), abs=1e-9)
        assert big["gap"].loc[(key, "concat"), "accuracy at smallest fraction"] == \
            pytest.approx(float(glued[f"statics_{key}_concat_lowest"]), abs=1e-6)
    from geneft import montecarlo
    assert repr(montecarlo.describe_bound(big["bound"])) == glued["statics_bound_sentence"]


# ------------------------------------------------------------------ the numbers the prose quotes
def test_description_numbers_closed_forms():
    """mod 3 at n = 30: b exact = log2 30! - log2(3! 10!^3); the bound at p = 0 is guessing
    "unrelated", right with probability 1 - 1/3; the baseline is the 600 of 900 pairs
    that are unrelated."""
    from geneft.statics import description_numbers
    numbers = description_numbers(description_table(PAPER_RELATIONS), PAPER_RELATIONS)
    log_fact = math.log2(math.factorial(30))
    assert numbers["log2_nfact"] == pytest.approx(log_fact)
    assert numbers["mod3_bits_exact"] == pytest.approx(
        log_fact - math.log2(math.factorial(3) * math.factorial(10) ** 3))
    assert numbers["mod3_bits_paper"] == pytest.approx(30 * math.log2(3))
    assert numbers["greater_pc"] == pytest.approx(0.274, abs=5e-4)
    assert numbers["mod3_ub0"] == pytest.approx(2 / 3) and numbers["bipartite10_ub0"] == 0.5
    assert numbers["mod3_baseline"] == pytest.approx(600 / 900)
    assert all(name.isidentifier() for name in numbers)        # usable as glue names
    with pytest.raises(ValueError, match="share one n"):
        description_numbers(description_table(PAPER_RELATIONS),
                            {"a": make_relation("greater", 5), "b": make_relation("greater", 6)})


def test_profile_numbers_of_a_hand_made_profile():
    from geneft.profiles import resolve
    from geneft.statics import profile_numbers
    p = resolve("statics", trained_relations=("mod3", "greater"), depth=3, width=50,
                steps=10000, seeds=5, fractions=(0.1, 0.3, 0.35, 0.4, 0.6),
                mc_fractions=(0.02, 0.1, 0.4), mc_draws=7)
    assert profile_numbers(p) == {
        "relations": "mod 3, greater-than", "shape": "3 hidden layers of width 50",
        "steps": "10,000", "seeds": 5, "n_fractions": 5, "fine": "0.05 between 0.3 and 0.4",
        "draws": 7, "n_mc": 3, "mc_min": 0.02, "mc_max": 0.4}
    assert profile_numbers(resolve("statics", fractions=(0.5,)))["fine"] == "–"


def test_gap_numbers_read_the_best_decoder_and_every_decoders_ends():
    from geneft.statics import decoder_orders, gap_numbers
    runs = {"mod3": {"concat": _sweep({0.1: 0.5, 0.2: 0.6, 0.3: 0.7}),
                     "squared": _sweep({0.1: 0.8, 0.2: 1.0, 0.3: 1.0}, spread=0.05)}}
    gap = induction_gap(runs, PAPER_RELATIONS, reasoner={"mod3": 0.05},
                        loose={"mod3": 0.12})
    orders = decoder_orders(gap)
    numbers = gap_numbers(gap, orders, {"mod3": 0.12})
    assert numbers["mod3_best"] == "squared" and numbers["mod3_best_need"] == pytest.approx(0.15)
    assert numbers["mod3_best_excess"] == pytest.approx(0.10)
    assert numbers["mod3_best_excess_blind"] == pytest.approx(0.03)
    assert numbers["mod3_blind_p90"] == 0.12
    assert numbers["mod3_concat_lowest"] == 0.5 and numbers["mod3_squared_last"] == 1.0
    assert numbers["seed_spread"] == pytest.approx(0.05)
    assert numbers["mod3_verdict"] == order_verdict(orders["mod3"]) == "in the paper's order"
    assert numbers["mod3_order"] == crossings_text(gap, "mod3")
    assert "mod3_blind_p90" not in gap_numbers(gap, orders, {})
