"""Each chapter's quick profile, quiet and beside one busy process, measured in one run.

    .venv/bin/python bench/threads_load.py [--chapters statics,twolayer] [--policy library|none]

Every chapter runs through `geneft run` (papermill) with a fresh run cache, once on a quiet
machine and once while another process spins on one core (as on any laptop doing other work).
`--policy library` (default) uses geneft's thread policy (geneft.threads and
OMP_WAIT_POLICY=PASSIVE, set when geneft is imported); `--policy none` sets
OMP_WAIT_POLICY=ACTIVE and OMP_NUM_THREADS to os.cpu_count() in the chapter's environment, which
is what torch does on its own. Prints a Markdown table: quiet s, loaded s, ratio.
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
CACHED = ("goldilocks", "repons")      # chapters whose training goes through the run cache


def run(chapter: str, env: dict) -> float:
    """Wall seconds of one quick-profile run of `chapter` with an empty run cache."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [str(ROOT / ".venv" / "bin" / "geneft"), "run", chapter, "--profile", "quick",
               "--out", tmp, "--quiet"]
        if chapter in CACHED:
            cmd += ["-p", "cache", str(Path(tmp) / "cache")]
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        return time.perf_counter() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapters", default=",".join(CHAPTERS))
    parser.add_argument("--policy", choices=["library", "none"], default="library")
    args = parser.parse_args(argv)
    env = {**os.environ, "GENEFT_PROGRESS": "0"}
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
