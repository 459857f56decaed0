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
import time
from dataclasses import asdict, fields
from datetime import datetime, timezone
from pathlib import Path

from .profiles import PROFILES, resolve
from .store import REPO, device_name, git_commit, versions
from .sweeps import parse_shard, write_atomic

__all__ = ["CHAPTERS", "book_dir", "parse_parameter", "run_chapter"]

CHAPTERS = tuple(PROFILES)          # statics, goldilocks, repons: book/<name>.md


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


def run_chapter(chapter: str, profile: str = "quick", params: dict | None = None, *,
                device: str | None = None, out: str | os.PathLike = "runs",
                shard: str | None = None, progress: bool = True) -> Path:
    """Execute one chapter with papermill and write <out>/<chapter>-<profile>.ipynb and .json.

    Returns the path of the run record. Raises ValueError for a bad chapter, profile or
    parameter before anything runs; papermill's PapermillExecutionError if a cell fails (the
    partly executed notebook and a record with "status": "failed" are still written).

    With shard "I/N" the chapter's sweeps train only shard I of their batches into the shared
    run cache (sweeps.run_sweep's `shard`, passed as ``$GENEFT_SHARD``), and the run stops at the
    first sweep other shards still owe: status "shard-done". Run all N shards, then the merge:
    shard "merge" finishes the chapter from the cache without training any sweep run, and
    fails (a PapermillExecutionError naming the missing runs) if a shard has not finished.
    The same command without --shard also finishes it, training whatever is missing.
    """
    import jupytext
    import papermill

    params = dict(params or {})
    if device is not None:
        params["device"] = device
    resolved = resolve(chapter, profile, **params)          # validates everything first
    merge = shard == "merge"
    if shard and not merge:
        parse_shard(shard)                                   # validates "I/N"
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{chapter}-{profile}" + (f"-shard{shard.replace('/', 'of')}"
                                     if shard and not merge else "")
    notebook = out / f"{stem}.ipynb"
    record = {"chapter": chapter, "profile": profile, "given": params,
              "parameters": {k: list(v) if isinstance(v, tuple) else v
                             for k, v in asdict(resolved).items()},
              "notebook": str(notebook), "started": _now(), **_provenance()}
    start = time.perf_counter()
    saved = os.environ.get("GENEFT_SHARD")
    os.environ["GENEFT_SHARD"] = shard or ""
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
    except BaseException:
        record["status"] = "failed"
        raise
    finally:
        _restore("GENEFT_SHARD", saved)
        record["shard"] = shard
        record["wall_s"] = round(time.perf_counter() - start, 3)
        write_atomic(out / f"{stem}.json", json.dumps(record, indent=2, default=str))
    return out / f"{stem}.json"


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
