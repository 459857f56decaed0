"""Batch runs of the chapters: papermill through jupytext, with a run record beside the output.

`run_chapter("goldilocks", "full", {"seeds": 5}, out="runs/")` executes book/goldilocks.md with
its `parameters` cell overridden, and writes runs/goldilocks-full.ipynb and
runs/goldilocks-full.json: the resolved parameters, git commit, package versions, device, start
time and wall time. Parameters are parsed with the type their profile declares and validated
(`profiles.resolve`) before anything runs.
"""
from __future__ import annotations

import json
import os
import platform
import signal
import threading
import time
from dataclasses import asdict, fields
from datetime import datetime, timezone
from pathlib import Path

from .profiles import PROFILES, resolve
from .store import REPO, device_name, git_commit, versions
from .sweeps import parse_shard, write_atomic

__all__ = ["CHAPTERS", "SHARDED", "Terminated", "book_dir", "parse_parameter", "check_shard",
           "absolute_paths", "check_folders", "kernel_environment", "run_chapter"]

CHAPTERS = tuple(PROFILES)          # statics, goldilocks, repons: book/<name>.md
# The chapters whose work goes through the run cache (sweeps.run_sweep, units.run_units), so
# --shard can split it, with the passes of the shards each needs: a shard stops at the first
# sweep (or list of units) that other shards still owe results of, so each later one is reached
# a pass later. Chapter 1: the reasoners' Monte Carlo, the networks; 2: the depth curve and
# capacity map, the comparison, the input modes; 4: the GP draws, the random-feature networks, the
# Langevin chains (full profile); 5: the main, init-scale, pure-noise and width runs; 6: the
# sweep, the bridge.
# Every chapter trains, so every chapter is here.
SHARDED = {"statics": 2, "goldilocks": 3, "repons": 1, "fieldtheory": 3, "twolayer": 4,
           "duality": 2}


def book_dir() -> Path:
    """The book/ folder of the repository this package was installed from (editable install)."""
    book = REPO / "book"
    if not all((book / f"{c}.md").exists() for c in CHAPTERS):
        raise FileNotFoundError(f"chapter sources not found in {book}; `geneft run` needs a "
                                f"clone of the repository installed with `pip install -e .`")
    return book


def parse_parameter(chapter: str, name: str, text: str):
    """The value of parameter `name` of `chapter` from command-line text, typed like the quick
    profile's value (or, for a list empty there, another profile's): int, float, str (or
    'none'), or a list ('1,2,3' or JSON '[1, 2, 3]').

    Raises:
        ValueError: unknown chapter or parameter (the message lists the valid ones), or text
            that does not parse as the declared type.
    """
    if chapter not in PROFILES:
        raise ValueError(f"chapter must be one of {list(CHAPTERS)}, got {chapter!r}")
    base = PROFILES[chapter]["quick"]
    names = [f.name for f in fields(base)]
    if name not in names:
        raise ValueError(f"unknown parameter {name!r} for chapter {chapter!r}; valid: {names}")
    # A list that is empty in the quick profile (a sweep not run there) is typed like the
    # same list in another profile.
    default = next((getattr(p, name) for p in PROFILES[chapter].values() if getattr(p, name)),
                   getattr(base, name))
    try:
        return _typed(default, text)
    except ValueError:
        kinds = {"int": "an integer", "float": "a number", "bool": "true or false"}
        kind = ("a list" if isinstance(default, tuple)
                else kinds.get(type(default).__name__, "a string"))
        raise ValueError(f"parameter {name!r} of chapter {chapter!r} takes {kind} "
                         f"(like {default!r}), got {text!r}") from None


def _typed(default, text: str):
    if default is None or isinstance(default, str):
        return None if text.lower() == "none" else text
    if isinstance(default, tuple):
        items = json.loads(text) if text.strip().startswith("[") else text.split(",")
        kind = type(default[0]) if default else str
        return [_typed(kind(), str(v).strip()) for v in items]
    if isinstance(default, bool):
        words = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
        if text.lower() not in words:
            raise ValueError(text)
        return words[text.lower()]
    if isinstance(default, int):
        return int(text)
    return float(text)


def check_shard(chapter: str, shard: str | None, params=None) -> str | None:
    """The shard a run of `chapter` trains: None (all), "merge", or "I/N", with "auto" read
    from Slurm's job-array variables (`sweeps.slurm_shard`).

    Raises:
        ValueError: a chapter with nothing to split (not in SHARDED), a malformed shard, a Slurm
            variable missing for "auto", or `params` (the resolved parameters) without a cache.
    """
    if not shard:
        return None
    if chapter not in SHARDED:
        raise ValueError(f"chapter {chapter!r} has nothing to split or merge: shard one chapter "
                         f"at a time (chapters with --shard: {list(SHARDED)}), or run it "
                         f"without --shard")
    if params is not None and str(params.cache) == "off":
        raise ValueError("shards share their runs through the run cache; cache 'off' has none")
    if shard == "merge":
        return shard
    return "{}/{}".format(*parse_shard(shard))


def run_chapter(chapter: str, profile: str = "quick", params: dict | None = None, *,
                device: str | None = None, out: str | os.PathLike = "runs",
                shard: str | None = None, progress: bool = True) -> Path:
    """Execute one chapter with papermill and write <out>/<chapter>-<profile>.ipynb and .json.

    Returns the path of the run record. Raises ValueError for a bad chapter, profile or
    parameter, or a folder it cannot write (`check_folders`), before anything runs;
    papermill's PapermillExecutionError if a cell fails (the partly executed notebook and a
    record with "status": "failed" are still written). On SIGINT (KeyboardInterrupt) or
    SIGTERM (Terminated) the record is written with "status": "interrupted" and the signal.
    A relative `cache` (or ``$GENEFT_CACHE``, ``$GENEFT_DATA``) is taken relative to the
    caller's working directory, not the kernel's (book/).

    With shard "I/N" (or "auto": a Slurm job array's task, see `check_shard`) the chapter's
    sweeps train only shard I of their batches into the shared run cache (sweeps.run_sweep's
    `shard`, passed as ``$GENEFT_SHARD``), and the run stops at the first sweep other shards
    still owe: status "shard-done". Run all N shards (SHARDED[chapter] passes of them), then
    the merge: shard "merge" finishes the chapter from the cache without training any sweep
    run, and fails (a PapermillExecutionError naming the missing runs) if a shard has not
    finished. The same command without --shard also finishes it, training whatever is missing.
    A chapter not in SHARDED raises ValueError for any shard.
    """
    import jupytext
    import papermill

    params = absolute_paths(params)
    if device is not None:
        params["device"] = device
    resolved = resolve(chapter, profile, **params)          # validates everything first
    shard = check_shard(chapter, shard, resolved)
    merge = shard == "merge"
    out = check_folders(resolved, out)
    stem = f"{chapter}-{profile}" + (f"-shard{shard.replace('/', 'of')}"
                                     if shard and not merge else "")
    notebook = out / f"{stem}.ipynb"
    record = {"chapter": chapter, "profile": profile, "given": params,
              "parameters": {k: list(v) if isinstance(v, tuple) else v
                             for k, v in asdict(resolved).items()},
              "notebook": str(notebook), "started": _now(), **_provenance()}
    start = time.perf_counter()
    environ = kernel_environment(shard)
    saved = {name: os.environ.get(name) for name in environ}
    os.environ.update(environ)       # the kernel inherits them; its working directory is book/
    handlers = _catch_termination()
    try:
        papermill.execute_notebook(jupytext.read(book_dir() / f"{chapter}.md"), str(notebook),
                                   parameters={"profile": profile, **params},
                                   cwd=str(book_dir()), progress_bar=progress,
                                   kernel_name="python3")
        record["status"] = "ok"
    except papermill.PapermillExecutionError as err:
        record["status"] = "shard-done" if err.ename == "ShardIncomplete" and not merge \
            else "failed"
        if record["status"] == "failed":
            raise
    except (KeyboardInterrupt, Terminated) as err:
        record["status"] = "interrupted"
        record["signal"] = "SIGINT" if isinstance(err, KeyboardInterrupt) else "SIGTERM"
        raise
    except BaseException:
        record["status"] = "failed"
        raise
    finally:
        for name, value in saved.items():
            _restore(name, value)
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        record["shard"] = shard
        record["wall_s"] = round(time.perf_counter() - start, 3)
        write_atomic(out / f"{stem}.json", json.dumps(record, indent=2, default=str))
    return out / f"{stem}.json"


class Terminated(BaseException):
    """The process received SIGTERM while a chapter ran (raised like KeyboardInterrupt for
    SIGINT, so the run record is still written)."""


# Environment variables that hold paths: made absolute before the kernel, whose working
# directory is book/, reads them.
_PATH_VARIABLES = ("GENEFT_CACHE", "GENEFT_DATA")


def kernel_environment(shard: str | None = None) -> dict:
    """The environment variables a chapter's kernel gets besides ours: ``$GENEFT_SHARD`` and
    the path variables (``$GENEFT_CACHE``, ``$GENEFT_DATA``) made absolute here."""
    return {"GENEFT_SHARD": shard or "",
            **{name: os.path.abspath(os.path.expanduser(os.environ[name]))
               for name in _PATH_VARIABLES if os.environ.get(name)}}


def absolute_paths(params: dict | None) -> dict:
    """`params` with a relative `cache` directory made absolute where the caller is: the
    kernel that runs the chapter works in book/, so "runs/cache" would land there."""
    params = dict(params or {})
    cache = params.get("cache")
    if isinstance(cache, str) and cache.strip() and cache != "off":
        params["cache"] = os.path.abspath(os.path.expanduser(cache))
    return params


def check_folders(resolved, out: str | os.PathLike) -> Path:
    """The folders a run writes to, checked before it starts: `out` (created if missing), the
    run cache of a chapter that has one, and the results store when `save_results` is on.
    Returns `out` as a Path.

    Raises:
        ValueError: naming the folder that cannot be written and why.
    """
    from .store import default_root
    from .sweeps import check_writable, resolve_cache

    out = check_writable(out, "--out")
    cache = resolve_cache(getattr(resolved, "cache", "off"))
    if cache is not None:
        check_writable(cache, "cache")
    if getattr(resolved, "save_results", False):
        check_writable(default_root(), "results store (save_results)")
    return out


def _catch_termination() -> dict:
    """Make SIGTERM raise Terminated in this (main) thread, so a killed run still writes its
    record; returns the handlers to put back. Elsewhere than the main thread: nothing."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {signal.SIGTERM: signal.signal(signal.SIGTERM, _terminate)}


def _terminate(signum, frame):
    raise Terminated(f"received signal {signal.Signals(signum).name}")


def _restore(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _provenance() -> dict:
    """Git commit (and whether the tree was dirty), versions and the compute device."""
    import torch

    commit = git_commit()
    return {"git_commit": commit.removesuffix("-dirty"), "git_dirty": commit.endswith("-dirty"),
            "versions": versions(), "host": platform.node(), "cpu_count": os.cpu_count(),
            "device": device_name("cuda" if torch.cuda.is_available() else "cpu")}
