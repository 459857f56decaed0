"""The repon effective theory against its closed forms and against direct simulation."""
import numpy as np
import pytest

from geneft import repons

RATES = [(0.1, 0.1), (1.0, 0.05), (0.02, 3.0)]


@pytest.mark.parametrize("eta_a, eta_x", RATES, ids=["equal", "fast-decoder", "fast-encoder"])
@pytest.mark.parametrize("a0, c0", [(1.0, 0.4), (1.0, 0.9), (-0.7, 0.2)],
                         ids=["collide", "apart", "negative-a"])
def test_conserved_quantity_along_solve_ivp(a0, c0, eta_a, eta_x):
    t = np.linspace(0, 200, 50)
    a, c = repons.integrate(a0, c0, eta_a, eta_x, t)
    C = repons.conserved(a, c, eta_a, eta_x)
    assert np.max(np.abs(C - C[0])) <= 1e-8 * abs(C[0])


def test_spec_examples_collide_or_not():
    t = np.linspace(0, 400, 5)
    a, c = repons.integrate(1.0, 0.4, 0.1, 0.1, t)
    assert repons.conserved(1.0, 0.4, 0.1, 0.1) == pytest.approx(3.4)
    assert c[-1] < 1e-3 * 0.4
    a, c = repons.integrate(1.0, 0.9, 0.1, 0.1, t)
    assert repons.conserved(1.0, 0.9, 0.1, 0.1) == pytest.approx(-3.1)
    assert abs(a[-1]) < 1e-3 and c[-1] == pytest.approx(np.sqrt(3.1 * 0.1), rel=1e-6)


def test_matrix_form_reduces_to_the_scalar_form():
    dA, dr = repons.flow_matrix(np.array([[0.8]]), np.array([0.3]), 0.2, 0.5)
    da, dc = repons.flow((0.8, 0.3), 0.2, 0.5)
    assert dA[0, 0] == pytest.approx(da) and dr[0] == pytest.approx(dc)


def test_matrix_form_is_the_gradient_flow_of_the_loss(rng):
    """Eq. 8 from the loss 1/2 (|A x1 + b - y|^2 + |A x2 + b - y|^2), midpoint 0 and b = y."""
    A, r = rng.normal(size=(3, 2)), rng.normal(size=2)
    loss = lambda A, r: 0.5 * (np.sum((A @ r) ** 2) + np.sum((A @ -r) ** 2))  # noqa: E731
    eps, grad_A, grad_r = 1e-6, np.zeros_like(A), np.zeros_like(r)
    for i in np.ndindex(A.shape):
        d = np.zeros_like(A)
        d[i] = eps
        grad_A[i] = (loss(A + d, r) - loss(A - d, r)) / (2 * eps)
    for i in range(2):
        d = np.zeros(2)
        d[i] = eps
        # x1,2 = m +- r, so dr/dt = (dx1/dt - dx2/dt) / 2 = -(dl/dr) / 2 at unit rate
        grad_r[i] = (loss(A, r + d) - loss(A, r - d)) / (2 * eps) / 2
    dA, dr = repons.flow_matrix(A, r, 1.0, 1.0)
    np.testing.assert_allclose(dA, -grad_A, rtol=1e-6)
    np.testing.assert_allclose(dr, -grad_r, rtol=1e-6)


def test_euler_drift_shrinks_with_the_step():
    drift = []
    for dt in (0.08, 0.02):
        a, c = repons.euler(1.0, 0.4, 0.1, 0.1, dt=dt, steps=int(160 / dt))
        C = repons.conserved(a, c, 0.1, 0.1)
        drift.append(np.max(np.abs(C - C[0])) / abs(C[0]))
    assert drift[1] < drift[0] / 3 and drift[1] < 1e-2


@pytest.mark.parametrize("a0, c0", [(1.0, 0.4), (1.0, 0.6), (2.0, 0.1)])
def test_collision_time_closed_form_matches_integration(a0, c0):
    eta_a, eta_x = 0.1, 0.2
    t_star = repons.collision_time(a0, c0, eta_a, eta_x, shrink=1e-2)
    a, c = repons.integrate(a0, c0, eta_a, eta_x, [0, t_star])
    assert c[-1] == pytest.approx(1e-2 * c0, rel=1e-6)


def test_no_collision_time_below_the_separatrix():
    assert repons.collision_time(1.0, 0.9, 0.1, 0.1) == np.inf


@pytest.mark.parametrize("ratio", [0.125, 0.5, 2.0, 8.0, 32.0])
def test_p_r_closed_form_vs_montecarlo(ratio):
    p, se = repons.p_r_montecarlo(ratio, draws=200_000, seed=1)
    assert abs(p - repons.p_r(ratio)) < 3 * se


def test_p_r_spec_sanity_numbers():
    rho = np.array([0.25, 0.5, 1, 2, 4])
    np.testing.assert_allclose(repons.p_r(2 * rho ** 2), [.156, .295, .5, .705, .844], atol=1e-3)


def test_p_r_depends_on_the_ratio_only():
    """Scaling both rates leaves the fate of every initial condition, hence p_r, unchanged."""
    a0, c0 = np.random.default_rng(3).normal(size=(2, 1000))
    fate = lambda k: repons.conserved(a0, c0, 0.3 * k, 0.7 * k) > 0  # noqa: E731
    assert np.array_equal(fate(1), fate(10)) and np.array_equal(fate(1), fate(0.01))


def test_cluster_formula_reduces_to_eq12():
    r = np.logspace(-2, 2, 9)
    np.testing.assert_allclose(repons.p_r_cluster(r, 1), repons.p_r(r), rtol=1e-12)


@pytest.mark.parametrize("n_cluster", [1, 3, 10])
def test_cluster_conserved_quantity_in_the_full_simulation(n_cluster):
    sim = repons.simulate_cluster(0.9, 0.8, n_cluster, 0.3, 0.5, 100.0)
    C = repons.cluster_conserved(sim["a"][:, 0], sim["s"][:, 0], n_cluster, 0.3, 0.5)
    assert np.max(np.abs(C - C[0])) <= 1e-8 * abs(C[0])
    np.testing.assert_allclose(sim["b"], 1.0, atol=1e-9)          # b stays at its optimum


@pytest.mark.parametrize("n_cluster, ratio", [(1, 1.0), (4, 0.5), (20, 2.0)])
def test_cluster_formula_vs_simulated_fates(n_cluster, ratio):
    """Draw (a0, c0), simulate N + 1 repons, call it a collision when s falls below 1e-3 of its
    start relative to the decoder weight; the collision rate must match p_r_cluster, and not
    the notebook's form."""
    rng = np.random.default_rng(n_cluster)
    draws = 400
    a0, c0 = rng.normal(size=(2, draws))
    sim = repons.simulate_cluster(a0, 2 * c0, n_cluster, 1.0, ratio, 2000.0, points=2,
                                  rtol=1e-8, atol=1e-12)
    # collided: the separation shrank by more than the decoder weight did
    hits = np.sum(np.abs(sim["s"][-1] / (2 * c0)) < np.abs(sim["a"][-1] / a0))
    p, se = hits / draws, np.sqrt(0.25 / draws)
    assert abs(p - repons.p_r_cluster(ratio, n_cluster)) < 3 * se
    notebook = 2 / np.pi * np.arctan(np.sqrt(ratio / (4 * (1 + 1 / n_cluster))))
    assert abs(p - notebook) > abs(p - repons.p_r_cluster(ratio, n_cluster))


def test_bad_rates():
    with pytest.raises(ValueError, match="eta_a and eta_x must be > 0"):
        repons.integrate(1, 1, 0, 1, [0, 1])


# ---- the laws against simulation ------------------------------------------------------------

def test_descent_collisions_matches_a_loop_over_single_systems():
    """Differential: the vectorised experiment against `descend` run system by system on the
    same draws (a, b, c, m per system, eta_A = 1, dt = 0.05 / max(1, eta_x))."""
    ratios, draws, steps = np.array([0.5, 4.0]), 6, 300
    got = repons.descent_collisions(ratios, draws=draws, steps=steps, seed=7)
    a0, b0, c0, m0 = np.random.default_rng(7).standard_normal((4, len(ratios), draws))
    expected = np.zeros(len(ratios))
    for i, r in enumerate(ratios):
        for j in range(draws):
            end = repons.descend([a0[i, j]], [b0[i, j]], [[m0[i, j] + c0[i, j]],
                                 [m0[i, j] - c0[i, j]]], 1.0, r, dt=0.05 / max(1.0, r),
                                 steps=steps)
            expected[i] += abs(end["x"][0, 0] - end["x"][1, 0]) < 0.1 * abs(2 * c0[i, j])
    np.testing.assert_array_equal(got, expected / draws)


def test_descent_collisions_rejects_a_bad_shrink():
    with pytest.raises(ValueError, match="shrink must be in"):
        repons.descent_collisions([1.0], draws=2, steps=1, shrink=1.0)


def test_law_checks_count_shares_above_the_law_by_two_standard_errors():
    ratios = np.array([0.5, 2.0, 8.0])
    law = repons.p_r(ratios)
    mc = np.stack([law + [0.0, 0.004, -0.002], np.full(3, 0.002)], 1)
    # 400 draws at p = 0.5: s.e. 0.025; +0.04 is 1.6 s.e., +0.06 is 2.4 s.e.
    gd = law + np.array([0.04, 0.0, 0.0])
    gd[1] = 0.5 + 0.06
    checks = repons.law_checks(ratios, mc, gd, 400)
    assert checks["mc_maxdev"] == pytest.approx(0.004) and checks["mc_maxz"] == pytest.approx(2)
    assert checks["gd_above"] == 1 and not checks["upper_bound"]
    assert checks["gd_maxdev"] == pytest.approx(0.06)
    assert repons.law_checks(ratios, mc, law - 0.1, 400)["upper_bound"]


def test_stored_law_reads_back_the_checks_of_its_table():
    from geneft.store import Stored
    ratios = np.array([0.5, 2.0, 8.0])
    law = repons.p_r(ratios)
    mc = np.stack([law + [0.0, 0.004, -0.002], np.full(3, 0.002)], 1)
    gd = law + np.array([0.0, 0.06, 0.0])
    table = repons.law_table(ratios, mc, gd)
    assert list(table.columns) == ["ratio", "mc", "mc_se", "gd"]
    got_ratios, checks = repons.stored_law(Stored({"law": table}, {}), 400)
    np.testing.assert_array_equal(got_ratios, ratios)
    assert checks == repons.law_checks(ratios, mc, gd, 400)
    assert repons.stored_law(None, 400) == (None, None)
    with pytest.raises(ValueError, match="mc_se"):
        repons.stored_law(Stored({"law": table.drop(columns="mc_se")}, {}), 400)
    with pytest.raises(ValueError, match="mc must be"):
        repons.law_table(ratios, mc[:, 0], gd)


def test_law_sentence_states_the_full_size_law_or_that_it_is_missing():
    ratios = np.array([0.5, 2.0])
    law = repons.p_r(ratios)
    checks = repons.law_checks(ratios, np.stack([law + 0.001, np.full(2, 0.001)], 1), law, 2000)
    text = repons.law_sentence(checks, ratios, mc_draws=200_000, gd_draws=2000)
    assert "200,000 Monte Carlo draws" in text and "within 0.0010 (1.0 standard errors)" in text
    assert "at 0 of them: the law is an upper bound" in text
    assert "not stored" in repons.law_sentence(None, None, mc_draws=1, gd_draws=1)


def test_notebook_cluster_form_is_eq12_at_a_quarter_of_the_ratio():
    r = np.logspace(-2, 2, 5)
    np.testing.assert_allclose(repons.p_r_cluster_notebook(r, 1), repons.p_r(r / 4), rtol=1e-12)
    assert np.all(repons.p_r_cluster_notebook(r, 1) < repons.p_r(r))
    # a large cluster: both forms tend to (2/pi) arctan sqrt(ratio / 4)
    np.testing.assert_allclose(repons.p_r_cluster_notebook(r, 10 ** 6),
                               repons.p_r_cluster(r, 10 ** 6), rtol=1e-5)


def test_cluster_check_columns_and_simulation_against_the_sign_of_C():
    table = repons.cluster_check([1, 3], 2.0, draws=200, seed=5)
    assert list(table.columns) == ["N", "simulated", "standard error", "share with C > 0",
                                   "derived law", "teaching notebook's form"]
    assert table["derived law"][0] == pytest.approx(float(repons.p_r(2.0)))
    # the simulated fates are the signs of C_N, up to starts that sit near the separatrix
    np.testing.assert_allclose(table["simulated"], table["share with C > 0"], atol=0.02)
    assert np.all(np.abs(table["simulated"] - table["derived law"])
                  < 3 * np.sqrt(0.25 / 200))


# ---- the phase diagram of the trained network -----------------------------------------------

LRS = [1e-4, 1e-3, 1e-2, 1e-1]
CURVES = {"generalization": ([0.5, 0.95, 1.0], [0.5, 0.95, 1.0]),
          "memorization": ([0.5, 0.95, 1.0], [0.5, 0.6, 0.6]),
          "confusion": ([0.5, 0.6, 0.6], [0.5, 0.5, 0.5])}


def sweep_table(edges: dict):
    """A sweep table over LRS x LRS whose runs generalize while lr_dec / lr_enc <= edges[wd]
    and memorize above it (edges[wd] = inf: never), one seed, curves at steps 0, 50, 100."""
    import pandas as pd
    rows = []
    for wd, edge in edges.items():
        for enc in LRS:
            for dec in LRS:
                phase = "generalization" if dec / enc <= edge * (1 + 1e-9) else "memorization"
                train, test = CURVES[phase]
                rows.append({"weight_decay": wd, "lr_enc": enc, "lr_dec": dec, "seed": 0,
                             "train_acc": train[-1], "test_acc": test[-1],
                             "curve_step": np.array([0, 50, 100]),
                             "curve_train_acc": np.array(train),
                             "curve_test_acc": np.array(test)})
    return pd.DataFrame(rows)


def test_phase_grid_fits_the_boundary_between_grid_cells():
    """Runs memorize above lr_dec / lr_enc = 10: in the columns lr_enc = 1e-4 and 1e-3 the
    boundary lies halfway (in log) between ratios 10 and 100, ratio 10^1.5, slope 1."""
    grid = repons.phase_grid(sweep_table({0.0: 10.0, 1e-3: 10.0}), 1e-3)
    assert grid.off["points"] == 2 and grid.off["slope"] == pytest.approx(1.0)
    assert grid.off["ratio"] == pytest.approx(10 ** 1.5)
    assert grid.counts(0.0) == {"generalization": 13, "grokking": 0, "memorization": 3,
                                "confusion": 0}
    assert set(grid.table["phase"]) == {"generalization", "memorization"}


def test_phase_grid_needs_both_weight_decays():
    with pytest.raises(ValueError, match="weight decays 0 and weight_decay"):
        repons.phase_grid(sweep_table({0.0: 10.0}), 1e-3)


@pytest.mark.parametrize("fit, expected", [
    ({"slope": 1.2, "ratio": 20.0, "points": 3}, {"slope": True, "ratio": True, "factor": 2.0}),
    ({"slope": 1.6, "ratio": 2.5, "points": 3}, {"slope": False, "ratio": False, "factor": 4.0}),
    ({"slope": float("nan"), "ratio": 5.0, "points": 1},
     {"slope": False, "ratio": True, "factor": 2.0}),
], ids=["within", "outside", "one-column"])
def test_boundary_checks_against_the_rule_of_ten(fit, expected):
    assert repons.boundary_checks(fit) == pytest.approx(expected)


def test_boundary_checks_without_a_boundary():
    checks = repons.boundary_checks({"slope": float("nan"), "ratio": float("nan"), "points": 0})
    assert not checks["slope"] and not checks["ratio"] and np.isnan(checks["factor"])


def test_weight_decay_check_shift_within_the_factor():
    grid = repons.phase_grid(sweep_table({0.0: 10.0, 1e-3: 100.0}), 1e-3)
    check = repons.weight_decay_check(grid)
    assert check["outcome"] == "shift" and check["shift"] == pytest.approx(10.0)
    assert check["ok"] is False
    assert repons.weight_decay_check(grid, factor=20)["ok"] is True
    assert "a shift by a factor 10.00" in repons.weight_decay_finding(check, 1e-3, 10 ** 1.5)
    assert repons.weight_decay_gist(check) == "moves the boundary by a factor 10.00"


def test_weight_decay_check_when_weight_decay_removes_memorization():
    """No memorizing cell with weight decay: the boundary lies above the grid's largest ratio,
    1e-1 / 1e-4 = 1000, at least 1000 / 10^1.5 = 31.6 times the ratio without."""
    grid = repons.phase_grid(sweep_table({0.0: 10.0, 1e-3: np.inf}), 1e-3)
    check = repons.weight_decay_check(grid)
    assert check["outcome"] == "no memorization" and check["ok"] is False
    assert check["largest"] == pytest.approx(1000) and check["at_least"] == pytest.approx(
        1000 / 10 ** 1.5)
    assert (check["memorizing_off"], check["memorizing_on"], check["cells"]) == (3, 0, 16)
    text = repons.weight_decay_finding(check, 1e-3, grid.off["ratio"])
    assert "no cell memorizes (3 of 16 without)" in text and "largest ratio, 1000" in text
    assert "at least 32 times the ratio of 31.6" in text
    assert repons.weight_decay_gist(check) == ("removes memorization from the grid, moving the "
                                               "boundary at least 32-fold (a bound set by the "
                                               "grid's largest ratio)")
    assert repons.weight_decay_check(grid, factor=100)["ok"] is None    # undecided


def test_weight_decay_check_without_a_boundary():
    grid = repons.phase_grid(sweep_table({0.0: np.inf, 1e-3: 10.0}), 1e-3)
    check = repons.weight_decay_check(grid)
    assert check["outcome"] == "no boundary" and check["ok"] is None
    assert "no boundary to compare" in repons.weight_decay_finding(check, 1e-3, float("nan"))
    assert repons.weight_decay_gist(check) == "leaves no boundary to compare"


def test_summary_rows_and_counts():
    import pandas as pd
    grid = repons.phase_grid(sweep_table({0.0: 10.0, 1e-3: np.inf}), 1e-3)
    table = repons.summary({"quick": grid, "full size": None})
    assert list(table.columns[:5]) == ["run", "λ", "slope", "ratio", "columns"]
    assert list(table["λ"]) == [0.0, 1e-3]
    assert list(table["mem."]) == [3, 0] and list(table["columns"]) == [2, 0]
    phase_cells = table[["gen.", "grok.", "mem.", "conf."]].sum(axis=1)
    assert list(phase_cells) == [16, 16]
    # two columns a decade apart, each boundary a decade wide: slopes 0 to 2 fit them
    assert table["slope"][0] == "1.00 (0.00–2.00)" and pd.isna(table["slope"][1])
    assert np.isnan(table["ratio"][1])


def test_boundary_edges_are_the_cells_around_each_boundary_point():
    grid = repons.phase_grid(sweep_table({0.0: 10.0, 1e-3: 10.0}), 1e-3)
    edges = repons.boundary_edges(grid.diagram(0.0))
    assert edges.to_dict("list") == {"lr_enc": [1e-4, 1e-3], "low": [1e-3, 1e-2],
                                     "high": [1e-2, 1e-1]}
    points = grid.bounds[0.0]          # the fitted points lie halfway (in log) between them
    assert np.allclose(points["lr_dec"], np.sqrt(edges["low"] * edges["high"]))


def edges(*columns):
    import pandas as pd
    return pd.DataFrame(columns, columns=["lr_enc", "low", "high"])


@pytest.mark.parametrize("columns, expected", [
    # two columns two decades apart, boundaries one decade wide: slopes (1-(-1))/2 .. (3-(-1))/2
    ([(1e-4, 1e-3, 1e-2), (1e-2, 1e-1, 1e0)], (0.5, 1.5)),
    # the same with a third column on the line of slope 1 through the middle: no change
    ([(1e-4, 1e-3, 1e-2), (1e-3, 1e-2, 1e-1), (1e-2, 1e-1, 1e0)], (0.5, 1.5)),
    # the middle column pinned narrowly below the others' line: no line passes all three
    ([(1e-4, 1e-3, 1.1e-3), (1e-3, 1e-4, 1.1e-4), (1e-2, 1e-1, 1.1e-1)], (np.nan, np.nan)),
    ([(1e-4, 1e-3, 1e-2)], (np.nan, np.nan)),
], ids=["two", "three-collinear", "no-line", "one-column"])
def test_slope_range(columns, expected):
    assert repons.slope_range(edges(*columns)) == pytest.approx(expected, nan_ok=True)


@pytest.mark.parametrize("slopes, points, text", [
    ((0.5, 1.5), 3, "from 0.50 to 1.50 passes between the same cells, a range that contains "
                    "the theory's 1"),
    ((1.0000001, 1.67), 4, "a range that has the theory's 1 at its edge"),
    ((1.2, 1.6), 4, "a range that excludes the theory's 1"),
    ((np.nan, np.nan), 3, "no straight line passes between the cells of every boundary column"),
    ((np.nan, np.nan), 1, "with fewer than two boundary columns, the grid does not determine"),
])
def test_slope_range_text(slopes, points, text):
    assert text in repons.slope_range_text(slopes, points)


def test_grid_factor_and_memorization_reach():
    grid = repons.phase_grid(sweep_table({0.0: 10.0, 1e-3: np.inf}), 1e-3)
    assert repons.grid_factor(grid.diagram(0.0)) == pytest.approx(10.0)     # decade steps
    # memorizing cells (lr_enc, lr_dec): (1e-4, 1e-2), (1e-4, 1e-1), (1e-3, 1e-1)
    assert repons.memorization_reach(grid.diagram(0.0)) == pytest.approx(1e-3)
    assert np.isnan(repons.memorization_reach(grid.diagram(1e-3)))
    assert grid.slopes(0.0) == pytest.approx((0.0, 2.0))


@pytest.mark.parametrize("count, text", [(1, "one seed"), (2, "2 seeds")])
def test_count_text(count, text):
    assert repons.count_text(count, "seed") == text


@pytest.mark.parametrize("fit, text", [
    ({"slope": 1.0, "ratio": 17.78, "points": 3}, "slope 1.00, ratio 17.8"),
    ({"slope": float("nan"), "ratio": 5.0, "points": 1}, "one boundary column, ratio 5.0"),
    ({"slope": float("nan"), "ratio": float("nan"), "points": 0}, "no boundary"),
])
def test_boundary_text(fit, text):
    assert repons.boundary_text(fit) == text


def test_boundary_text_with_the_slopes_the_cells_allow():
    fit = {"slope": 1.4, "ratio": 7.96, "points": 4}
    assert repons.boundary_text(fit, (1.0, 1.667)) == \
        "slope 1.40 (cells allow 1.00–1.67), ratio 8.0"
    assert repons.boundary_text(fit, (np.nan, np.nan)) == "slope 1.40, ratio 8.0"


def test_stored_note():
    assert "No full-size result is stored" in repons.stored_note(None, "abc123")
    grid = repons.phase_grid(sweep_table({0.0: 10.0, 1e-3: 10.0}), 1e-3)
    assert repons.stored_note(grid, "abc123") == ("The results store holds 32 runs of this "
                                                  "configuration.\nThe full-size Monte Carlo of "
                                                  "the arctan law is not stored.")
    assert repons.stored_note(grid, "abc123", [0.5, 2.0]).endswith(
        "It also holds the arctan law's full-size Monte Carlo at 2 ratios.")


@pytest.mark.parametrize("seconds, text", [(3, "about 10 s"), (44, "about 40 s"),
                                           (89, "about 90 s"), (200, "about 3 min")])
def test_duration_text(seconds, text):
    assert repons.duration_text(seconds) == text


def test_scorecard_claims_statuses():
    from geneft import scorecard
    ratios = np.array([0.5, 2.0])
    mc = np.stack([repons.p_r(ratios) + 0.002, np.full(2, 0.002)], 1)
    quick = repons.phase_grid(sweep_table({0.0: 10.0, 1e-3: np.inf}), 1e-3)
    full = repons.phase_grid(sweep_table({0.0: 10.0, 1e-3: 10.0}), 1e-3)
    law = repons.law_checks(ratios, mc, repons.p_r(ratios), 400)
    claims = repons.scorecard_claims(drift=1e-9, law=law, ratios=ratios,
                                     quick=repons.verdicts(quick), full=repons.verdicts(full))
    assert [c.item for c in claims] == ["Fig. 4 / Eq. 11", "Fig. 6 / Eq. 12", "Fig. 5", "Fig. 8"]
    # the boundary at 10^1.5 = 31.6 is more than a factor 3 from the rule: slope only
    assert [c.status for c in claims] == ["reproduced", "reproduced", "partly",
                                          "not reproduced"]
    assert claims[3].full_status == "reproduced" and "at least 32" in claims[3].ours
    assert claims[2].full_status == "partly" and claims[0].full_status == "reproduced"
    assert claims[1].full == "not stored" and claims[1].full_status is None
    stored = repons.scorecard_claims(drift=1e-9, law=law, ratios=ratios,
                                     quick=repons.verdicts(quick), full_law=law,
                                     full_ratios=np.r_[ratios, 8.0])
    assert "over 3 ratios" in stored[1].full and stored[1].full_status == "reproduced"
    assert "cells allow 0.00–2.00" in claims[2].ours
    scorecard.html("repons", claims)            # every $ balanced


def test_relative_drift_of_a_hand_made_path():
    # C = a^2 / (2 eta_A) - c^2 / eta_x at eta = 0.1: 5 - 1.6 = 3.4, then 5 - 2.5 = 2.5
    assert repons.relative_drift([1.0, 1.0], [0.4, 0.5], 0.1, 0.1) == pytest.approx(0.9 / 3.4)


def test_panels_name_the_two_diagrams():
    grid = repons.phase_grid(sweep_table({0.0: 10.0, 1e-3: np.inf}), 1e-3)
    panels = grid.panels()
    assert list(panels) == ["no weight decay", "decoder weight decay 0.001"]
    cells, fit, points = panels["no weight decay"]
    assert len(cells) == 16 and fit["points"] == 2 and len(points) == 2


def test_cluster_deviation_in_standard_errors():
    import pandas as pd
    table = pd.DataFrame({"simulated": [0.30, 0.50], "standard error": [0.02, 0.05],
                          "share with C > 0": [0.30, 0.49], "derived law": [0.34, 0.45],
                          "teaching notebook's form": [0.20, 0.50]})
    assert repons.cluster_deviation(table) == pytest.approx({"derived": 2.0, "notebook": 5.0,
                                                             "sign": 0.01})


def test_scorecard_claims_read_the_verdicts_they_are_given():
    """The Fig. 5 and Fig. 8 rows take their status from the verdicts passed in, not from a
    second computation: a doctored verdict shows in the row."""
    import dataclasses
    ratios = np.array([0.5, 2.0])
    mc = np.stack([repons.p_r(ratios), np.full(2, 0.002)], 1)
    law = repons.law_checks(ratios, mc, repons.p_r(ratios), 400)
    judged = repons.verdicts(repons.phase_grid(sweep_table({0.0: 10.0, 1e-3: np.inf}), 1e-3))
    doctored = dataclasses.replace(judged, fig5={**judged.fig5, "ratio": True},
                                   fig8={**judged.fig8, "ok": None})
    claims = repons.scorecard_claims(drift=1e-9, law=law, ratios=ratios, quick=doctored)
    assert [claims[2].status, claims[3].status] == ["reproduced", "not testable"]
    assert claims[2].full_status is None and claims[3].full == "not stored"


def test_verdicts_judge_figs_5_and_8_once():
    """Memorization above lr_dec / lr_enc = 10 without weight decay (boundary ratio 10^1.5, a
    factor 3.16 from the rule of ten: slope within, ratio outside), none with it."""
    grid = repons.phase_grid(sweep_table({0.0: 10.0, 1e-3: np.inf}), 1e-3)
    judged = repons.verdicts(grid)
    assert judged.fig5 == repons.boundary_checks(grid.off)
    assert judged.fig8 == pytest.approx(repons.weight_decay_check(grid), nan_ok=True)
    assert judged.slopes == pytest.approx((0.0, 2.0))
    assert (judged.fig5_status, judged.fig8_status) == ("partly", "not reproduced")
    same = repons.verdicts(repons.phase_grid(sweep_table({0.0: 10.0, 1e-3: 10.0}), 1e-3))
    assert same.fig8_status == "reproduced"                       # shift by a factor 1


def test_phase_numbers_of_a_hand_made_grid():
    numbers = repons.phase_numbers(repons.verdicts(
        repons.phase_grid(sweep_table({0.0: 10.0, 1e-3: np.inf}), 1e-3)))
    assert numbers["points"] == 2 and numbers["slope"] == pytest.approx(1.0)
    assert numbers["ratio"] == pytest.approx(10 ** 1.5)
    assert numbers["rule_factor"] == pytest.approx(10 ** 0.5)
    assert (numbers["v_slope"], numbers["v_rule"]) == ("within", "outside")
    assert numbers["counts"] == "generalization 13, grokking 0, memorization 3, confusion 0"
    assert numbers["counts_wd"] == "generalization 16, grokking 0, memorization 0, confusion 0"
    assert numbers["step"] == pytest.approx(10.0) and numbers["mem_reach"] == pytest.approx(1e-3)
    assert (numbers["slope_lo"], numbers["slope_hi"]) == pytest.approx((0.0, 2.0))
    assert numbers["boundary"] == "slope 1.00 (cells allow 0.00–2.00), ratio 31.6"
    assert numbers["fit"] == "slope 1.00, ratio 31.6"
    assert "a range that contains the theory's 1" in numbers["slope_range"]
    assert numbers["wd_gist"].startswith("removes memorization from the grid")
    assert "no cell memorizes (3 of 16 without)" in numbers["wd_finding"]


def test_phase_numbers_without_a_grid_say_so_under_the_same_names():
    numbers = repons.phase_numbers(None)
    grid = repons.phase_grid(sweep_table({0.0: 10.0, 1e-3: 10.0}), 1e-3)
    assert set(numbers) <= set(repons.phase_numbers(repons.verdicts(grid)))
    assert numbers["points"] == 0 and np.isnan(numbers["step"])
    assert numbers["boundary"] == "not stored" and "not stored" in numbers["wd_gist"]


def test_typical_runs_are_median_runs_without_weight_decay():
    table = sweep_table({0.0: 10.0, 1e-3: 10.0})
    spread = 0.001 * np.arange(len(table))             # distinct accuracies within a phase
    table["test_acc"] = np.where(table["test_acc"] > 0.9, 0.90, 0.60) + spread
    picks = repons.typical_runs(repons.phase_grid(table, 1e-3))
    assert list(picks) == ["generalization", "memorization"]
    for phase, run in picks.items():
        same = table[(table.weight_decay == 0) & (table.test_acc.round(1) == run.test_acc.round(1))]
        assert run.weight_decay == 0 and run.phase == phase
        assert run.test_acc == sorted(same.test_acc)[(len(same) - 1) // 2]   # the lower median
    never = repons.typical_runs(repons.phase_grid(sweep_table({0.0: np.inf, 1e-3: 10.0}), 1e-3))
    assert list(never) == ["generalization"]


def test_embedding_motion_ends_where_the_sweep_run_ended():
    """Retraining a run with its embeddings recorded reproduces the embeddings it ended with."""
    from geneft import sweeps
    runs = sweeps.grid(n=6, fraction=0.5, width=3, steps=12, eval_every=4, seed=[0, 1])
    table = sweeps.run_sweep(runs, cache="off", device="cpu")
    motion = repons.embedding_motion({"first": table.iloc[0], "second": table.iloc[1]},
                                     device="cpu")
    assert list(motion) == ["first", "second"]
    for (steps, path), (_, row) in zip(motion.values(), table.iterrows()):
        assert steps.tolist() == [0, 4, 8, 12] and path.shape == (4, 6, 2)
        np.testing.assert_allclose(path[-1], row.embeddings, atol=1e-5)


def test_phase_portrait_draws_a_path_per_start_and_one_legend_entry_per_fate():
    from geneft import plots
    starts = [(1.0, 0.4), (1.0, 0.9)]                          # C = 3.4 > 0 and -3.1 < 0
    paths = [repons.integrate(a0, c0, 0.1, 0.1, np.linspace(0, 10, 20)) for a0, c0 in starts]
    fig = plots.repons.phase_portrait(starts, paths, 0.1, 0.1)
    ax = fig.axes[0]
    assert len(ax.lines) == 2 + 1 + 1                          # paths, starts, separatrix
    assert [t.get_text() for t in fig.legends[0].texts] == [
        "collide, $C > 0$", "stay apart, $C < 0$", "start", "separatrix $C = 0$"]
    plots.plt.close(fig)


def test_arctan_law_plots_law_cluster_law_and_both_simulations():
    from geneft import plots
    ratios = np.array([0.1, 1.0, 10.0])
    mc = np.stack([repons.p_r(ratios), np.full(3, 0.01)], 1)
    fig = plots.repons.arctan_law(ratios, mc, repons.p_r(ratios), cluster=4)
    labels = [t.get_text() for t in fig.legends[0].texts]
    assert sorted(labels) == ["Monte Carlo", "arctan law", "cluster law, N = 4",
                              "gradient descent"]
    law = fig.axes[0].lines[0]
    np.testing.assert_allclose(law.get_ydata(), repons.p_r(law.get_xdata()))
    plots.plt.close(fig)
