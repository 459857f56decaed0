"""The run cache's files and shards, shared by `sweeps` (trained runs) and `units` (the other
chapters' pieces of work): where the cache lives, atomic writes, temporary files that killed
writers left, and which shard of a job array this process is."""
from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
import time
from pathlib import Path

__all__ = ["ShardIncomplete", "CacheWarning", "default_cache", "resolve_cache", "resolve_call",
           "parse_shard",
           "slurm_shard", "check_writable", "remove_orphans", "write_atomic", "ORPHAN_AGE_S"]


class ShardIncomplete(RuntimeError):
    """This shard's runs are trained and cached; other shards' runs are still missing."""


class CacheWarning(UserWarning):
    """A cache file was unreadable or inconsistent and its run is being recomputed."""


def default_cache() -> Path:
    """Where chapters cache their runs: ``$GENEFT_CACHE`` if set, else
    ``$XDG_CACHE_HOME/geneft/runs`` (XDG_CACHE_HOME defaults to ~/.cache)."""
    if os.environ.get("GENEFT_CACHE"):
        return Path(os.environ["GENEFT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "geneft" / "runs"


def resolve_cache(value: str | os.PathLike | None) -> Path | None:
    """A chapter's `cache` parameter as a directory: None -> default_cache(), "off" -> None
    (no caching), anything else -> that path."""
    if value is None:
        return default_cache()
    return None if str(value) == "off" else Path(value)


def resolve_call(cache, shard) -> tuple[Path | None, bool, int, int]:
    """The run cache and shard of one sweep or list of units: (cache directory or None, merge,
    I, N), from `cache` (`resolve_cache`) and `shard` ("I/N", "auto", "merge", or None:
    ``$GENEFT_SHARD``, else everything). Removes the cache's orphaned temporary files.

    Raises:
        ValueError: a malformed shard, or a shard without a cache.
    """
    cache = resolve_cache(cache)
    shard = shard if shard is not None else os.environ.get("GENEFT_SHARD")
    merge = shard == "merge"
    index, count = parse_shard(None if merge else shard)
    if (count > 1 or merge) and cache is None:
        raise ValueError("shard needs a cache directory shared by the shards")
    if cache is not None:
        remove_orphans(cache)
    return cache, merge, index, count


def parse_shard(shard: str | None) -> tuple[int, int]:
    """'I/N' -> (I, N); None or '' -> (1, 1); 'auto' -> `slurm_shard()`."""
    if not shard:
        return 1, 1
    if shard == "auto":
        return slurm_shard()
    try:
        index, count = (int(v) for v in str(shard).split("/"))
    except ValueError:
        index, count = 0, 0
    if not 1 <= index <= count:
        raise ValueError(f"shard must be 'I/N' with 1 <= I <= N, e.g. '2/4', got {shard!r}")
    return index, count


def slurm_shard(environ=None) -> tuple[int, int]:
    """The shard (I, N) of this task of a Slurm job array (`sbatch --array=A-B[:S]`), from
    ``$SLURM_ARRAY_TASK_ID``, ``_MIN``, ``_STEP`` (default 1) and ``_COUNT`` (or, without it,
    ``_MAX``): I = (ID - MIN) / STEP + 1 and N = COUNT = (MAX - MIN) / STEP + 1, so the tasks
    of --array=0-3 and of --array=1-4 are the shards 1/4 ... 4/4.

    Args:
        environ: the variables (default os.environ).
    Raises:
        ValueError: naming a variable that is missing or not an integer, or if the array is not
            a range (e.g. --array=1,5,9).
    """
    env = os.environ if environ is None else environ

    def get(name):
        text = env.get(f"SLURM_ARRAY_TASK_{name}", "")
        try:
            return int(text) if text else None
        except ValueError:
            raise ValueError(f"$SLURM_ARRAY_TASK_{name} must be an integer, got {text!r}") from None

    task, low, count, high, step = (get(v) for v in ("ID", "MIN", "COUNT", "MAX", "STEP"))
    missing = [f"$SLURM_ARRAY_TASK_{v}" for v, x in (("ID", task), ("MIN", low)) if x is None]
    if count is None and high is None:
        missing.append("$SLURM_ARRAY_TASK_COUNT (or $SLURM_ARRAY_TASK_MAX)")
    if missing:
        raise ValueError(f"shard 'auto' reads a Slurm job array's variables; not set: "
                         f"{', '.join(missing)} (submit with sbatch --array=1-N, or give the "
                         f"shard as I/N)")
    step = step or 1
    span = None if high is None else (high - low) // step + 1
    count = span if count is None else count
    offset = task - low
    if offset < 0 or offset % step or offset // step >= count or span not in (None, count):
        raise ValueError(f"shard 'auto' needs a job array given as a range (e.g. --array=1-"
                         f"{count}); task {task} of MIN {low}, MAX {high}, STEP {step}, COUNT "
                         f"{count} is not on one")
    return offset // step + 1, count


def check_writable(folder: str | os.PathLike, what: str = "cache") -> Path:
    """`folder`, created if missing, after writing and removing a probe file in it: a folder
    that cannot take files is found before any work starts, not when its first result is saved.

    Raises:
        ValueError: naming `what` (e.g. "cache", "--out"), the folder and the reason.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{what} directory {folder} is a file; give a directory")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=f".tmp-{_writer()}-", suffix=".json")
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise ValueError(f"{what} directory {folder} cannot be written to "
                         f"({err.strerror or err}); give a writable directory") from None
    return folder


ORPHAN_AGE_S = 600   # a temporary file this old was left by a killed writer (a write takes ms)


def remove_orphans(cache: Path, *, older_than: float = ORPHAN_AGE_S) -> int:
    """Delete the temporary files (`.tmp-*.json`) that killed writers left in `cache`, if older
    than `older_than` seconds (younger ones may belong to a live writer, e.g. another shard).
    Returns how many were removed."""
    removed, now = 0, time.time()
    for tmp in Path(cache).glob(".tmp-*.json"):
        try:
            if now - tmp.stat().st_mtime > older_than or _writer_died(tmp.name):
                tmp.unlink()
                removed += 1
        except FileNotFoundError:      # another process removed or renamed it first
            pass
        except OSError:                # e.g. a read-only cache: nothing to clean up there
            pass
    return removed


def _writer() -> str:
    """This process as the writer of a temporary file: host and process id."""
    host = "".join(c if c.isalnum() else "_" for c in platform.node())
    return f"{host or 'host'}.{os.getpid()}"


def _writer_died(name: str) -> bool:
    """Whether the temporary file `name` (".tmp-HOST.PID-....json") was left by a process of
    this host that no longer exists: removable at once, whatever its age."""
    writer = name.removeprefix(".tmp-").split("-")[0]
    host, _, pid = writer.rpartition(".")
    if host != _writer().rpartition(".")[0] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:                    # exists, owned by another user
        return False
    return False


def digest(payload: dict) -> str:
    """SHA-256 of a cache file's payload (JSON, keys sorted): the checksum every cache file
    carries and every read checks."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` atomically: a temporary file in the same folder, fsync, rename;
    a crash leaves either the old file or the new one, never a partial file."""
    fd, tmp = tempfile.mkstemp(dir=Path(path).parent, prefix=f".tmp-{_writer()}-",
                               suffix=".json")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
