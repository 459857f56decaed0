"""Hardening, class 2 (the run cache's contract): whatever a cache file holds, the sweep warns
naming the file and recomputes the run with the same numbers; a cache file that cannot be
written loses nothing; temporary files of dead writers are removed."""
import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from geneft import runcache, sweeps
from geneft.sweeps import CacheWarning, grid, merge_caches, remove_orphans, run_sweep


def tiny():
    return grid(n=6, fraction=0.5, depth=1, width=3, seed=[0, 1], steps=20, eval_every=10)


@pytest.fixture(scope="module")
def fresh():
    """The tiny sweep's table, computed without a cache."""
    return run_sweep(tiny())


def cached(tmp_path):
    """The tiny sweep run into the cache `tmp_path`; returns the first run's cache file."""
    run_sweep(tiny(), cache=tmp_path)
    return tmp_path / f"{tiny()[0].key()}.json"


def edit(field, value):
    """A damage that sets one field of the file (keeping the file's own checksum)."""
    def damage(path):
        data = json.loads(path.read_text())
        data[field] = value
        path.write_text(json.dumps(data))
    return damage


def edit_result(key, value, reseal=True):
    """A damage that sets one result array and recomputes the checksum: a file that is
    internally consistent but holds the wrong thing."""
    def damage(path):
        data = json.loads(path.read_text())
        del data["sha256"]
        if value is None:
            del data["result"][key]
        else:
            data["result"][key] = value
        data["sha256"] = sweeps._digest(data) if reseal else "0" * 64
        path.write_text(json.dumps(data))
    return damage


def replace_text(text):
    return lambda path: path.write_text(text)


def replace_with_folder(path):
    path.unlink()
    (path / "inside").mkdir(parents=True)


DAMAGES = {
    "json-null": replace_text("null"),
    "json-number": replace_text("42"),
    "json-list": replace_text("[1, 2, 3]"),
    "json-string": replace_text('"a run"'),
    "empty-file": replace_text(""),
    "truncated": lambda p: p.write_text(p.read_text()[:100]),
    "not-utf8": lambda p: p.write_bytes(b"\xff\xfe\x00garbage"),
    "deeply-nested": replace_text("[" * 100_000 + "]" * 100_000),
    "a-folder": replace_with_folder,
    "no-checksum": lambda p: p.write_text(json.dumps(
        {k: v for k, v in json.loads(p.read_text()).items() if k != "sha256"})),
    "checksum-a-number": edit("sha256", 5),
    "format-a-list": edit("format", ["geneft-run/1"]),
    "run-a-string": edit("run", "mod3"),
    "result-null": edit("result", None),
    "edited-number": edit_result("curve_loss", [0.0, 0.0, 0.0], reseal=False),
    "curve-missing": edit_result("curve_test_acc", None),
    "curve-text": edit_result("curve_test_acc", ["a", "b", "c"]),
    "curve-too-short": edit_result("curve_loss", [0.1]),
    "steps-empty": edit_result("curve_step", []),
    "embeddings-wrong-shape": edit_result("embeddings", [[0.0, 0.0]]),
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_bad_cache_file_warns_naming_it_and_the_run_is_recomputed(tmp_path, fresh, damage):
    path = cached(tmp_path)
    damage(path)
    with pytest.warns(CacheWarning, match=str(path)) as caught:
        table = run_sweep(tiny(), cache=tmp_path)
    assert not table.cached[0] and table.cached[1]
    for column in ("test_acc", "train_loss"):
        assert table[column].tolist() == fresh[column].tolist()
    assert all("invalid" in str(w.message) or "could not be written" in str(w.message)
               for w in caught)


def test_a_folder_in_place_of_a_cache_file_loses_no_result(tmp_path, fresh):
    """The run is recomputed, cannot be saved (a folder holds its name), and still reaches the
    table; the next call recomputes it again, the same way, without crashing."""
    path = cached(tmp_path)
    replace_with_folder(path)
    for _ in range(2):
        with pytest.warns(CacheWarning, match=str(path)) as caught:
            table = run_sweep(tiny(), cache=tmp_path)
        assert table.test_acc.tolist() == fresh.test_acc.tolist()
        assert ["invalid" in str(w.message) for w in caught] == [True, False]   # read, write


def test_merge_skips_unreadable_files_with_a_warning(tmp_path):
    source = tmp_path / "shard"
    path = cached(source)
    replace_with_folder(path)
    (source / "null.json").write_text("null")
    with pytest.warns(CacheWarning):
        counts = merge_caches([source], tmp_path / "into")
    assert counts == {"copied": 1, "present": 0, "other_version": 0, "invalid": 2}


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("writer, age_s, removed", [
    ("dead", 0, True),          # this host, process gone: removed at once
    ("self", 0, False),         # this process, maybe mid-write: kept
    ("self", 3600, True),       # ... unless older than ORPHAN_AGE_S
    ("other-host", 0, False),   # another machine's writer (a shared disk): kept while young
    ("other-host", 3600, True),
    ("unnamed", 0, False),      # the older naming, ".tmp-XXXX.json": the age rule
], ids=["dead-writer", "live-writer", "old-live", "other-host", "old-other-host", "unnamed"])
def test_temporary_files_of_dead_writers_are_removed(tmp_path, writer, age_s, removed):
    host = runcache._writer().rpartition(".")[0]
    name = {"dead": f".tmp-{host}.{dead_pid()}-abc.json",
            "self": f".tmp-{host}.{os.getpid()}-abc.json",
            "other-host": ".tmp-elsewhere.1-abc.json",
            "unnamed": ".tmp-abc.json"}[writer]
    tmp = tmp_path / name
    tmp.write_text("{")
    os.utime(tmp, (time.time() - age_s, time.time() - age_s))
    assert remove_orphans(tmp_path) == int(removed)
    assert tmp.exists() is not removed


def test_a_sweep_leaves_no_temporary_file(tmp_path):
    cached(tmp_path)
    assert not list(tmp_path.glob(".tmp-*")) and len(list(tmp_path.glob("*.json"))) == 2


def test_numpy_settings_give_plain_settings_and_a_cache_key(tmp_path, fresh):
    """NumPy integers and floats from np.arange and friends are plain Python numbers in a Run,
    so the cache key (JSON) works and the run is the same run as with Python numbers."""
    runs = grid(n=np.int64(6), fraction=np.float64(0.5), depth=np.int32(1), width=3,
                seed=np.arange(2), steps=np.int64(20), eval_every=10)
    assert runs == tiny() and [r.key() for r in runs] == [r.key() for r in tiny()]
    table = run_sweep(runs, cache=tmp_path, workers=np.int64(1), batch_size=np.int64(64))
    assert table.test_acc.tolist() == fresh.test_acc.tolist()
    assert all(type(v) is int for v in (runs[0].n, runs[1].seed, runs[0].steps))
