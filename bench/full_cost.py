"""What a full-profile run of each chapter costs: model-steps, CPU time measured here, GPU time
projected. For planning a `geneft run CHAPTER --profile full`.

    .venv/bin/python bench/full_cost.py [--profile full] [--probe-steps 20] [--workers 2]

For every distinct model shape the chapter trains, the script times a short ensemble run on one
thread (as `sweeps.run_sweep`'s workers train) and projects the chapter's model-steps onto
`--workers` such processes. The GPU column is a projection, not a measurement: on a GPU these
small models are bound by kernel launches, so a training step of a whole batch costs about the
number of kernels it launches (counted here with torch.profiler) times LAUNCH_US, and a GPU trains
every run of one shape as one batch. Evaluation steps and the Monte Carlo of chapter 1 are not
counted. Not part of the test suite.
"""
from __future__ import annotations

import argparse
import time
from collections import defaultdict

import numpy as np
import torch

from geneft.models import IDEAL_DECODERS, ModelConfig, ideal_config, init_ensemble
from geneft.profiles import PROFILES
from geneft.tasks import all_pairs, parse_relation, train_mask
from geneft.train import train

LAUNCH_US = 10.0      # assumed cost of one small kernel on a datacenter GPU (launch + run)


def workloads(chapter: str, p) -> list[tuple]:
    """(config, fraction, models, steps) for every group of runs of one shape the chapter
    trains at parameters `p` (the same counts as the chapter's sweeps)."""
    if chapter == "statics":
        out = []
        for spec in p.trained_relations:
            rel = parse_relation(spec, p.n)
            models = len(p.fractions) * p.seeds
            for mode in ("concat", "difference", "squared"):
                cfg = ModelConfig(n=p.n, depth=p.depth, width=p.width, mode=mode,
                                  activation=p.activation)
                out += [(cfg, float(np.mean(p.fractions)), models, p.steps)]
            if rel.family in IDEAL_DECODERS:
                out += [(ideal_config(rel.family, n=p.n), float(np.mean(p.fractions)), models,
                         p.ideal_steps)]
        return out
    if chapter == "goldilocks":
        shape = lambda d, w, mode="concat": ModelConfig(  # noqa: E731
            n=p.n, depth=d, width=w, mode=mode, init_scale=p.init_scale)
        seeds = defaultdict(set)             # duplicate runs train once (sweeps.run_sweep)
        for d in (0, *p.depths):                                    # Fig. 7 curve
            seeds[(d, p.fig7_width, "concat", p.steps)] |= set(range(p.seeds))
        for d in p.depths:                                          # main map
            for w in p.widths:
                seeds[(d, w, "concat", p.steps)] |= set(range(p.seeds))
        for d in p.compare_depths:                                  # second relation
            for w in p.compare_widths:
                seeds[(d, w, "concat", p.compare_steps, "compare")] |= set(range(p.compare_seeds))
        for mode in ("concat", "difference", "squared"):            # modes at the best cell
            seeds[(1, p.fig7_width, mode, p.steps)] |= set(range(p.seeds))  # (assumed depth 1)
        return [(shape(*k[:3]), p.fraction, len(v), k[3]) for k, v in seeds.items()]
    if chapter == "repons":
        cfg = ModelConfig(n=p.n, depth=p.depth, width=p.width)
        return [(cfg, p.fraction, p.grid ** 2 * 2 * p.seeds, p.steps)]
    return []          # e.g. fieldtheory: numpy kernels, no ensemble training to count


def cpu_rate(cfg: ModelConfig, fraction: float, models: int, steps: int) -> float:
    """Model-steps per second of an ensemble of `models` on this thread."""
    labels = all_pairs(parse_relation("mod3", cfg.n))[1]
    masks = np.stack([train_mask(cfg.n ** 2, fraction, s) for s in range(models)])
    model = init_ensemble(cfg, range(models))
    train(model, labels, masks, steps=2, eval_every=2)                     # warm-up
    start = time.perf_counter()
    train(model, labels, masks, steps=steps, eval_every=steps)
    return models * steps / (time.perf_counter() - start)


NO_KERNEL = ("aten::view", "aten::as_strided", "aten::empty", "aten::t", "aten::transpose",
             "aten::expand", "aten::reshape", "aten::_reshape_alias", "aten::unsqueeze",
             "aten::squeeze", "aten::select", "aten::slice", "aten::detach", "aten::alias",
             "aten::lift_fresh", "aten::resolve_conj", "aten::resolve_neg", "aten::result_type",
             "aten::_unsafe_view", "aten::permute", "aten::unbind", "aten::split")


def kernels_per_step(cfg: ModelConfig, fraction: float) -> float:
    """GPU kernels one training step launches, estimated as the leaf aten operators that are
    not views or allocations (the difference of a 4-step and a 2-step run, halved, so the
    evaluations at the start and end cancel)."""
    labels = all_pairs(parse_relation("mod3", cfg.n))[1]
    masks = np.stack([train_mask(cfg.n ** 2, fraction, s) for s in range(2)])

    def count(steps):
        model = init_ensemble(cfg, range(2))
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
            train(model, labels, masks, steps=steps, eval_every=steps)
        return sum(1 for e in prof.events() if e.name.startswith("aten::")
                   and not e.name.startswith(NO_KERNEL)
                   and not any(c.name.startswith("aten::") for c in e.cpu_children))

    count(2)                                                               # warm-up
    return (count(4) - count(2)) / 2


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="full", choices=["quick", "full"])
    ap.add_argument("--probe-steps", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(1)
    rates, kernels = {}, {}
    print(f"torch {torch.__version__}, 1 thread per worker, {args.workers} workers, "
          f"GPU launch cost assumed {LAUNCH_US:.0f} us/kernel\n")
    print("| chapter | profile | runs | model-steps | CPU rate (model-steps/s/worker) "
          "| CPU time (projected from probes) | GPU time (launch-bound projection) |")
    print("|---|---|---|---|---|---|---|")
    for chapter in PROFILES:
        p = PROFILES[chapter][args.profile]
        if not workloads(chapter, p):
            print(f"| {chapter} | {args.profile} | - | - | - | not an ensemble workload | - |")
            continue
        cpu_s = gpu_s = steps_total = runs = 0
        for cfg, fraction, models, steps in workloads(chapter, p):
            key = (cfg, round(fraction, 3))
            if key not in rates:
                rates[key] = cpu_rate(cfg, fraction, min(models, 64), args.probe_steps)
                kernels[key] = kernels_per_step(cfg, fraction)
            runs += models
            steps_total += models * steps
            cpu_s += models * steps / rates[key] / args.workers
            gpu_s += steps * kernels[key] * LAUNCH_US * 1e-6 * -(-models // 1024)
        print(f"| {chapter} | {args.profile} | {runs:,} | {steps_total:.2e} | "
              f"{steps_total / (cpu_s * args.workers):,.0f} | {_duration(cpu_s)} | "
              f"{_duration(gpu_s)} |", flush=True)


def _duration(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 5400 else f"{seconds / 60:.1f} min"


if __name__ == "__main__":
    main()
