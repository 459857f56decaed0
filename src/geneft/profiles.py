"""Chapter parameters and their profiles, defined once for the chapters, the CLI and the tests.

Each chapter has a frozen dataclass of parameters and two presets: "quick" (what the book
executes on a 2-core CPU in minutes) and "full" (the paper's sizes; a GPU or patience).
A chapter's papermill `parameters` cell sets `profile` and leaves every other parameter None;
`resolve` fills the Nones from the profile, validates, and returns the dataclass.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

from .models import ACTIVATIONS
from .tasks import make_relation

__all__ = ["StaticsParams", "PROFILES", "resolve", "from_namespace", "parse_relation"]


def parse_relation(spec: str, n: int):
    """'mod3', 'mod5', 'greater', 'bipartite10' -> tasks.Relation on n symbols."""
    for name in ("mod", "bipartite"):
        if spec.startswith(name) and spec[len(name):].isdigit():
            key = "k" if name == "mod" else "a"
            return make_relation(name, n, **{key: int(spec[len(name):])})
    if spec == "greater":
        return make_relation("greater", n)
    raise ValueError(f"relation {spec!r} not understood; use 'modK' (K >= 2), 'greater' or "
                     f"'bipartiteA' (1 <= A < n), e.g. 'mod3', 'bipartite10'")


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _fractions(name, values):
    if not values or not all(isinstance(v, (int, float)) and 0 < v < 1 for v in values):
        raise ValueError(f"{name} must be a non-empty list of numbers in (0, 1), got {values!r}")


@dataclass(frozen=True)
class StaticsParams:
    """Chapter 1 (statics). See book/statics.md for what each parameter drives."""

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
        if isinstance(self.depth, bool) or not isinstance(self.depth, int) or self.depth < 0:
            raise ValueError(f"depth must be an integer >= 0, got {self.depth!r}")
        _fractions("mc_fractions", self.mc_fractions)
        _fractions("fractions", self.fractions)
        for name in ("mc_relations", "trained_relations"):
            for spec in getattr(self, name):
                parse_relation(spec, self.n)
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, "
                             f"got {self.activation!r}")
        if not (isinstance(self.lr, (int, float)) and self.lr > 0):
            raise ValueError(f"lr must be a positive number, got {self.lr!r}")
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha must be in (0, 1), got {self.alpha!r}")
        if self.device not in ("auto", "cpu", "cuda"):
            raise ValueError(f"device must be one of ['auto', 'cpu', 'cuda'], got {self.device!r}")


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
