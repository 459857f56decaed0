import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """The book built once per test session from a copy of the repository, with a fresh
    execution cache and a fresh run cache (so every chapter really executes). Returns the
    folder of the built HTML; the build must succeed with warnings as errors.
    $GENEFT_BUILT_BOOK=DIR skips the build and uses DIR (e.g. _build/html) instead."""
    if os.environ.get("GENEFT_BUILT_BOOK"):
        return Path(os.environ["GENEFT_BUILT_BOOK"]).resolve()
    exe = Path(sys.executable).with_name("jupyter-book")
    if not exe.exists():
        pytest.skip("jupyter-book not installed")
    tmp = tmp_path_factory.mktemp("book")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".venv", "_build", ".git", "runs", "__pycache__", ".pytest_cache", ".hypothesis"))
    env = {**os.environ, "GENEFT_CACHE": str(tmp / "runs")}
    proc = subprocess.run([str(exe), "build", str(src), "--warningiserror", "--keep-going"],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return src / "_build" / "html"
