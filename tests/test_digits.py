"""geneft.digits, the experiment of chapter 6: data, the MLPs and their training, the sweep's
bookkeeping and the GenEFT bridge; the chapter's criteria, verdicts and scorecard rows and the
numbers its prose quotes, on hand-made tables whose answers are known; the hyperparameter and
parity figures (geneft.plots.duality); the stored result tables."""
import json
from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import torch

from geneft import digits, duality, plots, scorecard, store
from geneft.profiles import PROFILES, resolve, stored_config
from geneft.runner import run_chapter


def test_datasets():
    d = digits.load_data("digits", train_per_class=50, seed=0)
    assert d.X_train.shape == (500, 64) and np.bincount(d.y_train).tolist() == [50] * 10
    assert len(d.y_test) == 740 and 0 <= d.X_train.min() and d.X_train.max() <= 1
    again = digits.load_data("digits", train_per_class=100, seed=0)
    np.testing.assert_array_equal(d.X_test, again.X_test)    # test set independent of size
    s = digits.load_data("synthetic", train_per_class=10, seed=1)
    assert s.X_train.shape == (100, 64) and len(s.y_test) == 800
    with pytest.raises(ValueError, match="dataset must be one of"):
        digits.load_data("cifar")
    with pytest.raises(ValueError, match="train_per_class must be <="):
        digits.load_data("digits", train_per_class=150)


def test_mnist_needs_a_local_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("GENEFT_MNIST", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="local copy"):
        digits.load_data("mnist")


def test_trained_mlp_run_is_deterministic_and_exact():
    data = digits.load_data("synthetic", train_per_class=10, seed=0)
    config = digits.RunConfig(max_epochs=5)
    W1, e1 = digits.train_mlp(data, config, seed=3)
    W2, e2 = digits.train_mlp(data, config, seed=3)
    assert e1 == e2 == 5 and all(torch.equal(a, b) for a, b in zip(W1, W2))
    result = digits.analyse_mlp(data, W1)
    assert result["exactness"] < 1e-10 and result["identity"] < 1e-10


def test_small_mlps_train_on_one_thread_and_restore_the_count(monkeypatch):
    seen, real = [], digits._logits
    monkeypatch.setattr(digits, "_logits", lambda *a, **k: (seen.append(torch.get_num_threads()),
                                                            real(*a, **k))[1])
    data = digits.load_data("synthetic", train_per_class=10, seed=0)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        digits.train_mlp(data, digits.RunConfig(max_epochs=2), seed=0)
        assert seen and set(seen) == {1} and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_sweep_runs_the_base_once_and_files_it_under_every_factor():
    table, results = digits.sweep("synthetic", digits.RunConfig(max_epochs=2, train_per_class=10),
                                  {"batch_size": [50], "beta": [0.01]}, [0])
    assert len(results) == 3 and table.run.nunique() == 3 and (table.seconds > 0).all()
    base = table[table.is_base]
    assert sorted(base.factor) == ["batch_size", "beta"] and base.run.nunique() == 1
    with pytest.raises(ValueError, match="factors must be fields"):
        digits.sweep("synthetic", digits.RunConfig(), {"momentum": [0.9]}, [0])


def test_trends_reads_signs_of_seed_means():
    t = pd.DataFrame({"factor": "beta", "value": [0, 0, 1, 1, 2, 2], "seed": [0, 1] * 3,
                      "gap": [3, 3.2, 2, 2.1, 1, 0.9], "size": [1, 1, 2, 2, 3, 3],
                      "sharp_size": 1.0, "sharpness": [1, 1, 1, 1, 1, 1.0]})
    tr = digits.trends(t, columns=("gap", "size"))
    assert tr.loc["beta", "gap"] == -1 and tr.loc["beta", "size"] == 1


def test_geneft_decoder_duality_is_exact():
    table, results = digits.geneft_phases("mod3", 0.75, {"G": (1e-2, 1e-3)}, [0], steps=20)
    result = results[("G", 0)]
    assert result["exactness"] < 1e-10 and result["identity"] < 1e-10
    # the first decoder layer: (2 x dim) concatenated embedding inputs, width 20 outputs
    assert len(result["decomposition"].lam) == 4 * 20
    row = table.iloc[0]
    assert (row.phase, row.seed) == ("G", 0)
    s = duality.summary(result)
    assert row[list(s)].to_dict() == pytest.approx(s, nan_ok=True)
    held_out = 900 - round(0.75 * 900)          # mod3 on 30 symbols: 900 pairs
    assert row.test_acc * held_out == pytest.approx(round(row.test_acc * held_out), abs=1e-3)
    assert 0 < row.test_acc <= 1



# --- the chapter's criteria, verdicts and scorecard rows --------------------------------------

def _sweep_table():
    """A hand-made `sweep` table: base (run 0, 1) filed under both factors, beta = 0.01
    (runs 2, 3) and batch_size = 250 (runs 4, 5); two seeds each."""
    base = dict(is_base=True, epochs=100, train_loss=5e-4, gap=0.2, aw=0.201, sharp_size=0.6,
                size=0.4, sharpness=0.010, lam_max=0.2)
    rows = []
    for seed in (0, 1):
        rows += [dict(factor="beta", value=0.0, seed=seed, run=seed, **base),
                 dict(factor="batch_size", value=25, seed=seed, run=seed, **base),
                 dict(base, factor="beta", value=0.01, seed=seed, run=2 + seed, is_base=False,
                      gap=0.1 + 0.02 * seed, aw=0.1 + 0.02 * seed, size=0.2, sharp_size=0.3),
                 dict(base, factor="batch_size", value=250, seed=seed, run=4 + seed,
                      is_base=False, train_loss=5e-3, gap=0.202, aw=0.21, size=0.3,
                      sharpness=0.02, lam_max=0.8, sharp_size=0.62)]
    table = pd.DataFrame(rows)
    table["exactness"], table["identity"] = 1e-14, 1e-16
    table["mean_terms"], table["cov_terms"] = 0.001, table.gap
    table["spearman_top100"], table["corr_median"] = 0.8, 0.3
    return table


def test_configurations_label_the_base_once_and_average_the_seeds():
    conf = digits.configurations(_sweep_table()).set_index("configuration")
    assert list(conf.index) == ["base", "penalty β = 0.01", "batch size = 250"]
    assert (conf.seeds == 2).all() and conf.loc["penalty β = 0.01", "gap"] == pytest.approx(0.11)


def test_checks_and_verdicts_on_a_hand_made_sweep():
    runs = _sweep_table().drop_duplicates("run")
    c = digits.checks(runs)
    assert c["runs"] == 6 and c["n_tight"] == 4 and c["n_loose"] == 6
    assert c["gap_err_tight"] == pytest.approx(0.005)        # base: 0.201 vs 0.2
    assert c["gap_err_all"] == pytest.approx(0.008 / 0.202)  # batch 250: 0.21 vs 0.202
    assert c["mean_ratio_max"] == pytest.approx(0.001 / 0.1) and c["mean_ratio_share"] == 1
    assert c["gap_per_sum"] == pytest.approx(1 / 3)   # base 1/3 twice, β 1/3 and 0.4, batch 0.33
    v = digits.verdicts(c)
    assert v == {"duality": True, "identity": True, "gap_tight": True, "gap_loose": True,
                 "mean_terms": True, "sharpness": True}
    with pytest.raises(ValueError, match="one row per run"):
        digits.checks(_sweep_table())


@pytest.mark.parametrize("change, key, expected", [
    ({"exactness": 2e-8}, "duality", False),
    ({"identity": 1e-7}, "identity", False),
    ({"gap_err_tight": 0.03}, "gap_tight", False),
    ({"n_tight": 0}, "gap_tight", None),
    ({"gap_err_loose": 0.2}, "gap_loose", False),
    ({"mean_ratio_share": 0.5}, "mean_terms", False),
    ({"spearman_min": 0.39}, "sharpness", False),
], ids=["duality", "identity", "gap-tight", "no-tight-run", "gap-loose", "mean-terms",
        "spearman"])
def test_verdicts_apply_the_stated_thresholds(change, key, expected):
    c = {**digits.checks(_sweep_table().drop_duplicates("run")), **change}
    assert digits.verdicts(c)[key] is expected


def test_criteria_table_shows_the_verdicts_in_order():
    c = {**digits.checks(_sweep_table().drop_duplicates("run")), "n_tight": 0}
    table = digits.criteria(c)
    assert list(table.columns) == ["criterion", "met", "threshold", "this run"]
    assert list(table.met) == list(digits.verdicts(c).values())
    assert table.loc[2, "this run"].startswith("no run") and "1e-8" in table.loc[0, "threshold"]


def test_changes_direction_and_expected_trends():
    table = _sweep_table()
    ch = digits.changes(table)
    assert ch.loc["beta", "size"] == pytest.approx(0.5) and ch.loc["batch_size", "to"] == 250
    assert digits.direction(1.06) == "rose" and digits.direction(0.94) == "fell"
    assert digits.direction(1.04) == "barely changed" == digits.direction(0.96)
    expect = digits.expected_trends(table).set_index(["hyperparameter", "quantity"])
    assert expect.loc[("beta", "size"), "as expected"] is True            # halved
    assert expect.loc[("batch_size", "gap"), "measured"] == "barely changed"   # +1 %
    assert expect.loc[("batch_size", "gap"), "as expected"] is False
    assert expect.loc[("lr", "sharpness"), "as expected"] is None
    tally = digits.trend_tally(expect.reset_index())
    assert (tally["held"], tally["tested"]) == (3, 4)
    assert tally["missed"] == "the gap barely changed as the batch size grew"
    expect.loc[("beta", "gap"), "as expected"] = False
    expect.loc[("beta", "gap"), "measured"] = "rose"
    assert digits.trend_tally(expect.reset_index())["missed"] == (
        "the gap rose as the weight-norm penalty β grew and the gap barely changed as the "
        "batch size grew")
    shown = digits.trend_table(expect.reset_index())
    assert list(shown.columns) == ["hyperparameter", "quantity", "as expected", "expected",
                                   "measured", "ratio", "ρ"]
    assert list(shown.hyperparameter[:3]) == ["penalty β", "penalty β", "batch size"]


def test_follows_gap_counts_agreeing_signs():
    table = _sweep_table()          # beta: gap and all factors fall; batch 250: gap +1 %
    assert digits.follows_gap(table) == (2, 2)
    assert digits.follows_gap(table, "size") == (1, 2)          # batch 250: size falls
    table.loc[table.run >= 4, "sharp_size"] = 0.5           # batch 250: the sum falls too
    assert digits.follows_gap(table) == (1, 2)


def test_capped_runs_names_the_configurations():
    runs = _sweep_table().drop_duplicates("run")
    assert digits.capped_runs(runs, 1000) == "No run stopped at the epoch cap"
    runs.loc[runs.run >= 4, "epochs"] = 1000
    assert digits.capped_runs(runs, 1000).startswith("2 of the 6 runs (batch size = 250) stopped")


def _bridge(m_acc=0.7, m_sharp_size=5.0):
    return pd.DataFrame({"phase": ["G", "G", "M", "M"], "seed": [0, 1, 0, 1],
                         "train_acc": 1.0, "test_acc": [1.0, 0.98, m_acc, m_acc],
                         "gap": [0.0, 0.05, 2.0, 3.0],
                         "sharp_size": [0.02, 0.04] + [m_sharp_size] * 2,
                         "size": [0.01, 0.04, 40.0, 10.0], "sharpness": [0.01, 0.01, 0.1, 0.1],
                         "displacement": [0.1, 0.1, 0.5, 0.5]})


def test_bridge_verdict_compares_every_seed():
    assert digits.phase_means(_bridge()).loc["G", "test_acc"] == pytest.approx(0.99)
    assert digits.bridge_separates(_bridge())
    assert not digits.bridge_separates(_bridge(m_acc=1.0))
    assert not digits.bridge_separates(_bridge(m_sharp_size=0.01))
    overlap = _bridge()
    overlap.loc[1, "test_acc"] = 0.6              # one G model below the M models
    assert not digits.bridge_separates(overlap)


def test_bridge_ratios_over_seeds():
    r = digits.bridge_ratios(_bridge())
    size = r["size"]                              # G 0.01, 0.04; M 40, 10
    assert size["low"] == pytest.approx(10 / 0.04) and size["high"] == pytest.approx(40 / 0.01)
    assert size["geo"] == pytest.approx(20 / 0.02) and size["G spread"] == pytest.approx(4)
    assert r["sharpness"]["geo"] == pytest.approx(10) and r["displacement"]["low"] == 5
    assert r["larger"] == "size"
    flat = _bridge().assign(sharpness=[0.01, 0.01, 1e3, 1e3])
    assert digits.bridge_ratios(flat)["larger"] == "sharpness"
    split = _bridge().assign(sharpness=[0.01, 0.01, 3.0, 3.0])   # low: 300 vs 250; geo 300 vs 1000
    assert digits.bridge_ratios(split)["larger"] == "neither"


def test_approx_and_seed_range_read_as_numbers():
    assert [digits.approx(x) for x in (21356.3, 112.07, 4.79, 0.005915, 1e-6)] == [
        "21,000", "110", "4.8", "0.0059", "1e-06"]
    assert [digits.approx(x, down=True) for x in (128.6, 112.07, 4.79, 0.005915, 7.0)] == [
        "120", "110", "4.7", "0.0059", "7"]          # a lower bound is never rounded up
    assert digits.seed_range([0.17, 0.244]) == "0.17 to 0.24"
    assert digits.seed_range([3, 3.01]) == "3"
    assert digits.seed_range([1.0, 0.9956], ".3f") == "0.996 to 1.000"


def test_claims_are_five_rows_with_statuses_from_the_verdicts():
    table = _sweep_table()
    c = digits.checks(table.drop_duplicates("run"))
    rows = digits.claims(c, digits.expected_trends(table), _bridge())
    assert [r.item for r in rows] == ["Duality", "Gap estimate", "Decomposition",
                                      "Hyperparameters", "GenEFT bridge"]
    assert [r.status for r in rows] == ["reproduced"] * 3 + ["partly", "reproduced"]
    assert "our extension" in rows[-1].paper and "2 seeds per phase" in rows[-1].ours
    assert [r.counted for r in rows] == [True] * 4 + [False]
    assert sum(scorecard.tally(rows).values()) == 4
    assert scorecard.html("duality", rows).data.count("<tr>") == 6     # math balanced
    few = digits.expected_trends(table[table.factor == "beta"], expected=[("lr", "gap", 1)])
    assert digits.claims(c, few, _bridge())[3].status == "not testable"


# --- the numbers the chapter's prose quotes ------------------------------------------------------

def test_describe_and_exercise_minutes():
    data = digits.load_data("synthetic", train_per_class=10, seed=0)
    assert digits.describe(data) == ("synthetic Gaussian mixture (64 features): 100 training "
                                     "and 800 test images")
    runs = _sweep_table().drop_duplicates("run")
    runs = runs.assign(seconds=np.where(runs.is_base, 6.0, 1.0))
    minutes = digits.exercise_minutes(600.0, runs, seeds=2)   # base runs: 6 s each
    assert minutes == pytest.approx({"seeds_min": 25.0, "data_min": (600 + 24) / 60,
                                     "lr_min": (600 + 7 * 12) / 60})


def test_change_summary_reads_each_factor_in_words():
    out = digits.change_summary(_sweep_table(), ("beta", "init_scale"), ("size", "gap"))
    assert (out["beta_from"], out["beta_to"]) == (0.0, 0.01)
    assert out["beta_size"] == pytest.approx(0.5) and out["beta_size_word"] == "fell"
    assert out["beta_gap"] == pytest.approx(0.11 / 0.2) and out["beta_gap_word"] == "fell"
    assert np.isnan(out["init_scale_size"]) and out["init_scale_gap_word"] == "was not swept"
    assert len(out) == 2 * (2 + 2 * 2)


def test_follows_text_counts_in_words():
    table = _sweep_table()
    assert digits.follows_text(table) == {"sharp_size": "2 of 2", "size": "1 of 2",
                                          "sharpness": "1 of 2"}


def test_bridge_numbers_quote_seed_ranges_and_ratios():
    out = digits.bridge_numbers(_bridge().assign(exactness=[1e-15, 2e-15, 0.0, 3e-16]))
    assert out["G_test_acc"] == "0.980 to 1.000" and out["M_test_acc"] == "0.700"
    assert out["G_size"] == "0.01 to 0.04" and out["M_gap"] == "2 to 3"
    assert out["bridge_size_low"] == "250" and out["bridge_size_geo"] == "1,000"
    assert out["bridge_sharp_size_low"] == "120" and out["bridge_g_spread"] == "2"
    assert out["bridge_displacement_low"] == "5" and out["bridge_exact"] == 2e-15
    assert len(out) == 2 * 5 + 4 * 2 + 2


def test_estimate_vs_gap_draws_each_configuration_and_the_diagonal():
    runs = _sweep_table().drop_duplicates("run")
    fig = plots.duality.estimate_vs_gap(runs, digits.run_labels(runs))
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["base", "penalty β = 0.01",
                                                     "batch size = 250", "$y = x$"]
    assert [len(line.get_xdata()) for line in lines[:3]] == [2, 2, 2]
    lo, hi = fig.axes[0].get_xlim()
    assert lo == pytest.approx(0.9 * 0.1) and hi == pytest.approx(1.1 * 0.21)
    plt.close(fig)


# --- both sizes: the stored result tables give the verdicts of the run that wrote them ---------

def test_plan_sweeps_the_profile_and_settings_count_each_configuration_once():
    quick = PROFILES["duality"]["quick"]
    base, factors = digits.plan(quick)
    assert base.batch_size == quick.batch_size and base.max_epochs == quick.max_epochs
    assert factors == {"batch_size": quick.batch_sizes, "beta": quick.betas,
                       "init_scale": quick.init_scales}
    configs = digits.settings(base, factors)
    assert len(configs) == 1 + sum(len(set(v) - {getattr(base, f)}) for f, v in factors.items())
    assert configs[base] == [("batch_size", 25), ("beta", 0.0), ("init_scale", 1.0)]
    nothing = digits.plan(quick.__class__(batch_sizes=(), betas=(), init_scales=()))[1]
    assert nothing == {"lr": (quick.lr,)}
    with pytest.raises(ValueError, match="factors must be fields of RunConfig"):
        digits.settings(base, {"momentum": [0.9]})


@pytest.fixture(scope="module")
def tiny_result():
    """A tiny run of the chapter's two computations (synthetic data, a few epochs and steps)."""
    base = digits.RunConfig(max_epochs=3, train_per_class=10)
    table, _ = digits.sweep("synthetic", base, {"batch_size": [50], "beta": [0.01]}, [0, 1])
    bridge, _ = digits.geneft_phases("mod3", 0.75, {"G": (1e-2, 1e-3), "M": (1e-4, 1e-2)},
                                     [0, 1], steps=30)
    return table, bridge


def test_stored_tables_give_the_verdicts_of_the_run_that_wrote_them(tiny_result, tmp_path):
    table, bridge = tiny_result
    found = digits.assess(table, bridge)
    store.save("duality/networks", {"runs": table, "bridge": bridge}, {"test": 1},
               wall_s=1.0, root=tmp_path)
    stored = store.load("duality/networks", {"test": 1}, root=tmp_path)
    again = digits.assess(stored.tables["runs"], stored.tables["bridge"])
    assert again["claims"] == found["claims"] and again["tally"] == found["tally"]
    assert list(again["expect"]["as expected"]) == list(found["expect"]["as expected"])
    assert again["checks"]["runs"] == found["checks"]["runs"] == 6
    assert again["checks"] == pytest.approx(found["checks"], rel=1e-6, nan_ok=True)
    size = sum(p.stat().st_size for p in (tmp_path / "duality" / "networks").rglob("*.gz"))
    assert size < 20_000                      # 14 rows of tables, gzipped CSV


def test_size_comparison_names_the_rows_that_differ(tiny_result):
    table, bridge = tiny_result
    found = digits.assess(table, bridge)
    assert digits.size_comparison(found, None).startswith("no full-size result is stored")
    same = digits.size_comparison(found, found)
    assert same.startswith("with 6 networks (2 seeds per setting)")
    assert same.endswith("every scorecard row has the same status at both sizes")
    other = {**found, "claims": [replace(c, status="not reproduced") if c.item == "Duality"
                                 else c for c in found["claims"]]}
    assert digits.size_comparison(found, other).endswith(
        f"the scorecard rows that differ are Duality ({found['claims'][0].status} here, "
        "not reproduced at full size)")


def test_factor_figure_has_a_panel_per_swept_hyperparameter(tiny_result):
    table, _ = tiny_result
    fig = plots.duality.factor_figure(table, digits.FACTOR_NAMES)
    drawn = [ax for ax in fig.axes if ax.axison]
    assert [ax.get_xlabel() for ax in drawn] == ["batch size", "weight-norm penalty β"]
    assert len(drawn[0].get_lines()) >= len(plots.duality.FIGURE_COLUMNS)
    plt.close(fig)
    assert plots.duality.factor_figure(table[table.is_base]) is None      # nothing swept


@pytest.mark.slow
def test_chapter_stores_its_tables_and_shows_a_stored_full_size_result(
        tmp_path, chapter_store, glued):
    """`geneft run duality -p save_results true` stores the two result tables; `assess` of the
    stored tables gives the scorecard the run glued; stored under the full profile's
    configuration, the page draws them in its full-size section and scorecard column."""
    tiny = dict(dataset="synthetic", train_per_class=20, batch_sizes=[25, 50], betas=[0, 0.01],
                init_scales=[], max_epochs=20, seeds=2, bridge_steps=100, bridge_seeds=2)
    run_chapter("duality", "quick", {**tiny, "save_results": True}, out=tmp_path,
                progress=False)
    name = "duality/networks"
    saved = store.load(name, stored_config(name, resolve("duality", **tiny)))
    assert saved is not None and set(saved.tables) == {"runs", "bridge"}
    assert saved.meta["timings"]["compute_s"] > 0
    read = digits.assess(saved.tables["runs"], saved.tables["bridge"])
    notebook = tmp_path / "duality-quick.ipynb"
    assert glued(notebook, "scorecard") == scorecard.html("duality", read["claims"]).data
    assert glued(notebook, "aw_trends_held") == str(read["tally"]["held"])
    assert glued(notebook, "aw_full_gist").startswith("no full-size result is stored")
    full = PROFILES["duality"]["full"]                # as if the full run had been made
    store.save(name, saved.tables, stored_config(name, full), wall_s=1.0)
    run_chapter("duality", "quick", tiny, out=tmp_path, progress=False)
    assert glued(notebook, "aw_full_gist").startswith("with 6 networks (2 seeds per setting)")
    assert glued(notebook, "scorecard").count("score-full") == len(read["claims"])
    cells = json.loads(notebook.read_text())["cells"]
    figure = next(c for c in cells if "fig-aw-factors-full" in json.dumps(c.get("metadata")))
    assert any("image/png" in o.get("data", {}) for o in figure["outputs"])

