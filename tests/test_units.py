"""units: cached, resumable, shardable pieces of work of chapters 4-6 (and the chapter modules'
use of them: a cached result is the computed one, bit for bit)."""
import json

import numpy as np
import pandas as pd
import pytest

from geneft import units
from geneft.runcache import CacheWarning, ShardIncomplete
from geneft.sweeps import merge_caches

MODULES = ("units.py",)


def _compute(calls):
    def compute(spec):
        calls.append(spec["k"])
        rng = np.random.default_rng(spec["k"])
        return {"rows": pd.DataFrame({"k": [spec["k"]] * 3, "x": rng.standard_normal(3),
                                      "label": ["a", "b", "c"]}),
                "w": rng.standard_normal((2, 3)).astype(np.float32),
                "nan": float("nan"), "n": np.int64(7), "pairs": [[1, 2.5], "s"]}
    return compute


def _specs(count=5):
    return [{"k": k, "name": "test"} for k in range(count)]


def _same(a: dict, b: dict) -> None:
    pd.testing.assert_frame_equal(a["rows"], b["rows"], check_exact=True)
    assert a["w"].dtype == b["w"].dtype == np.float32 and np.array_equal(a["w"], b["w"])
    assert np.isnan(b["nan"]) and b["n"] == 7 and b["pairs"] == [[1, 2.5], "s"]


def test_a_cached_result_is_the_computed_one_bit_for_bit(tmp_path):
    calls = []
    fresh = units.run_units("t", _compute(calls), _specs(), modules=MODULES, cache=tmp_path)
    again = units.run_units("t", _compute(calls), _specs(), modules=MODULES, cache=tmp_path)
    assert calls == list(range(5))                  # the second call computed nothing
    for a, b in zip(fresh, again):
        _same(a, b)
        assert b["unit_s"] == a["unit_s"] > 0        # the time it took when it was computed
    uncached = units.run_units("t", _compute([]), _specs(), modules=MODULES, cache="off")
    for a, b in zip(uncached, again):
        _same(a, b)


def test_an_interrupted_list_resumes_with_only_the_missing_units(tmp_path):
    calls = []

    def stops_at_3(spec):
        if spec["k"] == 3:
            raise KeyboardInterrupt
        return _compute(calls)(spec)

    with pytest.raises(KeyboardInterrupt):
        units.run_units("t", stops_at_3, _specs(), modules=MODULES, cache=tmp_path)
    assert calls == [0, 1, 2]
    units.run_units("t", _compute(calls), _specs(), modules=MODULES, cache=tmp_path)
    assert calls == [0, 1, 2, 3, 4]


def test_a_damaged_file_warns_and_is_recomputed(tmp_path):
    calls = []
    units.run_units("t", _compute(calls), _specs(2), modules=MODULES, cache=tmp_path)
    path = sorted(tmp_path.glob(f"{units.PREFIX}*.json"))[0]
    data = json.loads(path.read_text())
    data["result"]["nan"] = 1.0                     # edited: the checksum no longer holds
    path.write_text(json.dumps(data))
    with pytest.warns(CacheWarning, match="checksum"):
        units.run_units("t", _compute(calls), _specs(2), modules=MODULES, cache=tmp_path)
    assert len(calls) == 3


def test_shards_split_the_units_and_the_merge_computes_nothing(tmp_path):
    calls = []
    with pytest.raises(ShardIncomplete, match="2 of 5 units belong to other shards"):
        units.run_units("t", _compute(calls), _specs(), modules=MODULES, cache=tmp_path,
                        shard="1/2")
    assert calls == [0, 2, 4]
    with pytest.raises(ShardIncomplete, match="merge"):
        units.run_units("t", _compute(calls), _specs(), modules=MODULES, cache=tmp_path,
                        shard="merge")
    assert calls == [0, 2, 4]
    done = units.run_units("t", _compute(calls), _specs(), modules=MODULES, cache=tmp_path,
                           shard="2/2")
    assert calls == [0, 2, 4, 1, 3] and [d["rows"].k[0] for d in done] == list(range(5))
    merged = units.run_units("t", _compute(calls), _specs(), modules=MODULES, cache=tmp_path,
                             shard="merge")
    assert len(calls) == 5
    for a, b in zip(done, merged):
        _same(a, b)


def test_merge_caches_copies_unit_files_and_refuses_damaged_ones(tmp_path):
    for shard in ("1/2", "2/2"):
        try:
            units.run_units("t", _compute([]), _specs(), modules=MODULES,
                            cache=tmp_path / shard[0], shard=shard)
        except ShardIncomplete:
            pass
    bad = tmp_path / "2" / f"{units.PREFIX}{'0' * 64}.json"
    bad.write_text("{}")
    with pytest.warns(CacheWarning, match="not merged"):
        counts = merge_caches([tmp_path / "1", tmp_path / "2"], tmp_path / "all")
    assert counts["copied"] == 5 and counts["invalid"] == 1
    calls = []
    units.run_units("t", _compute(calls), _specs(), modules=MODULES, cache=tmp_path / "all",
                    shard="merge")
    assert calls == []


def test_the_key_holds_the_name_the_spec_and_the_code():
    base = units.unit_key("t", {"k": 1}, MODULES)
    assert units.unit_key("t", {"k": 1}, MODULES) == base
    assert len({base, units.unit_key("u", {"k": 1}, MODULES),
                units.unit_key("t", {"k": 2}, MODULES),
                units.unit_key("t", {"k": 1}, ("units.py", "runcache.py"))}) == 4


@pytest.mark.parametrize("specs, message", [
    ([{"k": (1, 2)}], "JSON round trip"),
    ([{"k": np.int64(1)}], "JSON values"),
    (["k"], "must be a dict"),
])
def test_a_spec_that_is_not_plain_json_is_refused(specs, message):
    with pytest.raises(ValueError, match=message):
        units.run_units("t", _compute([]), specs, modules=MODULES, cache="off")


def test_a_shard_without_a_cache_is_refused():
    with pytest.raises(ValueError, match="shard needs a cache"):
        units.run_units("t", _compute([]), _specs(), modules=MODULES, cache="off", shard="1/2")


def test_a_result_that_json_cannot_hold_is_refused(tmp_path):
    with pytest.raises(ValueError, match="cannot store a set"):
        units.run_units("t", lambda spec: {"x": {1}}, _specs(1), modules=MODULES,
                        cache=tmp_path)


# ---- the chapters' computations through the cache ------------------------------------------

def _twice(tmp_path, call):
    """call(cache) uncached, then twice with a cache: the three results."""
    return call("off"), call(tmp_path), call(tmp_path)


def test_twolayer_networks_from_the_cache_are_the_trained_ones(tmp_path):
    from geneft import twolayer as tl
    kw = dict(d=6, m=10, steps=30, n_test=20, eval_points=6, device="cpu")
    for call in (lambda c: tl.simulate([2, 4], [0, 1], cache=c, **kw),
                 lambda c: tl.init_contrast(4, [0], [1.0, 3.0], cache=c, **kw),
                 lambda c: tl.width_sweep(4, [0], [8, 12], cache=c, **kw)):
        off, first, cached = _twice(tmp_path, call)
        pd.testing.assert_frame_equal(off, cached, check_exact=True)
        pd.testing.assert_frame_equal(first, cached, check_exact=True)
        assert cached.attrs["compute_s"] == first.attrs["compute_s"] > 0


def test_fieldtheory_draws_from_the_cache_are_the_computed_ones(tmp_path):
    from geneft import fieldtheory as ft
    target = ft.Target(5, {1: 1.0, 2: 0.5}, seed=2)
    for call in (
            lambda c: ft.learning_curves(target, [2], [8, 16], [1.0], 2, lmax=8, cache=c),
            lambda c: ft.feature_curves(target, 2, [32, 16], [8, 16], 1.0, 2, 30, cache=c),
            lambda c: ft.langevin_curves(target, 2, 8, [8], 1.0, 10, steps=20, lr=1e-3,
                                         burn_in=10, cache=c)):
        off, first, cached = _twice(tmp_path, call)
        pd.testing.assert_frame_equal(off, cached, check_exact=True)
        assert cached.attrs["compute_s"] == first.attrs["compute_s"] > 0
    nets = ft.feature_curves(target, 2, [32, 16], [8, 16], 1.0, 2, 30, cache=tmp_path)
    assert list(nets.width) == [32] * 4 + [16] * 4          # the widths in the order given


def test_digits_networks_from_the_cache_give_the_trained_ones_analysis(tmp_path):
    from geneft import digits
    base = digits.RunConfig(max_epochs=3, train_per_class=10)
    call = lambda c: digits.sweep("synthetic", base, {"beta": (0.0, 0.01)}, [0], cache=c)[0]  # noqa: E731,E501
    off, first, cached = _twice(tmp_path, call)
    numbers = [c for c in off.columns if c != "seconds"]
    pd.testing.assert_frame_equal(off[numbers], cached[numbers], check_exact=True)
    bridge = lambda c: digits.geneft_phases("mod3", 0.75, {"G": (1e-2, 1e-3)}, [0], steps=20,  # noqa: E731,E501
                                            depth=1, width=4, cache=c)[0]
    off, first, cached = _twice(tmp_path, bridge)
    numbers = [c for c in off.columns if c != "seconds"]
    pd.testing.assert_frame_equal(off[numbers], cached[numbers], check_exact=True)
