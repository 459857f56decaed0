import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = (os.environ.get("GENEFT_CHROMIUM") or shutil.which("chromium")
            or shutil.which("google-chrome") or "/usr/bin/chromium")
# Flags for a headless root session on a machine with a closed network.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.hookimpl(optionalhook=True)      # pytest-xdist's hook: unknown without it
def pytest_xdist_auto_num_workers(config):
    """`pytest -n auto` (`make test`): one worker process per CPU this process may use, by the
    library's thread policy (affinity and cgroup quota), not per core of the machine."""
    from geneft.threads import usable_cpus
    return usable_cpus()


# The test files that use the built book (conftest.built_book); `make test` runs them on one
# worker process, so that the book is built once (test_xdist_groups.py keeps this list true).
BOOK_FILES = ("test_book.py", "test_environment.py", "test_site.py")


@pytest.hookimpl(optionalhook=True)      # pytest-xdist's hook: unknown without it
def pytest_xdist_make_scheduler(config, log):
    """`pytest -n N --dist loadgroup` (`make test`): the tests of BOOK_FILES as one unit of work
    for one worker, every other test on its own. pytest-xdist's own loadgroup (an
    `xdist_group` mark) does nothing on pytest 9.2: it renames `item._nodeid`, which pytest no
    longer reads, so the groups are decided here, by file."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class BookOnOneWorker(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file = nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
            return "built-book" if file in BOOK_FILES else nodeid

    return BookOnOneWorker(config, log)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """The book built once per test session, as `make book` builds it, from a copy of the
    repository, with a fresh execution cache and a fresh run cache (so every chapter really
    executes). Returns the folder of the built HTML; the build must succeed with warnings as
    errors.
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
    # as `make book` builds: tools/build_book.py executes the chapters side by side, then runs
    # `jupyter-book build --warningiserror --keep-going`
    proc = subprocess.run([sys.executable, str(src / "tools" / "build_book.py"), str(src)],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return src / "_build" / "html"


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium (the one `make browser` installs) for a module's browser tests
    (per module: Playwright's sync API must not outlive them into other tests' event loops)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    assert Path(CHROMIUM).exists(), "chromium is missing: `make test` installs it (make browser)"
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield chromium
        chromium.close()


def _glued(notebook: Path, key: str) -> str:
    """What an executed chapter glued under `key` (myst-nb's glue metadata): its HTML, or its
    text."""
    for cell in json.loads(notebook.read_text())["cells"]:
        for out in cell.get("outputs", []):
            if out.get("metadata", {}).get("scrapbook", {}).get("name") == key:
                data = {k.rsplit("/", 2)[-2] + "/" + k.rsplit("/", 1)[-1]: v
                        for k, v in out["data"].items()}        # drop the mime prefix
                return data.get("text/html") or str(ast.literal_eval(data["text/plain"]))
    raise KeyError(key)


@pytest.fixture
def glued():
    """`glued(notebook, key)`: what an executed chapter glued under `key`."""
    return _glued


@pytest.fixture
def chapter_store(tmp_path, monkeypatch) -> Path:
    """A results store of the test's own (``$GENEFT_DATA``), for chapters run in this process
    (without progress bars); returns its folder."""
    monkeypatch.setenv("GENEFT_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("GENEFT_PROGRESS", "0")
    return tmp_path / "data"
