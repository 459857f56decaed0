"""Chapter parameters and their profiles, defined once for the chapters, the CLI and the tests.

Each chapter has a frozen dataclass of parameters and two presets: "quick" (what the book
executes on a 2-core CPU in minutes) and "full" (the paper's model sizes where they are known,
more steps and seeds; hours on a CPU, or a GPU). What each full profile keeps from the paper and
what it changes is said in its chapter's "At full size" section.
A chapter's papermill `parameters` cell sets `profile` and leaves every other parameter None;
`resolve` fills the Nones from the profile, validates, and returns the dataclass.

The dataclasses are the one validation layer of every chapter parameter, whoever sets it (the
library, `geneft run`, papermill alone through `from_namespace`): NumPy scalars and single
values for lists are converted to the declared types, numbers must be finite and in range,
sizes that decide one model's memory have hard limits (`N_MAX`, `WIDTH_MAX`, ...), and the
estimated work of the whole chapter may not exceed `WORK_LIMIT` times its full profile's
(`check_work`). Every error names the parameter and what is allowed.
"""
from __future__ import annotations

import ast
import inspect
import math
import os
import re
import textwrap
from dataclasses import dataclass, fields, replace

from .tasks import check_split, parse_relation

__all__ = ["provenance", "StaticsParams", "GoldilocksParams", "ReponsParams", "FieldtheoryParams",
           "TwolayerParams", "DualityParams", "PROFILES", "STORED", "resolve", "from_namespace",
           "stored_config", "check_work", "work_ratios", "injected_names", "parameters_cell"]


def _is_number(value) -> bool:
    """A finite int or float (not a bool): inf and nan pass no check below."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _int_in(name, value, low, high=None):
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (
            high is not None and value > high):
        kind = "a positive integer" if low == 1 else f"an integer >= {low}"
        limit = "" if high is None else f" <= {high:,}"
        raise ValueError(f"{name} must be {kind}{limit}, got {value!r}")


def _positive_int(name, value, high=None):
    _int_in(name, value, 1, high)


def _int_at_least(name, value, low, high=None):
    _int_in(name, value, low, high)


def _positive_number(name, value):
    if not _is_number(value) or not value > 0:
        raise ValueError(f"{name} must be a finite positive number, got {value!r}")


def _in_unit_interval(name, value):
    if not _is_number(value) or not 0 < value < 1:
        raise ValueError(f"{name} must be in (0, 1), got {value!r}")


def _sequence(name, values):
    if not isinstance(values, tuple) or not values:
        raise ValueError(f"{name} must be a non-empty list, got {values!r}")


def _int_list(name, values, low, high=None):
    _sequence(name, values)
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= low
               and (high is None or v <= high) for v in values):
        limit = "" if high is None else f" and <= {high:,}"
        raise ValueError(f"{name} must be a non-empty list of integers >= {low}{limit}, "
                         f"got {values!r}")


def _fractions(name, values):
    _sequence(name, values)
    if not all(_is_number(v) and 0 < v < 1 for v in values):
        raise ValueError(f"{name} must be a non-empty list of numbers in (0, 1), got {values!r}")


def _positive_list(name, values):
    _sequence(name, values)
    if not all(_is_number(v) and v > 0 for v in values):
        raise ValueError(f"{name} must be a non-empty list of finite positive numbers, got "
                         f"{values!r}")


def _numbers_in(name, values, low, high=None):
    """Every value finite, >= low and (if given) < high."""
    if not isinstance(values, tuple) or not all(
            _is_number(v) and v >= low and (high is None or v < high) for v in values):
        allowed = f"in [{low}, {high})" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be finite numbers {allowed}, got {values!r}")


def _splits(name, fractions, n):
    """Each train fraction leaves at least one train and one test pair of the n^2 pairs."""
    for fraction in fractions:
        check_split(fraction, n * n, name=name)


def _relation(name, value, n):
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a relation name such as 'mod3', 'greater' or "
                         f"'bipartite10', got {value!r}")
    try:
        return parse_relation(value, n)
    except ValueError as err:
        raise ValueError(f"{name}: {err}") from None


def _bool(name, value):
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, got {value!r}")


def _device(value):
    if value not in ("auto", "cpu", "cuda"):
        raise ValueError(f"device must be one of ['auto', 'cpu', 'cuda'], got {value!r}")
    if value == "cuda":
        import torch
        if not torch.cuda.is_available():
            raise ValueError("device must be one of ['auto', 'cpu'] on this machine: 'cuda' "
                             "was asked for but torch finds no CUDA device")


def _choice(name, value, allowed):
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {sorted(allowed)}, got {value!r}")


def _normalize(params) -> None:
    """Turn what papermill, NumPy or a caller may hand in into the declared plain types, in
    place (the dataclasses are frozen): NumPy scalars become Python numbers, lists and arrays
    of a list parameter become tuples, and a single number given for a list parameter becomes
    a list of one."""
    for f in fields(params):
        value = _plain(getattr(params, f.name))
        if isinstance(f.default, tuple):
            if hasattr(value, "tolist") or isinstance(value, list):
                value = tuple(value.tolist() if hasattr(value, "tolist") else value)
            elif _is_number(value) or (isinstance(value, str) and f.default
                                       and all(isinstance(v, str) for v in f.default)):
                value = (value,)            # one number, or one name for a list of names
            elif isinstance(value, str):
                raise ValueError(f"{f.name} must be a list such as {list(f.default) or [1]}, "
                                 f"got the text {value!r}")
            if isinstance(value, tuple):
                value = tuple(_plain(v) for v in value)
        object.__setattr__(params, f.name, value)


def _plain(value):
    """A NumPy scalar as the Python number it holds; anything else unchanged."""
    return value.item() if hasattr(value, "item") and getattr(value, "shape", None) == () \
        else value


# Hard limits on the sizes that decide the memory of one model or batch: above them a run fails
# for want of memory before it finishes. The estimated work of a whole chapter is limited
# separately (`check_work`).
N_MAX = 100          # symbols of a trained relation (n^2 pairs per model; the paper: 30)
WIDTH_MAX = 1024     # decoder units per layer (the paper: 50; the full profiles: at most 100)
DEPTH_MAX = 64       # decoder hidden layers (the paper: 3)
DIM_MAX = 10_000     # input dimension d of the field-theory and two-layer chapters
WORKERS_MAX = 256    # worker processes
STEPS_MAX = 10**8    # optimisation steps of one run (the paper: 1e5); 1e8 is days on a CPU
SEED_MAX = 2**63 - 1  # a seed: torch's generators take no larger one

# The most work a chapter's parameters may ask for, in multiples of its full profile's (the
# paper's sizes: hours on a CPU): ``$GENEFT_MAX_WORK`` if set. Above it `check_work` refuses.
WORK_LIMIT = 100
WORK_ENV = "GENEFT_MAX_WORK"

# The work of each computation a chapter runs, up to a constant factor, as a product over
# parameters of measure(value) ** power; a measure is "value" (a count or a size), "len" (how
# many values a list holds), "sum" or "max" (of a list of sizes), or "flag" (1 if true, else 0).
# Networks cost steps x pairs (n^2) x depth x width^2 per model; Gaussian processes N^3 per solve.
_WORK = {
    "statics": {
        "Monte Carlo": {"n": 2, "mc_relations": ("len", 1), "mc_fractions": ("len", 1),
                        "mc_draws": 1},
        "networks": {"n": 2, "trained_relations": ("len", 1), "fractions": ("len", 1),
                     "seeds": 1, "steps": 1, "depth": 1, "width": 2},
        "ideal decoders": {"n": 2, "trained_relations": ("len", 1), "fractions": ("len", 1),
                           "seeds": 1, "ideal_steps": 1},
    },
    "goldilocks": {
        "depth-width map": {"n": 2, "depths": ("sum", 1), "widths": ("sum", 2), "seeds": 1,
                            "steps": 1},
        "depth curve": {"n": 2, "depths": ("sum", 1), "fig7_width": 2, "seeds": 1, "steps": 1},
        "second map": {"n": 2, "compare_depths": ("sum", 1), "compare_widths": ("sum", 2),
                       "compare_seeds": 1, "compare_steps": 1},
    },
    "repons": {
        "Monte Carlo": {"ratios": ("len", 1), "mc_draws": 1},
        "repon gradient descent": {"ratios": ("len", 1), "gd_draws": 1, "gd_steps": 1},
        "phase grid": {"n": 2, "depth": 1, "width": 2, "grid": 2, "seeds": 1, "steps": 1},
    },
    "fieldtheory": {
        "learning curves": {"n_list": ("max", 3), "draws": 1, "depths": ("len", 1),
                            "sigma2_list": ("len", 1)},
        "kernels": {"n_list": ("max", 2), "draws": 1, "lmax": 1, "depths": ("len", 1)},
        "random features": {"widths": ("max", 2), "net_n_list": ("max", 1), "draws": 1,
                            "n_test": 1, "depths": ("max", 1)},
        "Langevin chains": {"langevin": ("flag", 1), "langevin_width": 2, "d": 1,
                            "langevin_n_list": ("sum", 1), "langevin_steps": 1},
        "Langevin predictions": {"langevin": ("flag", 1), "langevin_width": 1, "d": 1,
                                 "langevin_n_test": 1, "langevin_steps": 1},
    },
    "twolayer": {
        "main runs": {"alphas": ("sum", 1), "width": 1, "steps": 1, "d": 2, "seeds": 1},
        "pure-noise runs": {"noise_alphas": ("sum", 1), "width": 1, "steps": 1, "d": 2,
                            "seeds": 1},
        "init contrast": {"alphas": ("max", 1), "width": 1, "contrast_a0s": ("len", 1),
                          "contrast_steps": 1, "d": 2, "seeds": 1},
        "width check": {"alphas": ("max", 1), "widths": ("sum", 1), "steps": 1, "d": 2,
                        "seeds": 1},
        "test points": {"n_test": 1, "eval_points": 1, "width": 1, "d": 1, "seeds": 1},
    },
    "duality": {
        "learning-rate sweep": {"lrs": ("len", 1), "seeds": 1, "max_epochs": 1,
                                "train_per_class": 1},
        "batch-size sweep": {"batch_sizes": ("len", 1), "seeds": 1, "max_epochs": 1,
                             "train_per_class": 1},
        "penalty sweep": {"betas": ("len", 1), "seeds": 1, "max_epochs": 1,
                          "train_per_class": 1},
        "init sweep": {"init_scales": ("len", 1), "seeds": 1, "max_epochs": 1,
                       "train_per_class": 1},
        "dropout sweep": {"dropouts": ("len", 1), "seeds": 1, "max_epochs": 1,
                          "train_per_class": 1},
        "training-size sweep": {"train_sizes": ("sum", 1), "seeds": 1, "max_epochs": 1},
        "bridge": {"bridge_seeds": 1, "bridge_steps": 1, "bridge_depth": 1, "bridge_width": 2},
    },
}
_FULL = {}   # chapter -> its full profile, once PROFILES is built


def _how(spec) -> str:
    return spec[0] if isinstance(spec, tuple) else "value"


def _measure(value, how: str) -> float:
    if how == "flag":
        return float(bool(value))
    if how == "value":
        return float(max(value, 1))
    return float({"len": len, "sum": sum, "max": max}[how](value) if value else 0)


def work_ratios(chapter: str, params) -> dict:
    """The estimated work of each computation of `chapter` under `params`, as a multiple of
    the same computation under the chapter's full profile (`_WORK` says what each counts)."""
    ratios = {}
    for name, factors in _WORK[chapter].items():
        ratio = 1.0
        for key, spec in factors.items():
            how, power = _how(spec), spec[1] if isinstance(spec, tuple) else spec
            full = _measure(getattr(_FULL[chapter], key), how)
            ratio *= (_measure(getattr(params, key), how) / full) ** power if full else 1.0
        ratios[name] = ratio
    return ratios


def check_work(chapter: str, params) -> None:
    """Refuse parameters whose estimated work exceeds `WORK_LIMIT` times the full profile's in
    any of the chapter's computations (hours to years of silent computing otherwise).

    Raises:
        ValueError: naming the computation, the factor, the limit, and the parameters that
            exceed the full profile's values.
    """
    if chapter not in _FULL:        # the presets themselves, while PROFILES is being built
        return
    limit = os.environ.get(WORK_ENV) or WORK_LIMIT
    try:
        limit = float(limit)
    except ValueError:
        raise ValueError(f"{WORK_ENV} must be a number (times the full profile's work), got "
                         f"{limit!r}") from None
    for name, ratio in work_ratios(chapter, params).items():
        if ratio > limit:
            full = _FULL[chapter]
            big = [f"{k} = {_short(getattr(params, k))} (full: {_short(getattr(full, k))})"
                   for k, spec in _WORK[chapter][name].items()
                   if _measure(getattr(params, k), _how(spec)) > _measure(getattr(full, k),
                                                                          _how(spec))]
            raise ValueError(
                f"these parameters ask the {chapter} chapter's {name} for about {ratio:.3g} "
                f"times the work of its full profile (hours on a CPU); the limit is {limit:g} "
                f"(set ${WORK_ENV} to raise it). Reduce: {', '.join(big)}")


def _short(value) -> str:
    text = repr(list(value) if isinstance(value, tuple) else value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True)
class StaticsParams:
    """Chapter 1 (statics). See the chapter for what each parameter drives."""

    n: int = 30                          # symbols (the paper's n)
    # relations of the ideal reasoner (Fig. 2's panels)
    mc_relations: tuple = ("mod3", "greater", "bipartite10")
    # train fractions of the ideal reasoner
    mc_fractions: tuple = (0.03, 0.06, 0.1, 0.15, 0.2, 0.3, 0.4)
    mc_draws: int = 10                   # Monte Carlo draws per fraction
    # relations of the trained networks (Fig. 3's panels)
    trained_relations: tuple = ("mod3", "greater")
    # train fractions of the networks (full: fine near the 0.9 crossings)
    fractions: tuple = (0.05, 0.1, 0.2, 0.3, 0.5, 0.8)
    seeds: int = 3                       # seeds per (input mode, fraction)
    depth: int = 2                       # decoder hidden layers (paper: 3)
    width: int = 20                      # decoder width (paper: 50)
    activation: str = "tanh"             # decoder activation (the paper's)
    steps: int = 1500                    # Adam steps of the MLP decoders
    ideal_steps: int = 6000              # Adam steps of the ideal decoders (no MLP)
    lr: float = 1e-3                     # Adam learning rate, encoder and decoder (the paper's)
    alpha: float = 0.9                   # known-bit fraction that defines p_c (the paper's)
    workers: int = 2                     # worker processes (one per CPU core)
    cache: str | None = None             # run cache directory; None: the default, "off": none
    device: str = "auto"                 # "auto" (CUDA when present), "cpu" or "cuda"
    save_results: bool = False           # store the networks and the reasoner in data/

    def __post_init__(self):
        _normalize(self)
        _positive_int("n", self.n, N_MAX)
        for name in ("mc_draws", "seeds", "steps", "ideal_steps"):
            _positive_int(name, getattr(self, name))
        _positive_int("width", self.width, WIDTH_MAX)
        _check_engine(self)
        _int_at_least("depth", self.depth, 0, DEPTH_MAX)
        for name in ("mc_fractions", "fractions"):
            _fractions(name, getattr(self, name))
            _splits(name, getattr(self, name), self.n)
        for name in ("mc_relations", "trained_relations"):
            _sequence(name, getattr(self, name))
            for spec in getattr(self, name):
                _relation(name, spec, self.n)
        from .models import ACTIVATIONS   # here, not at the top: torch takes 1 s to import
        _choice("activation", self.activation, ACTIVATIONS)
        _positive_number("lr", self.lr)
        _in_unit_interval("alpha", self.alpha)
        _finish("statics", self)


def _finish(chapter: str, p) -> None:
    """The last checks of every chapter: `save_results` is a bool, and the work is bounded."""
    _bool("save_results", p.save_results)
    check_work(chapter, p)


def _check_common(p) -> None:
    """Checks shared by the chapters that train networks and classify their phases: Table IV
    threshold and delay, device, workers, cache."""
    _in_unit_interval("threshold", p.threshold)
    _int_at_least("grokking_delay", p.grokking_delay, 0)
    _check_engine(p)


def _check_engine(p) -> None:
    """Checks shared by the chapters that train through the sweep engine: device, workers,
    cache."""
    _device(p.device)
    _positive_int("workers", p.workers, WORKERS_MAX)
    _cache(p.cache)


def _cache(cache) -> None:
    if cache is not None and (not isinstance(cache, str) or not cache.strip()):
        raise ValueError(f"cache must be a directory path, 'off' or None (the default "
                         f"location), got {cache!r}")


@dataclass(frozen=True)
class GoldilocksParams:
    """Chapter 2 (Goldilocks zone). See the chapter for what each parameter drives."""

    n: int = 30                          # symbols (the paper's n)
    relation: str = "mod3"               # main task, an equivalence (the paper's Fig. 7)
    fraction: float = 0.3                # train fraction (the paper's Fig. 7)
    depths: tuple = (1, 2, 3, 4, 5, 6)   # decoder depths of the capacity map (the paper's Fig. 7)
    widths: tuple = (2, 5, 10, 20)       # decoder widths of the capacity map (ours)
    fig7_width: int = 10                 # decoder width of the depth curve (the paper's Fig. 7)
    seeds: int = 6                       # seeds per cell (teaching notebook: 3)
    steps: int = 2000                    # Adam steps per run (teaching notebook: 6000)
    compare_relation: str = "greater"    # relation of the second map (ours)
    compare_depths: tuple = (1, 2, 4, 6) # its decoder depths
    compare_widths: tuple = (2, 5, 10, 20)  # its decoder widths
    compare_seeds: int = 4               # its seeds per cell
    compare_steps: int = 1500            # its Adam steps per run
    # Adam learning rate, encoder and decoder (the paper's Table III)
    lr: float = 1e-3
    init_scale: float = 0.5              # std of the initial embeddings (the teaching notebook's)
    threshold: float = 0.9               # accuracy threshold of the phases (the paper's Table IV)
    grokking_delay: int = 1000           # train-to-test steps that make grokking (Table IV)
    eval_every: int = 100                # steps between recorded accuracies (ours)
    workers: int = 2                     # worker processes (one per CPU core)
    cache: str | None = None             # run cache directory; None: the default, "off": none
    device: str = "auto"                 # "auto" (CUDA when present), "cpu" or "cuda"
    save_results: bool = False           # store both capacity sweeps in data/

    def __post_init__(self):
        _normalize(self)
        _positive_int("n", self.n, N_MAX)
        _positive_int("fig7_width", self.fig7_width, WIDTH_MAX)
        for name in ("seeds", "steps", "compare_seeds", "compare_steps", "eval_every"):
            _positive_int(name, getattr(self, name))
        _int_list("depths", self.depths, 0, DEPTH_MAX)
        _int_list("compare_depths", self.compare_depths, 0, DEPTH_MAX)
        _int_list("widths", self.widths, 1, WIDTH_MAX)
        _int_list("compare_widths", self.compare_widths, 1, WIDTH_MAX)
        _fractions("fraction", (self.fraction,))
        _splits("fraction", (self.fraction,), self.n)
        for name in ("relation", "compare_relation"):
            _relation(name, getattr(self, name), self.n)
        if parse_relation(self.relation, self.n).family != "equivalence":
            raise ValueError(f"relation must be an equivalence ('modK'), got {self.relation!r}")
        _positive_number("lr", self.lr)
        _positive_number("init_scale", self.init_scale)
        _check_common(self)
        _finish("goldilocks", self)


@dataclass(frozen=True)
class ReponsParams:
    """Chapter 3 (repon dynamics). See the chapter for what each parameter drives."""

    # eta_x / eta_A of the arctan law (Fig. 6)
    ratios: tuple = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
    mc_draws: int = 20_000               # Monte Carlo draws of (a, c) per ratio
    gd_draws: int = 400                  # two-repon gradient-descent systems per ratio
    gd_steps: int = 4000                 # their gradient steps
    n: int = 30                          # symbols (the paper's n)
    relation: str = "mod3"               # task of the phase diagram (the teaching notebook's)
    fraction: float = 0.75               # train fraction (the teaching notebook's)
    depth: int = 2                       # decoder hidden layers (paper: 3)
    width: int = 20                      # decoder width (paper: 50)
    lr_min: float = 1e-4                 # smallest learning rate of the grid (ours)
    lr_max: float = 1e-1                 # largest learning rate of the grid (ours)
    grid: int = 7                        # grid points per axis (ours)
    seeds: int = 1                       # seeds per cell (the paper's count is not known)
    steps: int = 4000                    # Adam steps per run (paper: 1e5, as the notebook reports)
    # decoder L2 of Fig. 8's diagram (ours; the paper's unknown)
    weight_decay: float = 1e-3
    threshold: float = 0.9               # accuracy threshold of the phases (the paper's Table IV)
    grokking_delay: int = 1000           # train-to-test steps that make grokking (Table IV)
    eval_every: int = 50                 # steps between recorded accuracies (teaching notebook's)
    workers: int = 2                     # worker processes (one per CPU core)
    cache: str | None = None             # run cache directory; None: the default, "off": none
    device: str = "auto"                 # "auto" (CUDA when present), "cpu" or "cuda"
    save_results: bool = False           # store the phase grid in data/

    def __post_init__(self):
        _normalize(self)
        _positive_int("n", self.n, N_MAX)
        _positive_int("width", self.width, WIDTH_MAX)
        for name in ("mc_draws", "gd_draws", "gd_steps", "grid", "seeds", "steps", "eval_every"):
            _positive_int(name, getattr(self, name))
        _int_at_least("depth", self.depth, 0, DEPTH_MAX)
        _positive_list("ratios", self.ratios)
        _fractions("fraction", (self.fraction,))
        _splits("fraction", (self.fraction,), self.n)
        _relation("relation", self.relation, self.n)
        if not (_is_number(self.lr_min) and _is_number(self.lr_max)
                and 0 < self.lr_min < self.lr_max):
            raise ValueError(f"lr_min and lr_max must satisfy 0 < lr_min < lr_max, got "
                             f"{self.lr_min!r}, {self.lr_max!r}")
        _positive_number("weight_decay", self.weight_decay)
        _check_common(self)
        _finish("repons", self)


@dataclass(frozen=True)
class FieldtheoryParams:
    """Chapter 4 (field-theory learning curves). See the chapter for what each parameter drives."""

    d: int = 10                          # input dimension; x on the sphere of radius sqrt(d)
    depths: tuple = (2, 4)               # hidden ReLU layers of the learning curves
    spectrum_depths: tuple = (1, 2, 3, 4)  # depths of the spectrum figure
    lmax: int = 30                       # highest spherical-harmonic degree kept
    degrees: tuple = (1, 2, 3)           # target degrees l
    powers: tuple = (1.0, 0.5, 0.25)     # their powers c_l^2
    sigma2_list: tuple = (1.0, 0.2)      # GP ridge and Langevin noise sigma^2 (main, failure mode)
    n_list: tuple = (16, 32, 64, 128, 256, 512, 1024)  # training-set sizes N (doubling)
    draws: int = 5                       # dataset draws per N
    n_test: int = 2000                   # test points of the network comparison
    widths: tuple = (512, 2048)          # widths of the random-feature networks
    net_n_list: tuple = (64, 256, 1024)  # their training-set sizes
    langevin: bool = False               # train whole networks by Langevin dynamics
    langevin_width: int = 512            # their width
    langevin_n_list: tuple = (16, 64, 256)  # their training-set sizes
    langevin_steps: int = 20_000         # Langevin steps per chain
    langevin_lr: float = 1e-3            # Langevin step size
    langevin_burn_in: int = 5_000        # steps before predictions are averaged
    langevin_n_test: int = 500           # test points of the Langevin comparison
    seed: int = 0                        # seed of the data and the target's directions
    device: str = "auto"                 # Langevin chains: "auto" (CUDA if present), "cpu", "cuda"
    cache: str | None = None             # run cache directory; None: the default, "off": none
    save_results: bool = False           # store the result tables in data/

    def __post_init__(self):
        _normalize(self)
        for name in ("lmax", "draws", "n_test"):
            _positive_int(name, getattr(self, name))
        _int_at_least("seed", self.seed, 0, SEED_MAX)
        _int_at_least("d", self.d, 3, DIM_MAX)
        _int_list("depths", self.depths, 1, DEPTH_MAX)
        _int_list("spectrum_depths", self.spectrum_depths, 1, DEPTH_MAX)
        _int_list("degrees", self.degrees, 0)
        _int_list("n_list", self.n_list, 1)
        _int_list("widths", self.widths, 1)
        _int_list("net_n_list", self.net_n_list, 1)
        if max(self.degrees) > self.lmax:
            raise ValueError(f"degrees must be <= lmax ({self.lmax}), got {self.degrees!r}")
        _numbers_in("powers", self.powers, 0)
        if len(self.powers) != len(self.degrees):
            raise ValueError(f"powers must be one number >= 0 per degree, got {self.powers!r}")
        _positive_list("sigma2_list", self.sigma2_list)
        _bool("langevin", self.langevin)
        for name in ("langevin_width", "langevin_steps", "langevin_n_test"):
            _positive_int(name, getattr(self, name))
        _int_at_least("langevin_burn_in", self.langevin_burn_in, 0)
        if self.langevin_burn_in >= self.langevin_steps:
            raise ValueError(f"langevin_burn_in must be < langevin_steps, got "
                             f"{self.langevin_burn_in!r} >= {self.langevin_steps!r}")
        _int_list("langevin_n_list", self.langevin_n_list, 1)
        _positive_number("langevin_lr", self.langevin_lr)
        _device(self.device)
        _cache(self.cache)
        _finish("fieldtheory", self)


@dataclass(frozen=True)
class TwolayerParams:
    """Chapter 5 (two-layer networks, DMFT). See the chapter for what each parameter drives."""

    d: int = 30                          # input dimension
    alphas: tuple = (8, 16, 32)          # sample ratios n/d of the main runs
    width: int = 100                     # hidden units m of the main runs
    widths: tuple = (400,)               # further widths of the collapse check
    a0: float = 0.1                      # init scale of the second layer (small complexity)
    contrast_a0s: tuple = (10.0,)        # init scales contrasted with a0
    contrast_steps: int = 8000           # their steps (the step shrinks as 1/a0^2 for a0 above 1)
    noise_alphas: tuple = (8, 16, 32)    # sample ratios of the pure-noise runs
    tau: float = 0.5                     # label-noise std
    target: str = "latent"               # "latent" (y: tanh(2<u,x>) + tau xi) or "noise"
    eta: float = 0.2                     # mean-field step (per parameter: eta * m)
    steps: int = 6000                    # gradient steps
    seeds: int = 2                       # seeds per curve
    n_test: int = 2000                   # fresh test points
    eval_points: int = 40                # log-spaced records per run
    device: str = "auto"                 # "auto" (CUDA when present), "cpu" or "cuda"
    cache: str | None = None             # run cache directory; None: the default, "off": none
    save_results: bool = False           # store the recorded curves in data/

    def __post_init__(self):
        _normalize(self)
        _positive_int("d", self.d, DIM_MAX)
        for name in ("width", "contrast_steps", "steps", "seeds", "n_test", "eval_points"):
            _positive_int(name, getattr(self, name))
        for name in ("alphas", "contrast_a0s", "noise_alphas"):
            _positive_list(name, getattr(self, name))
        _int_list("widths", self.widths, 1)
        from .twolayer import TARGETS
        _choice("target", self.target, TARGETS)
        for name in ("a0", "tau", "eta"):
            _positive_number(name, getattr(self, name))
        _device(self.device)
        _cache(self.cache)
        _finish("twolayer", self)


@dataclass(frozen=True)
class DualityParams:
    """Chapter 6 (activity-weight duality). See the chapter for what each parameter drives."""

    # "digits" (scikit-learn), "synthetic", "mnist" (local copy)
    dataset: str = "digits"
    lr: float = 0.1                      # base SGD learning rate (the demo code's)
    batch_size: int = 25                 # base batch size (the demo code's)
    beta: float = 0.0                    # base weight-norm penalty
    penalty_epochs: int = 200            # epochs the penalty acts (the demo code's)
    init_scale: float = 1.0              # base init scale (x PyTorch's default)
    dropout: float = 0.0                 # base dropout after layer 1
    train_per_class: int = 100           # base training images per class (all the digits allow)
    max_epochs: int = 1500               # cap on epochs per run (demo code: 1000)
    lrs: tuple = ()                      # swept learning rates (the demo code's)
    batch_sizes: tuple = (25, 250)       # swept batch sizes (the demo code's)
    betas: tuple = (0.0, 0.01)           # swept penalties (the demo code's)
    init_scales: tuple = (1.0, 3.0)      # swept init scales (demo code: 4..7)
    dropouts: tuple = ()                 # swept dropouts (the demo code's)
    train_sizes: tuple = ()              # swept training images per class
    seeds: int = 2                       # seeds per configuration (the demo code's repeats)
    bridge_relation: str = "mod3"        # GenEFT task of the bridge (chapter 3's)
    bridge_fraction: float = 0.75        # its train fraction (chapter 3's)
    bridge_steps: int = 4000             # Adam steps of the GenEFT models
    bridge_seeds: int = 2                # seeds per phase
    bridge_depth: int = 2                # decoder hidden layers (the GenEFT paper's: 3)
    bridge_width: int = 20               # decoder width (the GenEFT paper's: 50)
    bridge_generalizing: tuple = (1e-2, 1e-3)  # (eta_enc, eta_dec) in chapter 3's G region
    bridge_memorizing: tuple = (1e-4, 1e-2)  # (eta_enc, eta_dec) in its M region
    cache: str | None = None             # run cache directory; None: the default, "off": none
    save_results: bool = False           # store the result tables in data/

    def __post_init__(self):
        _normalize(self)
        from .digits import DATASETS
        _choice("dataset", self.dataset, DATASETS)
        for name in ("batch_size", "penalty_epochs", "train_per_class", "max_epochs", "seeds",
                     "bridge_steps", "bridge_seeds"):
            _positive_int(name, getattr(self, name))
        for name in ("lr", "init_scale"):
            _positive_number(name, getattr(self, name))
        for name in ("lrs", "init_scales"):
            if getattr(self, name) != ():
                _positive_list(name, getattr(self, name))
        for name in ("batch_sizes", "train_sizes"):
            if getattr(self, name) != ():
                _int_list(name, getattr(self, name), 1)
        _numbers_in("beta", (self.beta,), 0)
        _numbers_in("betas", self.betas, 0)
        _numbers_in("dropout", (self.dropout,), 0, 1)
        _numbers_in("dropouts", self.dropouts, 0, 1)
        _int_at_least("bridge_depth", self.bridge_depth, 1, DEPTH_MAX)
        _positive_int("bridge_width", self.bridge_width, WIDTH_MAX)
        for name in ("bridge_generalizing", "bridge_memorizing"):
            _positive_list(name, getattr(self, name))
            if len(getattr(self, name)) != 2:
                raise ValueError(f"{name} must be two learning rates (eta_enc, eta_dec), got "
                                 f"{getattr(self, name)!r}")
        _relation("bridge_relation", self.bridge_relation, 30)
        _fractions("bridge_fraction", (self.bridge_fraction,))
        _splits("bridge_fraction", (self.bridge_fraction,), 30)
        _cache(self.cache)
        _finish("duality", self)


PROFILES = {
    "statics": {
        "quick": StaticsParams(),
        "full": StaticsParams(
            mc_relations=("mod3", "mod5", "greater", "bipartite10"),
            mc_fractions=(0.01, *(round(0.02 * i, 2) for i in range(1, 26))), mc_draws=100,
            # the relations with an ideal decoder; steps of 0.025 where the curves cross 0.9
            trained_relations=("mod3", "mod5", "greater"),
            fractions=(0.05, 0.1, 0.15, 0.2, *(round(0.25 + 0.025 * i, 3) for i in range(21)),
                       0.8, 0.9), seeds=5,
            depth=3, width=50, steps=10_000, ideal_steps=20_000, save_results=True),
    },
    "goldilocks": {
        "quick": GoldilocksParams(),
        "full": GoldilocksParams(widths=(2, 5, 10, 20, 50, 100), seeds=10, steps=10_000,
                                 compare_depths=(1, 2, 3, 4, 5, 6),
                                 compare_widths=(2, 5, 10, 20, 50, 100), compare_seeds=10,
                                 compare_steps=10_000, save_results=True),
    },
    "repons": {
        "quick": ReponsParams(),
        "full": ReponsParams(mc_draws=200_000, gd_draws=2000, depth=3, width=50, grid=12,
                             seeds=5, steps=10_000, lr_max=3e-2, save_results=True),
    },
    "fieldtheory": {
        "quick": FieldtheoryParams(),
        "full": FieldtheoryParams(draws=20, n_list=(16, 32, 64, 128, 256, 512, 1024, 2048),
                                  widths=(512, 1024, 2048, 4096),
                                  net_n_list=(64, 256, 1024, 2048), langevin=True,
                                  save_results=True),
    },
    "twolayer": {
        "quick": TwolayerParams(),
        "full": TwolayerParams(d=50, widths=(400, 1600), contrast_a0s=(0.01, 1.0, 3.0, 10.0),
                               contrast_steps=20_000, steps=10_000, seeds=5, save_results=True),
    },
    "duality": {
        "quick": DualityParams(),
        "full": DualityParams(lrs=(0.005, 0.01, 0.02, 0.05, 0.1), batch_sizes=(25, 100, 200, 400),
                              betas=(0.0, 0.005, 0.01, 0.02), init_scales=(1.0, 2.0, 3.0, 4.0),
                              dropouts=(0.0, 0.05, 0.1, 0.2, 0.3), train_sizes=(25, 50, 100),
                              max_epochs=3000, seeds=10, bridge_steps=10_000, bridge_seeds=5,
                              bridge_depth=3, bridge_width=50, save_results=True),
    },
}
_FULL.update({chapter: presets["full"] for chapter, presets in PROFILES.items()})


_CELL_WIDTH = 88     # the code column of a chapter page at desktop width (tests/test_book.py)
_CELL_HEAD = ('# Papermill parameters: None takes the value of the profile.\n'
              '# Beside each: what it is, then [its quick value | its full value].\n'
              'profile = "quick"          # "quick": for a 2-core CPU; "full": nearer the paper\n')


def parameters_cell(chapter: str) -> str:
    """The source of `chapter`'s papermill parameters cell, made from this module: each
    parameter's line carries the comment on its dataclass field and its values in the two
    profiles, so that the chapters cannot state other values than the profiles give (a test
    compares every chapter's cell with this; `tools/parameters_cells.py` writes them)."""
    quick, full = PROFILES[chapter]["quick"], PROFILES[chapter]["full"]
    notes = _field_notes(type(quick))
    lines = []
    for f in fields(quick):
        a, b = _cell_value(getattr(quick, f.name)), _cell_value(getattr(full, f.name))
        values = f"[{a}]" if a == b else f"[{a} | full {b}]"
        lines.append(_cell_line(f"{f.name} = None", notes[f.name], values))
    return _CELL_HEAD + "\n".join(lines) + "\n"


def _cell_line(code: str, note: str, values: str) -> str:
    """`code  # note [values]` within _CELL_WIDTH: what does not fit goes on comment lines
    below, the values on lines of their own."""
    line = code.ljust(27) + f"# {note} {values}"
    if len(line) <= _CELL_WIDTH:
        return line
    wrap = lambda text, first: textwrap.wrap(  # noqa: E731
        text, _CELL_WIDTH - 29, initial_indent=first, subsequent_indent="  ",
        break_on_hyphens=False)
    rows = wrap(note, "") + wrap(values, "  ")
    return "\n".join([code.ljust(27) + "# " + rows[0]]
                     + [" " * 27 + "# " + row for row in rows[1:]])


def _field_notes(cls) -> dict:
    """Each field's comment in the source of dataclass `cls`: at the end of its line, or on
    the comment line just above it."""
    notes, above = {}, None
    for line in textwrap.dedent(inspect.getsource(cls)).splitlines():
        field = re.match(r"^    (\w+): [^=]+=[^#]*(?:#\s*(.*))?$", line)
        if field:
            notes[field.group(1)] = field.group(2) or above
        above = re.match(r"^    #\s*(.*)$", line)
        above = above.group(1) if above else None
    missing = [f.name for f in fields(cls) if not notes.get(f.name)]
    if missing:
        raise ValueError(f"{cls.__name__}: no comment on field(s) {missing}")
    # papermill's parser of the parameters cell drops a line whose comment holds "="
    equals = [name for name, note in notes.items() if "=" in note]
    if equals:
        raise ValueError(f"{cls.__name__}: the comment on field(s) {equals} holds '=', which "
                         f"papermill cannot read in a parameters cell")
    return notes


def _cell_value(value) -> str:
    """A parameter value as the parameters cell shows it: short lists in full, long ones as
    first..last (count)."""
    if isinstance(value, tuple):
        items = [_cell_value(v) for v in value]
        if not items:
            return "none"
        return ", ".join(items) if len(items) <= 4 else f"{items[0]}..{items[-1]} ({len(items)})"
    if isinstance(value, bool):
        return "on" if value else "off"
    if value is None:
        return "default"
    return f"{value:g}" if isinstance(value, float) else str(value)


def resolve(chapter: str, profile: str = "quick", **given):
    """The parameters of `chapter` under `profile`, with every non-None value of `given`
    replacing the profile's. Lists become tuples. Raises ValueError naming the bad chapter,
    profile, parameter name or value, with what is allowed."""
    if not isinstance(chapter, str) or chapter not in PROFILES:
        raise ValueError(f"chapter must be one of {sorted(PROFILES)}, got {chapter!r}")
    if not isinstance(profile, str) or profile not in PROFILES[chapter]:
        raise ValueError(f"profile must be one of {sorted(PROFILES[chapter])}, got {profile!r}")
    base = PROFILES[chapter][profile]
    names = [f.name for f in fields(base)]
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown} for chapter {chapter!r}; "
                         f"valid: {names}")
    return replace(base, **{k: v for k, v in given.items() if v is not None})


def from_namespace(chapter: str, namespace: dict):
    """`resolve` with the profile and parameters read from a notebook's namespace (the
    variables its `parameters` cell defined, possibly injected by papermill).

    A name papermill injected that is no parameter of the chapter is an error (papermill itself
    only warns, and the chapter would run in full without it): the injected names are read
    from the kernel's input history (IPython's `In`), where papermill's cell opens with
    "# Parameters"; they are parsed, never evaluated.
    """
    base = PROFILES.get(chapter, {}).get("quick")
    names = [f.name for f in fields(base)] if base is not None else []
    given = {k: namespace[k] for k in names if k in namespace}
    given.update({k: namespace.get(k) for k in injected_names(namespace) if k != "profile"})
    return resolve(chapter, namespace.get("profile", "quick"), **given)


def injected_names(namespace: dict) -> list[str]:
    """The names papermill assigned in the cells it injected into a running notebook, read
    from the input history `In` of `namespace` (an IPython kernel's globals); [] elsewhere."""
    found = []
    for source in namespace.get("In") or ():
        if isinstance(source, str) and source.startswith("# Parameters\n"):
            try:
                tree = ast.parse(source)
            except SyntaxError:
                continue
            found += [t.id for node in tree.body if isinstance(node, ast.Assign)
                      for t in node.targets if isinstance(t, ast.Name)]
    return found


# The sweeps the chapters keep in the results store (geneft.store), with the parameters that
# decide their numbers: the store's configuration, hence its lookup key.
STORED = {
    "goldilocks/capacity": ("relation", "n", "fraction", "depths", "widths", "fig7_width",
                            "seeds", "steps", "lr", "init_scale", "threshold",
                            "grokking_delay", "eval_every"),
    "goldilocks/compare": ("compare_relation", "n", "fraction", "compare_depths",
                           "compare_widths", "compare_seeds", "compare_steps", "lr",
                           "init_scale", "threshold", "grokking_delay", "eval_every"),
    "statics/networks": ("n", "trained_relations", "fractions", "seeds", "depth", "width",
                         "activation", "steps", "ideal_steps", "lr"),
    "statics/reasoner": ("n", "mc_relations", "mc_fractions", "mc_draws"),
    "duality/networks": ("dataset", "lr", "batch_size", "beta", "penalty_epochs", "init_scale",
                         "dropout", "train_per_class", "max_epochs", "lrs", "batch_sizes",
                         "betas", "init_scales", "dropouts", "train_sizes", "seeds",
                         "bridge_relation", "bridge_fraction", "bridge_steps", "bridge_seeds",
                         "bridge_depth", "bridge_width", "bridge_generalizing",
                         "bridge_memorizing"),
    "fieldtheory/learning-curves": ("d", "depths", "lmax", "degrees", "powers", "sigma2_list",
                                    "n_list", "draws", "n_test", "widths", "net_n_list",
                                    "langevin", "langevin_width", "langevin_n_list",
                                    "langevin_steps", "langevin_lr", "langevin_burn_in",
                                    "langevin_n_test", "seed"),
    "repons/law": ("ratios", "mc_draws", "gd_draws", "gd_steps"),
    "repons/phase-grid": ("relation", "n", "fraction", "depth", "width", "lr_min", "lr_max",
                          "grid", "seeds", "steps", "weight_decay", "eval_every"),
    "twolayer/curves": ("d", "alphas", "width", "widths", "a0", "contrast_a0s", "contrast_steps",
                        "noise_alphas", "tau", "target", "eta", "steps", "seeds", "n_test",
                        "eval_points"),
}


def stored_config(name: str, params) -> dict:
    """The results-store configuration of sweep `name` (a key of STORED) under `params`."""
    if name not in STORED:
        raise ValueError(f"name must be one of {sorted(STORED)}, got {name!r}")
    return {"sweep": name, **{k: list(v) if isinstance(v, tuple) else v
                              for k, v in ((k, getattr(params, k)) for k in STORED[name])}}


def provenance(chapter: str, params) -> str:
    """The line under a chapter's figures: its profile (or "custom"), a hash of the parameters
    that decide the numbers, the library version and the git commit."""
    from . import __version__
    from .store import config_hash, git_commit
    decide = lambda p: {k: list(v) if isinstance(v, tuple) else v  # noqa: E731
                        for k, v in vars(p).items() if k not in _NOT_NUMBERS}
    named = [name for name, preset in PROFILES[chapter].items() if decide(preset) == decide(params)]
    commit = git_commit()
    return (f"{chapter}, profile {named[0] if named else 'custom'}, config "
            f"{config_hash(decide(params))}, geneft {__version__}, commit {commit[:7]}"
            f"{'-dirty' * commit.endswith('-dirty')}")


# Parameters that change where and how fast a chapter runs, not its numbers.
_NOT_NUMBERS = ("workers", "cache", "device", "save_results")
