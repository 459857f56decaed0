"""The teaching notebook's training work, as the notebook does it and through our sweeps.

    .venv/bin/python bench/peer.py [--scale 0.1] [--groups s4 s5 s6 s10] [--workers 2]

The third-party teaching notebook of the paper (CoursIA, notebook 2.9b-GenEFT-Theorie-Effective)
trains 76 models in its sections 4, 5, 6 and 10, one at a time, in a plain PyTorch loop: 560,000
steps, 560,076 Adam updates (its loop also updates after the last evaluation). This script
trains the same configurations

    s4   the demo: mod 3, p = 0.75, concat 3x50, 8,000 steps                       1 model
    s5   inductive gap: mod 3 and greater-than, p in {0.3, 0.5, 0.7, 0.9}, the three MLP
         inputs (3x50, 4,000 steps) and the ideal decoder (d = 1, 6,000 steps)    32 models
    s6   Goldilocks: mod 3, p = 0.3, width 10, depth 1..6, seeds 0..2, 6,000 steps  18 models
    s10  learning-rate grid: mod 3, p = 0.75, concat 3x50, eta_enc in 1e-4..1e-2,
         eta_dec in 1e-3..1e-1 (5 x 5), 12,000 steps                              25 models

twice, timed in one run: (1) `notebook_loop`, one model at a time on one thread, written after
the notebook's training function (embedding table and an nn.Sequential tanh decoder, Adam with
two parameter groups, full-batch BCE on the train pairs, accuracy on the train and test pairs
every 50 steps); (2) `sweeps.run_sweep` with the library's thread policy (one worker process per
usable CPU, batches balanced over the workers), without a cache. The ideal decoders differ in
form (the notebook: a clipped ReLU unit under BCE; ours: its logistic form, models.IDEAL_DECODERS)
but not in cost. `--scale` multiplies every step count (same configurations, fewer steps);
both sides' cost is linear in the steps, apart from our fixed start-up (worker processes, first
batch), which a smaller scale makes weigh more. Wall and CPU time (this process and the finished
workers) are both reported: on a busy machine the CPU time says what the work costs. Not part of
the test suite.
"""
from __future__ import annotations

import argparse
import os
import resource
import time

import torch
import torch.nn.functional as F

from geneft import sweeps, threads

EVAL_EVERY = 50
LR_ENC = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2]
LR_DEC = [1e-3, 3e-3, 1e-2, 3e-2, 1e-1]


def groups(scale: float) -> dict:
    """The notebook's configurations as sweeps.Run lists, steps multiplied by `scale`."""
    s = lambda steps: max(1, round(steps * scale))  # noqa: E731
    common = dict(eval_every=EVAL_EVERY)
    fractions = [0.3, 0.5, 0.7, 0.9]
    s5 = []
    for relation in ("mod3", "greater"):
        s5 += sweeps.grid(relation=relation, mode=["concat", "difference", "squared"],
                          fraction=fractions, steps=s(4000), **common)
        s5 += sweeps.grid(relation=relation, decoder="ideal", fraction=fractions,
                          steps=s(6000), **common)
    return {
        "s4": sweeps.grid(relation="mod3", fraction=0.75, steps=s(8000), **common),
        "s5": s5,
        "s6": sweeps.grid(relation="mod3", fraction=0.3, depth=[1, 2, 3, 4, 5, 6], width=10,
                          seed=[0, 1, 2], steps=s(6000), **common),
        "s10": sweeps.grid(relation="mod3", fraction=0.75, lr_enc=LR_ENC, lr_dec=LR_DEC,
                           steps=s(12000), **common),
    }


def _relation(name: str, n: int) -> torch.Tensor:
    i = torch.arange(n)
    if name == "mod3":
        return (i[:, None] % 3 == i[None, :] % 3).float()
    if name == "greater":
        return (i[None, :] > i[:, None]).float()
    raise ValueError(f"relation must be 'mod3' or 'greater', got {name!r}")


def _combine(e1: torch.Tensor, e2: torch.Tensor, mode: str) -> torch.Tensor:
    if mode == "concat":
        return torch.cat([e1, e2], -1)
    return e1 - e2 if mode == "difference" else (e1 - e2) ** 2


def notebook_loop(run: sweeps.Run) -> float:
    """Train `run` alone as the notebook does; returns the final test accuracy."""
    torch.manual_seed(run.seed)
    n, ideal = run.n, run.decoder == "ideal"
    y = _relation(run.relation, n).reshape(-1)
    first, second = (t.reshape(-1) for t in torch.meshgrid(torch.arange(n), torch.arange(n),
                                                           indexing="ij"))
    g = torch.Generator().manual_seed(run.seed + 1)
    train = torch.zeros(n * n, dtype=torch.bool)
    train[torch.randperm(n * n, generator=g)[:round(run.fraction * n * n)]] = True
    tr, te = train.nonzero().squeeze(1), (~train).nonzero().squeeze(1)
    dim = 1 if ideal else run.dim
    emb = torch.nn.Parameter(0.5 * torch.randn(n, dim, generator=g))
    if ideal:
        dec = torch.nn.Linear(dim, 1)           # in the optimizer, as in the notebook; unused
    else:
        layers, width = [], 2 * dim if run.mode == "concat" else dim
        for _ in range(run.depth):
            layers += [torch.nn.Linear(width, run.width), torch.nn.Tanh()]
            width = run.width
        dec = torch.nn.Sequential(*layers, torch.nn.Linear(width, 1))
    opt = torch.optim.Adam([{"params": [emb], "lr": run.lr_enc},
                            {"params": list(dec.parameters()), "lr": run.lr_dec}])

    def probability(idx):                       # P(R = 1) on the pairs idx
        e1, e2 = emb[first[idx]], emb[second[idx]]
        if ideal and run.relation == "mod3":
            return 10.0 * torch.relu(0.1 - ((e1 - e2) ** 2).sum(-1))
        if ideal:
            return torch.clamp(torch.relu((e1 - e2).sum(-1)), max=1.0)
        return torch.sigmoid(dec(_combine(e1, e2, run.mode)).squeeze(-1))

    test_acc = float("nan")
    for step in range(run.steps + 1):
        if step % run.eval_every == 0:
            with torch.no_grad():
                ((probability(tr) > 0.5).float() == y[tr]).float().mean().item()
                test_acc = ((probability(te) > 0.5).float() == y[te]).float().mean().item()
        if ideal:
            loss = F.binary_cross_entropy(probability(tr).clamp(1e-6, 1 - 1e-6), y[tr])
        else:
            z = _combine(emb[first[tr]], emb[second[tr]], run.mode)
            loss = F.binary_cross_entropy_with_logits(dec(z).squeeze(-1), y[tr])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return test_acc


def ours(runs: list, workers: int) -> None:
    """The runs through run_sweep; a group with fewer shapes than workers is cut into
    balanced batches so that no worker idles."""
    processes = threads.plan(workers)[0]
    shapes = {r.shape() for r in runs}
    per_shape = max(sum(r.shape() == s for r in runs) for s in shapes)
    size = sweeps.balanced_batch_size(per_shape, processes) if len(shapes) < processes else 64
    sweeps.run_sweep(runs, cache="off", device="cpu", workers=processes, batch_size=size)


def cpu_seconds() -> float:
    """CPU time of this process and of its finished child processes (the sweep workers)."""
    own, children = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                       resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies every step count")
    ap.add_argument("--groups", nargs="+", default=["s4", "s5", "s6", "s10"])
    ap.add_argument("--workers", type=int, default=threads.usable_cpus(),
                    help="worker processes asked of run_sweep (capped by threads.plan)")
    args = ap.parse_args()
    print(f"torch {torch.__version__}, usable CPUs {threads.usable_cpus()}, run_sweep workers "
          f"{threads.plan(args.workers)[0]}, scale {args.scale}, load average "
          f"{' '.join(f'{v:.1f}' for v in os.getloadavg())}\n")
    print("| group | models | steps | notebook loop s | run_sweep s | ratio | notebook loop CPU s "
          "| run_sweep CPU s | CPU ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    total = [0.0, 0.0, 0, 0, 0.0, 0.0]
    main_threads = torch.get_num_threads()
    warm = groups(2 / 8000)["s4"]               # first calls of torch in this process
    notebook_loop(warm[0])
    ours(warm, args.workers)
    for name in args.groups:
        runs = groups(args.scale)[name]
        torch.set_num_threads(1)                # the notebook loop: one thread
        t, cpu = time.perf_counter(), cpu_seconds()
        for run in runs:
            notebook_loop(run)
        loop_s, loop_cpu = time.perf_counter() - t, cpu_seconds() - cpu
        torch.set_num_threads(main_threads)     # ours: the thread policy
        t, cpu = time.perf_counter(), cpu_seconds()
        ours(runs, args.workers)
        ours_s, ours_cpu = time.perf_counter() - t, cpu_seconds() - cpu
        steps = sum(r.steps for r in runs)
        total = [a + b for a, b in zip(total, (loop_s, ours_s, len(runs), steps, loop_cpu,
                                                ours_cpu))]
        print(f"| {name} | {len(runs)} | {steps:,} | {loop_s:.1f} | {ours_s:.1f} | "
              f"{loop_s / ours_s:.1f}x | {loop_cpu:.1f} | {ours_cpu:.1f} | "
              f"{loop_cpu / ours_cpu:.1f}x |", flush=True)
    print(f"| total | {total[2]} | {total[3]:,} | {total[0]:.1f} | {total[1]:.1f} | "
          f"{total[0] / total[1]:.1f}x | {total[4]:.1f} | {total[5]:.1f} | "
          f"{total[4] / total[5]:.1f}x |")
    print(f"\nload average after: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
