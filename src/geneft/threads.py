"""How many CPUs this process may really use, and how to split them.

`os.cpu_count()` counts the machine's cores, not what this process may use: a container (Binder,
CI) usually limits it with a cgroup CPU quota, and a job scheduler with an affinity mask. Running
more busy threads than usable CPUs makes torch several times slower, not faster (its OpenMP
threads spin while they wait; see `geneft/__init__.py`). One policy, used everywhere:

- `usable_cpus()`: the affinity mask, capped by the cgroup quota (v2 `cpu.max`, v1
  `cpu.cfs_quota_us / cpu.cfs_period_us`), overridable by ``$GENEFT_CPUS``;
- `plan(workers)`: for an ensemble, at most one worker process per usable CPU, and the usable
  CPUs shared out as intra-op threads, so the machine is never oversubscribed;
- `one_thread_if_small(floats)`: work of fewer than `SMALL_FLOATS` floats on one intra-op
  thread. Operations on
  tensors of a few thousand floats take microseconds, and waking a second thread for each costs
  more than it saves, on a quiet CPU as well (bench/README.md: the two-layer chapter 70 s on one
  thread against 107 s on two, the duality chapter 79 s against 252 s).

`geneft/__init__.py` sets OMP_NUM_THREADS from `usable_cpus()` before torch is imported (an
explicit value wins); sweep worker processes run one thread each.
"""
from __future__ import annotations

import contextlib
import math
import os
from pathlib import Path

__all__ = ["ENV", "CGROUP", "SMALL_FLOATS", "cgroup_quota", "usable_cpus", "plan",
           "one_thread_if_small"]

ENV = "GENEFT_CPUS"
CGROUP = Path("/sys/fs/cgroup")
# work whose largest activation of a step holds fewer floats than this runs on one intra-op
# thread (`one_thread_if_small`): about 4 MB, twice the L2 cache of this machine's cores
SMALL_FLOATS = 2 ** 20


def cgroup_quota(root: Path = CGROUP) -> float | None:
    """The CPU quota of this process's cgroup in CPUs (e.g. 1.5), or None if unlimited or
    unknown. Reads cgroup v2 (`cpu.max`: "max 100000" or "150000 100000") or v1
    (`cpu/cpu.cfs_quota_us`, -1 for unlimited, and `cpu/cpu.cfs_period_us`)."""
    try:
        v2 = Path(root) / "cpu.max"
        if v2.is_file():
            quota, period = v2.read_text().split()[:2]
            return None if quota == "max" else int(quota) / int(period)
        v1 = Path(root) / "cpu"
        quota = int((v1 / "cpu.cfs_quota_us").read_text())
        return None if quota <= 0 else quota / int((v1 / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None


def usable_cpus(*, affinity=None, root: Path = CGROUP) -> int:
    """CPUs this process may keep busy: ``$GENEFT_CPUS`` if set, else the number of CPUs in its
    affinity mask (`affinity`, default `os.sched_getaffinity(0)`), capped by the cgroup quota
    rounded down (at least 1).

    Raises:
        ValueError: ``$GENEFT_CPUS`` is set but not a positive integer.
    """
    if os.environ.get(ENV):
        value = os.environ[ENV]
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"{ENV} must be a positive integer, got {value!r}")
        return int(value)
    if affinity is None:
        affinity = (os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity")
                    else range(os.cpu_count() or 1))
    cpus = len(affinity)
    quota = cgroup_quota(root)
    if quota is not None:
        cpus = min(cpus, math.floor(quota))
    return max(1, cpus)


def plan(workers: int, *, cpus: int | None = None) -> tuple[int, int]:
    """(processes, threads per process) for `workers` requested worker processes: at most one
    process per usable CPU, and the CPUs shared out between them as intra-op threads."""
    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    cpus = usable_cpus() if cpus is None else cpus
    processes = min(workers, cpus)
    return processes, max(1, cpus // processes)


@contextlib.contextmanager
def one_thread_if_small(floats: int):
    """torch on one intra-op thread inside the block if the work holds fewer than SMALL_FLOATS
    `floats` (its largest activations of a step, as the caller counts them); the number of
    threads is restored after it. Threads change how fast, not what is computed (up to the
    rounding of parallel sums)."""
    import torch                    # not at import: geneft/__init__ reads this module first
    before = torch.get_num_threads()
    if floats < SMALL_FLOATS and before > 1:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
