"""Statics: how much data a relation needs (the paper's Eqs. 3-5 and Table II).

The relation's type (its unlabelled graph) is known; what must be learned is which of the
``n!/|Aut(G)|`` labellings is the true one, ``b = log2(n!/|Aut(G)|)`` bits. Each training pair is
crudely assumed to reveal one of the b bits at random (balls in buckets).

The second half of the module turns a chapter's measurements into its findings: the crossing
fractions of accuracy curves, the induction-gap table of trained decoders, the order of the
decoders against the paper's ordering by inductive bias, the chapter's scorecard rows, and the
numbers its prose quotes (`description_numbers`, `profile_numbers`, `gap_numbers`: dicts keyed
by the names the chapter glues, as "statics_<name>").
"""
from __future__ import annotations

import math

import igraph
import numpy as np

from .tasks import Relation

__all__ = ["aut_order", "description_length", "description_length_paper", "known_fraction",
           "critical_fraction", "p_star", "accuracy_upper_bound", "crossing_fraction", "summary",
           "bound_crossing", "majority_baseline", "description_table", "paper_comparison",
           "comparison_view", "network_runs", "by_decoder", "crossing_interval", "reached",
           "induction_gap", "gap_view", "decoder_order", "decoder_orders", "order_verdict",
           "scorecard_claims", "findings", "stored_findings", "crossings_text",
           "describe_full", "description_numbers", "profile_numbers", "gap_numbers"]


def aut_order(relation: Relation) -> int:
    """``|Aut(G)|``: the number of permutations pi with R(pi i, pi j) = R(i, j) for all i, j.

    Counted exactly by BLISS (python-igraph) on the directed graph of R. Self-loops (the diagonal)
    are encoded as a vertex colour, since BLISS works on simple graphs.
    """
    m = relation.matrix
    off = m.copy()
    np.fill_diagonal(off, 0)
    edges = list(zip(*np.nonzero(off)))
    g = igraph.Graph(n=relation.n, edges=[(int(i), int(j)) for i, j in edges], directed=True)
    return int(g.count_automorphisms(color=[int(c) for c in np.diag(m)]))


def description_length(relation: Relation) -> float:
    """Exact description length ``b = log2(n! / |Aut(G)|)`` in bits (the paper's definition).

    ``|Aut(G)|`` divides n! (it is a subgroup of S_n), so the ratio is an exact integer: the number
    of distinct labellings of the graph.
    """
    return math.log2(math.factorial(relation.n) // aut_order(relation))


def description_length_paper(relation: Relation) -> float:
    """The paper's approximate b per family (its Table II), in bits.

    equivalence with k classes: n log2 k; total order: log2 n!; complete bipartite K_{a,n-a}:
    log2 C(n, a); generic: n^2 (every entry of R is a free bit).
    """
    n, fam = relation.n, relation.family
    if fam == "equivalence":
        return n * math.log2(relation.params["k"])
    if fam == "order":
        return math.lgamma(n + 1) / math.log(2)
    if fam == "bipartite":
        return math.log2(math.comb(n, relation.params["a"]))
    return float(n * n)


def known_fraction(m, bits: float):
    """Balls in buckets (the paper's Eq. 3): expected fraction of the b bits known after m samples.

    f(m) = 1 - (1 - 1/b)^m. Accepts scalar or array m.
    """
    if bits < 1:
        raise ValueError(f"bits must be >= 1, got {bits}")
    return 1.0 - (1.0 - 1.0 / bits) ** np.asarray(m, dtype=float)


def critical_fraction(bits: float, n_pairs: int, *, alpha: float = 0.9) -> float:
    """Crude critical train fraction (the paper's Eq. 4): f(N p_c) = alpha.

    p_c = log(1 - alpha) / (N log(1 - 1/b)); can exceed 1 (not learnable from a fraction).
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in the open interval (0, 1), got {alpha}")
    if bits <= 1:
        raise ValueError(f"bits must be > 1, got {bits}")
    return math.log(1.0 - alpha) / (n_pairs * math.log(1.0 - 1.0 / bits))


def p_star(relation: Relation) -> float:
    """p*: the probability that a pair which cannot be deduced is related (the paper's Eq. 5).

    equivalence with k classes: 1/k (a random pair is related with probability ~1/k);
    bipartite: 1/2; total order: 1/3 (the three-node module argument); generic: 1/2.
    Only max(p*, 1 - p*) enters Eq. (5).
    """
    return {"equivalence": 1.0 / relation.params.get("k", 2), "order": 1.0 / 3.0,
            "bipartite": 0.5}.get(relation.family, 0.5)


def accuracy_upper_bound(fraction, relation: Relation, *, bits: float | None = None):
    """Upper bound on whole-dataset accuracy (the paper's Eq. 5).

    f_UB = f(m) + max(p*, 1 - p*) (1 - f(m)), m = fraction * n^2, f from Eq. (3).

    Args:
        fraction: train fraction(s) p in [0, 1], scalar or array.
        relation: the relation (sets n, p* and, by default, b).
        bits: description length to use; default the paper's approximation, as the paper does.
    """
    b = description_length_paper(relation) if bits is None else bits
    f = known_fraction(np.asarray(fraction, dtype=float) * relation.n ** 2, b)
    ps = p_star(relation)
    return f + max(ps, 1.0 - ps) * (1.0 - f)


def crossing_fraction(fractions, accuracy, level: float = 0.9) -> float:
    """First train fraction at which an accuracy curve reaches `level`, by linear interpolation
    between the measured points; nan if it never does. `fractions` must be increasing."""
    x, y = np.asarray(fractions, dtype=float), np.asarray(accuracy, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or (np.diff(x) <= 0).any():
        raise ValueError("fractions must be a 1-D increasing array with one accuracy per entry")
    above = np.nonzero(y >= level)[0]
    if len(above) == 0:
        return float("nan")
    i = above[0]
    if i == 0:
        return float(x[0])
    return float(x[i - 1] + (level - y[i - 1]) * (x[i] - x[i - 1]) / (y[i] - y[i - 1]))


def summary(relation: Relation, alpha: float = 0.9) -> dict:
    """Every static number of one relation (Eqs. 3-5, Table II) as a JSON-ready dict:
    ``|Aut(G)|`` as a decimal string, b exact and paper-approximate, p*, and the crude p_c of
    Eq. (4) from each b (p_crude uses the paper's b, as the paper does)."""
    n_pairs = relation.n ** 2
    bits_exact, bits_paper = description_length(relation), description_length_paper(relation)
    crude = lambda b: critical_fraction(b, n_pairs, alpha=alpha) if b > 1 else None  # noqa: E731
    return {"relation": relation.name, "label": relation.label, "n": relation.n,
            **relation.params, "family": relation.family, "alpha": alpha,
            "aut": str(aut_order(relation)),
            "log2_n_factorial": math.log2(math.factorial(relation.n)),
            "bits_exact": bits_exact, "bits_paper": bits_paper, "p_star": p_star(relation),
            "p_crude": crude(bits_paper), "p_crude_exact": crude(bits_exact)}


def bound_crossing(relation: Relation, level: float = 0.9, *, bits: float | None = None) -> float:
    """Train fraction at which the bound f_UB of Eq. (5) reaches `level`, in closed form.

    f_UB = 1 - (1 - q)(1 - 1/b)^m with q = max(p*, 1 - p*) and m = p n^2, so
    p = log((1 - level) / (1 - q)) / (n^2 log(1 - 1/b)); 0 when q >= level already.

    Args:
        relation: the relation (sets n, p* and, by default, b).
        level: the accuracy, in the open interval (0, 1).
        bits: description length; default the paper's approximation, as in Eq. (5).
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in the open interval (0, 1), got {level}")
    b = description_length_paper(relation) if bits is None else bits
    q = max(p_star(relation), 1.0 - p_star(relation))
    if q >= level:
        return 0.0
    return math.log((1.0 - level) / (1.0 - q)) / (relation.n ** 2 * math.log(1.0 - 1.0 / b))


def majority_baseline(relation: Relation) -> float:
    """Whole-dataset accuracy of always giving the more frequent label, max(q, 1 - q), where q is
    the fraction of related pairs: what a network scores that has learned nothing but the prior."""
    q = float(relation.matrix.mean())
    return max(q, 1.0 - q)


# ------------------------------------------------------------------ the chapter's findings
# Agreement with the paper's Table II and Eq. (4) values: half a unit of their last digit.
BITS_TOLERANCE = 0.05
PC_TOLERANCE = 5e-4


def description_table(relations: dict, alpha: float = 0.9):
    """Table II for the given relations: ``log2 |Aut(G)|``, b from the paper's per-family
    approximation ("b, approx.") and exact ("b, exact"), and the crude critical fraction p_c of
    Eq. (4) from each b ("crit. p, approx. b", "crit. p, exact b"; missing where b <= 1).

    Args:
        relations: {short name: Relation}, e.g. {"mod3": parse_relation("mod3", 30)}.
        alpha: the known-bit target of Eq. (4).
    Returns:
        pandas DataFrame indexed by short name, one row per relation.
    """
    import pandas as pd
    rows = {}
    for key, rel in relations.items():
        d = summary(rel, alpha)
        rows[key] = {"relation": rel.label, "log₂ |Aut(G)|": math.log2(int(d["aut"])),
                     "b, approx.": d["bits_paper"], "b, exact": d["bits_exact"],
                     "crit. p, approx. b": d["p_crude"], "crit. p, exact b": d["p_crude_exact"]}
    return pd.DataFrame.from_dict(rows, orient="index").astype(
        {"crit. p, approx. b": float, "crit. p, exact b": float})


def description_numbers(table, relations: dict) -> dict:
    """What the chapter's prose quotes about the relations' statics, by glue name: per row k of
    a `description_table`, "k_bits_paper" and "k_bits_exact" (b, bits) and "k_pc" and
    "k_pc_exact" (the crude p_c from each b); per relation k of `relations`, "k_ub0" (the bound
    f_UB of Eq. 5 at p = 0, max(p*, 1 - p*)) and "k_baseline" (`majority_baseline`); and
    "log2_nfact", log2 n! at the relations' n.

    Raises:
        ValueError: the relations do not share one n.
    """
    sizes = {rel.n for rel in relations.values()}
    if len(sizes) != 1:
        raise ValueError(f"relations must share one n, got n = {sorted(sizes)}")
    out = {"log2_nfact": float(np.log2(np.arange(1, sizes.pop() + 1)).sum())}
    for key, row in table.iterrows():
        out.update({f"{key}_bits_paper": float(row["b, approx."]),
                    f"{key}_bits_exact": float(row["b, exact"]),
                    f"{key}_pc": float(row["crit. p, approx. b"]),
                    f"{key}_pc_exact": float(row["crit. p, exact b"])})
    for key, rel in relations.items():
        out[f"{key}_ub0"] = float(accuracy_upper_bound(0.0, rel))
        out[f"{key}_baseline"] = majority_baseline(rel)
    return out


def paper_comparison(relations: dict, alpha: float = 0.9):
    """The paper's Table II and Eq. (4) values next to ours, for its four relations at n = 30.

    Both b agree when within half a unit of the paper's last digit (BITS_TOLERANCE), the crude
    p_c likewise (PC_TOLERANCE), from the approximate b for every relation and from the exact b
    where the paper gives it (mod 3 and mod 5; NaN elsewhere). p_c is compared only at the
    paper's alpha = 0.9 (else "crit. fraction agrees" is None). Relations not in `relations` or
    not at n = 30 are left out.

    Returns:
        pandas DataFrame indexed by short name.
    """
    import pandas as pd
    from . import paper
    rows = {}
    for key in paper.BITS_PAPER:
        rel = relations.get(key)
        if rel is None or rel.n != 30:
            continue
        d = summary(rel, alpha)
        checks = [abs(d["bits_paper"] - paper.BITS_PAPER[key]) <= BITS_TOLERANCE,
                  abs(d["bits_exact"] - paper.BITS_EXACT[key]) <= BITS_TOLERANCE]
        exact = paper.P_CRUDE_EXACT.get(key, float("nan"))
        pc_ok = None
        if alpha == 0.9:
            pc_ok = abs(d["p_crude"] - paper.P_CRUDE[key]) <= PC_TOLERANCE and (
                math.isnan(exact) or abs(d["p_crude_exact"] - exact) <= PC_TOLERANCE)
        rows[key] = {"relation": rel.label,
                     "b approx., paper": paper.BITS_PAPER[key], "b approx., ours": d["bits_paper"],
                     "b exact, paper": paper.BITS_EXACT[key], "b exact, ours": d["bits_exact"],
                     "b agrees": all(checks),
                     "crit. fraction, paper": paper.P_CRUDE[key],
                     "crit. fraction, ours": d["p_crude"],
                     "crit. fraction exact b, paper": exact,
                     "crit. fraction exact b, ours": d["p_crude_exact"],
                     "crit. fraction agrees": pc_ok}
    columns = ["relation", "b approx., paper", "b approx., ours", "b exact, paper", "b exact, ours",
               "b agrees", "crit. fraction, paper", "crit. fraction, ours",
               "crit. fraction exact b, paper", "crit. fraction exact b, ours",
               "crit. fraction agrees"]
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)


def comparison_view(comparison):
    """`paper_comparison` narrowed for the page: relation, "agrees" (every compared value within
    tolerance; p_c counts only where compared), then one "paper / ours" text column each for b
    (approximate and exact) and the crude p_c of Eq. (4) (from each b); "–" where the paper
    gives no value."""
    import pandas as pd

    def pair(paper_col, ours_col, fmt):
        return [("–" if pd.isna(a) else fmt.format(a)) + " / " + fmt.format(b)
                for a, b in zip(comparison[paper_col], comparison[ours_col])]

    agrees = [bool(b) and (c is None or pd.isna(c) or bool(c))
              for b, c in zip(comparison["b agrees"], comparison["crit. fraction agrees"])]
    return pd.DataFrame({"relation": comparison["relation"], "agrees": agrees,
                         "b, approx.": pair("b approx., paper", "b approx., ours", "{:.1f}"),
                         "b, exact": pair("b exact, paper", "b exact, ours", "{:.1f}"),
                         "crit. p, approx. b": pair("crit. fraction, paper",
                                                    "crit. fraction, ours", "{:.3f}"),
                         "crit. p, exact b": pair("crit. fraction exact b, paper",
                                                  "crit. fraction exact b, ours", "{:.3f}")},
                        index=comparison.index)


def network_runs(params) -> list:
    """The trained networks of the paper's Fig. 3 as sweep runs (`sweeps.Run`): per relation of
    `params.trained_relations`, an MLP decoder with each input mode (models.MODES) and, where the
    relation's family has one, the ideal decoder (models.IDEAL_DECODERS), at every train
    fraction and seed, with the same learning rate on encoder and decoder.

    A seed fixes the train split and the initial embeddings whatever the decoder, so the curves
    are paired comparisons. Only the final accuracies are recorded (eval_every = steps).

    Args:
        params: `profiles.StaticsParams` (n, trained_relations, fractions, seeds, depth, width,
            activation, steps, ideal_steps, lr).
    Returns:
        list of Run, per relation and decoder fraction-major (all seeds of a fraction together).
    """
    from .models import IDEAL_DECODERS, MODES   # torch: not for `geneft statics`
    from .sweeps import grid
    from .tasks import parse_relation
    p = params
    common = dict(n=p.n, fraction=list(p.fractions), seed=range(p.seeds), lr_enc=p.lr,
                  lr_dec=p.lr)
    runs = []
    for key in p.trained_relations:
        runs += grid(relation=key, mode=list(MODES), depth=p.depth, width=p.width,
                     activation=p.activation, steps=p.steps, eval_every=p.steps, **common)
        if parse_relation(key, p.n).family in IDEAL_DECODERS:
            runs += grid(relation=key, decoder="ideal", steps=p.ideal_steps,
                         eval_every=p.ideal_steps, **common)
    return runs


def profile_numbers(params) -> dict:
    """The sizes of a profile (`profiles.StaticsParams`) as the chapter's prose quotes them, by
    glue name: "relations" (the trained relations' labels), "shape" ("3 hidden layers of width
    50"), "steps" ("10,000"), "seeds", "n_fractions", "fine" (the finest step between its train
    fractions and the range it covers, "0.025 between 0.25 and 0.75"; "–" with one fraction),
    and the reasoner's "draws", "n_mc", "mc_min" and "mc_max" (its number of fractions and the
    smallest and largest)."""
    from .tasks import parse_relation
    p, step = params, np.diff(params.fractions)
    fine = np.flatnonzero(np.isclose(step, step.min())) if len(step) else []  # finest steps
    return {"relations": ", ".join(parse_relation(k, p.n).label for k in p.trained_relations),
            "shape": f"{p.depth} hidden layers of width {p.width}", "steps": f"{p.steps:,}",
            "seeds": p.seeds, "n_fractions": len(p.fractions),
            "fine": f"{step.min():g} between {p.fractions[fine[0]]:g} and "
                    f"{p.fractions[fine[-1] + 1]:g}" if len(step) else "–",
            "draws": p.mc_draws, "n_mc": len(p.mc_fractions), "mc_min": min(p.mc_fractions),
            "mc_max": max(p.mc_fractions)}


def by_decoder(table) -> dict:
    """A sweep table of `network_runs` as `induction_gap` and the chapter's figure take it:
    {relation: {decoder: its rows}}, decoder being the input mode of an MLP or "ideal", both in
    order of first appearance; each part keeps the table's columns (fraction, seed, whole_acc,
    ...)."""
    name = np.where(table["decoder"] == "ideal", "ideal", table["mode"])
    out = {}
    for (key, decoder), part in table.groupby([table["relation"], name], sort=False):
        out.setdefault(key, {})[decoder] = part.reset_index(drop=True)
    return out


def crossing_interval(runs, level: float = 0.9, *, draws: int = 2000, seed: int = 0,
                      coverage: float = 0.95) -> dict:
    """A seed interval on the train fraction at which a decoder's mean accuracy reaches `level`:
    a bootstrap over seeds (each seed's whole curve drawn with replacement, the same seeds at
    every fraction, as a seed fixes the split and the initial embeddings), the crossing
    (`crossing_fraction`) of each resample's mean curve, and its percentile interval.

    Args:
        runs: table with columns fraction, seed and whole_acc, one row per run, every seed at
            every fraction (a part of `by_decoder`).
        level: the accuracy; draws: resamples; seed: of the resampling; coverage: of the interval.
    Returns:
        dict: "low", "high" (the interval's ends; inf where more than its share of resamples
        never reach `level` within the fractions), "never" (the share of resamples that never
        do).
    Raises:
        ValueError: bad draws or coverage, or a seed missing at some fraction.
    """
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise ValueError(f"draws must be a positive integer, got {draws!r}")
    if not 0.0 < coverage < 1.0:
        raise ValueError(f"coverage must be in the open interval (0, 1), got {coverage}")
    acc = runs.pivot_table(index="seed", columns="fraction", values="whole_acc")  # (S, F)
    if acc.isna().any().any():
        raise ValueError("runs must hold every seed at every fraction")
    pick = np.random.default_rng(seed).integers(0, len(acc), (draws, len(acc)))
    means = acc.to_numpy(float)[pick].mean(axis=1)                         # (draws, F)
    cross = np.array([crossing_fraction(acc.columns, m, level) for m in means])
    cross = np.where(np.isnan(cross), np.inf, cross)
    tail = (1.0 - coverage) / 2
    low, high = np.quantile(cross, [tail, 1.0 - tail], method="inverted_cdf")
    return {"low": float(low), "high": float(high), "never": float(np.isinf(cross).mean())}


def reached(curves: dict, level: float = 0.9) -> dict:
    """{key: the train fraction at which a reasoner's curve (`montecarlo.achievable_accuracy`
    or `curves_from_table`) reaches `level`}, interpolated (`crossing_fraction`; NaN if never)."""
    return {key: crossing_fraction(c["fraction"], c["mean"], level) for key, c in curves.items()}


def induction_gap(runs: dict, relations: dict, *, level: float = 0.9, alpha: float = 0.9,
                  reasoner: dict | None = None, loose: dict | None = None):
    """The induction gap in numbers: for each relation and decoder, the train fraction at which
    the mean whole-dataset accuracy over seeds reaches `level` (`crossing_fraction`; NaN if it
    never does), that fraction over the crude p_c of Eq. (4), and its excess over the fraction the
    ideal reasoner needs.

    Args:
        runs: {short name: {decoder: table with columns "fraction" and "whole_acc", one row
            per run}}, as `by_decoder` gives it.
        relations: {short name: Relation}, holding every key of `runs`.
        level: the accuracy that defines "needs"; alpha: as in Eq. (4).
        reasoner: {short name: fraction at which the ideal reasoner reaches `level`}; a relation
            missing from it gets the text "no Monte Carlo" in "more than ideal reasoner".
        loose: the same for the reasoner that knows only that the relation is an equivalence
            (``montecarlo.achievable_accuracy`` with ``prior="equivalence"``), for the column "more
            than k-blind reasoner" ("–" where missing).
    Returns:
        pandas DataFrame indexed by (short name, decoder), within a relation from the decoder
        needing least data to most (never last), with columns relation, decoder, "fraction
        needed", "× crit. fraction", "more than ideal reasoner", "accuracy at smallest fraction",
        "accuracy at largest fraction", "seed spread" (the largest standard deviation over
        seeds at any fraction), and "needed, low" and "needed, high", the 95 % seed interval of
        "fraction needed" (`crossing_interval`; inf where it may never be reached).
    """
    import pandas as pd
    reasoner, loose, rows = reasoner or {}, loose or {}, {}
    for key, by_decoder in runs.items():
        p_c = summary(relations[key], alpha)["p_crude"] or float("nan")
        part = {}
        for name, res in by_decoder.items():
            x, mean, std = _summarize(res["fraction"], res["whole_acc"])
            need = crossing_fraction(x, mean, level)
            interval = crossing_interval(res, level)
            part[(key, name)] = {"relation": relations[key].label, "decoder": name,
                                 "fraction needed": need, "× crit. fraction": need / p_c,
                                 "more than ideal reasoner": need - reasoner[key]
                                 if key in reasoner else "no Monte Carlo",
                                 "more than k-blind reasoner": need - loose[key]
                                 if key in loose else "–",
                                 "accuracy at smallest fraction": mean[0],
                                 "accuracy at largest fraction": mean[-1],
                                 "seed spread": std.max(),
                                 "needed, low": interval["low"],
                                 "needed, high": interval["high"]}
        rows.update(sorted(part.items(), key=lambda kv: np.nan_to_num(kv[1]["fraction needed"],
                                                                       nan=np.inf)))
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index = pd.MultiIndex.from_tuples(table.index, names=["key", "name"])
    return table


def gap_view(gap, fractions):
    """`induction_gap` narrowed for the page: relation, decoder, "p needed", "gap" (the induction
    gap: p needed minus the ideal reasoner's), "gap, k unknown" (the same against the reasoner
    that knows only that the relation is an equivalence), "× crit. p", and the mean accuracy
    at the smallest and largest of `fractions` (the sweep's train fractions), headed e.g.
    "acc. at 0.05"."""
    lo, hi = f"acc. at {min(fractions):g}", f"acc. at {max(fractions):g}"
    view = gap.rename(columns={"fraction needed": "p needed", "more than ideal reasoner": "gap",
                               "more than k-blind reasoner": "gap, k unknown",
                               "× crit. fraction": "× crit. p"})
    view[lo] = gap["accuracy at smallest fraction"]
    view[hi] = gap["accuracy at largest fraction"]       # one column if the sweep has one p
    view["95 % seed interval"] = [_interval_text(a, b) for a, b in
                                  zip(gap["needed, low"], gap["needed, high"])]
    return view[list(dict.fromkeys(["relation", "decoder", "p needed", "95 % seed interval",
                                    "gap", "gap, k unknown", "× crit. p", lo, hi]))]


def _interval_text(low: float, high: float) -> str:
    """'0.35–0.41', '0.35–never', 'never'."""
    end = lambda v: "never" if np.isinf(v) else f"{v:.2f}"  # noqa: E731
    return "never" if np.isinf(low) else f"{end(low)}–{end(high)}"


def _summarize(x, values):
    """(sorted unique x, mean, std over repeats) of `values` grouped by `x`."""
    x, values = np.asarray(x), np.asarray(values, dtype=float)
    ux = np.unique(x)
    return (ux, np.array([values[x == u].mean() for u in ux]),
            np.array([values[x == u].std() for u in ux]))


def decoder_order(needed: dict, expected, *, intervals: dict | None = None) -> dict:
    """Compare the measured order of decoders with an expected order.

    Args:
        needed: {decoder: train fraction it needs}; NaN (never reached) counts as infinite.
        expected: sequence from first (least data) to last; an entry may be a tuple of decoders
            the claim does not order among themselves, e.g. (("ideal", "difference"), "concat").
            Decoders absent from `needed` are skipped.
        intervals: {decoder: (low, high)}, seed intervals of `needed` (`crossing_interval`).
    Returns:
        dict: "measured", the decoders from least to most data as text with their fractions
        (e.g. "ideal (0.12) < concat (never)"); "agrees", True if every expected pair a before b
        has strictly fraction(a) < fraction(b) (two "never"s do not count as ordered);
        "inversions", the pairs that fail, as text "a not before b"; "settled", the inversions
        whose two seed intervals do not overlap (all of them without `intervals`).
    """
    rank = {}
    for r, group in enumerate(expected):
        for name in (group if isinstance(group, tuple) else (group,)):
            if name in needed:
                rank[name] = r
    need = {k: np.inf if np.isnan(v) else float(v) for k, v in needed.items()}
    pairs = [(a, b) for a in rank for b in rank if rank[a] < rank[b] and not need[a] < need[b]]
    inversions = [f"{a} not before {b}" for a, b in pairs]
    apart = lambda a, b: intervals is None or intervals[b][1] < intervals[a][0]  # noqa: E731
    order = sorted(need, key=need.get)
    measured = " < ".join(f"{k} ({need[k]:.2f})" if np.isfinite(need[k]) else f"{k} (never)"
                          for k in order)
    return {"measured": measured, "agrees": not inversions, "inversions": inversions,
            "settled": [f"{a} not before {b}" for a, b in pairs if apart(a, b)]}


def decoder_orders(gap) -> dict:
    """`decoder_order` of every relation of an `induction_gap` table that the paper's Fig. 3
    orders (paper.FIG3_ORDER), with the seed intervals of the table: {key: result}."""
    from . import paper
    keys = gap.index.get_level_values(0).unique()
    return {key: decoder_order(
                gap.loc[key, "fraction needed"].to_dict(), paper.FIG3_ORDER[key],
                intervals=dict(zip(gap.loc[key].index, zip(gap.loc[key, "needed, low"],
                                                            gap.loc[key, "needed, high"]))))
            for key in keys if key in paper.FIG3_ORDER}


def order_verdict(order: dict) -> str:
    """A `decoder_order` result as words for the page: "in the paper's order", or "differently
    from the paper (a does not come before b, ...; ...)", saying of each swap whether the two
    seed intervals are apart or overlap (then the swap may be seed noise)."""
    if order["agrees"]:
        return "in the paper's order"
    swaps = [pair.replace(" not before ", " does not come before ")
             + (", their seed intervals apart" if pair in order["settled"] else
                ", but their seed intervals overlap, so it may be seed noise")
             for pair in order["inversions"]]
    return "differently from the paper (" + "; ".join(swaps) + ")"


def findings(runs: dict, curves: dict, relations: dict, *, loose: dict | None = None,
             level: float = 0.9, alpha: float = 0.9, tolerance: float = 0.05) -> dict:
    """The chapter's verdicts from its measurements, the same at every size: the reasoner
    against the bound (`montecarlo.bound_comparison`), the induction gap (`induction_gap`),
    the order of the decoders (`decoder_orders`) and the scorecard rows (`scorecard_claims`).

    Args:
        runs: {key: {decoder: runs}} (`by_decoder`); curves: {key: reasoner curve}
            (`montecarlo.achievable_accuracy` or `montecarlo.curves_from_table`), may be empty;
        relations: {key: Relation} holding every key of both and the paper's four.
        loose: {key: curve} of the reasoner that knows only "equivalence" (prior
            "equivalence"), for the gap against it; may be None or empty.
    Returns:
        dict with "bound", "gap", "orders", "claims".
    """
    from .montecarlo import bound_comparison
    bound = bound_comparison(curves, relations, level=level, tolerance=tolerance)
    known = bound["MC reaches level at"].to_dict() if len(bound) else {}
    gap = induction_gap(runs, relations, level=level, alpha=alpha, reasoner=known,
                        loose=reached(loose or {}, level))
    orders = decoder_orders(gap)
    claims = scorecard_claims(paper_comparison(relations, alpha), bound, orders, alpha=alpha,
                              tolerance=tolerance, level=level)
    return {"bound": bound, "gap": gap, "orders": orders, "claims": claims}


def stored_findings(params, *, level: float = 0.9, tolerance: float = 0.05,
                    root=None) -> dict | None:
    """`findings` of the results stored for `params` (e.g. the full profile): the networks'
    table "statics/networks" and the reasoner's "statics/reasoner" (`geneft.store`), or None
    when no networks are stored for that configuration. The reasoner may be missing. The
    relations are those of `params`, and at n = 30 the paper's four (Table II).

    Returns:
        `findings`' dict, plus "runs", "curves", "loose", "relations", "crude" ({key: crude p_c}),
        "provenance" and "reasoner_provenance" (the stored tables' provenance lines; the
        second None without a stored reasoner).
    """
    from . import store
    from .montecarlo import curves_from_table
    from .profiles import stored_config
    from .tasks import parse_relation
    nets = store.load("statics/networks", stored_config("statics/networks", params), root)
    if nets is None:
        return None
    mc = store.load("statics/reasoner", stored_config("statics/reasoner", params), root)
    curves = {} if mc is None else curves_from_table(mc.tables["curves"])
    loose = {} if mc is None or "loose" not in mc.tables else curves_from_table(
        mc.tables["loose"])
    paper_keys = ("mod3", "mod5", "greater", "bipartite10") if params.n == 30 else ()
    keys = dict.fromkeys(paper_keys + params.mc_relations + params.trained_relations)
    relations = {key: parse_relation(key, params.n) for key in keys}
    runs = by_decoder(nets.tables["runs"])
    crude = {key: summary(rel, params.alpha)["p_crude"] for key, rel in relations.items()}
    return {**findings(runs, curves, relations, loose=loose, level=level, alpha=params.alpha,
                       tolerance=tolerance),
            "runs": runs, "curves": curves, "loose": loose, "relations": relations,
            "crude": crude,
            "provenance": nets.provenance,
            "reasoner_provenance": None if mc is None else mc.provenance}


def crossings_text(gap, key: str) -> str:
    """The decoders of relation `key` in an `induction_gap` table, from least data to most,
    with the fraction each needs and its seed interval, e.g. "ideal 0.21 (0.20–0.22) < concat
    never"."""
    part = gap.loc[key]
    return " < ".join(
        f"{name} never" if np.isnan(r["fraction needed"]) else
        f"{name} {r['fraction needed']:.2f} ({_interval_text(r['needed, low'], r['needed, high'])})"
        for name, r in part.iterrows())


def gap_numbers(gap, orders: dict, blind: dict) -> dict:
    """What the chapter's prose quotes from an `induction_gap` table, by glue name.

    Args:
        gap: the `induction_gap` table; orders: {k: `decoder_order`} of its relations
            (`decoder_orders`); blind: {k: the fraction the reasoner that knows only
            "equivalence" needs} (`reached`), may be empty.
    Returns:
        dict: per relation k, "k_best" (the decoder that needs least data), "k_best_need",
        "k_best_ratio" (× the crude p_c) and "k_best_excess" (more than the ideal reasoner),
        and where `blind` has k, "k_blind_p90" and "k_best_excess_blind"; per relation and
        decoder d, "k_d_lowest" and "k_d_last" (mean accuracy at the smallest and the largest
        train fraction); per relation of `orders`, "k_order" (`crossings_text`) and
        "k_verdict" (`order_verdict`); "seed_spread", the largest seed standard deviation.
    """
    out = {"seed_spread": float(gap["seed spread"].max())}
    for key in gap.index.get_level_values(0).unique():
        best = gap.loc[key].iloc[0]            # rows run from least data needed to most
        out.update({f"{key}_best": best.name, f"{key}_best_need": float(best["fraction needed"]),
                    f"{key}_best_ratio": float(best["× crit. fraction"]),
                    f"{key}_best_excess": float(best["more than ideal reasoner"])})
        if key in blind:
            out.update({f"{key}_blind_p90": blind[key],
                        f"{key}_best_excess_blind": float(best["more than k-blind reasoner"])})
    for (key, name), row in gap.iterrows():
        out[f"{key}_{name}_lowest"] = float(row["accuracy at smallest fraction"])
        out[f"{key}_{name}_last"] = float(row["accuracy at largest fraction"])
    for key, order in orders.items():
        out[f"{key}_order"] = crossings_text(gap, key)
        out[f"{key}_verdict"] = order_verdict(order)
    return out


def describe_full(claims: list, big: dict | None) -> str:
    """What the full-size result changes, as plain text for the page (no TeX, no final full
    stop): the scorecard rows whose status differs from `claims` (the quick run's), and per
    relation of Fig. 3 the order of the decoders with the seed interval of each crossing.
    `big`: `stored_findings`, or None when nothing is stored."""
    if big is None:
        return ("no full-size result is stored for this configuration, so the scorecard's "
                "full-size column reads \"not stored\"")
    changed = [f"{f.item} {f.status} (here: {c.status})"
               for c, f in zip(claims, big["claims"]) if c.status != f.status]
    rows = ("the scorecard rows that change are " + "; ".join(changed) if changed else
            "every scorecard row has the status it has here")
    ranks = "; ".join(f"on {big['relations'][k].label} the decoders rank {order_verdict(o)}: "
                      f"{crossings_text(big['gap'], k)}" for k, o in big["orders"].items())
    return f"{rows}. {ranks[:1].upper()}{ranks[1:]}" if ranks else rows


def scorecard_claims(comparison, bound, orders: dict, *, alpha: float = 0.9,
                     tolerance: float = 0.05, level: float = 0.9) -> list:
    """The chapter's rows of the reproduction scorecard, each status decided from the numbers.

    Args:
        comparison: `paper_comparison` table (Table II, Eq. 4).
        bound: `montecarlo.bound_comparison` table (Fig. 2).
        orders: {short name: `decoder_order` result} for the relations of Fig. 3.
        alpha: the alpha the chapter ran with (Eq. 4 is testable only at the paper's 0.9).
        tolerance: the Fig. 2 tolerance on ``|MC − f_UB|``.
        level: the accuracy at which `orders` read off the fraction each decoder needs.
    Returns:
        list of four `scorecard.Claim`: Table II, Eq. 4, Fig. 2, Fig. 3.
    """
    from . import paper
    from .scorecard import Claim, status
    from .tasks import parse_relation
    label = lambda key: parse_relation(key, 30).label  # noqa: E731

    def listing(values):
        return "; ".join(f"{name} {v}" for name, v in zip(comparison["relation"], values))

    def pair(a, b):
        return [f"{x:.1f} / {y:.1f}" for x, y in zip(comparison[a], comparison[b])]

    def crude(a, b):          # p_c from the approximate b, and from the exact b where given
        given = comparison["crit. fraction exact b, paper"].notna()
        return [f"{x:.3f}" + (f" (exact $b$: {y:.3f})" if g else "")
                for x, y, g in zip(comparison[a], comparison[b], given)]

    has = not comparison.empty
    rows = [Claim("Table II", "description length $b$, approx. / exact ($n = 30$)",
                  listing(pair("b approx., paper", "b exact, paper")),
                  listing(pair("b approx., ours", "b exact, ours")),
                  "0.05 bit (half the paper's last digit)",
                  status(list(comparison["b agrees"])) if has else "not testable", "st-bits"),
            Claim("Eq. 4", "crude critical fraction $p_c$ at $\\alpha = 0.9$",
                  listing(crude("crit. fraction, paper", "crit. fraction exact b, paper")),
                  listing(crude("crit. fraction, ours", "crit. fraction exact b, ours")),
                  "0.0005 (half the paper's last digit)",
                  status(list(comparison["crit. fraction agrees"]))
                  if has and alpha == 0.9 else "not testable", "st-balls")]
    ours = "; ".join(f"{r.relation}: $\\mathrm{{MC}} - f_\\mathrm{{UB}}$ from "
                     f"{r['MC − f_UB, min']:+.3f} to {r['MC − f_UB, max']:+.3f}, "
                     + (f"$2\\,$s.e. below at $p$ = {r['below at']}" if r["below at"] else
                        "never $2\\,$s.e. below")
                     for _, r in bound.iterrows())
    rows.append(Claim("Fig. 2", "Monte Carlo slightly above $f_\\mathrm{UB}$, within about 0.05",
                      "$\\mathrm{MC} \\geq f_\\mathrm{UB}$, "
                      f"$|\\mathrm{{MC}} - f_\\mathrm{{UB}}| \\leq {paper.FIG2_TOLERANCE}$", ours,
                      f"per relation: within {tolerance} and never 2 s.e. below",
                      status(list(bound["never below"]) + list(bound["within tolerance"]))
                      if len(bound) else "not testable", "st-mc"))
    expected = "; ".join(f"{label(k)}: " + " < ".join(g if isinstance(g, str) else " ≈ ".join(g)
                                              for g in order)
                         for k, order in paper.FIG3_ORDER.items())
    rows.append(Claim("Fig. 3", "curves order by inductive bias", expected,
                      "; ".join(f"{label(k)}: {o['measured']}" for k, o in orders.items()),
                      f"same order of the fraction needed for accuracy {level:g}",
                      status([o["agrees"] for o in orders.values()]) if orders else
                      "not testable", "st-networks"))
    return rows
