"""geneft.duality: the duality and its minimality, end-to-end exactness through a network, the
decomposition identity, the secant, the Hessian of a linear model and the quadratic-landscape
case; data, pairing and the sweep's bookkeeping; the chapter's criteria, verdicts and scorecard
rows on hand-made tables whose answers are known."""
import numpy as np
import pytest
import torch

from geneft import duality as aw

F64 = torch.float64


def rand(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=F64)


def test_dual_weights_map_the_training_activity_onto_the_test_output():
    W, a, a2 = rand(7, 4), rand(5, 4, seed=1), rand(5, 4, seed=2)
    dW = aw.dual_weights(W, a, a2)
    torch.testing.assert_close(torch.einsum("koi,ki->ko", W + dW, a), a2 @ W.T,
                               rtol=0, atol=1e-12)
    assert all(torch.linalg.matrix_rank(d) == 1 for d in dW)
    torch.testing.assert_close(torch.linalg.matrix_norm(dW),
                               ((a2 - a) @ W.T).norm(dim=1) / a.norm(dim=1))


def test_dual_weights_are_the_minimum_norm_solution():
    W, a, a2 = rand(6, 5), rand(1, 5, seed=3), rand(1, 5, seed=4)
    dW = aw.dual_weights(W, a, a2)[0]
    v = a[0]
    for seed in range(5):
        M = rand(6, 5, seed=10 + seed) @ (torch.eye(5, dtype=F64) - torch.outer(v, v) / (v @ v))
        assert torch.allclose(M @ v, torch.zeros(6, dtype=F64), atol=1e-12)
        assert (dW * M).sum().abs() < 1e-12
        assert (dW + M).norm() >= dW.norm()


def test_zero_displacement_gives_zero_dual_weights_and_zero_activity_is_refused():
    W, a = rand(3, 4), rand(2, 4, seed=5)
    assert aw.dual_weights(W, a, a).abs().max() == 0
    with pytest.raises(ValueError, match="a must be nonzero"):
        aw.dual_weights(W, torch.zeros(1, 4, dtype=F64), a[:1])


def _tiny_mlp():
    Ws = [rand(6, 5, seed=20), rand(6, 6, seed=21), rand(3, 6, seed=22)]
    X, Xp = rand(8, 5, seed=23), rand(8, 5, seed=24)
    y = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    return Ws, X, Xp, y


def _ce(logits, y):
    return torch.nn.functional.cross_entropy(logits, y, reduction="none")


def test_end_to_end_exactness_for_the_middle_and_the_first_layer():
    Ws, X, Xp, y = _tiny_mlp()
    a, ap = torch.relu(X @ Ws[0].T), torch.relu(Xp @ Ws[0].T)
    result = aw.analyse_layer(Ws[1], aw.mlp_rest(Ws), _ce, a, y, a, ap, y)
    assert result["exactness"] < 1e-10
    loop = np.mean([float((ap[k] - a[k]).norm() / a[k].norm()) for k in range(len(a))])
    assert result["displacement"] == pytest.approx(loop)
    assert aw.analyse_layer(Ws[1], aw.mlp_rest(Ws), _ce, a, y, a, a, y)["displacement"] == 0
    # first layer: the activities are the raw inputs
    rest = lambda z: torch.relu(torch.relu(z) @ Ws[1].T) @ Ws[2].T  # noqa: E731
    dW = aw.dual_weights(Ws[0], X, Xp)
    moved = rest(torch.einsum("koi,ki->ko", Ws[0] + dW, X))
    torch.testing.assert_close(_ce(moved, y), _ce(rest(Xp @ Ws[0].T), y), rtol=0, atol=1e-10)


def test_decomposition_identity_on_random_vectors():
    rng = np.random.default_rng(0)
    gamma, theta = rng.standard_normal((50, 9)), rng.standard_normal((50, 9))
    gamma[:, 3] = 2.0                                  # a constant column: sigma = 0, c := 0
    dec = aw.decomposition(gamma, theta, np.arange(9.0))
    assert not np.isnan(dec.contributions).any() and dec.corr[3] == 0
    assert dec.contributions.sum() == pytest.approx((gamma * theta).sum(1).mean(), abs=1e-12)
    # the same in any orthonormal basis
    Q, _ = np.linalg.qr(rng.standard_normal((9, 9)))
    rotated = aw.decomposition(gamma @ Q, theta @ Q, np.arange(9.0))
    assert rotated.contributions.sum() == pytest.approx(dec.contributions.sum(), abs=1e-12)


def test_secant_reproduces_the_loss_difference_along_the_dual_weights():
    dw, dl = rand(6, 10, seed=30), rand(6, seed=31)
    g = aw.secant(dl, dw)
    torch.testing.assert_close((g * dw).sum(1), dl)
    cos = (g * dw).sum(1) / (g.norm(dim=1) * dw.norm(dim=1))
    torch.testing.assert_close(cos.abs(), torch.ones(6, dtype=F64))


def test_hessian_of_a_linear_layer_with_squared_loss_is_the_gram_matrix():
    A, Y = rand(20, 4, seed=40), rand(20, 3, seed=41)
    W = rand(3, 4, seed=42)
    sq = lambda out, y: 0.5 * ((out - y) ** 2).sum(-1)  # noqa: E731
    H = aw.layer_hessian(W, A, Y, lambda z: z, sq)
    torch.testing.assert_close(H, torch.kron(torch.eye(3, dtype=F64), A.T @ A / 20))


def test_quadratic_landscape():
    """l = 1/2 w^T A w with zero gradient at 0: gamma = 1/2 (theta^T A theta / |theta|^2) theta
    and the contributions sum to 1/2 <theta^T A theta>."""
    rng = np.random.default_rng(1)
    B = rng.standard_normal((6, 6))
    A = B @ B.T
    lam, V = np.linalg.eigh(A)
    dw = rng.standard_normal((40, 6))
    dl = 0.5 * np.einsum("ki,ij,kj->k", dw, A, dw)
    g = aw.secant(torch.as_tensor(dl), torch.as_tensor(dw)).numpy()
    expect = 0.5 * (dl * 2 / (dw ** 2).sum(1))[:, None] * dw
    np.testing.assert_allclose(g, expect, rtol=1e-12)
    dec = aw.decomposition(g @ V, dw @ V, lam)
    assert dec.contributions.sum() == pytest.approx(dl.mean(), rel=1e-12)


def test_nearest_same_label_matches_a_loop():
    rng = np.random.default_rng(2)
    Xtr, ytr = rng.standard_normal((30, 3)), rng.integers(0, 3, 30)
    Xte, yte = rng.standard_normal((10, 3)), rng.integers(0, 3, 10)
    got = aw.nearest_same_label(Xtr, ytr, Xte, yte).numpy()
    for k in range(10):
        same = np.flatnonzero(ytr == yte[k])
        assert got[k] == same[np.argmin(((Xtr[same] - Xte[k]) ** 2).sum(1))]
    with pytest.raises(ValueError, match="every test label"):
        aw.nearest_same_label(Xtr, np.zeros(30), Xte, np.ones(10))


def test_datasets():
    d = aw.load_data("digits", train_per_class=50, seed=0)
    assert d.X_train.shape == (500, 64) and np.bincount(d.y_train).tolist() == [50] * 10
    assert len(d.y_test) == 740 and 0 <= d.X_train.min() and d.X_train.max() <= 1
    again = aw.load_data("digits", train_per_class=100, seed=0)
    np.testing.assert_array_equal(d.X_test, again.X_test)    # test set independent of size
    s = aw.load_data("synthetic", train_per_class=10, seed=1)
    assert s.X_train.shape == (100, 64) and len(s.y_test) == 800
    with pytest.raises(ValueError, match="dataset must be one of"):
        aw.load_data("cifar")
    with pytest.raises(ValueError, match="train_per_class must be <="):
        aw.load_data("digits", train_per_class=150)


def test_mnist_needs_a_local_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("GENEFT_MNIST", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="local copy"):
        aw.load_data("mnist")


def test_trained_mlp_run_is_deterministic_and_exact():
    data = aw.load_data("synthetic", train_per_class=10, seed=0)
    config = aw.RunConfig(max_epochs=5)
    W1, e1 = aw.train_mlp(data, config, seed=3)
    W2, e2 = aw.train_mlp(data, config, seed=3)
    assert e1 == e2 == 5 and all(torch.equal(a, b) for a, b in zip(W1, W2))
    result = aw.analyse_mlp(data, W1)
    assert result["exactness"] < 1e-10 and result["identity"] < 1e-10


def test_sweep_runs_the_base_once_and_files_it_under_every_factor():
    table, results = aw.sweep("synthetic", aw.RunConfig(max_epochs=2, train_per_class=10),
                              {"batch_size": [50], "beta": [0.01]}, [0])
    assert len(results) == 3 and table.run.nunique() == 3 and (table.seconds > 0).all()
    base = table[table.is_base]
    assert sorted(base.factor) == ["batch_size", "beta"] and base.run.nunique() == 1
    with pytest.raises(ValueError, match="factors must be fields"):
        aw.sweep("synthetic", aw.RunConfig(), {"momentum": [0.9]}, [0])


def test_trends_reads_signs_of_seed_means():
    import pandas as pd
    t = pd.DataFrame({"factor": "beta", "value": [0, 0, 1, 1, 2, 2], "seed": [0, 1] * 3,
                      "gap": [3, 3.2, 2, 2.1, 1, 0.9], "size": [1, 1, 2, 2, 3, 3],
                      "sharp_size": 1.0, "sharpness": [1, 1, 1, 1, 1, 1.0]})
    tr = aw.trends(t, columns=("gap", "size"))
    assert tr.loc["beta", "gap"] == -1 and tr.loc["beta", "size"] == 1


def test_geneft_decoder_duality_is_exact():
    table, results = aw.geneft_phases("mod3", 0.75, {"G": (1e-2, 1e-3)}, [0], steps=20)
    assert results[("G", 0)]["exactness"] < 1e-10 and results[("G", 0)]["identity"] < 1e-10
    assert table.loc[0, "test_acc"] >= 0


# --- the chapter's criteria, verdicts and scorecard rows --------------------------------------

def _sweep_table():
    """A hand-made `sweep` table: base (run 0, 1) filed under both factors, beta = 0.01
    (runs 2, 3) and batch_size = 250 (runs 4, 5); two seeds each."""
    import pandas as pd
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
    conf = aw.configurations(_sweep_table()).set_index("configuration")
    assert list(conf.index) == ["base", "penalty β = 0.01", "batch size = 250"]
    assert (conf.seeds == 2).all() and conf.loc["penalty β = 0.01", "gap"] == pytest.approx(0.11)


def test_gap_share_counts_the_leading_directions():
    z = np.zeros(4)
    dec = aw.Decomposition(np.arange(4.0)[::-1], z, z, np.ones(4), np.ones(4),
                           np.array([0.5, 0.3, 0.15, 0.05]))
    assert aw.gap_share(dec, 0.5) == 1 and aw.gap_share(dec, 0.8) == 2
    assert aw.gap_share(dec, 0.9) == 3 and aw.gap_share(dec, 1.01) == 4


def test_checks_and_verdicts_on_a_hand_made_sweep():
    runs = _sweep_table().drop_duplicates("run")
    c = aw.checks(runs)
    assert c["runs"] == 6 and c["n_tight"] == 4 and c["n_loose"] == 6
    assert c["gap_err_tight"] == pytest.approx(0.005)        # base: 0.201 vs 0.2
    assert c["gap_err_all"] == pytest.approx(0.008 / 0.202)  # batch 250: 0.21 vs 0.202
    assert c["mean_ratio_max"] == pytest.approx(0.001 / 0.1) and c["mean_ratio_share"] == 1
    v = aw.verdicts(c)
    assert v == {"duality": True, "identity": True, "gap_tight": True, "gap_loose": True,
                 "mean_terms": True, "sharpness": True}
    with pytest.raises(ValueError, match="one row per run"):
        aw.checks(_sweep_table())


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
    c = {**aw.checks(_sweep_table().drop_duplicates("run")), **change}
    assert aw.verdicts(c)[key] is expected


def test_criteria_table_shows_the_verdicts_in_order():
    c = {**aw.checks(_sweep_table().drop_duplicates("run")), "n_tight": 0}
    table = aw.criteria(c)
    assert list(table.columns) == ["criterion", "met", "threshold", "this run"]
    assert list(table.met) == list(aw.verdicts(c).values())
    assert table.loc[2, "this run"].startswith("no run") and "1e-8" in table.loc[0, "threshold"]


def test_changes_direction_and_expected_trends():
    table = _sweep_table()
    ch = aw.changes(table)
    assert ch.loc["beta", "size"] == pytest.approx(0.5) and ch.loc["batch_size", "to"] == 250
    assert aw.direction(1.06) == "rose" and aw.direction(0.94) == "fell"
    assert aw.direction(1.04) == "barely changed" == aw.direction(0.96)
    expect = aw.expected_trends(table).set_index(["hyperparameter", "quantity"])
    assert expect.loc[("beta", "size"), "as expected"] is True            # halved
    assert expect.loc[("batch_size", "gap"), "measured"] == "barely changed"   # +1 %
    assert expect.loc[("batch_size", "gap"), "as expected"] is False
    assert expect.loc[("lr", "sharpness"), "as expected"] is None
    tally = aw.trend_tally(expect.reset_index())
    assert (tally["held"], tally["tested"]) == (3, 4)
    assert tally["missed"] == "the gap barely changed as the batch size grew"
    expect.loc[("beta", "gap"), "as expected"] = False
    expect.loc[("beta", "gap"), "measured"] = "rose"
    assert aw.trend_tally(expect.reset_index())["missed"] == (
        "the gap rose as the weight-norm penalty β grew and the gap barely changed as the "
        "batch size grew")
    shown = aw.trend_table(expect.reset_index())
    assert list(shown.columns) == ["hyperparameter", "quantity", "as expected", "expected",
                                   "measured", "ratio", "ρ"]
    assert list(shown.hyperparameter[:3]) == ["penalty β", "penalty β", "batch size"]


def test_follows_gap_counts_agreeing_signs():
    table = _sweep_table()          # beta: gap and all factors fall; batch 250: gap +1 %
    assert aw.follows_gap(table) == (2, 2)
    assert aw.follows_gap(table, "size") == (1, 2)          # batch 250: size falls
    table.loc[table.run >= 4, "sharp_size"] = 0.5           # batch 250: the sum falls too
    assert aw.follows_gap(table) == (1, 2)


def test_capped_runs_names_the_configurations():
    runs = _sweep_table().drop_duplicates("run")
    assert aw.capped_runs(runs, 1000) == "No run stopped at the epoch cap"
    runs.loc[runs.run >= 4, "epochs"] = 1000
    assert aw.capped_runs(runs, 1000).startswith("2 of the 6 runs (batch size = 250) stopped")


def _bridge(m_acc=0.7, m_sharp_size=5.0):
    import pandas as pd
    return pd.DataFrame({"phase": ["G", "G", "M", "M"], "seed": [0, 1, 0, 1],
                         "train_acc": 1.0, "test_acc": [1.0, 0.98, m_acc, m_acc],
                         "gap": [0.0, 0.05, 2.0, 3.0],
                         "sharp_size": [0.02, 0.04] + [m_sharp_size] * 2,
                         "size": [0.01, 0.04, 40.0, 10.0], "sharpness": [0.01, 0.01, 0.1, 0.1],
                         "displacement": [0.1, 0.1, 0.5, 0.5]})


def test_bridge_verdict_compares_every_seed():
    assert aw.phase_means(_bridge()).loc["G", "test_acc"] == pytest.approx(0.99)
    assert aw.bridge_separates(_bridge())
    assert not aw.bridge_separates(_bridge(m_acc=1.0))
    assert not aw.bridge_separates(_bridge(m_sharp_size=0.01))
    overlap = _bridge()
    overlap.loc[1, "test_acc"] = 0.6              # one G model below the M models
    assert not aw.bridge_separates(overlap)


def test_bridge_ratios_over_seeds():
    r = aw.bridge_ratios(_bridge())
    size = r["size"]                              # G 0.01, 0.04; M 40, 10
    assert size["low"] == pytest.approx(10 / 0.04) and size["high"] == pytest.approx(40 / 0.01)
    assert size["geo"] == pytest.approx(20 / 0.02) and size["G spread"] == pytest.approx(4)
    assert r["sharpness"]["geo"] == pytest.approx(10) and r["displacement"]["low"] == 5
    assert r["larger"] == "size"
    flat = _bridge().assign(sharpness=[0.01, 0.01, 1e3, 1e3])
    assert aw.bridge_ratios(flat)["larger"] == "sharpness"
    split = _bridge().assign(sharpness=[0.01, 0.01, 3.0, 3.0])   # low: 300 vs 250; geo 300 vs 1000
    assert aw.bridge_ratios(split)["larger"] == "neither"


def test_approx_and_seed_range_read_as_numbers():
    assert [aw.approx(x) for x in (21356.3, 112.07, 4.79, 0.005915, 1e-6)] == [
        "21,000", "110", "4.8", "0.0059", "1e-06"]
    assert aw.seed_range([0.17, 0.244]) == "0.17 to 0.24" and aw.seed_range([3, 3.01]) == "3"
    assert aw.seed_range([1.0, 0.9956], ".3f") == "0.996 to 1.000"


def test_claims_are_five_rows_with_statuses_from_the_verdicts():
    from geneft import scorecard
    table = _sweep_table()
    c = aw.checks(table.drop_duplicates("run"))
    rows = aw.claims(c, aw.expected_trends(table), _bridge())
    assert [r.item for r in rows] == ["Duality", "Gap estimate", "Decomposition",
                                      "Hyperparameters", "GenEFT bridge"]
    assert [r.status for r in rows] == ["reproduced"] * 3 + ["partly", "reproduced"]
    assert "our extension" in rows[-1].paper and "2 seeds per phase" in rows[-1].ours
    assert [r.counted for r in rows] == [True] * 4 + [False]
    assert sum(scorecard.tally(rows).values()) == 4
    assert scorecard.html("duality", rows).data.count("<tr>") == 6     # math balanced
    few = aw.expected_trends(table[table.factor == "beta"], expected=[("lr", "gap", 1)])
    assert aw.claims(c, few, _bridge())[3].status == "not testable"


def test_spearman_of_a_constant_is_nan_without_a_warning():
    assert aw.spearman([1, 2, 3], [3, 2, 1]) == -1
    assert np.isnan(aw.spearman([1, 2, 3], [5, 5, 5]))


# --- both sizes: the stored result tables give the verdicts of the run that wrote them ---------

def test_plan_sweeps_the_profile_and_settings_count_each_configuration_once():
    from geneft.profiles import PROFILES
    quick = PROFILES["duality"]["quick"]
    base, factors = aw.plan(quick)
    assert base.batch_size == quick.batch_size and base.max_epochs == quick.max_epochs
    assert factors == {"batch_size": quick.batch_sizes, "beta": quick.betas,
                       "init_scale": quick.init_scales}
    configs = aw.settings(base, factors)
    assert len(configs) == 1 + sum(len(set(v) - {getattr(base, f)}) for f, v in factors.items())
    assert configs[base] == [("batch_size", 25), ("beta", 0.0), ("init_scale", 1.0)]
    nothing = aw.plan(PROFILES["duality"]["quick"].__class__(batch_sizes=(), betas=(),
                                                             init_scales=()))[1]
    assert nothing == {"lr": (quick.lr,)}
    with pytest.raises(ValueError, match="factors must be fields of RunConfig"):
        aw.settings(base, {"momentum": [0.9]})


@pytest.fixture(scope="module")
def tiny_result():
    """A tiny run of the chapter's two computations (synthetic data, a few epochs and steps)."""
    base = aw.RunConfig(max_epochs=3, train_per_class=10)
    table, _ = aw.sweep("synthetic", base, {"batch_size": [50], "beta": [0.01]}, [0, 1])
    bridge, _ = aw.geneft_phases("mod3", 0.75, {"G": (1e-2, 1e-3), "M": (1e-4, 1e-2)}, [0, 1],
                                 steps=30)
    return table, bridge


def test_stored_tables_give_the_verdicts_of_the_run_that_wrote_them(tiny_result, tmp_path):
    from geneft import store
    table, bridge = tiny_result
    found = aw.assess(table, bridge)
    store.save("duality/networks", {"runs": table, "bridge": bridge}, {"test": 1},
               wall_s=1.0, root=tmp_path)
    stored = store.load("duality/networks", {"test": 1}, root=tmp_path)
    again = aw.assess(stored.tables["runs"], stored.tables["bridge"])
    assert again["claims"] == found["claims"] and again["tally"] == found["tally"]
    assert list(again["expect"]["as expected"]) == list(found["expect"]["as expected"])
    assert again["checks"]["runs"] == found["checks"]["runs"] == 6
    assert again["checks"] == pytest.approx(found["checks"], rel=1e-6, nan_ok=True)
    size = sum(p.stat().st_size for p in (tmp_path / "duality" / "networks").rglob("*.gz"))
    assert size < 20_000                      # 14 rows of tables, gzipped CSV


def test_size_comparison_names_the_rows_that_differ(tiny_result):
    from dataclasses import replace
    table, bridge = tiny_result
    found = aw.assess(table, bridge)
    assert aw.size_comparison(found, None).startswith("no full-size result is stored")
    same = aw.size_comparison(found, found)
    assert same.startswith("with 6 networks (2 seeds per setting)")
    assert same.endswith("every scorecard row has the same status at both sizes")
    other = {**found, "claims": [replace(c, status="not reproduced") if c.item == "Duality"
                                 else c for c in found["claims"]]}
    assert aw.size_comparison(found, other).endswith(
        f"the scorecard rows that differ are Duality ({found['claims'][0].status} here, "
        "not reproduced at full size)")


def test_factor_figure_has_a_panel_per_swept_hyperparameter(tiny_result):
    import matplotlib.pyplot as plt
    table, _ = tiny_result
    fig = aw.factor_figure(table)
    drawn = [ax for ax in fig.axes if ax.axison]
    assert [ax.get_xlabel() for ax in drawn] == ["batch size", "weight-norm penalty β"]
    assert len(drawn[0].get_lines()) >= len(aw.FIGURE_COLUMNS)
    plt.close(fig)
    assert aw.factor_figure(table[table.is_base]) is None      # nothing swept


def _glued(notebook, key) -> str:
    """What the chapter glued under `key` (myst-nb's glue metadata): its HTML, or its text."""
    import ast
    import json
    for cell in json.loads(notebook.read_text())["cells"]:
        for out in cell.get("outputs", []):
            if out.get("metadata", {}).get("scrapbook", {}).get("name") == key:
                data = {k.rsplit("/", 2)[-2] + "/" + k.rsplit("/", 1)[-1]: v
                        for k, v in out["data"].items()}        # drop the mime prefix
                return data.get("text/html") or str(ast.literal_eval(data["text/plain"]))
    raise KeyError(key)


@pytest.mark.slow
def test_chapter_stores_its_tables_and_shows_a_stored_full_size_result(tmp_path, monkeypatch):
    """`geneft run duality -p save_results true` stores the two result tables; `assess` of the
    stored tables gives the scorecard the run glued; stored under the full profile's
    configuration, the page draws them in its full-size section and scorecard column."""
    import json

    from geneft import scorecard, store
    from geneft.profiles import PROFILES, resolve, stored_config
    from geneft.runner import run_chapter
    monkeypatch.setenv("GENEFT_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("GENEFT_PROGRESS", "0")
    tiny = dict(dataset="synthetic", train_per_class=20, batch_sizes=[25, 50], betas=[0, 0.01],
                init_scales=[], max_epochs=20, seeds=2, bridge_steps=100, bridge_seeds=2)
    run_chapter("duality", "quick", {**tiny, "save_results": True}, out=tmp_path,
                progress=False)
    name = "duality/networks"
    saved = store.load(name, stored_config(name, resolve("duality", **tiny)))
    assert saved is not None and set(saved.tables) == {"runs", "bridge"}
    assert saved.meta["timings"]["compute_s"] > 0
    read = aw.assess(saved.tables["runs"], saved.tables["bridge"])
    notebook = tmp_path / "duality-quick.ipynb"
    assert _glued(notebook, "scorecard") == scorecard.html("duality", read["claims"]).data
    assert _glued(notebook, "aw_trends_held") == str(read["tally"]["held"])
    assert _glued(notebook, "aw_full_gist").startswith("no full-size result is stored")
    full = PROFILES["duality"]["full"]                # as if the full run had been made
    store.save(name, saved.tables, stored_config(name, full), wall_s=1.0)
    run_chapter("duality", "quick", tiny, out=tmp_path, progress=False)
    assert _glued(notebook, "aw_full_gist").startswith("with 6 networks (2 seeds per setting)")
    assert _glued(notebook, "scorecard").count("score-full") == len(read["claims"])
    cells = json.loads(notebook.read_text())["cells"]
    figure = next(c for c in cells if "fig-aw-factors-full" in json.dumps(c.get("metadata")))
    assert any("image/png" in o.get("data", {}) for o in figure["outputs"])
