"""Build the book (`make book`): execute the chapters side by side, then let Jupyter Book build.

Jupyter Book 1 executes the chapters one after another while Sphinx reads them: its build passes
Sphinx no parallel option, and two of the extensions it loads are not parallel-safe
(bench/README.md). Several chapters keep only one core busy for much of their run, so on a
machine with more than one usable CPU this script first executes every chapter the execution
cache lacks, costliest first, `--jobs` at a time (default: the usable CPUs,
`geneft.threads.usable_cpus`), each kernel given its share of the CPUs, each exactly as MyST-NB
would (`myst_nb.core.execute.cache`: the same reader, kernel, working directory, timeout and
cache), and stores the executed notebooks in the build's execution cache (`execute_notebooks:
cache`, `_build/.jupyter_cache`). Jupyter Book then finds every chapter there and only renders.
No number depends on it (only the run times the chapters measure).

`make pdf` (tools/pdf.py) executes the chapters the same way before its single-page build.
A chapter that fails stops the script before Sphinx runs, with its traceback; the chapters that
finished stay in the cache (an interrupted build loses none of them). `$GENEFT_BUILD_STARTED`
tells the build's report (`_ext/build_report.py`) that chapters executed here ran in this build.

Usage: python tools/build_book.py [--jobs N] [ROOT]     (ROOT: the repository, default .)
"""
from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# read by _ext/build_report.py: when this build started, how many chapters ran at a time, and
# how many CPUs each of them was given
STARTED, JOBS, CPUS_EACH = "GENEFT_BUILD_STARTED", "GENEFT_BUILD_JOBS", "GENEFT_BUILD_CPUS_EACH"
# The chapters, costliest first (their times two at a time, one CPU each, from a fresh clone on
# 2026-12-03: repons 122 s, Goldilocks 84, statics 77, duality 67, two-layer 62, field theory 45).
# Started in this order, the last to finish is a short one, so no CPU idles long at the end (the
# two last chapters finished 10 s apart; 52 s apart in the reading order, measured before the
# CPU share). Only the order depends on it.
COSTLIEST_FIRST = ("repons", "goldilocks", "statics", "duality", "twolayer", "fieldtheory")


def chapters(root: Path) -> list[Path]:
    """The table of contents' pages that are notebooks (MyST markdown with a jupytext header), in
    reading order."""
    from myst_nb.core.read import is_myst_markdown_notebook

    def files(entry):
        if isinstance(entry, dict):
            if "file" in entry:
                yield entry["file"]
            for value in entry.values():
                if isinstance(value, list):
                    for item in value:
                        yield from files(item)
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    pages = [root / (name + ".md") for name in [toc["root"], *files(toc)]]
    return [p for p in pages if p.is_file() and is_myst_markdown_notebook(p.read_text())]


def read(path: Path, config: dict):
    """The notebook MyST-NB reads from `path` at build (`myst_nb.core.read.create_nb_reader`)."""
    from myst_nb.core.read import read_myst_markdown_notebook
    from myst_parser.config.main import MdParserConfig
    extensions = config.get("parse", {}).get("myst_enable_extensions", [])
    return read_myst_markdown_notebook(path.read_text(), config=MdParserConfig(
        enable_extensions=set(extensions)), add_source_map=True, path=str(path))


def execute(path: Path, config: dict, cpus: int | None = None) -> tuple[str, float, str | None]:
    """In a worker process: execute one chapter as MyST-NB would, its kernel given `cpus` CPUs
    (`$GENEFT_CPUS`, the thread policy's count) if not None. Its executed notebook (JSON),
    seconds, and the traceback if a cell failed (None if not)."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution
    if cpus is not None:
        from geneft import threads
        os.environ[threads.ENV] = str(cpus)
    settings = config.get("execute", {})
    nb = read(path, config)
    result = single_nb_execution(nb, cwd=str(path.parent), timeout=settings.get("timeout", 30),
                                 allow_errors=settings.get("allow_errors", False),
                                 meta_override=True)
    return nbformat.writes(nb), result.time, (result.exc_string if result.err else None)


def costliest_first(paths: list[Path]) -> list[Path]:
    """`paths` in the order of `COSTLIEST_FIRST`; a chapter it does not name comes first (its
    cost is unknown: the safe guess is that it is long)."""
    rank = {name: i for i, name in enumerate(COSTLIEST_FIRST)}
    return sorted(paths, key=lambda path: rank.get(path.stem, -1))


def missing(root: Path, config: dict, cache) -> list[Path]:
    """The chapters whose code the execution cache has no executed notebook for."""
    todo = []
    for path in chapters(root):
        try:
            cache.match_cache_notebook(read(path, config))
        except KeyError:
            todo.append(path)
    return todo


def execute_missing(root: Path, jobs: int, output: Path | None = None) -> list[tuple[Path, str]]:
    """Execute the chapters the cache lacks, `jobs` at a time, storing each in the cache as it
    finishes (`output`/_build/.jupyter_cache, default `root`'s, as `jupyter-book build
    --path-output`). Returns the failures: (chapter, traceback)."""
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from tqdm import tqdm

    config = yaml.safe_load((root / "_config.yml").read_text()) or {}
    if config.get("execute", {}).get("execute_notebooks") != "cache":
        return []                      # the build executes (or not) by itself
    cache = get_cache(str((output or root) / "_build" / ".jupyter_cache"))
    todo = costliest_first(missing(root, config, cache))
    if jobs < 2 or len(todo) < 2:
        return []                      # nothing to overlap: the build executes them itself
    jobs = min(jobs, len(todo))
    # each chapter gets its share of the usable CPUs (the thread policy's split, `threads.plan`)
    # as its kernel's `$GENEFT_CPUS`: two chapters that each started a worker process per usable
    # CPU would run twice as many busy processes as there are CPUs. No number depends on it (the
    # sweeps' batches are fixed by their runs; compared glue by glue, bench/README.md), only the
    # time estimates the chapters measure.
    from geneft import threads
    _, share = threads.plan(jobs)
    os.environ[JOBS], os.environ[CPUS_EACH] = str(jobs), str(share)
    failures = []
    context = multiprocessing.get_context("spawn")     # no forked copy of this process's state
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool, \
            tqdm(total=len(todo), desc=f"chapters, {jobs} at a time", unit="chapter") as bar:
        futures = {pool.submit(execute, path, config, share): path for path in todo}
        for future in concurrent.futures.as_completed(futures):
            path = futures[future]
            text, seconds, error = future.result()
            name = path.relative_to(root).as_posix()
            if error:
                failures.append((path, error))
                bar.write(f"{name}: failed after {seconds:.0f} s")
            else:
                record = cache.add_nb_to_project(str(path),
                                                 read_data={"type": "plugin", "name": "myst_nb_md"})
                cache.cache_notebook_bundle(
                    CacheBundleIn(nbformat.reads(text, nbformat.NO_CONVERT), record.uri,
                                  data={"execution_seconds": seconds}),
                    check_validity=False, overwrite=True)
                bar.write(f"{name}: executed in {seconds:.0f} s")
            bar.update()
    return failures


def jobs_value(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"--jobs must be a whole number >= 1, got {text!r}")
    return value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", nargs="?", type=Path, default=Path("."),
                        help="the repository (default: .)")
    parser.add_argument("--jobs", type=jobs_value, default=None,
                        help="chapters executed at a time (default: the usable CPUs)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if not execute_chapters(root, args.jobs):
        return 1
    exe = Path(sys.executable).with_name("jupyter-book")
    return subprocess.call([str(exe), "build", str(root), "--warningiserror", "--keep-going"])


def execute_chapters(root: Path, jobs: int | None = None, output: Path | None = None) -> bool:
    """What a build does before Jupyter Book runs (this script, and tools/pdf.py): the build's
    start time and chapter environment set in this process (its subprocesses inherit them), then
    `execute_missing` (`jobs` default: the usable CPUs). False, with each failing chapter's
    traceback printed, if a chapter failed."""
    os.environ[STARTED] = repr(time.time())
    sys.path.insert(0, str(ROOT / "_ext"))
    import book_env
    book_env.set_chapter_environment()       # what the build's kernels run with
    if jobs is None:
        from geneft.threads import usable_cpus
        jobs = usable_cpus()
    failures = execute_missing(root, jobs, output)
    for path, error in failures:
        print(f"\n{path.relative_to(root)} failed:\n{error}", file=sys.stderr)
    if failures:
        print(f"{len(failures)} chapter(s) failed; the book was not built.", file=sys.stderr)
    return not failures


if __name__ == "__main__":
    sys.exit(main())
