"""The results store: finished sweeps kept as tidy tables with their provenance, in `data/`.

A full-size sweep takes hours on a CPU and minutes on a GPU; the book shows it without re-running
it. One stored result is a folder `<root>/<name>/<config hash>/` holding

- one gzipped CSV per table (`<table>.csv.gz`), plain text that any tool reads;
- `meta.json`: the configuration and its hash, the git commit, package versions, the device,
  the wall time and the summed training time, the creation date, a SHA-256 of every table, and
  a SHA-256 of the metadata itself (so the provenance shown under a figure cannot be edited).

A result is looked up by name and configuration, so a chapter finds exactly the run made with the
parameters it asks for. Writes are atomic (a temporary folder, renamed into place), reads check
every field, the hash, the configuration and every checksum, and a bad result (a deleted
`meta.json` included) warns and reads as absent.
Nothing is unpickled: tables are CSV, metadata is JSON.
"""
from __future__ import annotations

import datetime
import gzip
import hashlib
import io
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__

__all__ = ["Stored", "StoreWarning", "config_hash", "default_root", "device_name", "load",
           "save", "versions", "git_commit"]

FORMAT = "geneft-store-1"
REPO = Path(__file__).resolve().parents[2]


class StoreWarning(UserWarning):
    """A stored result failed validation and is treated as absent."""


@dataclass(frozen=True)
class Stored:
    """One stored result: its tables by name and its metadata."""

    tables: dict
    meta: dict

    @property
    def provenance(self) -> str:
        """One line for under a figure: when, where, which commit and configuration."""
        m = self.meta
        compute, wall = m["timings"]["compute_s"], m["timings"]["wall_s"]
        took = (f"{_minutes(compute)} of training summed over workers" if compute is not None
                else f"{_minutes(wall)}")
        return (f"full-size run of {m['created'][:10]} on {m['device']}, "
                f"{took}; commit {m['commit'][:7]}{'-dirty' * m['commit'].endswith('-dirty')}, "
                f"config {m['config_hash']}, geneft {m['versions']['geneft']}")


def default_root() -> Path:
    """``$GENEFT_DATA`` if set, else the repository's `data/` folder."""
    return Path(os.environ.get("GENEFT_DATA") or REPO / "data")


def config_hash(config: dict) -> str:
    """12 hex digits of the SHA-256 of the configuration as canonical JSON."""
    return hashlib.sha256(_canonical(config).encode()).hexdigest()[:12]


def save(name: str, tables: dict, config: dict, *, wall_s: float, compute_s: float | None = None,
         device: str | None = None, root: str | os.PathLike | None = None) -> Path:
    """Store `tables` (name -> DataFrame) as the result `name` of `config`, replacing an older
    result of the same configuration. Returns the result's folder."""
    _check_name(name)
    if not tables or not all(isinstance(t, pd.DataFrame) for t in tables.values()):
        raise ValueError("tables must be a non-empty dict of pandas DataFrames")
    config = json.loads(_canonical(config))
    folder = Path(root or default_root()) / name / config_hash(config)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".tmp-"))
    try:
        files = {}
        for table, frame in tables.items():
            _check_name(table)
            data = gzip.compress(frame.to_csv(index=False, float_format="%.9g").encode(), mtime=0)
            (tmp / f"{table}.csv.gz").write_bytes(data)
            files[table] = hashlib.sha256(data).hexdigest()
        meta = {"format": FORMAT, "name": name, "config": config,
                "config_hash": config_hash(config),
                "created": datetime.datetime.now(datetime.timezone.utc).isoformat(
                    timespec="seconds"),
                "commit": git_commit(), "versions": versions(),
                "device": device or device_name("cpu"),
                "timings": {"wall_s": float(wall_s),
                            "compute_s": None if compute_s is None else float(compute_s)},
                "files": files}
        meta["sha256"] = _meta_digest(meta)
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
        for path in tmp.iterdir():
            with open(path, "rb") as f:
                os.fsync(f.fileno())
        old = None
        if folder.exists():
            old = folder.with_name(f".old-{folder.name}-{os.getpid()}")
            os.replace(folder, old)
        os.replace(tmp, folder)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def load(name: str, config: dict, root: str | os.PathLike | None = None) -> Stored | None:
    """The stored result `name` of exactly `config`, or None if there is none. A result that
    fails validation (an edited, truncated or missing file, a wrong configuration, a field of
    `meta.json` missing or of the wrong type) warns with a StoreWarning naming its folder and
    gives None."""
    _check_name(name)
    config = json.loads(_canonical(config))
    folder = Path(root or default_root()) / name / config_hash(config)
    if not folder.exists():
        return None
    try:
        meta = json.loads((folder / "meta.json").read_text())
        _check_meta(meta, name, config)
        tables = {}
        for table, sha in meta["files"].items():
            data = (folder / f"{table}.csv.gz").read_bytes()
            if hashlib.sha256(data).hexdigest() != sha:
                raise ValueError(f"checksum mismatch in {table}.csv.gz")
            tables[table] = pd.read_csv(io.BytesIO(gzip.decompress(data)))
    except (OSError, EOFError, zlib.error, ValueError, KeyError, TypeError,
            AttributeError, RecursionError) as err:   # FileNotFoundError: a file was deleted
        warnings.warn(f"stored result {folder} is invalid ({err}); ignoring it", StoreWarning,
                      stacklevel=2)
        return None
    return Stored(tables, meta)


def _check_meta(meta, name: str, config: dict) -> None:
    """Every field of a stored result's meta.json that is read: present, of its type, and
    covered by the metadata's own checksum (so an edited device, commit or timing is caught)."""
    if not isinstance(meta, dict):
        raise ValueError(f"meta.json holds a JSON {type(meta).__name__}, not an object")
    if not isinstance(meta.get("sha256"), str) or meta["sha256"] != _meta_digest(meta):
        raise ValueError("meta.json checksum missing or mismatched")
    if meta.get("format") != FORMAT or meta.get("name") != name:
        raise ValueError(f"format or name is not {FORMAT!r}/{name!r}")
    if meta.get("config") != config or meta.get("config_hash") != config_hash(config):
        raise ValueError("its configuration differs from the one asked for")
    for field, kind in (("created", str), ("commit", str), ("device", str), ("versions", dict),
                        ("timings", dict), ("files", dict)):
        if not isinstance(meta.get(field), kind) or not meta[field]:
            raise ValueError(f"meta.json field {field!r} is missing, empty or not a "
                             f"{kind.__name__}")
    datetime.datetime.fromisoformat(meta["created"])            # ValueError if not a date
    if not all(isinstance(v, str) for v in meta["versions"].values()) or \
            "geneft" not in meta["versions"]:
        raise ValueError("meta.json field 'versions' must map package names to version text, "
                         "geneft's included")
    wall, compute = meta["timings"].get("wall_s"), meta["timings"].get("compute_s", 0.0)
    if not _seconds(wall) or not (compute is None or _seconds(compute)):
        raise ValueError(f"meta.json timings must be seconds >= 0 (compute_s may be null), got "
                         f"{meta['timings']!r}")
    for table, sha in meta["files"].items():
        _check_name(table)                                     # no path outside the folder
        if not (isinstance(sha, str) and len(sha) == 64
                and all(c in "0123456789abcdef" for c in sha)):
            raise ValueError(f"meta.json checksum of {table!r} is not a SHA-256")


def _seconds(value) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and value >= 0)


def _meta_digest(meta: dict) -> str:
    """SHA-256 of the metadata without its own checksum, as canonical JSON."""
    rest = {k: v for k, v in meta.items() if k != "sha256"}
    return hashlib.sha256(json.dumps(rest, sort_keys=True).encode()).hexdigest()


def versions() -> dict:
    """Versions of Python and the packages that decide the numbers."""
    import torch
    return {"geneft": __version__, "python": platform.python_version(), "torch": torch.__version__,
            "numpy": np.__version__, "pandas": pd.__version__}


def git_commit(repo: Path | None = None) -> str:
    """The HEAD commit of `repo` (default: this checkout) with "-dirty" if it has uncommitted
    changes to tracked files, or "unknown" outside a git checkout."""
    repo = REPO if repo is None else repo
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=repo, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("-dirty" if dirty.strip() else "")


def device_name(device: str) -> str:
    """A readable name of the machine a run used on `device` ("auto", "cpu", "cuda[:i]"): the
    GPU's name, or the CPU's and its cores."""
    import torch
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if str(device).startswith("cuda") and torch.cuda.is_available():
        return f"GPU {torch.cuda.get_device_name(torch.device(device))}"
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"CPU {cpu}, {os.cpu_count()} cores ({sys.platform})"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"


def _canonical(config: dict) -> str:
    """Configuration as canonical JSON (sorted keys, tuples as lists); rejects what JSON cannot
    hold exactly."""
    if not isinstance(config, dict):
        raise ValueError(f"config must be a dict, got {type(config).__name__}")
    try:
        return json.dumps(config, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as err:
        raise ValueError(f"config must hold only JSON values (numbers, strings, lists): "
                         f"{err}") from None


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name or not all(
            part and part.replace("-", "").replace("_", "").isalnum() and part[0] != "."
            for part in name.split("/")):
        raise ValueError(f"name must be words of letters, digits, '-' or '_' joined by '/', "
                         f"e.g. 'repons/phase-grid', got {name!r}")
