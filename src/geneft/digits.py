"""The experiment of chapter 6: the activity-weight duality (`geneft.duality`) on small networks
trained on handwritten digits, and on GenEFT's decoder.

In the order the chapter uses them: the datasets (scikit-learn's 8x8 digits by default); the
d_in-30-30-10 ReLU MLP without biases and its SGD training, as in the paper's public demo code;
`analyse_mlp`, the duality at the middle layer; the GenEFT bridge (`analyse_decoder`,
`geneft_phases`, our extension); the sweep over one hyperparameter at a time; our criteria, the
verdicts and the scorecard rows; the numbers the chapter's prose quotes; and at the end the
verdicts computed from the result tables alone (`assess`), the same for the page's run and a
stored full-size one. The chapter's figures are in `geneft.plots.duality`.
"""
from __future__ import annotations

import gzip
import math
import os
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from . import progress as _progress
from . import scorecard, tasks, threads, units
from .duality import F64, analyse_layer, nearest_same_label, spearman, summary
from .models import ACTIVATIONS, Ensemble, combine, decode

__all__ = ["DATASETS", "Dataset", "load_data", "RunConfig", "init_mlp", "train_mlp", "mlp_rest",
           "analyse_mlp", "analyse_decoder", "geneft_phases", "SWEPT", "plan", "settings",
           "sweep", "trends", "LABELS", "EXPECTED_TRENDS", "FACTOR_NAMES", "FACTOR_SHORT",
           "run_labels", "configurations", "checks", "verdicts", "criteria", "changes",
           "direction", "expected_trends", "trend_tally", "trend_table", "follows_gap",
           "capped_runs", "phase_means", "bridge_separates", "bridge_ratios", "approx",
           "seed_range", "claims", "describe", "exercise_minutes", "change_summary",
           "follows_text", "bridge_numbers", "assess", "size_comparison"]


# --- data -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Dataset:
    """Inputs scaled to [0, 1] and integer labels; `name` says where they came from."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def _split(name, X, y, train_per_class, test_per_class, seed):
    """A stratified split: test_per_class test samples of each class (the same for every
    train_per_class), then train_per_class training samples of each class from the rest."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    X, y = X[order], y[order]
    test = np.zeros(len(y), bool)
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        test[idx[:test_per_class]] = True
    train = np.zeros(len(y), bool)
    for c in np.unique(y):
        idx = np.flatnonzero((y == c) & ~test)
        if len(idx) < train_per_class:
            raise ValueError(f"train_per_class must be <= {len(idx)} for {name} (class {c}), "
                             f"got {train_per_class}")
        train[idx[:train_per_class]] = True
    return Dataset(name, X[train], y[train], X[test], y[test])


def _digits(train_per_class, seed):
    """scikit-learn's bundled 8x8 digits (1797 images, no download), pixels / 16; 74 test
    images per class leave up to 100 training images in the smallest class."""
    # here, not at the top: scikit-learn takes seconds to import, and only this dataset needs it
    from sklearn.datasets import load_digits
    d = load_digits()
    return _split("digits (scikit-learn, 8x8)", d.data / 16.0, d.target, train_per_class, 74,
                  seed)


def _synthetic(train_per_class, seed):
    """Ten Gaussian prototypes mu_c ~ N(0, I_64) and x = sigmoid(mu_c + 1.6 xi) (our
    offline stand-in for digits)."""
    rng = np.random.default_rng(1000 + seed)
    protos = rng.standard_normal((10, 64))
    y = np.repeat(np.arange(10), train_per_class + 80)
    X = 1 / (1 + np.exp(-(protos[y] + 1.6 * rng.standard_normal((len(y), 64)))))
    return _split("synthetic Gaussian mixture (64 features)", X, y, train_per_class, 80, seed)


def _read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


def _mnist(train_per_class, seed):
    """MNIST from a local copy only (no download): the four .gz IDX files in ``$GENEFT_MNIST``."""
    root = Path(os.environ.get("GENEFT_MNIST", "~/.cache/mnist")).expanduser()
    files = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    missing = [f for f in files if not (root / f).exists()]
    if missing:
        raise FileNotFoundError(f"dataset 'mnist' needs a local copy: {missing} not found in "
                                f"{root} (set GENEFT_MNIST); use dataset 'digits' otherwise")
    Xtr, ytr, Xte, yte = (_read_idx(root / f) for f in files)
    picked = _split("MNIST (local copy)", Xtr.reshape(len(Xtr), -1) / 255.0, ytr.astype(int),
                    train_per_class, 0, seed)
    test = np.random.default_rng(seed).permutation(len(yte))[:1000]
    return replace(picked, X_test=Xte.reshape(len(Xte), -1)[test] / 255.0,
                   y_test=yte[test].astype(int))


DATASETS = {"digits": _digits, "synthetic": _synthetic, "mnist": _mnist}


def load_data(dataset: str = "digits", *, train_per_class: int = 100, seed: int = 0) -> Dataset:
    """The chapter's data: "digits" (default; bundled with scikit-learn), "synthetic" (made
    here) or "mnist" (a local copy only). The test set does not depend on train_per_class.

    Raises:
        ValueError: naming `dataset` and the allowed values, or a too large train_per_class.
    """
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {sorted(DATASETS)}, got {dataset!r}")
    return DATASETS[dataset](train_per_class, seed)


# --- the chapter's networks -----------------------------------------------------------------

@dataclass(frozen=True)
class RunConfig:
    """One training run of the d_in-30-30-10 ReLU MLP without biases, as in the paper's
    public demo code (whose values the comments quote as "official")."""

    lr: float = 0.1               # SGD learning rate (official code: 0.1)
    batch_size: int = 25          # SGD batch size (official: 25)
    beta: float = 0.0             # weight-norm penalty beta * norm(theta) (official sweep 0..2e-2)
    penalty_epochs: int = 200     # epochs the penalty is applied (official: 200)
    init_scale: float = 1.0       # multiplies PyTorch's default init (official sweep 4..7 on MNIST)
    dropout: float = 0.0          # dropout after the first layer
    train_per_class: int = 100    # training samples per class
    max_epochs: int = 1500        # cap; training stops at loss < 1e-3 and accuracy 1
    hidden: int = 30              # hidden units per layer (official: 30)


def init_mlp(d_in: int, hidden: int, *, scale: float = 1.0, seed: int = 0):
    """Weights [W1 (hidden, d_in), W2 (hidden, hidden), W3 (10, hidden)] ~ U(+-1/sqrt(fan_in))
    times scale (PyTorch's nn.Linear default), float32."""
    g = torch.Generator().manual_seed(seed)
    sizes = [(hidden, d_in), (hidden, hidden), (10, hidden)]
    return [((torch.rand(o, i, generator=g) * 2 - 1) / math.sqrt(i) * scale).requires_grad_()
            for o, i in sizes]


def _logits(Ws, X, *, dropout=0.0, generator=None):
    h = torch.relu(X @ Ws[0].T)
    if dropout > 0:
        keep = torch.rand(h.shape, generator=generator) >= dropout
        h = h * keep / (1 - dropout)
    return torch.relu(h @ Ws[1].T) @ Ws[2].T


def train_mlp(data: Dataset, config: RunConfig, *, seed: int = 0):
    """Plain SGD on the cross-entropy, mini-batches in a seeded order; stops when the training
    loss is below 1e-3 and the training accuracy is 1, or at max_epochs.

    Returns:
        (weights [W1, W2, W3] as float64 tensors, epochs run).
    """
    X = torch.as_tensor(data.X_train, dtype=torch.float32)
    y = torch.as_tensor(data.y_train, dtype=torch.long)
    Ws = init_mlp(X.shape[1], config.hidden, scale=config.init_scale, seed=seed)
    opt = torch.optim.SGD(Ws, lr=config.lr)
    g = torch.Generator().manual_seed(10_000 + seed)
    with threads.one_thread_if_small(len(y) * config.hidden):
        for epoch in range(1, config.max_epochs + 1):
            for idx in torch.randperm(len(y), generator=g).split(config.batch_size):
                loss = torch.nn.functional.cross_entropy(
                    _logits(Ws, X[idx], dropout=config.dropout, generator=g), y[idx])
                if config.beta > 0 and epoch <= config.penalty_epochs:
                    loss = loss + config.beta * torch.cat([W.reshape(-1) for W in Ws]).norm()
                opt.zero_grad()
                loss.backward()
                opt.step()
            with torch.no_grad():
                out = _logits(Ws, X)
                done = (torch.nn.functional.cross_entropy(out, y) < 1e-3
                        and bool((out.argmax(1) == y).all()))
            if done:
                break
    return [W.detach().to(F64) for W in Ws], epoch


def _ce(logits, labels):
    return torch.nn.functional.cross_entropy(logits, labels, reduction="none")


def mlp_rest(Ws):
    """The map from the middle layer's output z to the logits: W3 relu(z)."""
    return lambda z: torch.relu(z) @ Ws[2].T


def analyse_mlp(data: Dataset, Ws):
    """`analyse_layer` for the middle 30x30 layer of a trained MLP: its input
    activities are relu(W1 x); test samples are paired in input space."""
    X_train, X_test = (torch.as_tensor(x, dtype=F64) for x in (data.X_train, data.X_test))
    y_train, y_test = (torch.as_tensor(y, dtype=torch.long) for y in (data.y_train, data.y_test))
    match = nearest_same_label(X_train, y_train, X_test, y_test)
    act = lambda X: torch.relu(X @ Ws[0].T)  # noqa: E731
    a_train, a_test = act(X_train), act(X_test)
    keep = (a_train[match] ** 2).sum(1) > 0       # a dead activity vector has no dual
    return {**analyse_layer(Ws[1], mlp_rest(Ws), _ce, a_train, y_train, a_train[match][keep],
                            a_test[keep], y_test[keep]), "dropped_pairs": int((~keep).sum())}


# --- the bridge to GenEFT (our extension) -------------------------------------------------

def analyse_decoder(model, pairs, labels, train_mask):
    """`analyse_layer` for the first decoder layer of a trained GenEFT model (our extension,
    not in the paper): its input activities are the combined repon embeddings z of a pair,
    a held-out pair is a new activity at that layer, and it is matched to the nearest
    training pair of the same label in z-space. The loss is the per-pair BCE on the logit.

    Args:
        model: a models.Ensemble of one model (Ensemble.single). pairs: (P, 2) all pairs;
            labels: (P,) in {0, 1}; train_mask: (P,) bool.
    """
    cfg = model.config
    if model.size != 1 or cfg.depth < 1:
        raise ValueError("model must be a single model (Ensemble.single) with depth >= 1")
    act = ACTIVATIONS[cfg.activation]
    m64 = Ensemble(cfg, model.embeddings.to(F64), [w.to(F64) for w in model.weights],
                   [b.to(F64) for b in model.biases])
    W0, b0 = m64.weights[0][0], m64.biases[0][0]                # (in, out), (1, out)

    def rest(z):                                                # first layer's W a -> logit
        return decode(m64, act(z + b0)[None], first=1)[0]

    bce = lambda logit, y: torch.nn.functional.binary_cross_entropy_with_logits(  # noqa: E731
        logit, y, reduction="none")
    z = combine(m64.embeddings, torch.as_tensor(pairs), cfg.mode)[0]   # (P, in)
    y = torch.as_tensor(labels, dtype=F64)
    train = torch.as_tensor(train_mask)
    match = nearest_same_label(z[train], y[train], z[~train], y[~train])
    return analyse_layer(W0.T, rest, bce, z[train], y[train], z[train][match], z[~train],
                         y[~train])


def geneft_phases(relation: str, fraction: float, rates: dict, seeds, *, steps: int = 4000,
                  depth: int = 2, width: int = 20, n: int = 30, cache="off",
                  progress: bool = False):
    """Train GenEFT models (concat, tanh, d = 2, Adam, chapter 3's set-up, as `sweeps.Run`s)
    at each named pair of learning rates and run `analyse_decoder` on each (the chapter's
    bridge to GenEFT).

    Args:
        relation: a relation name ("mod3"). fraction: train fraction (one split per seed).
        rates: {phase name: (eta_enc, eta_dec)}. seeds: seeds per phase.
        cache: run cache of the trained models (`units.run_units`; all of them one unit): a
            directory, None (the default cache) or "off" (the default here: none).

    Returns:
        (table, results): one row per (phase, seed) with the final train and test accuracy,
        the `summary` numbers and `seconds` (its wall time for training and analysis);
        {(phase, seed): the full analysis}.
    """
    # Here, not at the top: sweeps imports profiles, whose checks read this module's DATASETS.
    from .sweeps import Run
    pairs, labels = tasks.all_pairs(tasks.parse_relation(relation, n))
    runs = {(phase, seed): Run(relation=relation, n=n, fraction=fraction, seed=seed,
                               depth=depth, width=width, lr_enc=rates[phase][0],
                               lr_dec=rates[phase][1], steps=steps, eval_every=steps)
            for phase in rates for seed in seeds}
    found = units.run_units("digits.geneft_phases", _bridge_unit,
                            [{"runs": [r.settings() for r in runs.values()]}],
                            modules=_BRIDGE_MODULES, cache=cache, desc="GenEFT models")[0]
    models = {key: (_model(runs[key].model_config(), m), trained)       # trained in one batch
              for key, m, trained in zip(runs, found["models"], found["trained"])}
    rows, results = [], {}
    for (phase, seed), (model, trained) in _progress.bar(models.items(), progress=progress,
                                                         desc="GenEFT models"):
        start = time.perf_counter()
        mask = tasks.train_mask(len(labels), fraction, seed)
        results[(phase, seed)] = analyse_decoder(model, pairs, labels, mask)
        rows.append({"phase": phase, "seed": seed,
                     "train_acc": float(trained["curve_train_acc"][-1]),
                     "test_acc": float(trained["curve_test_acc"][-1]),
                     **summary(results[(phase, seed)]),
                     "seconds": trained["train_s"] + time.perf_counter() - start})
    return pd.DataFrame(rows), results


# The source that decides the bridge's trained models (those of `sweeps.trained_models`).
_BRIDGE_MODULES = ("digits.py", "sweeps.py", "tasks.py", "models.py", "train.py", "fasttrain.py")


def _bridge_unit(spec: dict) -> dict:
    """The bridge's models, trained in one batch by `sweeps.trained_models`: each model's
    tensors and its training record (curves, seconds)."""
    from .sweeps import Run, trained_models
    trained = trained_models([Run(**settings) for settings in spec["runs"]])
    return {"models": [{"embeddings": m.embeddings.cpu().numpy(),
                        "weights": [w.cpu().numpy() for w in m.weights],
                        "biases": [b.cpu().numpy() for b in m.biases]} for m, _ in trained],
            "trained": [{k: v for k, v in result.items() if k != "embeddings"}
                        for _, result in trained]}


def _model(config, tensors: dict) -> Ensemble:
    """A model of one (`models.Ensemble.single`) from the tensors `_bridge_unit` keeps."""
    as_torch = lambda arrays: [torch.as_tensor(a) for a in arrays]  # noqa: E731
    return Ensemble(config, torch.as_tensor(tensors["embeddings"]),
                    as_torch(tensors["weights"]), as_torch(tensors["biases"]))


# --- the sweep ---------------------------------------------------------------------------

# The chapter's swept hyperparameters: RunConfig field -> the parameter (profiles.DualityParams)
# holding its values.
SWEPT = {"lr": "lrs", "batch_size": "batch_sizes", "beta": "betas", "init_scale": "init_scales",
         "dropout": "dropouts", "train_per_class": "train_sizes"}


def plan(params) -> tuple[RunConfig, dict]:
    """The base RunConfig and the swept factors {RunConfig field: values} of the chapter's
    parameters (`profiles.DualityParams`); parameters that sweep nothing give {"lr": (lr,)},
    the base configuration alone."""
    base = RunConfig(**{f: getattr(params, f) for f in (
        "lr", "batch_size", "beta", "penalty_epochs", "init_scale", "dropout",
        "train_per_class", "max_epochs")})
    factors = {f: getattr(params, name) for f, name in SWEPT.items() if getattr(params, name)}
    return base, factors or {"lr": (params.lr,)}


def settings(base: RunConfig, factors: dict) -> dict:
    """The configurations `sweep` trains: the base and every one-factor change of it, each
    once, as {RunConfig: [(factor, value), ...]} (the base is filed under every factor).

    Raises:
        ValueError: a factor is no field of RunConfig.
    """
    unknown = sorted(set(factors) - set(vars(base)))
    if unknown:
        raise ValueError(f"factors must be fields of RunConfig {sorted(vars(base))}, "
                         f"got {unknown}")
    configs = {}
    for name, values in factors.items():
        for v in sorted(set(values) | {getattr(base, name)}):
            configs.setdefault(replace(base, **{name: v}), []).append((name, v))
    return configs


def sweep(dataset: str, base: RunConfig, factors: dict, seeds, *, cache="off",
          progress: bool = False):
    """Train and analyse the base configuration and every one-factor change of it.

    Args:
        dataset: a key of DATASETS. base: the RunConfig every run starts from.
        factors: {RunConfig field: [values]}; each value is run with the other fields at base,
            and the base value is added to every factor's values.
        seeds: seeds per configuration (the data split, the init and the batch order).
        cache: run cache of the trained weights (`units.run_units`; one unit per network): a
            directory, None (the default cache) or "off" (the default here: none). The
            analysis is computed from the weights each time.

    Returns:
        (table, results): a pandas DataFrame with one row per (factor, value, seed) holding
        the factor, its value, the seed, `run` (one id per trained network: the base runs
        appear under every factor), `is_base`, the epochs run, `seconds` (its wall time for
        training and analysis) and the `summary` numbers; and
        {run: the full analysis of `analyse_mlp`}.
    """
    configs = settings(base, factors)
    jobs = [(c, int(s)) for c in configs for s in seeds]
    trained = units.run_units("digits.train_mlp", _train_unit,
                              [{"dataset": dataset, "config": asdict(c), "seed": s}
                               for c, s in jobs], modules=("digits.py",), cache=cache,
                              progress=progress, desc="A-W runs")
    rows, results = [], {}
    for run, ((config, seed), net) in enumerate(zip(jobs, trained)):
        start = time.perf_counter()
        data = load_data(dataset, train_per_class=config.train_per_class, seed=seed)
        results[run] = analyse_mlp(data, [torch.as_tensor(W) for W in net["weights"]])
        seconds = net["train_s"] + time.perf_counter() - start
        rows += [{"factor": name, "value": v, "seed": seed, "run": run,
                  "is_base": config == base, "epochs": net["epochs"], "seconds": seconds,
                  **summary(results[run])}
                 for name, v in configs[config]]
    return pd.DataFrame(rows), results


def _train_unit(spec: dict) -> dict:
    """One network of `sweep`: its weights (float64 arrays), epochs and training seconds."""
    start = time.perf_counter()
    data = load_data(spec["dataset"], train_per_class=spec["config"]["train_per_class"],
                     seed=spec["seed"])
    Ws, epochs = train_mlp(data, RunConfig(**spec["config"]), seed=spec["seed"])
    return {"weights": [W.numpy() for W in Ws], "epochs": epochs,
            "train_s": time.perf_counter() - start}


def trends(table, columns=("gap", "sharp_size", "size", "sharpness")):
    """Per swept factor, the Spearman correlation between the factor's value and the
    seed-averaged `columns` (its sign is the trend our criteria read). Factors with a
    single value are left out. Returns a DataFrame indexed by factor."""
    means = table.groupby(["factor", "value"])[list(columns)].mean().reset_index()
    out = {f: {c: spearman(g.value, g[c]) for c in columns}
           for f, g in means.groupby("factor") if g.value.nunique() > 1}
    return pd.DataFrame.from_dict(out, orient="index", columns=list(columns)).rename_axis("factor")


# --- the chapter's criteria and verdicts -----------------------------------------------------
# Our success criteria: the paper's own numbers and figures were not available to us, so the
# thresholds below are our choices, stated in the chapter.

EXACT_TOL = 1e-8          # the duality and the decomposition identity, in float64
TIGHT_LOSS = 1e-3         # runs below this training cross-entropy ...
GAP_TOL_TIGHT = 0.02      # ... have an A-W estimate within 2 % of the measured gap
LOOSE_LOSS = 1e-2         # runs below this one ...
GAP_TOL_LOOSE = 0.10      # ... within 10 %
MEAN_RATIO_MAX = 0.1      # the mean terms are at most 10 % of the covariance terms ...
MEAN_RATIO_SHARE = 0.75   # ... in at least 75 % of the runs
SPEARMAN_MIN = 0.4        # Spearman rho of sigma_gamma with lambda (top 100 directions), every run
CHANGE_TOL = 0.05         # a seed mean that moves by less than 5 % "barely changed"

# (factor, quantity, sign): our reading of the paper's account of each hyperparameter; the
# abstract says only that each acts on the sharpness, the size or both.
EXPECTED_TRENDS = (
    ("beta", "size", -1), ("beta", "gap", -1),
    ("batch_size", "sharpness", +1), ("batch_size", "gap", +1),
    ("lr", "sharpness", -1),
    ("init_scale", "size", +1), ("init_scale", "gap", +1),
    ("dropout", "sharpness", -1),
    ("train_per_class", "size", -1), ("train_per_class", "gap", -1),
)

# Column names for the page's tables (HTML: the tables are rendered as HTML), kept short so
# that a table fits the text column; the chapter defines each in words.
LABELS = {"configuration": "configuration", "seeds": "seeds", "epochs": "epochs",
          "train_loss": "train CE", "gap": "gap", "aw": "A-W",
          "sharp_size": "Σ σ<sub>γ</sub>σ<sub>θ</sub>", "size": "size",
          "sharpness": "sharpness", "lam_max": "λ<sub>max</sub>",
          "phase": "phase", "seed": "seed", "train_acc": "train acc.",
          "test_acc": "test acc.", "exactness": "duality error",
          "displacement": "‖Δa‖/‖a‖"}

# The hyperparameters (RunConfig fields) in words: for axes, and short for tables and legends.
FACTOR_NAMES = {"lr": "learning rate", "batch_size": "batch size",
                "beta": "weight-norm penalty β", "init_scale": "initial weight scale",
                "dropout": "dropout rate", "train_per_class": "training images per class"}
FACTOR_SHORT = {"lr": "learning rate", "batch_size": "batch size", "beta": "penalty β",
                "init_scale": "init scale", "dropout": "dropout",
                "train_per_class": "images per class"}

_MEANS = ["epochs", "train_loss", "gap", "aw", "sharp_size", "size", "sharpness", "lam_max"]


def run_labels(runs) -> np.ndarray:
    """Each row's configuration as text: "base" or "<hyperparameter in words> = value", e.g.
    "batch size = 250" (`FACTOR_SHORT`; `sweep`'s table)."""
    names = runs.factor.map(lambda f: FACTOR_SHORT.get(f, f))
    return np.where(runs.is_base, "base", names + " = " + runs.value.map("{:g}".format))


def configurations(table):
    """Seed means of `sweep`'s table, one row per trained configuration (`run_labels`), with
    the number of seeds; columns "configuration", "seeds" and epochs, train_loss, gap, aw,
    sharp_size, size, sharpness, lam_max."""
    runs = table.drop_duplicates("run")
    grouped = runs.assign(configuration=run_labels(runs)).groupby("configuration", sort=False)
    out = grouped[_MEANS].mean()
    out.insert(0, "seeds", grouped.size())
    return out.reset_index()



def checks(runs) -> dict:
    """The numbers our criteria judge, over `runs`: `sweep`'s table with one row per trained
    network (`table.drop_duplicates("run")`). Relative errors of the A-W estimate are
    ``abs(aw - gap) / abs(gap)``; the mean-term ratio is ``abs(sum mu mu) / abs(sum c sigma
    sigma)``, the two parts of the decomposition; "gap_per_sum" is the median over runs of
    the gap over the sharpness-size sum.

    Raises:
        ValueError: if a run appears twice.
    """
    if runs.run.duplicated().any():
        raise ValueError("runs must hold one row per run: pass table.drop_duplicates('run')")
    rel = ((runs.aw - runs.gap) / runs.gap).abs()
    tight, loose = runs.train_loss < TIGHT_LOSS, runs.train_loss < LOOSE_LOSS
    ratio = (runs.mean_terms / runs.cov_terms).abs()
    worst = lambda s: float(s.max()) if len(s) else math.nan  # noqa: E731
    return {"runs": len(runs), "exactness": float(runs.exactness.max()),
            "identity": float(runs.identity.max()),
            "gap_err_tight": worst(rel[tight]), "n_tight": int(tight.sum()),
            "gap_err_loose": worst(rel[loose]), "n_loose": int(loose.sum()),
            "gap_err_all": float(rel.max()), "mean_ratio_max": float(ratio.max()),
            "mean_ratio_share": float((ratio <= MEAN_RATIO_MAX).mean()),
            "spearman_min": float(runs.spearman_top100.min()),
            "spearman_median": float(runs.spearman_top100.median()),
            "corr_median": float(runs.corr_median.median()),
            "gap_per_sum": float((runs.gap / runs.sharp_size).median())}


def verdicts(c: dict) -> dict:
    """Each of our criteria applied to `checks`: True (met), False (missed) or None (not
    testable: no run reached the training loss the criterion needs)."""
    return {"duality": c["exactness"] <= EXACT_TOL, "identity": c["identity"] <= EXACT_TOL,
            "gap_tight": c["gap_err_tight"] <= GAP_TOL_TIGHT if c["n_tight"] else None,
            "gap_loose": c["gap_err_loose"] <= GAP_TOL_LOOSE if c["n_loose"] else None,
            "mean_terms": c["mean_ratio_share"] >= MEAN_RATIO_SHARE,
            "sharpness": c["spearman_min"] >= SPEARMAN_MIN}


def _e(x: float) -> str:
    """1e-08 -> "1e-8"."""
    return f"{x:.0e}".replace("e-0", "e-").replace("e+0", "e")


def criteria(c: dict):
    """Our criteria as a narrow table for the page: criterion, met (bool, or None where not
    testable), threshold, this run's value; rows in the order of `verdicts`."""
    v = verdicts(c)
    within = lambda err, n: (f"{err:.2%} ({n} of {c['runs']})" if n  # noqa: E731
                             else f"no run (of {c['runs']})")
    rows = [
        ("duality exact", f"error ≤ {_e(EXACT_TOL)}", _e(c["exactness"])),
        ("decomposition sums to A-W", f"error ≤ {_e(EXACT_TOL)}", _e(c["identity"])),
        (f"A-W ≈ gap, train CE < {_e(TIGHT_LOSS)}", f"within {GAP_TOL_TIGHT:.0%}",
         within(c["gap_err_tight"], c["n_tight"])),
        (f"A-W ≈ gap, train CE < {_e(LOOSE_LOSS)}", f"within {GAP_TOL_LOOSE:.0%}",
         within(c["gap_err_loose"], c["n_loose"])),
        ("mean terms ≪ covariance",
         f"≤ {MEAN_RATIO_MAX:g} in ≥ {MEAN_RATIO_SHARE:.0%} of runs",
         f"{c['mean_ratio_share']:.0%} of runs (max {c['mean_ratio_max']:.3f})"),
        ("σγ rises with λ (top 100)", f"ρ ≥ {SPEARMAN_MIN:g}, every run",
         f"min {c['spearman_min']:.2f}, median {c['spearman_median']:.2f}"),
    ]
    return pd.DataFrame([(r[0], met, *r[1:]) for r, met in zip(rows, v.values())],
                        columns=["criterion", "met", "threshold", "this run"])


def changes(table, columns=("gap", "sharp_size", "size", "sharpness", "lam_max")):
    """Per swept factor, the seed mean of each of `columns` at the factor's largest value
    divided by that at its smallest; columns "from" and "to" hold the two values. Factors
    with a single value are left out. Returns a DataFrame indexed by factor."""
    means = table.groupby(["factor", "value"])[list(columns)].mean()
    rows = {}
    for factor, g in means.groupby(level="factor"):
        if len(g) > 1:
            values = g.index.get_level_values("value")
            rows[factor] = {"from": values[0], "to": values[-1],
                            **(g.iloc[-1] / g.iloc[0]).to_dict()}
    return pd.DataFrame.from_dict(rows, orient="index",
                                  columns=["from", "to", *columns]).rename_axis("factor")


def direction(ratio: float, tol: float = CHANGE_TOL) -> str:
    """A ratio of two values in words: "rose" above 1 + tol, "fell" below 1 - tol, else
    "barely changed"."""
    return "rose" if ratio > 1 + tol else "fell" if ratio < 1 - tol else "barely changed"


def expected_trends(table, expected=EXPECTED_TRENDS, *, tol: float = CHANGE_TOL):
    """Our expected trends against a sweep, one row per (factor, quantity) of `expected`:
    the expected direction ("up" or "down"), rho (Spearman correlation of the factor's value
    with the seed means, see `trends`), ratio (see `changes`), measured (`direction` of the
    ratio) and "as expected": rho has the expected sign AND the ratio moved by more than
    `tol` that way (None where the factor was not swept)."""
    quantities = sorted({q for _, q, _ in expected})
    trend, change = trends(table, columns=quantities), changes(table, columns=quantities)
    rows = []
    for factor, quantity, sign in expected:
        row = {"hyperparameter": factor, "quantity": quantity,
               "expected": "up" if sign > 0 else "down", "measured": "not swept",
               "ratio": math.nan, "rho": math.nan, "as expected": None}
        if factor in trend.index:
            rho, ratio = float(trend.loc[factor, quantity]), float(change.loc[factor, quantity])
            word = direction(ratio, tol)
            row.update(measured=word, ratio=ratio, rho=rho, **{"as expected": bool(
                np.sign(rho) == sign and word == ("rose" if sign > 0 else "fell"))})
        rows.append(row)
    return pd.DataFrame(rows)


def _and(items) -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    items = list(items)
    return " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items)


def trend_tally(expect) -> dict:
    """From `expected_trends`: how many swept expectations hold ("held" of "tested") and the
    missed ones in words ("the gap fell as the initial weight scale grew"; "none" if none)."""
    tested = expect[expect["as expected"].notna()]
    missed = tested[~tested["as expected"].astype(bool)]
    words = [f"the {q} {m} as the {FACTOR_NAMES.get(f, f)} grew" for f, q, m in
             zip(missed.hyperparameter, missed.quantity, missed.measured)]
    return {"held": int(tested["as expected"].astype(bool).sum()), "tested": len(tested),
            "missed": _and(words) if words else "none"}


def trend_table(expect):
    """`expected_trends` for the page, narrow and in words: hyperparameter (`FACTOR_SHORT`),
    quantity, "as expected" (the verdict), "expected" (up or down), "measured" (rose, fell,
    barely changed, not swept), ratio (largest over smallest swept value) and ρ."""
    out = expect.assign(hyperparameter=expect.hyperparameter.map(lambda f: FACTOR_SHORT.get(f, f)))
    return out[["hyperparameter", "quantity", "as expected", "expected", "measured", "ratio",
                "rho"]].rename(columns={"rho": "ρ"})


def follows_gap(table, column: str = "sharp_size") -> tuple[int, int]:
    """In how many swept factors `column` (default: the sharpness-size sum sum_n sigma_gamma
    sigma_theta) moves the same way as the gap (same sign of the `trends` correlation), and
    of how many."""
    trend = trends(table, columns=("gap", column))
    return int((np.sign(trend.gap) == np.sign(trend[column])).sum()), len(trend)


def capped_runs(runs, max_epochs: int) -> str:
    """A sentence on the runs (one row per run) that stopped at the epoch cap, naming their
    configurations (`run_labels`), or saying that none did."""
    capped = (runs.epochs >= max_epochs).to_numpy()
    if not capped.any():
        return "No run stopped at the epoch cap"
    names = ", ".join(dict.fromkeys(run_labels(runs)[capped]))
    return (f"{int(capped.sum())} of the {len(runs)} runs ({names}) stopped at the epoch cap "
            "before reaching that loss")


_BRIDGE = ["train_acc", "test_acc", "gap", "sharp_size", "size", "sharpness", "displacement"]


def phase_means(bridge):
    """Seed means per phase of `geneft_phases`' table, indexed by phase: train_acc,
    test_acc, gap, sharp_size, size, sharpness and displacement (those present)."""
    return bridge.groupby("phase")[[c for c in _BRIDGE if c in bridge]].mean()


def bridge_separates(bridge) -> bool:
    """Our bridge criterion on `geneft_phases`' table, seed by seed: every model of the
    memorizing phase M has a lower test accuracy and a larger sharpness-size sum
    sum_n sigma_gamma sigma_theta than every model of the generalizing phase G."""
    G, M = bridge[bridge.phase == "G"], bridge[bridge.phase == "M"]
    return bool(M.test_acc.max() < G.test_acc.min() and M.sharp_size.min() > G.sharp_size.max())


def bridge_ratios(bridge, columns=("sharp_size", "size", "sharpness", "displacement")) -> dict:
    """M over G for each of `columns` of `geneft_phases`' table, robust to a few seeds: per
    column {"low": smallest M value / largest G value (the smallest ratio of any M model to
    any G model), "geo": ratio of the geometric means over seeds, "high": largest M / smallest
    G, "G spread": largest G / smallest G}; and "larger": the factor, "size" or "sharpness",
    whose ratio is larger both at "low" and at "geo", or "neither" if they disagree."""
    G, M = bridge[bridge.phase == "G"], bridge[bridge.phase == "M"]
    geo = lambda x: float(np.exp(np.log(x).mean()))  # noqa: E731
    out = {q: {"low": float(M[q].min() / G[q].max()), "geo": geo(M[q]) / geo(G[q]),
               "high": float(M[q].max() / G[q].min()), "G spread": float(G[q].max() / G[q].min())}
           for q in columns if q in bridge}
    size, sharp = out["size"], out["sharpness"]
    larger = ("size" if size["low"] > sharp["low"] and size["geo"] > sharp["geo"] else
              "sharpness" if size["low"] < sharp["low"] and size["geo"] < sharp["geo"] else
              "neither")
    return {**out, "larger": larger}


def approx(x: float, *, down: bool = False) -> str:
    """x to two significant digits, without exponent notation for numbers people read:
    21356 -> "21,000", 112.07 -> "110", 4.79 -> "4.8", 0.0059 -> "0.0059". With `down`, cut
    instead of rounded (128.6 -> "120"), for a bound the prose calls "at least"."""
    r = float(f"{x:.2g}")
    if down and r > x and x > 0:
        step = 10.0 ** (math.floor(math.log10(x)) - 1)
        r = float(f"{math.floor(x / step) * step:.2g}")
    return f"{r:,.0f}" if abs(r) >= 10 else f"{r:g}"


def seed_range(x, fmt: str | None = None) -> str:
    """Values over seeds as "lo to hi", each by `approx` or by the format specification
    `fmt` (".3f" for accuracies), or one value when both read the same."""
    show = approx if fmt is None else (lambda v: format(v, fmt))  # noqa: E731
    lo, hi = show(min(x)), show(max(x))
    return lo if lo == hi else f"{lo} to {hi}"


def claims(c: dict, expect, bridge) -> list:
    """The chapter's scorecard rows (`scorecard.Claim`) from `checks`, `expected_trends` and
    `geneft_phases`' table; statuses from `verdicts`, `trend_tally` and `bridge_separates`.
    The GenEFT bridge is our extension, not a claim of the paper: its row is shown but not
    counted in the book's tally."""
    v, t = verdicts(c), trend_tally(expect)
    gap = [x for x in (v["gap_tight"], v["gap_loose"]) if x is not None] or [False]
    G, M = (bridge[bridge.phase == p].sharp_size for p in ("G", "M"))
    seeds = bridge.groupby("phase").size()
    return [
        scorecard.Claim("Duality", "a test sample's loss is a training sample's loss under "
                        "dual weights", "exact", f"largest error {_e(c['exactness'])}; "
                        f"identity {_e(c['identity'])}", r"$\le 10^{-8}$",
                        scorecard.status([v["duality"], v["identity"]]), "aw-exact"),
        scorecard.Claim("Gap estimate", "the A-W estimate equals the gap", "near "
                        "interpolation", f"within {c['gap_err_all']:.2%} over all runs",
                        r"2 % (training CE $< 10^{-3}$), 10 % ($< 10^{-2}$)",
                        scorecard.status(gap), "aw-exact"),
        scorecard.Claim("Decomposition", "mean terms negligible; sharpness grows with the "
                        "curvature", r"gap $\approx c \sum_n \sigma_{\gamma,n}\sigma_{\theta,n}$",
                        f"mean/covariance ≤ {MEAN_RATIO_MAX:g} in {c['mean_ratio_share']:.0%} "
                        f"of runs; lowest Spearman {c['spearman_min']:.2f}",
                        r"ratio $\le 0.1$ in 75 % of runs; $\rho \ge 0.4$",
                        scorecard.status([v["mean_terms"], v["sharpness"]]), "aw-directions"),
        scorecard.Claim("Hyperparameters", "each hyperparameter acts on sharpness, size or "
                        "both", "directions: our reading of the paper",
                        f"{t['held']} of {t['tested']} directions as expected",
                        rf"sign of Spearman $\rho$ and a change over {CHANGE_TOL:.0%}",
                        scorecard.status([bool(x) for x in expect["as expected"].dropna()])
                        if t["tested"] else "not testable", "aw-factors"),
        scorecard.Claim("GenEFT bridge", r"memorization has the larger "
                        r"$\sum_n \sigma_{\gamma,n}\sigma_{\theta,n}$",
                        "not in the paper: our extension",
                        f"G {seed_range(G)}, M {seed_range(M)} ({seeds.min()} seeds per phase)",
                        "every M model above every G model, with lower test accuracy",
                        scorecard.status(bridge_separates(bridge)), "aw-bridge",
                        counted=False),
    ]


# --- the numbers the chapter's prose quotes, flat for tables.glue ----------------------------

def describe(data: Dataset) -> str:
    """The data in words: "<name>: <n> training and <m> test images"."""
    return f"{data.name}: {len(data.y_train)} training and {len(data.y_test)} test images"


def exercise_minutes(sweep_seconds: float, runs, seeds: int) -> dict:
    """The run times of the chapter's exercises in minutes, projected from the sweep's wall
    time and the mean wall time of its base runs (`runs`: one row per run): "seeds_min", the
    sweep at 5 seeds per setting; "data_min", with two more training sizes (25 and 50 images
    per class, each about as costly as a base run); "lr_min", with learning rates 0.02 and
    0.05 (the epochs grow as 1 / lr: 0.1 / 0.02 + 0.1 / 0.05 base runs more per seed)."""
    base = float(runs[runs.is_base].seconds.mean())
    return {"seeds_min": sweep_seconds * 5 / seeds / 60,
            "data_min": (sweep_seconds + 2 * seeds * base) / 60,
            "lr_min": (sweep_seconds + (0.1 / 0.02 + 0.1 / 0.05) * seeds * base) / 60}


def change_summary(table, factors=("batch_size", "beta", "init_scale"),
                   columns=("gap", "sharp_size", "size", "sharpness", "lam_max")) -> dict:
    """How each of `factors` moved each of `columns` over its swept values (`changes`):
    "<factor>_from" and "<factor>_to" (its smallest and largest value), "<factor>_<column>"
    (the ratio) and "<factor>_<column>_word" (`direction`); NaN and "was not swept" for a
    factor the table does not sweep."""
    change, out = changes(table, columns), {}
    for f in factors:
        swept = f in change.index
        for key in ("from", "to", *columns):
            out[f"{f}_{key}"] = float(change.loc[f, key]) if swept else math.nan
        for q in columns:
            out[f"{f}_{q}_word"] = direction(out[f"{f}_{q}"]) if swept else "was not swept"
    return out


def follows_text(table, columns=("sharp_size", "size", "sharpness")) -> dict:
    """`follows_gap` of each of `columns` in words: {column: "<agree> of <swept>"}."""
    return {column: "{} of {}".format(*follows_gap(table, column)) for column in columns}


def bridge_numbers(bridge) -> dict:
    """The numbers of `geneft_phases`' table the chapter quotes: per phase p ("G", "M"),
    "<p>_test_acc" and "<p>_<column>" for gap, sharp_size, size and displacement, over seeds
    (`seed_range`); "bridge_<q>_low" and "bridge_<q>_geo" for q in sharp_size, size,
    sharpness and displacement (`bridge_ratios`, by `approx`); "bridge_g_spread" (the spread
    of the G models' sharpness-size sums) and "bridge_exact" (the largest duality error)."""
    out = {}
    for phase, rows in bridge.groupby("phase"):
        out[f"{phase}_test_acc"] = seed_range(rows.test_acc, ".3f")
        out.update({f"{phase}_{column}": seed_range(rows[column])
                    for column in ("gap", "sharp_size", "size", "displacement")})
    ratios = bridge_ratios(bridge)
    out.update({f"bridge_{q}_{kind}": approx(ratios[q][kind], down=kind == "low")
                for kind in ("low", "geo")
                for q in ("sharp_size", "size", "sharpness", "displacement")})
    return {**out, "bridge_g_spread": approx(ratios["sharp_size"]["G spread"]),
            "bridge_exact": float(bridge.exactness.max())}


# --- both sizes: the verdicts from the result tables ------------------------------------------
# The chapter computes these from the tables of the run it makes and from the tables of a
# stored full-size run (geneft.store), with the same functions, so the two sizes compare.

def assess(table, bridge) -> dict:
    """The chapter's verdicts from its two result tables, `sweep`'s table (one row per factor,
    value and seed) and `geneft_phases`' table (one row per phase and seed).

    Returns:
        {"runs": one row per trained network, "checks": `checks`, "expect":
        `expected_trends`, "tally": `trend_tally`, "claims": `claims` (the scorecard rows)}.
    """
    runs = table.drop_duplicates("run")
    c, expect = checks(runs), expected_trends(table)
    return {"runs": runs, "checks": c, "expect": expect, "tally": trend_tally(expect),
            "claims": claims(c, expect, bridge)}


def size_comparison(found: dict, full: dict | None) -> str:
    """Where a full-size result differs from the page's run, in words, from `assess` of each
    (`full` None: nothing stored): the networks and seeds behind it, the expected
    hyperparameter effects that held at each size, and the scorecard rows whose status
    differs."""
    if full is None:
        return ("no full-size result is stored for this configuration, so the scorecard's "
                "full-size column reads \"not stored\"")
    seeds = configurations(full["runs"]).seeds.min()
    t, q = full["tally"], found["tally"]
    changed = [f"{a.item} ({a.status} here, {b.status} at full size)"
               for a, b in zip(found["claims"], full["claims"]) if a.status != b.status]
    rows = ("every scorecard row has the same status at both sizes" if not changed else
            f"the scorecard rows that differ are {_and(changed)}")
    return (f"with {len(full['runs'])} networks ({seeds} seeds per setting), "
            f"{t['held']} of the {t['tested']} expected hyperparameter effects held (here "
            f"{q['held']} of {q['tested']}; missed at full size: {t['missed']}), and {rows}")


