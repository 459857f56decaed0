"""Ensemble trainers, old and new, and the per-model loop: model-steps per second in one run.

    .venv/bin/python bench/ensemble.py [--steps 100] [--models 16 64] [--repeats 3] [--threads 1]

Depth 3, n = 30, mod 3, train fraction 0.5. "old" is `train.train` (autograd, multi-tensor
Adam), "new" is `fasttrain.train` (hand-written gradients, fused Adam on one flat buffer; the
trainer `sweeps.run_sweep` uses), "loop" is `train_reference` (torch.optim.Adam, one model at a
time). Old and new are timed alternately, `--repeats` times each, and the median is reported,
so that a change of load on a shared machine hits both alike; the load average (`os.getloadavg`)
is printed before and after, and the ratio is also given in CPU time of this process (with one
thread, what the training costs whatever else the machine runs). Also reports the achieved
GFLOP/s of the new trainer next to this machine's sgemm throughput (a 1024^3 float32 matmul).
Not part of the test suite.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import torch

from geneft.fasttrain import train as train_new
from geneft.models import ModelConfig, init_ensemble
from geneft.tasks import all_pairs, make_relation, train_mask
from geneft.train import train as train_old
from geneft.train import train_reference

FRACTION = 0.5


def flops_per_model_step(cfg: ModelConfig) -> float:
    """Forward + backward (3x forward) matmul FLOPs over the train pairs (a training step runs
    each model on its train pairs only; evaluation steps are not counted)."""
    sizes = cfg.layer_sizes
    return 3 * 2 * round(FRACTION * cfg.n ** 2) * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


def sgemm_gflops(size: int = 1024, repeats: int = 10) -> float:
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    t = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * size ** 3 * repeats / (time.perf_counter() - t) / 1e9


def rate(fn, cfg, m, steps) -> tuple[float, float]:
    """Model-steps per second of wall time and per second of this process's CPU time."""
    labels = all_pairs(make_relation("mod", cfg.n, k=3))[1]
    masks = np.stack([train_mask(cfg.n ** 2, FRACTION, s) for s in range(m)])
    model = init_ensemble(cfg, range(m))
    fn(model, labels, masks, steps=2)                       # warm-up
    t, cpu = time.perf_counter(), time.process_time()
    fn(model, labels, masks, steps=steps, eval_every=100)
    return m * steps / (time.perf_counter() - t), m * steps / (time.process_time() - cpu)


def load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--loop-models", type=int, default=4,
                    help="models timed in the per-model loop (its rate does not depend on M)")
    ap.add_argument("--models", type=int, nargs="+", default=[16, 64])
    ap.add_argument("--widths", type=int, nargs="+", default=[50, 10])
    ap.add_argument("--repeats", type=int, default=3, help="alternating timings of old and new")
    ap.add_argument("--threads", type=int, default=None,
                    help="torch intra-op threads (default: the library's thread policy; sweep "
                         "workers run 1)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    peak = sgemm_gflops()
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"sgemm {peak:.1f} GFLOP/s, load average (1, 5, 15 min) {load()}\n")
    print("| width | M | old model-steps/s | new model-steps/s | new / old | new / old (CPU time) "
          "| loop model-steps/s | new / loop | new GFLOP/s | % sgemm |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for width in args.widths:
        cfg = ModelConfig(depth=3, width=width)
        loop = rate(train_reference, cfg, args.loop_models, args.steps)[0]
        for m in args.models:
            old, new = [], []
            for _ in range(args.repeats):
                old.append(rate(train_old, cfg, m, args.steps))
                new.append(rate(train_new, cfg, m, args.steps))
            (o, o_cpu), (n, n_cpu) = ([statistics.median(r[i] for r in runs) for i in (0, 1)]
                                      for runs in (old, new))
            gf = n * flops_per_model_step(cfg) / 1e9
            print(f"| {width} | {m} | {o:,.0f} | {n:,.0f} | {n / o:.2f}x | {n_cpu / o_cpu:.2f}x | "
                  f"{loop:,.0f} | {n / loop:.1f}x | {gf:.1f} | {100 * gf / peak:.0f}% |",
                  flush=True)
    print(f"\nload average after: {load()}")


if __name__ == "__main__":
    main()
