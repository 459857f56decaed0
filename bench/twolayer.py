"""Two-layer networks, seconds per gradient step of all replicas, measured in one run: every
(alpha, seed) in one tensor padded to the largest n; one tensor per alpha (its seeds share n);
one replica at a time; and the written-out gradient against autograd.

    .venv/bin/python bench/twolayer.py [--steps 300]

The chapter's main run: d = 30, m = 100, alpha in {8, 16, 32} x 2 seeds (6 replicas, padded to
n = 960). Not part of the test suite.
"""
from __future__ import annotations

import argparse
import time

import torch

from geneft import twolayer as tl

ALPHAS, SEEDS, D, M = (8, 16, 32), (0, 1), 30, 100


def replicas(alphas, seeds, dtype):
    cells = [(a, s) for a in alphas for s in seeds]
    data = tl.make_data([a * D for a, _ in cells], D, [s for _, s in cells])
    for name in ("X", "y", "weight"):
        setattr(data, name, getattr(data, name).to(dtype))
    a, W = tl.init(len(cells), M, D, [s for _, s in cells])
    return a.to(dtype), W.to(dtype), data


def autograd_step(a, W, data, eta):
    a, W = a.clone().requires_grad_(), W.clone().requires_grad_()
    f = tl.network(a, W, data.X)
    (0.5 * (data.weight * (f - data.y) ** 2).sum()).backward()
    return (a - eta * M * a.grad).detach(), (W - eta * M * W.grad).detach()


def seconds_per_step(groups, step, steps):
    """Time `steps` steps of every (a, W, data) group in turn; returns seconds per step."""
    state = [(a, W) for a, W, _ in groups]
    t = time.perf_counter()
    for _ in range(steps):
        state = [step(a, W, data, 0.2) for (a, W), (_, _, data) in zip(state, groups)]
    return (time.perf_counter() - t) / steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    written = lambda a, W, data, eta: tl.gd_step(a, W, data, eta=eta)  # noqa: E731
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.steps} steps")
    print("| dtype | one padded batch | one batch per alpha (seeds) | same, autograd | "
          "loop over replicas | padded / per-alpha | loop / per-alpha |")
    print("|---|---|---|---|---|---|---|")
    for dtype in (torch.float32, torch.float64):
        batched = [replicas(ALPHAS, SEEDS, dtype)]
        loop = [replicas((a,), (s,), dtype) for a in ALPHAS for s in SEEDS]
        b = seconds_per_step(batched, written, args.steps)
        per_alpha = [replicas((a,), SEEDS, dtype) for a in ALPHAS]
        p = seconds_per_step(per_alpha, written, args.steps)
        g = seconds_per_step(per_alpha, autograd_step, args.steps)
        l = seconds_per_step(loop, written, args.steps)
        print(f"| {str(dtype)[6:]} | {b * 1e3:.2f} ms | {p * 1e3:.2f} ms | {g * 1e3:.2f} ms | "
              f"{l * 1e3:.2f} ms | {b / p:.2f}x | {l / p:.2f}x |")


if __name__ == "__main__":
    main()
