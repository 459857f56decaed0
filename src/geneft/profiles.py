"""Chapter parameters and their profiles, defined once for the chapters, the CLI and the tests.

Each chapter has a frozen dataclass of parameters and two presets: "quick" (what the book
executes on a 2-core CPU in minutes) and "full" (the paper's sizes; a GPU or patience).
A chapter's papermill `parameters` cell sets `profile` and leaves every other parameter None;
`resolve` fills the Nones from the profile, validates, and returns the dataclass.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

from .tasks import parse_relation

__all__ = ["provenance", "StaticsParams", "GoldilocksParams", "ReponsParams", "FieldtheoryParams",
           "TwolayerParams", "DualityParams", "PROFILES", "STORED", "resolve", "from_namespace",
           "stored_config"]


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _int_at_least(name, value, low):
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")


def _positive_number(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")


def _in_unit_interval(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise ValueError(f"{name} must be in (0, 1), got {value!r}")


def _int_list(name, values, low):
    if not values or not all(isinstance(v, int) and not isinstance(v, bool) and v >= low
                             for v in values):
        raise ValueError(f"{name} must be a non-empty list of integers >= {low}, got {values!r}")


def _fractions(name, values):
    if not values or not all(isinstance(v, (int, float)) and 0 < v < 1 for v in values):
        raise ValueError(f"{name} must be a non-empty list of numbers in (0, 1), got {values!r}")


def _positive_list(name, values):
    if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0
                             for v in values):
        raise ValueError(f"{name} must be a non-empty list of positive numbers, got {values!r}")


def _bool(name, value):
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, got {value!r}")


def _device(value):
    if value not in ("auto", "cpu", "cuda"):
        raise ValueError(f"device must be one of ['auto', 'cpu', 'cuda'], got {value!r}")


@dataclass(frozen=True)
class StaticsParams:
    """Chapter 1 (statics). See the chapter for what each parameter drives."""

    n: int = 30                          # symbols (paper: 30)
    mc_relations: tuple = ("mod3", "greater", "bipartite10")  # Fig. 2 panels
    mc_fractions: tuple = (0.03, 0.06, 0.1, 0.15, 0.2, 0.3, 0.4)
    mc_draws: int = 10                   # Monte Carlo draws per fraction
    trained_relations: tuple = ("mod3", "greater")   # Fig. 3 panels
    fractions: tuple = (0.05, 0.1, 0.2, 0.3, 0.5, 0.8)  # train fractions for networks
    seeds: int = 3                       # seeds per (mode, fraction)
    depth: int = 2                       # decoder hidden layers (paper: 3)
    width: int = 20                      # decoder width (paper: 50)
    activation: str = "tanh"
    steps: int = 1500                    # Adam steps for the MLP decoders
    ideal_steps: int = 6000              # Adam steps for the ideal decoders (d = 1, no MLP)
    lr: float = 1e-3                     # Adam learning rate, encoder and decoder (paper: 1e-3)
    alpha: float = 0.9                   # target known-bit fraction for p_c (paper: 0.9)
    device: str = "auto"                 # "auto" (CUDA when present), "cpu", "cuda"

    def __post_init__(self):
        for name in ("n", "mc_draws", "seeds", "width", "steps", "ideal_steps"):
            _positive_int(name, getattr(self, name))
        _int_at_least("depth", self.depth, 0)
        _fractions("mc_fractions", self.mc_fractions)
        _fractions("fractions", self.fractions)
        for name in ("mc_relations", "trained_relations"):
            for spec in getattr(self, name):
                parse_relation(spec, self.n)
        from .models import ACTIVATIONS   # here, not at the top: torch takes 1 s to import
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, "
                             f"got {self.activation!r}")
        _positive_number("lr", self.lr)
        _in_unit_interval("alpha", self.alpha)
        _device(self.device)


def _check_common(p) -> None:
    """Checks shared by the chapters that train networks and classify their phases: Table IV
    threshold and delay, device, workers, cache."""
    _in_unit_interval("threshold", p.threshold)
    _int_at_least("grokking_delay", p.grokking_delay, 0)
    _device(p.device)
    _positive_int("workers", p.workers)
    if p.cache is not None and not isinstance(p.cache, str):
        raise ValueError(f"cache must be a directory path, 'off' or None (the default "
                         f"location), got {p.cache!r}")


@dataclass(frozen=True)
class GoldilocksParams:
    """Chapter 2 (Goldilocks zone). See the chapter for what each parameter drives."""

    n: int = 30                          # symbols (paper: 30)
    relation: str = "mod3"               # main task (paper Fig. 7: mod 3)
    fraction: float = 0.3                # train fraction (paper Fig. 7: 0.3)
    depths: tuple = (1, 2, 3, 4, 5, 6)   # heat-map decoder depths (paper: 1..6)
    widths: tuple = (2, 5, 10, 20)       # heat-map decoder widths (full: 2..100)
    fig7_width: int = 10                 # width of the depth curve (paper Fig. 7: 10)
    seeds: int = 6                       # seeds per cell (paper: 3; full: 10)
    steps: int = 2000                    # Adam steps per run (full 1e4; teaching notebook 6000)
    compare_relation: str = "greater"    # second heat map
    compare_depths: tuple = (1, 2, 4, 6)
    compare_widths: tuple = (2, 5, 10, 20)
    compare_seeds: int = 4
    compare_steps: int = 1500
    lr: float = 1e-3                     # Adam, encoder and decoder (paper: 1e-3)
    init_scale: float = 0.5              # embeddings ~ N(0, 0.5^2) (teaching notebook's choice)
    threshold: float = 0.9               # Table IV accuracy threshold (paper: 0.9)
    grokking_delay: int = 1000           # Table IV delay between train and test crossing
    eval_every: int = 100                # steps between recorded accuracies
    workers: int = 2                     # worker processes (one per CPU core)
    cache: str | None = None             # run cache directory; None: sweeps.default_cache()
    device: str = "auto"                 # "auto" (CUDA when present), "cpu", "cuda"
    save_results: bool = False           # write both capacity sweeps to the results store (data/)

    def __post_init__(self):
        _bool("save_results", self.save_results)
        for name in ("n", "fig7_width", "seeds", "steps", "compare_seeds", "compare_steps",
                     "eval_every"):
            _positive_int(name, getattr(self, name))
        _int_list("depths", self.depths, 0)
        _int_list("compare_depths", self.compare_depths, 0)
        _int_list("widths", self.widths, 1)
        _int_list("compare_widths", self.compare_widths, 1)
        _fractions("fraction", (self.fraction,))
        for name in ("relation", "compare_relation"):
            parse_relation(getattr(self, name), self.n)
        if parse_relation(self.relation, self.n).family != "equivalence":
            raise ValueError(f"relation must be an equivalence ('modK'), got {self.relation!r}")
        _positive_number("lr", self.lr)
        _positive_number("init_scale", self.init_scale)
        _check_common(self)


@dataclass(frozen=True)
class ReponsParams:
    """Chapter 3 (repon dynamics). See the chapter for what each parameter drives."""

    ratios: tuple = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)  # eta_x / eta_A (Fig. 6)
    mc_draws: int = 20_000               # Monte Carlo draws of (a, c) per ratio
    gd_draws: int = 400                  # two-repon gradient-descent systems per ratio
    gd_steps: int = 4000                 # their gradient steps
    n: int = 30                          # symbols (paper: 30)
    relation: str = "mod3"               # task of the phase diagram (the teaching notebook: mod 3)
    fraction: float = 0.75               # train fraction (the teaching notebook: 0.75)
    depth: int = 2                       # decoder hidden layers (paper: 3; full 3)
    width: int = 20                      # decoder width (paper: 50; full 50)
    lr_min: float = 1e-4                 # smallest learning rate of the grid
    lr_max: float = 1e-1                 # largest
    grid: int = 7                        # grid points per axis (full: 12)
    seeds: int = 1                       # seeds per cell (full: 2; the paper's count is not known)
    steps: int = 4000                    # Adam steps per run (paper: 1e5; full: 1e4)
    weight_decay: float = 1e-3           # decoder L2, Fig. 8 (our choice; paper's unknown)
    threshold: float = 0.9               # Table IV accuracy threshold
    grokking_delay: int = 1000           # Table IV delay
    eval_every: int = 50                 # steps between recorded accuracies (teaching notebook: 50)
    workers: int = 2                     # worker processes (one per CPU core)
    cache: str | None = None             # run cache directory; None: sweeps.default_cache()
    device: str = "auto"                 # "auto" (CUDA when present), "cpu", "cuda"
    save_results: bool = False           # write the phase grid to the results store (data/)

    def __post_init__(self):
        for name in ("mc_draws", "gd_draws", "gd_steps", "n", "width", "grid", "seeds",
                     "steps", "eval_every"):
            _positive_int(name, getattr(self, name))
        _int_at_least("depth", self.depth, 0)
        _positive_list("ratios", self.ratios)
        _fractions("fraction", (self.fraction,))
        parse_relation(self.relation, self.n)
        if not (isinstance(self.lr_min, (int, float)) and isinstance(self.lr_max, (int, float))
                and 0 < self.lr_min < self.lr_max):
            raise ValueError(f"lr_min and lr_max must satisfy 0 < lr_min < lr_max, got "
                             f"{self.lr_min!r}, {self.lr_max!r}")
        _positive_number("weight_decay", self.weight_decay)
        _bool("save_results", self.save_results)
        _check_common(self)


@dataclass(frozen=True)
class FieldtheoryParams:
    """Chapter 4 (field-theory learning curves). See the chapter for what each parameter drives."""

    d: int = 10                          # input dimension; x on the sphere of radius sqrt(d)
    depths: tuple = (2, 4)               # hidden ReLU layers of the learning curves
    spectrum_depths: tuple = (1, 2, 3, 4)  # depths of the spectrum figure
    lmax: int = 30                       # highest spherical-harmonic degree kept
    degrees: tuple = (1, 2, 3)           # target degrees l ...
    powers: tuple = (1.0, 0.5, 0.25)     # ... and their powers c_l^2
    sigma2_list: tuple = (1.0, 0.2)      # GP ridge = Langevin noise sigma^2 (main, failure mode)
    n_list: tuple = (16, 32, 64, 128, 256, 512, 1024)   # training-set sizes N
    draws: int = 5                       # dataset draws per N (full: 20)
    n_test: int = 2000                   # test points
    widths: tuple = (512, 2048)          # random-feature read-out networks
    net_n_list: tuple = (64, 256, 1024)  # their N
    langevin: bool = False               # train whole networks by Langevin dynamics (full: on)
    langevin_width: int = 512            # their width
    langevin_n_list: tuple = (16, 64, 256)  # their N
    langevin_steps: int = 20_000         # Langevin steps per chain
    langevin_lr: float = 1e-3            # step size
    langevin_burn_in: int = 5_000        # steps before predictions are averaged
    langevin_n_test: int = 500           # test points of the Langevin comparison
    seed: int = 0
    device: str = "auto"                 # Langevin chains: "auto" (CUDA if present), "cpu", "cuda"

    def __post_init__(self):
        for name in ("d", "lmax", "draws", "n_test"):
            _positive_int(name, getattr(self, name))
        _int_at_least("seed", self.seed, 0)
        if self.d < 3:
            raise ValueError(f"d must be an integer >= 3, got {self.d!r}")
        _int_list("depths", self.depths, 1)
        _int_list("spectrum_depths", self.spectrum_depths, 1)
        _int_list("degrees", self.degrees, 0)
        _int_list("n_list", self.n_list, 1)
        _int_list("widths", self.widths, 1)
        _int_list("net_n_list", self.net_n_list, 1)
        if max(self.degrees) > self.lmax:
            raise ValueError(f"degrees must be <= lmax ({self.lmax}), got {self.degrees!r}")
        if len(self.powers) != len(self.degrees) or not all(
                isinstance(p, (int, float)) and p >= 0 for p in self.powers):
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


@dataclass(frozen=True)
class TwolayerParams:
    """Chapter 5 (two-layer networks, DMFT). See the chapter for what each parameter drives."""

    d: int = 30                          # input dimension (full: 50)
    alphas: tuple = (8, 16, 32)          # sample ratios n/d of the main runs (full: 4..64)
    width: int = 100                     # hidden units m of the main runs
    widths: tuple = (400,)               # further widths of the collapse check (full: 400, 1600)
    a0: float = 0.1                      # init scale of the second layer (small complexity)
    contrast_a0s: tuple = (10.0,)        # init scales contrasted with a0 (full: 0.01, 1, 3, 10)
    contrast_steps: int = 8000           # their steps (the step shrinks as 1/a0^2 above a0 = 1)
    noise_alphas: tuple = (8, 16, 32)    # sample ratios of the pure-noise runs
    tau: float = 0.5                     # label-noise std
    target: str = "latent"               # "latent": y = tanh(2 <u, x>) + tau xi
    eta: float = 0.2                     # mean-field step (per parameter: eta * m)
    steps: int = 6000                    # gradient steps (full: 2e4)
    seeds: int = 2                       # seeds per curve (full: 10)
    n_test: int = 2000                   # fresh test points
    eval_points: int = 40                # log-spaced records per run
    device: str = "auto"                 # "auto" (CUDA when present), "cpu", "cuda"

    def __post_init__(self):
        for name in ("d", "width", "contrast_steps", "steps", "seeds", "n_test", "eval_points"):
            _positive_int(name, getattr(self, name))
        for name in ("alphas", "contrast_a0s", "noise_alphas"):
            _positive_list(name, getattr(self, name))
        _int_list("widths", self.widths, 1)
        from .twolayer import TARGETS
        if self.target not in TARGETS:
            raise ValueError(f"target must be one of {sorted(TARGETS)}, got {self.target!r}")
        for name in ("a0", "tau", "eta"):
            _positive_number(name, getattr(self, name))
        _device(self.device)


@dataclass(frozen=True)
class DualityParams:
    """Chapter 6 (activity-weight duality). See the chapter for what each parameter drives."""

    dataset: str = "digits"              # "digits" (scikit-learn), "synthetic", "mnist" (local)
    lr: float = 0.1                      # base SGD learning rate (official: 0.1)
    batch_size: int = 25                 # base batch size (official: 25)
    beta: float = 0.0                    # base weight-norm penalty
    penalty_epochs: int = 200            # epochs the penalty acts (official: 200)
    init_scale: float = 1.0              # base init scale (x PyTorch default)
    dropout: float = 0.0                 # base dropout after layer 1
    train_per_class: int = 100           # base training images per class (digits: <= 100)
    max_epochs: int = 1500               # cap on training epochs per run
    lrs: tuple = ()                      # swept values; () = not swept (full: 0.005 .. 0.1)
    batch_sizes: tuple = (25, 250)       # (full: 25, 100, 200, 400)
    betas: tuple = (0.0, 0.01)           # (full: 0, 5e-3, 1e-2, 2e-2)
    init_scales: tuple = (1.0, 3.0)      # (full: 1, 2, 3, 4)
    dropouts: tuple = ()                 # (full: 0, 0.05, 0.1, 0.2, 0.3)
    train_sizes: tuple = ()              # training images per class (full: 25, 50, 100)
    seeds: int = 2                       # seeds per configuration (full: 10)
    bridge_relation: str = "mod3"        # GenEFT task of the bridge (chapter 3's)
    bridge_fraction: float = 0.75        # its train fraction
    bridge_steps: int = 4000             # Adam steps of the GenEFT models
    bridge_seeds: int = 2                # seeds per phase
    bridge_depth: int = 2                # decoder of the bridge models (chapter 3 quick: 2 x 20)
    bridge_width: int = 20
    bridge_generalizing: tuple = (1e-2, 1e-3)   # (eta_enc, eta_dec) in chapter 3's G region
    bridge_memorizing: tuple = (1e-4, 1e-2)     # ... and in its M region

    def __post_init__(self):
        from .duality import DATASETS
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {sorted(DATASETS)}, got {self.dataset!r}")
        for name in ("batch_size", "penalty_epochs", "train_per_class", "max_epochs", "seeds",
                     "bridge_steps", "bridge_seeds"):
            _positive_int(name, getattr(self, name))
        for name in ("lr", "init_scale"):
            _positive_number(name, getattr(self, name))
        for name in ("lrs", "init_scales"):
            if getattr(self, name):
                _positive_list(name, getattr(self, name))
        for name in ("batch_sizes", "train_sizes"):
            if getattr(self, name):
                _int_list(name, getattr(self, name), 1)
        for name, values in (("beta", (self.beta,)), ("betas", self.betas)):
            if not all(isinstance(v, (int, float)) and v >= 0 for v in values):
                raise ValueError(f"{name} must be numbers >= 0, got {values!r}")
        for name, values in (("dropout", (self.dropout,)), ("dropouts", self.dropouts)):
            if not all(isinstance(v, (int, float)) and 0 <= v < 1 for v in values):
                raise ValueError(f"{name} must be numbers in [0, 1), got {values!r}")
        for name in ("bridge_depth", "bridge_width"):
            _positive_int(name, getattr(self, name))
        for name in ("bridge_generalizing", "bridge_memorizing"):
            if len(getattr(self, name)) != 2:
                raise ValueError(f"{name} must be two learning rates (eta_enc, eta_dec), got "
                                 f"{getattr(self, name)!r}")
            _positive_list(name, getattr(self, name))
        parse_relation(self.bridge_relation, 30)
        _fractions("bridge_fraction", (self.bridge_fraction,))


PROFILES = {
    "statics": {
        "quick": StaticsParams(),
        "full": StaticsParams(
            mc_relations=("mod3", "mod5", "greater", "bipartite10"),
            mc_fractions=tuple(round(0.02 * i, 2) for i in range(1, 26)), mc_draws=100,
            trained_relations=("mod3", "mod5", "greater", "bipartite10"),
            fractions=tuple(round(0.05 * i, 2) for i in range(1, 19)), seeds=5,
            depth=3, width=50, steps=10_000, ideal_steps=20_000),
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
                             seeds=2, steps=10_000, lr_max=3e-2, save_results=True),
    },
    "fieldtheory": {
        "quick": FieldtheoryParams(),
        "full": FieldtheoryParams(draws=20, n_list=(16, 32, 64, 128, 256, 512, 1024, 2048),
                                  widths=(512, 1024, 2048, 4096),
                                  net_n_list=(64, 256, 1024, 2048), langevin=True),
    },
    "twolayer": {
        "quick": TwolayerParams(),
        "full": TwolayerParams(d=50, alphas=(4, 8, 16, 32, 64), widths=(400, 1600),
                               contrast_a0s=(0.01, 1.0, 3.0, 10.0), contrast_steps=40_000,
                               noise_alphas=(4, 8, 16, 32, 64), steps=20_000, seeds=10),
    },
    "duality": {
        "quick": DualityParams(),
        "full": DualityParams(lrs=(0.005, 0.01, 0.02, 0.05, 0.1), batch_sizes=(25, 100, 200, 400),
                              betas=(0.0, 0.005, 0.01, 0.02), init_scales=(1.0, 2.0, 3.0, 4.0),
                              dropouts=(0.0, 0.05, 0.1, 0.2, 0.3), train_sizes=(25, 50, 100),
                              max_epochs=3000, seeds=10, bridge_steps=10_000, bridge_seeds=5),
    },
}


def resolve(chapter: str, profile: str = "quick", **given):
    """The parameters of `chapter` under `profile`, with every non-None value of `given`
    replacing the profile's. Lists become tuples. Raises ValueError naming the bad chapter,
    profile, parameter name or value, with what is allowed."""
    if chapter not in PROFILES:
        raise ValueError(f"chapter must be one of {sorted(PROFILES)}, got {chapter!r}")
    if profile not in PROFILES[chapter]:
        raise ValueError(f"profile must be one of {sorted(PROFILES[chapter])}, got {profile!r}")
    base = PROFILES[chapter][profile]
    names = [f.name for f in fields(base)]
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown} for chapter {chapter!r}; "
                         f"valid: {names}")
    changes = {k: tuple(v) if isinstance(v, list) else v for k, v in given.items()
               if v is not None}
    return replace(base, **changes)


def from_namespace(chapter: str, namespace: dict):
    """`resolve` with the profile and parameters read from a notebook's namespace (the
    variables its `parameters` cell defined, possibly injected by papermill)."""
    base = PROFILES.get(chapter, {}).get("quick")
    names = [f.name for f in fields(base)] if base is not None else []
    return resolve(chapter, namespace.get("profile", "quick"),
                   **{k: namespace[k] for k in names if k in namespace})


# The sweeps the chapters keep in the results store (geneft.store), with the parameters that
# decide their numbers: the store's configuration, hence its lookup key.
STORED = {
    "goldilocks/capacity": ("relation", "n", "fraction", "depths", "widths", "fig7_width",
                            "seeds", "steps", "lr", "init_scale", "threshold",
                            "grokking_delay", "eval_every"),
    "goldilocks/compare": ("compare_relation", "n", "fraction", "compare_depths",
                           "compare_widths", "compare_seeds", "compare_steps", "lr",
                           "init_scale", "threshold", "grokking_delay", "eval_every"),
    "repons/phase-grid": ("relation", "n", "fraction", "depth", "width", "lr_min", "lr_max",
                          "grid", "seeds", "steps", "weight_decay", "eval_every"),
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
