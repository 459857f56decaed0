"""Sweeps: grids of training runs, batched by shape and cached on disk.

A `Run` is one trained model, described completely by plain data: the task (relation, n, train
fraction, seed), the model shape (an MLP decoder, or the relation's ideal decoder of the paper's
Fig. 3) and the optimisation. `grid` builds the cartesian product of lists of such settings;
`run_sweep` trains every run and returns a tidy table (one row per run: its settings, its final
metrics, its accuracy curves and its final embeddings).

Runs that differ only in train fraction, seed, learning rates or weight decay have the same shape
and train together in one ensemble batch (`fasttrain.train`). The batches are a function of the
whole list of runs (grouped by shape in order of first appearance, cut every `batch_size`), so
the same list always gives the same numbers, bit for bit, whatever was cached, whichever
worker trained which batch. A model's numbers can depend on its batch at the level of float32
rounding (vectorised kernels treat an element differently by its position in memory), which is
why the batches are fixed by the list and not by what happens to be missing.

With `cache=DIR`, every run's result is a JSON file DIR/<key>.json, where key hashes the run, the
library version, the source of the modules that produce the numbers and the torch version.
Files are written atomically (temporary file + rename) after each batch, and validated on read
(format, key, run, shapes, a SHA-256 of the content): a bad file is reported with a
`CacheWarning` and recomputed, never used. Killing a sweep loses at most the batches in flight;
the same call again trains only the batches that hold a run without a valid file. A cached run
is reused by any list that contains it; if it was trained in another list's batch its numbers
may differ from a fresh run's at rounding level. JSON, never pickle.
"""
from __future__ import annotations

import ctypes
import functools
import hashlib
import itertools
import json
import math
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from . import progress as _progress
from . import threads
from . import units
from .runcache import (ORPHAN_AGE_S, CacheWarning, ShardIncomplete, check_writable,  # noqa: F401
                       default_cache, digest, parse_shard, remove_orphans, resolve_cache,
                       resolve_call, slurm_shard, write_atomic)
from . import __version__
from .models import IDEAL_DECODERS, ModelConfig, ideal_config, init_ensemble
from .profiles import DEPTH_MAX, N_MAX, SEED_MAX, STEPS_MAX, WIDTH_MAX
from .tasks import all_pairs, check_int, check_split, parse_relation, train_mask
from .fasttrain import train
from .train import LOSSES, resolve_device

__all__ = ["Run", "grid", "run_sweep", "default_cache", "resolve_cache", "ShardIncomplete",
           "parse_shard", "slurm_shard", "embedding_paths", "run_of", "write_atomic",
           "remove_orphans", "trained_models",
           "CacheWarning", "DECODERS", "check_writable",
           "code_version", "FORMAT", "balanced_batch_size", "to_tables", "from_tables",
           "merge_caches"]

FORMAT = "geneft-run/1"
_PER_MODEL = ("fraction", "seed", "lr_enc", "lr_dec", "weight_decay")  # may differ in a batch
_CURVES = ("curve_train_acc", "curve_test_acc", "curve_whole_acc", "curve_loss")
_NUMERIC_MODULES = ("tasks.py", "models.py", "train.py", "fasttrain.py")  # decide the numbers
DECODERS = ("mlp", "ideal")                  # Run.decoder
_LATER = {"decoder": "mlp"}                  # Run fields added later: default left out of keys


@dataclass(frozen=True)
class Run:
    """Everything that determines one trained model. Defaults: the paper's Table III."""

    relation: str = "mod3"       # tasks.parse_relation name: 'modK', 'greater', 'bipartiteA'
    n: int = 30                  # symbols (paper: 30)
    fraction: float = 0.75       # train fraction p
    seed: int = 0                # initialisation and train split
    depth: int = 3               # decoder hidden layers (paper: 3)
    width: int = 50              # decoder units per hidden layer (paper: 50)
    dim: int = 2                 # embedding dimension d (paper: 2)
    mode: str = "concat"         # decoder input, models.MODES
    activation: str = "tanh"     # models.ACTIVATIONS
    init_scale: float = 0.5      # embeddings ~ N(0, init_scale^2) (teaching notebook's choice)
    lr_enc: float = 1e-3         # eta_enc, Adam on the embeddings (paper: 1e-3)
    lr_dec: float = 1e-3         # eta_dec, Adam on the decoder (paper: 1e-3)
    weight_decay: float = 0.0    # L2 on the decoder (paper: 0; Fig. 8 varies it)
    steps: int = 3000            # full-batch Adam steps
    loss: str = "bce"            # train.LOSSES
    eval_every: int = 100        # metrics recorded every this many steps
    decoder: str = "mlp"         # DECODERS: "mlp", the decoder above; "ideal", the relation
    #                              family's ideal decoder (models.IDEAL_DECODERS), which then
    #                              sets dim, depth, width, mode and activation

    def __post_init__(self):
        for f in fields(self):   # NumPy scalars (np.arange, a table row) as Python numbers: the
            value = getattr(self, f.name)                        # cache key is JSON
            if isinstance(value, np.generic):
                object.__setattr__(self, f.name, value.item())
        check_int("n", self.n, 2, N_MAX)
        check_int("depth", self.depth, 0, DEPTH_MAX)
        check_int("width", self.width, 1, WIDTH_MAX)
        family = parse_relation(self.relation, self.n).family
        if self.decoder not in DECODERS:
            raise ValueError(f"decoder must be one of {list(DECODERS)}, got {self.decoder!r}")
        if self.decoder == "ideal":
            if family not in IDEAL_DECODERS:
                raise ValueError(f"decoder 'ideal' exists for relation families "
                                 f"{sorted(IDEAL_DECODERS)}; {self.relation!r} is {family!r}")
            ideal = ideal_config(family, n=self.n, init_scale=self.init_scale)
            # the ideal decoder's shape replaces the given one, so two ideal runs are equal
            # (one cache key) exactly when their models are
            for name in ("dim", "depth", "width", "mode", "activation"):
                object.__setattr__(self, name, getattr(ideal, name))
        self.model_config()  # validates n, depth, width, dim, mode, activation, init_scale
        if not (isinstance(self.fraction, (int, float)) and 0 < self.fraction < 1):
            raise ValueError(f"fraction must be a number in (0, 1), got {self.fraction!r}")
        check_split(self.fraction, self.n ** 2)     # no empty train or test set
        for name in ("init_scale", "weight_decay"):
            if not (isinstance(getattr(self, name), (int, float)) and
                    math.isfinite(getattr(self, name))):
                raise ValueError(f"{name} must be a finite number, got {getattr(self, name)!r}")
        check_int("seed", self.seed, 0, SEED_MAX)
        check_int("steps", self.steps, 1, STEPS_MAX)
        check_int("eval_every", self.eval_every, 1)
        for name in ("lr_enc", "lr_dec"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        if not (isinstance(self.weight_decay, (int, float)) and self.weight_decay >= 0):
            raise ValueError(f"weight_decay must be a number >= 0, got {self.weight_decay!r}")
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {sorted(LOSSES)}, got {self.loss!r}")

    def model_config(self) -> ModelConfig:
        if self.decoder == "ideal":
            family = parse_relation(self.relation, self.n).family
            return ideal_config(family, n=self.n, init_scale=self.init_scale)
        return ModelConfig(n=self.n, dim=self.dim, depth=self.depth, width=self.width,
                           activation=self.activation, mode=self.mode,
                           init_scale=self.init_scale)

    def shape(self) -> tuple:
        """The settings a batch must share (all but the per-model ones)."""
        return tuple(getattr(self, f.name) for f in fields(self) if f.name not in _PER_MODEL)

    def settings(self) -> dict:
        """The fields as a dict, less those added later that are at their default (`decoder`
        "mlp"): runs from before such a field keep their keys and cache files."""
        return {k: v for k, v in asdict(self).items() if not (k in _LATER and v == _LATER[k])}

    def key(self) -> str:
        """SHA-256 of the run's settings and `code_version()` (the cache key)."""
        text = json.dumps({"run": self.settings(), "code": code_version()}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def code_version() -> str:
    """What besides the settings determines a run's numbers: the library version, a digest of
    the source of tasks, models and train, and the torch version. Read once per process (every
    Run.key() uses it)."""
    here = Path(__file__).parent
    digest = hashlib.sha256(b"".join((here / m).read_bytes() for m in _NUMERIC_MODULES))
    return f"geneft {__version__} src {digest.hexdigest()[:16]} torch {torch.__version__}"


def grid(**axes) -> list[Run]:
    """The cartesian product of the given settings, as Runs, first axis slowest.

    Each keyword is a Run field; a list, tuple or range is an axis, anything else a constant.
    Example: grid(relation="mod3", fraction=0.3, depth=[1, 2, 3], width=10, seed=range(8)).

    Raises:
        ValueError: an unknown setting (the message lists the valid ones), an empty axis, or an
            invalid value (from Run).
    """
    names = [f.name for f in fields(Run)]
    unknown = sorted(set(axes) - set(names))
    if unknown:
        raise ValueError(f"unknown setting(s) {unknown}; valid: {names}")
    lists = {k: list(v) if isinstance(v, (list, tuple, range, np.ndarray)) else [v]
             for k, v in axes.items()}
    empty = [k for k, v in lists.items() if not v]
    if empty:
        raise ValueError(f"axis {empty[0]!r} is empty")
    return [Run(**dict(zip(lists, values))) for values in itertools.product(*lists.values())]


def run_sweep(runs: list[Run], *, cache: str | os.PathLike | None = "off", device="auto",
              batch_size: int = 64, workers: int = 1, executor: Executor | None = None,
              shard: str | None = None, progress: bool = False) -> pd.DataFrame:
    """Train every run (or load it from `cache`) and return the tidy table.

    Args:
        runs: the Runs, e.g. from `grid`; duplicates are trained once.
        cache: directory of per-run JSON results (created if missing); None: the default
            cache (`default_cache`); "off" (the default here): no cache. The same values as
            a chapter's `cache` parameter (`resolve_cache`).
        device: "auto" (CUDA when present), "cpu" or "cuda".
        batch_size: most models trained in one batch; a killed sweep loses at most the batches
            in flight.
        workers: batches trained at once in worker processes (1: in this process). Small
            models train fastest on one thread each, so on CPU use one worker per core.
        executor: any concurrent.futures.Executor to train the batches on instead (e.g. a
            Dask cluster's `client.get_executor()`); overrides `workers`.
            Without it and with ``$GENEFT_DASK`` set to a Dask scheduler's address, the
            batches go to that Dask cluster (``pip install "dask[distributed]"``).
        shard: "I/N" (1 <= I <= N) to train only every N-th batch, starting with the I-th, into
            `cache` (job arrays: N jobs fill one shared cache). Default: ``$GENEFT_SHARD``, else
            no sharding. If runs of other shards are still missing afterwards, raises
            ShardIncomplete; once all shards are done the same call returns the full table.
            "merge": train nothing, build the table from the cache alone (after `merge_caches`
            has gathered the shards' files), and raise ShardIncomplete if any run is missing.
        progress: tqdm bar over runs.
    Returns:
        DataFrame, one row per run in the order given: the Run fields; final `train_acc`,
        `test_acc`, `whole_acc`, `train_loss`; `curve_step` (T,) and `curve_train_acc`,
        `curve_test_acc`, `curve_whole_acc`, `curve_loss` (T,) arrays; `embeddings` (n, d);
        `train_s` (seconds of training, the run's share of its batch's wall time; NaN for
        results cached before timings were recorded); `cached` (True if read from the cache);
        `key`.

    For a given list and `batch_size` the numbers do not depend on the cache, `workers` or
    the executor (tested on CPU).
    """
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise RuntimeError(_GUARD)     # a spawned worker is importing the caller's script
    runs = list(runs)
    if not runs or not all(isinstance(r, Run) for r in runs):
        raise ValueError("runs must be a non-empty list of sweeps.Run (see sweeps.grid)")
    batch_size = check_int("batch_size", batch_size, 1)     # NumPy integers as int
    workers = check_int("workers", workers, 1)
    device = str(resolve_device(device))
    cache, merge, index, count = resolve_call(cache, shard)
    unique = list(dict.fromkeys(runs))
    results = {r: _load(Path(cache), r) for r in unique} if cache is not None else {}
    missing = [r for r in unique if results.get(r) is None]
    todo = [b for k, b in enumerate(_batches(unique, batch_size))
            if k % count == index - 1 and any(results.get(r) is None for r in b) and not merge]
    todo.sort(key=_cost, reverse=True)
    if cache is not None and todo:
        check_writable(cache, "cache")      # before training, not when the first batch is saved
    with _progress.bar(total=len(unique), initial=len(unique) - len(missing),
                       progress=progress, desc="runs") as bar:
        for batch, trained in _map(todo, device, workers, executor):
            new = [(r, res) for r, res in zip(batch, trained) if results.get(r) is None]
            for run, result in new:
                results[run] = result
                if cache is not None:
                    _save(Path(cache), run, result)
            bar.update(len(new))
    left = [r for r in unique if results.get(r) is None]
    if left and merge:
        raise ShardIncomplete(f"merge: {len(left)} of {len(unique)} runs are not in the cache "
                              f"{cache}; run the shards that owe them, or gather their caches")
    if left:
        raise ShardIncomplete(f"shard {index}/{count} done; {len(left)} of {len(unique)} runs "
                              f"belong to other shards and are not in the cache yet")
    fresh = set(missing)
    return pd.DataFrame([{**asdict(r), **_final(results[r]), **results[r],
                          "cached": r not in fresh, "key": r.key()} for r in runs])


def to_tables(table: pd.DataFrame) -> dict:
    """A sweep table as two tidy tables for the results store: "runs" (one row per run: the
    scalar columns, e.g. settings, final accuracies, `train_s`, `key`, any added `phase`) and
    "curves" (one row per run and evaluation step: `key`, `step` and the recorded curves).
    The final embeddings are left out."""
    arrays = ["curve_step", *_CURVES]
    runs = table.drop(columns=[c for c in [*arrays, "embeddings", "cached"] if c in table])
    curves = pd.DataFrame({
        "key": np.repeat(table["key"].to_numpy(), [len(s) for s in table["curve_step"]]),
        "step": np.concatenate(table["curve_step"].to_list()),
        **{c.removeprefix("curve_"): np.concatenate(table[c].to_list()) for c in _CURVES}})
    return {"runs": runs.reset_index(drop=True), "curves": curves}


def from_tables(runs: pd.DataFrame, curves: pd.DataFrame) -> pd.DataFrame:
    """The inverse of `to_tables` (without embeddings): the runs table with its curves as
    arrays again, so `phases.classify_table` and the plots take it like a fresh sweep."""
    grouped = {key: group for key, group in curves.groupby("key", sort=False)}
    missing = set(runs["key"]) - set(grouped)
    if missing:
        raise ValueError(f"curves lack {len(missing)} of the runs, e.g. {sorted(missing)[0]}")
    out = runs.copy()
    out["curve_step"] = [grouped[k]["step"].to_numpy(np.int64) for k in runs["key"]]
    for c in _CURVES:
        out[c] = [grouped[k][c.removeprefix("curve_")].to_numpy(np.float32) for k in runs["key"]]
    finals = pd.DataFrame([_final(row) for _, row in out.iterrows()], index=out.index)
    out[finals.columns] = finals          # exactly as run_sweep computes them from the curves
    return out


def _map(batches: list, device: str, workers: int, executor: Executor | None):
    """(batch, results) pairs as batches finish, in this process or on an executor. Local
    worker processes: at most one per usable CPU (`threads.plan`); the numbers do not depend
    on how many run."""
    if executor is None and not os.environ.get("GENEFT_DASK"):
        workers = threads.plan(workers)[0]
    if executor is None and not os.environ.get("GENEFT_DASK") and (workers == 1 or
                                                                  len(batches) < 2):
        for batch in batches:
            yield batch, _train_batch(batch, device)
        return
    own, client = executor is None, None
    if own and os.environ.get("GENEFT_DASK"):
        from distributed import Client     # optional: pip install "dask[distributed]"
        client = Client(os.environ["GENEFT_DASK"])
        executor, own = client.get_executor(), False
    if own:
        executor = ProcessPoolExecutor(min(workers, len(batches)), initializer=_worker_init,
                                       initargs=(os.getpid(),),
                                       mp_context=multiprocessing.get_context("spawn"))
    try:
        futures = {executor.submit(_train_batch, batch, device): batch for batch in batches}
        for future in as_completed(futures):
            try:
                result = future.result()
            except BrokenProcessPool as err:
                raise RuntimeError(f"a sweep worker process died ({err}): killed, out of "
                                   f"memory, or {_GUARD}") from err
            yield futures[future], result
    finally:
        if own:
            executor.shutdown(cancel_futures=True)
        if client is not None:
            client.close()


_GUARD = ("run_sweep with workers > 1 was called at the top level of a script: worker "
          "processes start by importing it, so put the sweep under "
          "`if __name__ == \"__main__\":`")


def balanced_batch_size(count: int, workers: int, most: int = 64) -> int:
    """A batch size of at most `most` that splits `count` runs of one shape into a multiple of
    `workers` batches of near-equal size, so no worker idles at the end. Models train slower
    per model in very large batches (bench/README.md), hence the cap."""
    check_int("count", count, 1)
    check_int("workers", workers, 1)
    check_int("most", most, 1)
    rounds = math.ceil(count / (workers * most))
    return math.ceil(count / (workers * rounds))


def _worker_init(parent: int) -> None:
    """A pool worker: one thread, and it dies with its parent. Otherwise a killed sweep leaves
    its workers (and, through them, multiprocessing's resource tracker) re-parented to init,
    asleep and holding their memory forever. On Linux the kernel sends the worker SIGKILL when
    the parent dies (prctl PR_SET_PDEATHSIG); everywhere a watchdog thread exits the worker
    within a second of the parent's end."""
    torch.set_num_threads(1)
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:         # the parent died before the request took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                     name="geneft-parent-watchdog").start()


_PR_SET_PDEATHSIG = 1                  # linux/prctl.h


def _watch_parent(parent: int, every: float = 0.5) -> None:
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


def _cost(batch: list[Run]) -> float:
    """Rough relative cost of a batch, to start the longest first."""
    r = batch[0]
    return r.steps * len(batch) * (r.depth + 1) * (r.width + 10)


def _batches(runs: list[Run], size: int):
    """Runs grouped by shape, each group cut into chunks of at most `size`."""
    groups: dict[tuple, list[Run]] = {}
    for run in runs:
        groups.setdefault(run.shape(), []).append(run)
    for group in groups.values():
        for start in range(0, len(group), size):
            yield group[start:start + size]


def merge_caches(sources, into: str | os.PathLike) -> dict:
    """Copy every valid run file (and `units` file) of the caches `sources` into the cache
    `into` (shards that ran on machines without a shared disk). Files are validated like a cache
    read; run files of other code versions are skipped (their keys differ; a unit file of
    another version is copied and never read), invalid ones warn. Returns the counts
    {"copied", "present", "other_version", "invalid"}."""
    into = Path(into)
    into.mkdir(parents=True, exist_ok=True)
    counts = dict.fromkeys(("copied", "present", "other_version", "invalid"), 0)
    for source in map(Path, sources):
        if not source.is_dir():
            raise ValueError(f"sources must be cache directories; {source} is not a directory")
        for path in sorted(source.glob("*.json")):
            if (into / path.name).exists():
                counts["present"] += 1
                continue
            try:
                data = json.loads(path.read_text())
                if path.name.startswith(units.PREFIX):     # a unit of chapters 4-6
                    units.validate(data)
                    if data["key"] != path.stem.removeprefix(units.PREFIX):
                        raise ValueError("its key is not its file name")
                else:
                    run = Run(**data["run"])
                    if run.key() != path.stem:
                        counts["other_version"] += 1
                        continue
                    _validate(dict(data), run)
            except (OSError, ValueError, KeyError, TypeError, IndexError, RecursionError) as err:
                warnings.warn(f"cache file {path} is invalid ({err}); not merged", CacheWarning,
                              stacklevel=2)
                counts["invalid"] += 1
                continue
            write_atomic(into / path.name, path.read_text())
            counts["copied"] += 1
    return counts


def run_of(row) -> Run:
    """The Run of one row of a sweep table (numpy scalars become Python numbers)."""
    plain = lambda v: v.item() if isinstance(v, np.generic) else v  # noqa: E731
    return Run(**{f.name: plain(row[f.name]) for f in fields(Run)
                  if f.name in row or f.name not in _LATER})   # tables from before a field


def embedding_paths(runs: list[Run], *, device="auto") -> list[np.ndarray]:
    """Train `runs` (uncached, in batches by shape) recording the embedding table at every
    evaluation step: one (T, n, d) array per run, T = steps / eval_every + 1."""
    return [result["path"] for result in _train_uncached(runs, device, record=True)]


def trained_models(runs: list[Run], *, device="auto") -> list[tuple]:
    """Train `runs` (uncached, in batches by shape) and keep each trained model: for analyses
    that need the decoder's weights, which the cache does not keep. Returns one (model, result)
    per run: `models.Ensemble.single`, and the result as `run_sweep` records it (curves and
    embeddings)."""
    results = _train_uncached(runs, device, keep_model=True)
    return [(result["model"], {k: v for k, v in result.items() if k != "model"})
            for result in results]


def _train_uncached(runs: list[Run], device, **keep) -> list[dict]:
    """`_train_batch` over `runs` in batches by shape (each distinct run once): its result for
    every run, in the order given."""
    device = str(resolve_device(device))
    results = {}
    for batch in _batches(list(dict.fromkeys(runs)), 64):
        results.update(zip(batch, _train_batch(batch, device, **keep)))
    return [results[r] for r in runs]


def _train_batch(batch: list[Run], device: str, record: bool = False,
                 keep_model: bool = False) -> list[dict]:
    """Train runs of one shape together; one result dict per run (with "path", the embeddings
    at every evaluation, if `record`; with "model", its trained model, if `keep_model`)."""
    start = time.perf_counter()
    first = batch[0]
    relation = parse_relation(first.relation, first.n)
    _, labels = all_pairs(relation)
    masks = np.stack([train_mask(first.n ** 2, r.fraction, r.seed) for r in batch])
    model = init_ensemble(first.model_config(), [r.seed for r in batch], device=device)
    per_model = {k: [getattr(r, k) for r in batch] for k in ("lr_enc", "lr_dec", "weight_decay")}
    hist = train(model, labels, masks, steps=first.steps, loss=first.loss,
                 eval_every=first.eval_every, record_embeddings=record, **per_model)
    emb = model.embeddings.cpu().numpy()
    seconds = (time.perf_counter() - start) / len(batch)
    return [{"curve_step": hist.steps.astype(np.int64), "curve_train_acc": hist.train_acc[i],
             "curve_test_acc": hist.test_acc[i], "curve_whole_acc": hist.whole_acc[i],
             "curve_loss": hist.loss[i], "embeddings": emb[i], "train_s": seconds,
             **({"path": hist.embeddings[i]} if record else {}),
             **({"model": model.single(i)} if keep_model else {})}
            for i in range(len(batch))]


def _final(result: dict) -> dict:
    return {"train_acc": float(result["curve_train_acc"][-1]),
            "test_acc": float(result["curve_test_acc"][-1]),
            "whole_acc": float(result["curve_whole_acc"][-1]),
            "train_loss": float(result["curve_loss"][-1])}


# ---- the cache: one JSON file per run --------------------------------------------------------

def _payload(run: Run, result: dict) -> dict:
    return {"format": FORMAT, "key": run.key(), "code": code_version(), "run": run.settings(),
            "result": {k: np.asarray(v).tolist() for k, v in result.items()}}


_digest = digest       # runcache's checksum (the name tests and older code use)


def _save(cache: Path, run: Run, result: dict) -> None:
    """Write the run's cache file; if it cannot be written (a folder in its place, a full disk)
    warn, and the result still reaches this sweep's table."""
    payload = _payload(run, result)
    path = cache / f"{run.key()}.json"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps({**payload, "sha256": _digest(payload)}))
    except OSError as err:
        warnings.warn(f"cache file {path} could not be written ({err.strerror or err}); the "
                      f"run's result is kept for this sweep only", CacheWarning, stacklevel=4)


def _load(cache: Path, run: Run) -> dict | None:
    """The cached result of `run`, or None if absent; a bad file warns and gives None."""
    path = cache / f"{run.key()}.json"
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
        if not isinstance(data, dict):
            raise ValueError(f"it holds a JSON {type(data).__name__}, not an object")
        return _validate(data, run)
    except (OSError, ValueError, KeyError, TypeError, IndexError, RecursionError) as err:
        # JSONDecodeError and UnicodeDecodeError are ValueErrors; a folder is an OSError
        warnings.warn(f"cache file {path} is invalid ({err}); recomputing the run",
                      CacheWarning, stacklevel=3)
        return None


def _validate(data: dict, run: Run) -> dict:
    """The result arrays of a parsed cache file, after checking every field it is read for:
    types, checksum, that it belongs to `run`, numeric arrays of consistent shapes."""
    for name, kind in (("sha256", str), ("format", str), ("key", str), ("run", dict),
                       ("result", dict)):
        if not isinstance(data.get(name), kind):
            raise ValueError(f"field {name!r} is missing or not a {kind.__name__}")
    sha = data.pop("sha256")
    if _digest(data) != sha:
        raise ValueError("checksum mismatch")
    if data["format"] != FORMAT or data["key"] != run.key() or data["run"] != run.settings():
        raise ValueError("file does not match the run's settings or format")
    missing = [k for k in ("curve_step", *_CURVES, "embeddings") if k not in data["result"]]
    if missing:
        raise ValueError(f"result lacks {missing}")
    r = {k: np.asarray(v, dtype=np.float64) for k, v in data["result"].items() if k != "path"}
    t = r["curve_step"].size
    result = {"curve_step": r["curve_step"].astype(np.int64),
              **{k: r[k].astype(np.float32) for k in _CURVES + ("embeddings",)},
              "train_s": float(r["train_s"]) if "train_s" in r else float("nan")}
    if t == 0 or r["curve_step"].shape != (t,) or int(result["curve_step"][-1]) != run.steps \
            or any(result[k].shape != (t,) for k in _CURVES):
        raise ValueError("curves have inconsistent lengths")
    if result["embeddings"].shape != (run.n, run.dim):
        raise ValueError(f"embeddings shape {result['embeddings'].shape} != {(run.n, run.dim)}")
    return result
