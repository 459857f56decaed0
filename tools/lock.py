"""The pinned environment: one lock file for `make`, CI and Binder, written by `make lock`.

`make lock` installs the project with every extra into a fresh virtual environment, checks it
(`pip check`), and pipes its `pip freeze --all --exclude-editable` into this script, which writes

- `requirements-lock.txt`: every package at its exact version, one `name==version` per line
  (torch without its local label, so `torch==2.13.0` matches this machine's CPU wheel and the
  one on PyPI alike); `make` installs it with `--no-deps`, then runs `pip check`;
- `binder/environment.yml`: conda installs Python and the CPU build of PyTorch at the locked
  version, pip the rest of the lock, every line pinned. It holds no reference to a local file,
  so repo2docker builds it before copying the repository (pre-assembly) and reuses that layer
  until the lock changes; `binder/postBuild` then installs the project itself.

Usage: pip freeze --all --exclude-editable | python tools/lock.py [ROOT]
tests/test_environment.py checks that pyproject.toml, the lock and the Binder files agree.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

LOCK = "requirements-lock.txt"
BINDER_ENV = "binder/environment.yml"
# Not locked: `make` upgrades pip before it installs the lock. setuptools and wheel are locked
# (torch and sphinx-togglebutton require them), so `make lock` freezes with --all.
TOOLS = ("pip",)
# Packages conda installs on Binder (the CPU build; pip would fetch the multi-GB CUDA wheels),
# as {pip name: conda-forge name}.
CONDA = {"torch": "pytorch-cpu"}
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#+]+)(\+[A-Za-z0-9.]+)?$")


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares them: lowercase, runs of -_. as one '-'."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_freeze(text: str) -> dict[str, str]:
    """{normalized name: version} of `pip freeze` output, local labels (+cpu) dropped.

    Raises:
        ValueError: a line that is not `name==version` (e.g. a direct URL or an editable
            install: freeze with --exclude-editable), or a package listed twice.
    """
    pins: dict[str, str] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = _PIN.match(line)
        if not match:
            raise ValueError(f"lock line {line!r} is not name==version; freeze with "
                             f"--exclude-editable from an index install")
        name = normalize(match[1])
        if name in pins:
            raise ValueError(f"package {name!r} is listed twice")
        if name not in TOOLS:
            pins[name] = match[2]
    return pins


def installed(project: str = "geneft") -> dict[str, str]:
    """{normalized name: version} of the packages installed beside this Python, as
    `pip freeze --all` lists them (the project itself and pip left out, local labels dropped)."""
    import importlib.metadata
    pins = {}
    for dist in importlib.metadata.distributions():
        name = normalize(dist.metadata["Name"] or "")
        if name and name not in (*TOOLS, normalize(project)):
            pins[name] = dist.version.split("+", 1)[0]
    return pins


def differences(locked: dict[str, str], found: dict[str, str]) -> dict[str, tuple]:
    """{name: (found version or None, locked version or None)} where the two disagree."""
    names = sorted(set(locked) | set(found))
    return {n: (found.get(n), locked.get(n)) for n in names if found.get(n) != locked.get(n)}


def lock_text(pins: dict[str, str], python: str) -> str:
    """The lock file for `pins` (from parse_freeze), made on Python `python` ("3.11")."""
    head = (f"# The exact versions `make` installs (--no-deps, then pip check) and Binder builds.\n"
            f"# Written by `make lock` from a tested install on Python {python}; do not edit.\n")
    return head + "".join(f"{name}=={pins[name]}\n" for name in sorted(pins))


def binder_text(pins: dict[str, str], python: str) -> str:
    """binder/environment.yml for `pins`: conda for Python and CPU PyTorch, pip for the rest."""
    conda = [f"python={python}", "pip", *(f"{CONDA[n]}={pins[n]}" for n in CONDA if n in pins)]
    pip = [f"{name}=={pins[name]}" for name in sorted(pins) if name not in CONDA]
    return ("# Binder (repo2docker) environment, CPU only, written by `make lock` from\n"
            "# requirements-lock.txt; do not edit. No local file is referenced, so repo2docker\n"
            "# pre-assembles it; binder/postBuild installs the project and JupyterLab settings.\n"
            "name: geneft-book\n"
            "channels:\n  - conda-forge\n"
            "dependencies:\n" + "".join(f"  - {d}\n" for d in conda) +
            "  - pip:\n" + "".join(f"      - {p}\n" for p in pip))


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    root = Path(argv[0]) if argv else Path(__file__).resolve().parents[1]
    pins = parse_freeze(sys.stdin.read())
    if "torch" not in pins:
        raise SystemExit("lock: torch is not in the freeze; install the project first")
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    (root / LOCK).write_text(lock_text(pins, python))
    (root / BINDER_ENV).write_text(binder_text(pins, python))
    print(f"lock: {len(pins)} packages pinned in {LOCK} and {BINDER_ENV} (Python {python})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
