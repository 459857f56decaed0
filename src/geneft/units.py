"""Units: cached, resumable, shardable pieces of a chapter's computation that is not a sweep.

Chapters 1-3 train `sweeps.Run`s; chapters 4-6 compute other things (Gaussian-process draws,
two-layer networks, the duality chapter's MLPs). Each of those computations is split here into
**units**, plain-data specifications (a dict of JSON values) of one independent piece, such as
one sample ratio of `twolayer.simulate` or one dataset draw of `fieldtheory.learning_curves`,
computed by a function of the spec alone. `run_units` computes the list through the same run
cache and the same shards as `sweeps.run_sweep`:

- with a cache, every unit's result is a JSON file ``DIR/u-<key>.json``, where key hashes the
  unit's name, its spec and the version of the code that computes it (the library version, the
  source of the named modules, the numpy and torch versions). Files are written atomically and
  validated on read (format, key, spec, SHA-256); a bad file warns (`runcache.CacheWarning`) and
  is recomputed. A run that is cut off loses only the unit in progress.
- with shard "I/N" (or ``$GENEFT_SHARD``), only every N-th unit of the list, starting with the
  I-th, is computed; if units of other shards are then still missing, `runcache.ShardIncomplete`
  is raised; "merge" computes nothing and raises if any unit is missing.

Results are dicts of JSON numbers, strings, lists, numpy arrays and pandas DataFrames
(`encode`, `decode`); floats go through JSON's shortest round-trip repr, so a result read from
the cache is bit for bit the one computed (float32 arrays included). JSON, never pickle.
"""
from __future__ import annotations

import functools
import hashlib
import json
import time
import warnings
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from . import __version__
from . import progress as _progress
from .runcache import (CacheWarning, ShardIncomplete, check_writable, digest, resolve_call,
                       write_atomic)

__all__ = ["run_units", "unit_key", "compute_seconds", "encode", "decode", "validate", "FORMAT",
           "PREFIX"]

FORMAT = "geneft-unit/1"
PREFIX = "u-"                 # unit files beside the sweeps' run files in one cache folder


@functools.cache
def code_version(modules: tuple[str, ...]) -> str:
    """The library version, a digest of the source of `modules` (file names in this package,
    the code that decides the unit's numbers) and the numpy and torch versions."""
    here = Path(__file__).parent
    digest = hashlib.sha256(b"".join((here / m).read_bytes() for m in modules)).hexdigest()
    import torch                                     # its version, not its import cost, matters
    return (f"geneft {__version__} src {digest[:16]} numpy {np.__version__} "
            f"torch {torch.__version__}")


def unit_key(name: str, spec: dict, modules: tuple[str, ...]) -> str:
    """SHA-256 of the unit's name, spec and `code_version(modules)` (its cache file's name)."""
    text = json.dumps({"name": name, "spec": spec, "code": code_version(tuple(modules))},
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def run_units(name: str, compute: Callable[[dict], dict], specs: list[dict], *,
              modules: tuple[str, ...], cache=None, shard: str | None = None,
              progress: bool = False, desc: str | None = None) -> list[dict]:
    """`compute(spec)` for every spec, through the run cache and the shards.

    Args:
        name: what the units compute, e.g. "twolayer.simulate" (part of every key).
        compute: spec -> result dict (see `encode` for the values it may hold); a function of
            the spec alone, so that a cached result is the one it would compute.
        specs: the units, dicts of JSON values (numbers, strings, lists, dicts); duplicates are
            computed once.
        modules: source files of this package that decide the results, e.g. ("twolayer.py",).
        cache: a directory, None (the default cache, `runcache.default_cache`) or "off" (none).
        shard: "I/N", "auto" (a Slurm job array's task), "merge", or None
            (``$GENEFT_SHARD``, else everything), as for `sweeps.run_sweep`.
        progress: a tqdm bar over the units. desc: its label (default `name`).
    Returns:
        The results, in the order of `specs`, each with "unit_s": the seconds its computation
        took (when it was computed, also for a result read from the cache; run-time estimates
        scale it).
    Raises:
        ValueError: an empty or non-JSON spec list, a shard without a cache.
        ShardIncomplete: units of other shards are missing (see the module docstring).
    """
    keys = [unit_key(name, _spec(spec), modules) for spec in specs]
    cache, merge, index, count = resolve_call(cache, shard)
    order = list(dict.fromkeys(keys))
    spec_of = dict(zip(keys, specs))
    results = {k: _load(cache, name, spec_of[k], k) for k in order} if cache else {}
    todo = [k for i, k in enumerate(order)
            if results.get(k) is None and i % count == index - 1 and not merge]
    if cache is not None and todo:
        check_writable(cache, "cache")
    with _progress.bar(total=len(order), initial=len(order) - len(todo), progress=progress,
                       desc=desc or name) as bar:
        for key in todo:
            start = time.perf_counter()
            results[key] = {**compute(dict(spec_of[key])), "unit_s": 0.0}
            results[key]["unit_s"] = time.perf_counter() - start
            if cache is not None:
                _save(cache, name, spec_of[key], key, results[key])
            bar.update()
    left = sum(results.get(k) is None for k in order)
    if left:
        where = "merge" if merge else f"shard {index}/{count} done"
        raise ShardIncomplete(f"{name}: {where}; {left} of {len(order)} units belong to other "
                              f"shards and are not in the cache {cache} yet")
    return [results[k] for k in keys]


def compute_seconds(results: list[dict]) -> float:
    """The seconds that computing `results` (of `run_units`) took, cached ones included."""
    return float(sum(r["unit_s"] for r in results))


def _spec(spec) -> dict:
    """The spec as it is hashed and stored; refuses what JSON would change or cannot hold."""
    if not isinstance(spec, dict):
        raise ValueError(f"a unit's spec must be a dict of JSON values, got {type(spec).__name__}")
    try:
        if json.loads(json.dumps(spec)) != spec:
            raise TypeError("it changes in a JSON round trip (tuples, non-string keys)")
    except (TypeError, ValueError) as err:
        raise ValueError(f"a unit's spec must be a dict of JSON values: {spec!r} ({err})") \
            from None
    return spec


# ---- results as JSON --------------------------------------------------------------------

def encode(value):
    """A result as JSON values: numpy arrays and scalars, DataFrames and containers of them."""
    if isinstance(value, pd.DataFrame):
        return {"__frame__": {"columns": [str(c) for c in value.columns],
                              "dtypes": [str(t) for t in value.dtypes],
                              "data": {str(c): encode(value[c].to_numpy()) for c in value}}}
    if isinstance(value, np.ndarray):
        data = value.ravel().tolist()
        text = value.dtype.kind in "OU" and all(isinstance(v, str) for v in data)
        if value.dtype.kind not in "biuf" and not text:
            raise ValueError(f"cannot store an array of dtype {value.dtype} in a unit's result "
                             f"(numbers, booleans and strings only)")
        return {"__array__": {"dtype": str(value.dtype), "shape": list(value.shape),
                              "data": data}}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError(f"cannot store a {type(value).__name__} in a unit's result")


def decode(value):
    """The inverse of `encode`."""
    if isinstance(value, dict) and "__array__" in value:
        a = value["__array__"]
        return np.asarray(a["data"], dtype=np.dtype(a["dtype"])).reshape(a["shape"])
    if isinstance(value, dict) and "__frame__" in value:
        f = value["__frame__"]
        return pd.DataFrame({c: decode(f["data"][c]).astype(t)
                             for c, t in zip(f["columns"], f["dtypes"])}, columns=f["columns"])
    if isinstance(value, dict):
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


# ---- the cache files ------------------------------------------------------------------------

def _payload(name: str, spec: dict, key: str, result: dict) -> dict:
    return {"format": FORMAT, "name": name, "key": key, "spec": spec, "result": encode(result)}



def _save(cache: Path, name: str, spec: dict, key: str, result: dict) -> None:
    """Write the unit's file; if it cannot be written, warn (the result is still returned)."""
    payload = _payload(name, spec, key, result)
    path = Path(cache) / f"{PREFIX}{key}.json"
    try:
        write_atomic(path, json.dumps({**payload, "sha256": digest(payload)}))
    except OSError as err:
        warnings.warn(f"cache file {path} could not be written ({err.strerror or err}); the "
                      f"unit's result is kept for this run only", CacheWarning, stacklevel=4)


def _load(cache: Path, name: str, spec: dict, key: str):
    """The cached result of a unit, or None if absent; a bad file warns and gives None."""
    path = Path(cache) / f"{PREFIX}{key}.json"
    if not path.exists():
        return None
    try:
        data = validate(json.loads(path.read_text()))
        if data["name"] != name or data["key"] != key or data["spec"] != spec:
            raise ValueError("file does not match the unit's name, key or spec")
        return decode(data["result"])
    except (OSError, ValueError, KeyError, TypeError, IndexError, RecursionError) as err:
        warnings.warn(f"cache file {path} is invalid ({err}); recomputing the unit",
                      CacheWarning, stacklevel=3)
        return None


def validate(data) -> dict:
    """A parsed unit file after checking its fields and checksum (`sweeps.merge_caches` uses
    it). Raises ValueError naming what is wrong."""
    if not isinstance(data, dict):
        raise ValueError(f"it holds a JSON {type(data).__name__}, not an object")
    for field, kind in (("sha256", str), ("format", str), ("name", str), ("key", str),
                        ("spec", dict), ("result", dict)):
        if not isinstance(data.get(field), kind):
            raise ValueError(f"field {field!r} is missing or not a {kind.__name__}")
    data = dict(data)
    if digest({k: v for k, v in data.items() if k != "sha256"}) != data["sha256"]:
        raise ValueError("checksum mismatch")
    if data["format"] != FORMAT:
        raise ValueError(f"format {data['format']!r} is not {FORMAT!r}")
    return data
