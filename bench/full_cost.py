"""What a full-profile run of each chapter costs: model-steps, CPU time measured here, GPU time
projected. For planning a `geneft run CHAPTER --profile full`.

    .venv/bin/python bench/full_cost.py [--profile full] [--probe-steps 20] [--workers 2]

For every distinct model shape the chapter trains, the script times a short ensemble run on one
thread (as `sweeps.run_sweep`'s workers train) and projects the chapter's model-steps onto
`--workers` such processes. The GPU column is a projection, not a measurement: on a GPU these
small models are bound by kernel launches, so a training step of a whole batch costs about the
number of kernels it launches (counted here with torch.profiler) times LAUNCH_US, and a GPU trains
every run of one shape as one batch. Evaluation steps and the Monte Carlo of chapter 1 are not
counted. The two-layer chapter (one process, no ensembles) is timed by running its own library
calls with every step count cut to `--twolayer-fraction` (`twolayer_seconds`). The duality
chapter (one process) is timed on one seed of each setting and scaled to its seeds
(`duality_seconds`, minutes: `--chapter duality`). With `--statics-fraction`, chapter 1 is timed
through its own library calls, Monte Carlo included (`statics_seconds`). Not part of the test
suite.
"""
from __future__ import annotations

import argparse
import time
from collections import defaultdict

import numpy as np
import torch

from geneft import statics
from geneft.models import ModelConfig, init_ensemble
from geneft.profiles import PROFILES
from geneft.tasks import all_pairs, parse_relation, train_mask
from geneft.train import train

LAUNCH_US = 10.0      # assumed cost of one small kernel on a datacenter GPU (launch + run)


def workloads(chapter: str, p) -> list[tuple]:
    """(config, fraction, models, steps) for every group of runs of one shape the chapter
    trains at parameters `p` (the same counts as the chapter's sweeps)."""
    if chapter == "statics":                 # the chapter's own runs, grouped by shape
        groups = defaultdict(list)
        for run in statics.network_runs(p):
            groups[run.shape()].append(run)
        return [(g[0].model_config(), float(np.mean([r.fraction for r in g])), len(g),
                 g[0].steps) for g in groups.values()]
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


def twolayer_seconds(p, fraction: float) -> dict:
    """{call: (wall s, CPU s)} of the two-layer chapter's four library calls at parameters `p`,
    projected from two timed runs of each: one gradient step (data, initialisation, records:
    the fixed part) and `steps`, `contrast_steps` cut to `fraction`; every further step costs
    the same. Runs record 2 steps instead of `eval_points` (at full length the records are
    about 1 % of a run's work)."""
    from geneft import twolayer as tl
    seeds, mid = list(range(p.seeds)), tl.middle(p.alphas)
    run = dict(d=p.d, m=p.width, a0=p.a0, tau=p.tau, eta=p.eta, n_test=p.n_test,
               eval_points=2, device="cpu")
    no = lambda *keys: {k: v for k, v in run.items() if k not in keys}  # noqa: E731
    calls = {"main": lambda s: tl.simulate(p.alphas, seeds, steps=s, **run),
             "init": lambda s: tl.init_contrast(mid, seeds, p.contrast_a0s, steps=s,
                                                **no("a0", "eta")),
             "noise": lambda s: tl.simulate(p.noise_alphas, seeds, steps=s,
                                            **{**run, "target": "noise"}),
             "width": lambda s: tl.width_sweep(mid, seeds, p.widths, steps=s, **no("m"))}
    out = {}
    for name, call in calls.items():
        full = p.contrast_steps if name == "init" else p.steps
        short = max(2, round(full * fraction))
        (w1, c1), (w2, c2) = (_timed(call, s) for s in (1, short))
        out[name] = tuple(a + (b - a) * (full - 1) / (short - 1) for a, b in ((w1, w2), (c1, c2)))
    return out


def statics_seconds(p, fraction: float) -> dict:
    """{part: (wall s, CPU s)} of chapter 1 at parameters `p`, timed through its own library
    calls on one thread in this process: the MLP decoders and the ideal decoders of
    `statics.network_runs` (one seed, `sweeps.run_sweep` without cache) at 1 step and at
    `fraction` of the steps, projected linearly to the full steps and multiplied by the seeds;
    both reasoners (`montecarlo.achievable_accuracy` over every relation and fraction, and with
    prior "equivalence" over the equivalences) at `fraction` of the draws (at least 1), scaled
    to the draws."""
    from dataclasses import replace

    from geneft import montecarlo, sweeps
    one = replace(p, seeds=1)
    out = {}
    for part, kind, full in (("networks", "mlp", p.steps), ("ideal decoders", "ideal",
                                                            p.ideal_steps)):
        def call(steps, kind=kind):
            runs = [r for r in statics.network_runs(replace(one, steps=steps, ideal_steps=steps))
                    if r.decoder == kind]
            return sweeps.run_sweep(runs, cache="off", device="cpu") if runs else None
        short = max(2, round(full * fraction))
        (w1, c1), (w2, c2) = (_timed(call, s) for s in (1, short))
        out[part] = tuple(p.seeds * (a + (b - a) * (full - 1) / (short - 1))
                          for a, b in ((w1, w2), (c1, c2)))
    draws = max(1, round(p.mc_draws * fraction))
    rels = [parse_relation(k, p.n) for k in p.mc_relations]
    for part, prior in (("Monte Carlo", "type"), ("k-blind reasoner", "equivalence")):
        took = _timed(lambda prior=prior: [
            montecarlo.achievable_accuracy(r, p.mc_fractions, draws=draws, prior=prior)
            for r in rels if prior == "type" or r.family == "equivalence"])
        out[part] = tuple(t * p.mc_draws / draws for t in took)
    return out


def _timed(call, *args) -> tuple[float, float]:
    """(wall s, CPU s of this process) of call(*args)."""
    wall, cpu = time.perf_counter(), time.process_time()
    call(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def fieldtheory_cpu_s(p, *, draws: int = 1, langevin_steps: int = 600) -> float:
    """CPU seconds (all threads) of chapter 4 at parameters `p`: its three computations timed
    with `draws` dataset draws and `langevin_steps` steps per chain (a quarter of them burn-in,
    as in the profiles), scaled linearly to p.draws and p.langevin_steps. CPU time, not wall
    time, so that a busy shared machine does not inflate it; two quiet cores take between
    half of it and all of it (BLAS runs on both, the elementwise numpy work on one)."""
    from geneft import fieldtheory as ft
    target = ft.Target(p.d, dict(zip(p.degrees, p.powers)), seed=p.seed)
    deep = max(p.depths)
    runs = [(p.draws / draws, lambda: ft.learning_curves(
                target, p.depths, p.n_list, p.sigma2_list, draws, lmax=p.lmax, seed=p.seed)),
            (p.draws / draws, lambda: ft.feature_curves(
                target, deep, p.widths, p.net_n_list, p.sigma2_list[0], draws, p.n_test,
                seed=p.seed))]
    if p.langevin:
        runs.append((p.langevin_steps / langevin_steps, lambda: ft.langevin_curves(
            target, deep, p.langevin_width, p.langevin_n_list, p.sigma2_list[0],
            p.langevin_n_test, steps=langevin_steps, lr=p.langevin_lr,
            burn_in=langevin_steps // 4, seed=p.seed, device="cpu")))
    return sum(scale * _timed(run)[1] for scale, run in runs)


def duality_seconds(p) -> dict:
    """{"sweep", "bridge": (wall s, CPU s)} of chapter 6 at parameters `p`, projected from
    seed 0 of every setting of its sweep and one GenEFT model per phase of its bridge. The
    chapter trains its networks one after another in one process, and each seed repeats the
    same settings, so the cost scales with the seeds (early stopping makes the epochs of a
    setting vary a little between seeds)."""
    from geneft import digits
    base, factors = digits.plan(p)
    rates = {"G": p.bridge_generalizing, "M": p.bridge_memorizing}
    sweep = _timed(digits.sweep, p.dataset, base, factors, [0])
    bridge = _timed(lambda: digits.geneft_phases(
        p.bridge_relation, p.bridge_fraction, rates, [0], steps=p.bridge_steps,
        depth=p.bridge_depth, width=p.bridge_width))
    return {"sweep": tuple(t * p.seeds for t in sweep),
            "bridge": tuple(t * p.bridge_seeds for t in bridge)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="full", choices=["quick", "full"])
    ap.add_argument("--probe-steps", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chapter", action="append", choices=list(PROFILES),
                    help="only these chapters (repeatable); default: all")
    ap.add_argument("--statics-fraction", type=float, default=0.0,
                    help="time chapter 1 through its library calls at this share of its steps "
                         "and draws (statics_seconds; e.g. 0.02); default: the probes")
    ap.add_argument("--twolayer-fraction", type=float, default=0.02,
                    help="share of the two-layer chapter's steps to time (default 0.02)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    rates, kernels = {}, {}
    print(f"torch {torch.__version__}, 1 thread per worker, {args.workers} workers, "
          f"GPU launch cost assumed {LAUNCH_US:.0f} us/kernel\n")
    print("| chapter | profile | runs | model-steps | CPU rate (model-steps/s/worker) "
          "| CPU time (projected from probes) | GPU time (launch-bound projection) |")
    print("|---|---|---|---|---|---|---|")
    for chapter in args.chapter or PROFILES:
        p = PROFILES[chapter][args.profile]
        if chapter == "twolayer":
            torch.set_num_threads(args.workers)        # one process, its threads on every core
            took = twolayer_seconds(p, args.twolayer_fraction)
            torch.set_num_threads(1)
            wall, cpu = (sum(t[i] for t in took.values()) for i in (0, 1))
            print(f"| twolayer | {args.profile} | - | - | - | {_duration(wall)} wall, "
                  f"{_duration(cpu)} CPU (timed at {args.twolayer_fraction:g} of the steps, "
                  f"{args.workers} threads; CPU shares " + ", ".join(
                      f"{k} {t[1] / cpu:.0%}" for k, t in took.items()) + ") | - |", flush=True)
            continue
        if chapter == "statics" and args.statics_fraction:
            took = statics_seconds(p, args.statics_fraction)
            wall, cpu = (sum(t[i] for t in took.values()) for i in (0, 1))
            print(f"| statics | {args.profile} | - | - | - | {_duration(cpu)} CPU on one thread "
                  f"(timed at {args.statics_fraction:g} of the steps and draws; " + ", ".join(
                      f"{k} {t[1] / cpu:.0%}" for k, t in took.items()) + ") | - |", flush=True)
            continue
        if chapter == "fieldtheory":
            print(f"| {chapter} | {args.profile} | - | - | - | "
                  f"{_duration(fieldtheory_cpu_s(p))} (CPU time, probed) | - |", flush=True)
            continue
        if chapter == "duality":
            torch.set_num_threads(args.workers)        # one process, as the chapter runs
            took = duality_seconds(p)
            torch.set_num_threads(1)
            wall, cpu = (sum(t[i] for t in took.values()) for i in (0, 1))
            print(f"| duality | {args.profile} | - | - | - | {_duration(wall)} wall, "
                  f"{_duration(cpu)} CPU (seed 0 of every setting, times the seeds; bridge "
                  f"{took['bridge'][1] / cpu:.0%} of the CPU) | - |", flush=True)
            continue
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
