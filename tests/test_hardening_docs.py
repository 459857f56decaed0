"""Hardening, class 7 (docs that fail): the README's Python sweep example runs as a script with
worker processes, and a script that forgets the `__main__` guard gets an error saying so."""
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_GRID = 'depth=[1, 2, 3], width=10, seed=range(8))'


def readme_sweep_example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    found = [b for b in blocks if "run_sweep" in b]
    assert len(found) == 1, "the README should hold one Python sweep example"
    return found[0]


def run_script(tmp_path, code: str):
    script = tmp_path / "example.py"
    script.write_text(code)
    env = {**os.environ, "GENEFT_CACHE": str(tmp_path / "cache"), "GENEFT_CPUS": "2"}
    return subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_readme_sweep_example_runs_as_a_script_on_two_workers(tmp_path):
    """The example verbatim but for its sizes (a few steps instead of 3000)."""
    code = readme_sweep_example()
    assert EXAMPLE_GRID in code and "workers=2" in code and "__main__" in code
    code = code.replace(EXAMPLE_GRID, "depth=[1, 2, 3], width=10, seed=range(8), n=6, "
                                      "steps=20, eval_every=10)")
    proc = run_script(tmp_path, code)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(proc.stdout.strip().splitlines()) == 1 + 24          # header and 24 runs
    assert len(list((tmp_path / "cache").glob("*.json"))) == 24


def test_a_script_without_the_main_guard_is_told_so(tmp_path):
    code = ("from geneft import sweeps\n"
            "runs = sweeps.grid(n=6, fraction=0.5, depth=[1, 2], width=3, seed=range(2), "
            "steps=20, eval_every=10)\n"
            "sweeps.run_sweep(runs, workers=2, batch_size=2)\n")
    proc = run_script(tmp_path, code)
    assert proc.returncode != 0
    assert 'put the sweep under `if __name__ == "__main__":`' in proc.stderr.splitlines()[-1]
