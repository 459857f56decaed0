"""Ensemble trainer vs the per-model loop: model-steps per second, measured in one run.

    .venv/bin/python bench/ensemble.py [--steps 100] [--models 16 64 256]

Depth 3, n = 30, mod 3, train fraction 0.5. Also reports the achieved GFLOP/s of the ensemble
next to this machine's sgemm throughput (a 1024^3 float32 matmul). Not part of the test suite.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from geneft.models import ModelConfig, init_ensemble
from geneft.tasks import all_pairs, make_relation, train_mask
from geneft.train import train, train_reference


FRACTION = 0.5


def flops_per_model_step(cfg: ModelConfig) -> float:
    """Forward + backward (3x forward) matmul FLOPs over the train pairs (a training step of
    `train` runs each model on its train pairs only; evaluation steps are not counted)."""
    sizes = cfg.layer_sizes
    return 3 * 2 * round(FRACTION * cfg.n ** 2) * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


def sgemm_gflops(size: int = 1024, repeats: int = 10) -> float:
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    t = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * size ** 3 * repeats / (time.perf_counter() - t) / 1e9


def rate(fn, cfg, m, steps) -> float:
    labels = all_pairs(make_relation("mod", cfg.n, k=3))[1]
    masks = np.stack([train_mask(cfg.n ** 2, FRACTION, s) for s in range(m)])
    model = init_ensemble(cfg, range(m))
    fn(model, labels, masks, steps=2)                       # warm-up
    t = time.perf_counter()
    fn(model, labels, masks, steps=steps, eval_every=steps)
    return m * steps / (time.perf_counter() - t)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--loop-models", type=int, default=4,
                    help="models timed in the per-model loop (its rate does not depend on M)")
    ap.add_argument("--models", type=int, nargs="+", default=[16, 64, 256])
    args = ap.parse_args()
    peak = sgemm_gflops()
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"sgemm {peak:.1f} GFLOP/s\n")
    print("| width | M | ensemble model-steps/s | loop model-steps/s | ratio | GFLOP/s | % sgemm |")
    print("|---|---|---|---|---|---|---|")
    for width in (10, 50):
        cfg = ModelConfig(depth=3, width=width)
        loop = rate(train_reference, cfg, args.loop_models, args.steps)
        for m in args.models:
            ens = rate(train, cfg, m, args.steps)
            gf = ens * flops_per_model_step(cfg) / 1e9
            print(f"| {width} | {m} | {ens:,.0f} | {loop:,.0f} | {ens / loop:.1f}x | {gf:.1f} | "
                  f"{100 * gf / peak:.0f}% |", flush=True)


if __name__ == "__main__":
    main()
