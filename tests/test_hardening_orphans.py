"""Hardening, class 1 (orphans): a killed sweep or chapter run leaves no process behind, and a
chapter run stopped by SIGTERM or SIGINT still writes its run record."""
import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest

psutil = pytest.importorskip("psutil")

# A sweep long enough to be killed while two pool workers train it (4 batches of 1 run each).
SWEEP = """
from geneft import sweeps
if __name__ == "__main__":
    runs = sweeps.grid(n=8, fraction=0.5, depth=2, width=16, seed=range(4), steps=400_000,
                       eval_every=100_000)
    sweeps.run_sweep(runs, workers=2, batch_size=1)
"""


def descendants(pid: int) -> list:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def wait_for(condition, timeout: float):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    return condition()


def alive(processes) -> list:
    """The processes of `processes` still running (zombies count as gone)."""
    out = []
    for p in processes:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def command(process) -> str:
    """`process`'s command line; "" once it has exited or is a zombie, as a child of a process
    being listed may be at any moment."""
    try:
        return " ".join(process.cmdline())
    except psutil.NoSuchProcess:   # ZombieProcess is one
        return ""


def workers_of(pid: int) -> list:
    return [p for p in descendants(pid) if "spawn_main" in command(p)]


def cpu_seconds(process) -> float:
    try:
        return sum(process.cpu_times()[:2])
    except psutil.NoSuchProcess:
        return 0.0


@contextlib.contextmanager
def started(cmd, **popen):
    """`cmd` as a process; whatever of it is left (the process, its descendants, its pipes) is
    killed and closed on the way out, whatever the test found."""
    with subprocess.Popen(cmd, **popen) as proc:
        try:
            yield proc
        finally:
            for p in alive(descendants(proc.pid)):
                p.kill()
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_sweep_workers_die_with_their_parent(tmp_path, signum):
    script = tmp_path / "sweep.py"
    script.write_text(SWEEP)
    env = {**os.environ, "GENEFT_CPUS": "2"}
    with started([sys.executable, str(script)], env=env, cwd=tmp_path) as proc:
        workers = wait_for(lambda: len(workers_of(proc.pid)) >= 2 and workers_of(proc.pid), 90)
        assert workers, "the sweep never started its two workers"
        wait_for(lambda: all(cpu_seconds(p) > 2 for p in workers), 90)   # training
        family = descendants(proc.pid)          # the workers and the resource tracker
        os.kill(proc.pid, signum)
        proc.wait(timeout=30)
        left = wait_for(lambda: not alive(family), 20)
        assert left, f"still running after the parent died: {[p.pid for p in alive(family)]}"


TINY_GOLDILOCKS = ["-p", "n", "6", "-p", "depths", "1", "-p", "widths", "3", "-p", "seeds", "1",
                   "-p", "compare_depths", "1", "-p", "compare_widths", "3",
                   "-p", "compare_seeds", "1", "-p", "steps", "300000", "-p", "compare_steps",
                   "10", "-p", "eval_every", "100000", "-p", "workers", "1", "--device", "cpu",
                   "--quiet"]


@pytest.mark.slow
@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)],
                         ids=["SIGTERM", "SIGINT"])
def test_a_stopped_chapter_run_writes_its_record_and_leaves_nothing(tmp_path, signum, code):
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "geneft.cli", "run", "goldilocks", *TINY_GOLDILOCKS,
           "-p", "cache", str(tmp_path / "cache"), "--out", str(out)]
    with started(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        kernel = wait_for(lambda: [p for p in descendants(proc.pid)
                                   if "ipykernel" in command(p)], 120)
        assert kernel, "the chapter's kernel never started"
        # Into the long training cell: the kernel has spent CPU beyond its imports (~3 s).
        assert wait_for(lambda: cpu_seconds(kernel[0]) > 8, 300), "the kernel never trained"
        family = descendants(proc.pid)
        os.kill(proc.pid, signum)
        _, err = proc.communicate(timeout=300)   # a bound on a hang, not a timing: slow under load
        assert proc.returncode == code, err[-2000:]
        record = json.loads((out / "goldilocks-quick.json").read_text())
        assert record["status"] == "interrupted"
        assert record["signal"] == signal.Signals(signum).name
        assert record["parameters"]["steps"] == 300000 and record["wall_s"] > 0
        assert f"interrupted by {signal.Signals(signum).name}" in err
        assert wait_for(lambda: not alive(family), 15), \
            f"left running: {[command(p)[:80] for p in alive(family)]}"


@pytest.mark.slow
def test_a_killed_chapter_run_leaves_no_process(tmp_path):
    """SIGKILL of `geneft run` while two sweep workers train: the kernel exits (its parent is
    gone), and with it the workers and the resource tracker."""
    cmd = [sys.executable, "-m", "geneft.cli", "run", "goldilocks", *TINY_GOLDILOCKS,
           "-p", "depths", "1,2", "-p", "workers", "2", "-p", "cache", str(tmp_path / "cache"),
           "--out", str(tmp_path / "out")]
    with started(cmd, env={**os.environ, "GENEFT_CPUS": "2"}, stdout=subprocess.DEVNULL,
                 stderr=subprocess.DEVNULL) as proc:
        workers = wait_for(lambda: len(workers_of(proc.pid)) >= 2 and workers_of(proc.pid), 180)
        assert workers, "the chapter's sweep never started its two workers"
        wait_for(lambda: all(cpu_seconds(p) > 2 for p in workers), 90)
        family = descendants(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert wait_for(lambda: not alive(family), 20), \
            f"left running: {[command(p)[:80] for p in alive(family)]}"
