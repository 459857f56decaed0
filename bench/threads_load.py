"""Each chapter's quick profile, quiet and beside one busy process, measured in one run.

    .venv/bin/python bench/threads_load.py [--chapters statics,twolayer] [--policy library|none]
    .venv/bin/python bench/threads_load.py --intra 1,2 [--chapters twolayer,duality]

Every chapter runs through `geneft run` (papermill) with a fresh, empty run cache of its own (so
that no run is read from an earlier one), once on a quiet machine and once while another process
spins on one core (as on any laptop doing other work). `--policy library` (default) uses
geneft's thread policy (geneft.threads and OMP_WAIT_POLICY=PASSIVE, set when geneft is
imported); `--policy none` sets OMP_WAIT_POLICY=ACTIVE and OMP_NUM_THREADS to os.cpu_count() in
the chapter's environment, which is what torch does on its own. Prints a Markdown table: quiet
s, loaded s, ratio. `--intra 1,2` instead runs each chapter quiet once per number of intra-op
threads of the notebook's own process (OMP_NUM_THREADS; sweep workers run one thread each
either way) and prints one column per number.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ("statics", "goldilocks", "repons", "fieldtheory", "twolayer", "duality")


def run(chapter: str, env: dict) -> float:
    """Wall seconds of one quick-profile run of `chapter` with an empty run cache."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [str(ROOT / ".venv" / "bin" / "geneft"), "run", chapter, "--profile", "quick",
               "--out", tmp, "--quiet", "-p", "cache", str(Path(tmp) / "cache")]
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        return time.perf_counter() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapters", default=",".join(CHAPTERS))
    parser.add_argument("--policy", choices=["library", "none"], default="library")
    parser.add_argument("--intra", help="compare these numbers of intra-op threads, quiet "
                        "(e.g. 1,2)")
    args = parser.parse_args(argv)
    env = {**os.environ, "GENEFT_PROGRESS": "0"}
    if args.intra:
        intra = [int(k) for k in args.intra.split(",")]
        print("| chapter | " + " | ".join(f"{k} thread(s) s" for k in intra) + " |\n|---|"
              + "---|" * len(intra))
        for chapter in args.chapters.split(","):
            times = [run(chapter, {**env, "OMP_NUM_THREADS": str(k)}) for k in intra]
            print(f"| {chapter} | " + " | ".join(f"{s:.0f}" for s in times) + " |", flush=True)
        return
    if args.policy == "none":
        env.update(OMP_WAIT_POLICY="ACTIVE", OMP_NUM_THREADS=str(os.cpu_count()))
    print(f"policy {args.policy}, {os.cpu_count()} CPUs\n")
    print("| chapter | quiet s | one busy process s | ratio |\n|---|---|---|---|")
    for chapter in args.chapters.split(","):
        quiet = run(chapter, env)
        busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        try:
            loaded = run(chapter, env)
        finally:
            busy.kill()
            busy.wait()
        print(f"| {chapter} | {quiet:.0f} | {loaded:.0f} | {loaded / quiet:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
