"""Hardening, class 3 (the results store's contract): a stored result whose meta.json lacks a
field, holds one of the wrong type, was edited (its provenance too) or was deleted warns naming
its folder and reads as absent; an intact one loads with its provenance line."""
import json

import numpy as np
import pandas as pd
import pytest

from geneft import store

CONFIG = {"k": 1}


def saved(tmp_path):
    tables = {"runs": pd.DataFrame({"key": ["a", "b"], "acc": np.float32([0.9, 0.5])})}
    return store.save("demo/grid", tables, CONFIG, wall_s=100.0, compute_s=300.0,
                      device="CPU test", root=tmp_path)


def meta_edit(change, reseal=True):
    """A damage that edits meta.json; with `reseal`, its checksum is recomputed, so only the
    field checks can catch it."""
    def damage(folder):
        meta = json.loads((folder / "meta.json").read_text())
        change(meta)
        if reseal and isinstance(meta, dict):
            meta["sha256"] = store._meta_digest(meta)
        (folder / "meta.json").write_text(json.dumps(meta))
    return damage


def drop(field):
    return meta_edit(lambda m: m.pop(field))


def put(field, value, reseal=True):
    return meta_edit(lambda m: m.__setitem__(field, value), reseal)


def put_timing(name, value):
    return meta_edit(lambda m: m["timings"].__setitem__(name, value))


DAMAGES = {
    "no-timings": drop("timings"),
    "no-versions": drop("versions"),
    "no-device": drop("device"),
    "no-commit": drop("commit"),
    "no-created": drop("created"),
    "no-files": drop("files"),
    "no-own-checksum": meta_edit(lambda m: m.pop("sha256"), reseal=False),
    "timings-a-list": put("timings", [1, 2]),
    "wall-time-text": put_timing("wall_s", "long"),
    "wall-time-negative": put_timing("wall_s", -5.0),
    "compute-time-text": put_timing("compute_s", "x"),
    "versions-a-list": put("versions", ["0.1.0"]),
    "versions-without-geneft": put("versions", {"torch": "2"}),
    "device-a-number": put("device", 5),
    "device-empty": put("device", ""),
    "created-not-a-date": put("created", "yesterday"),
    "table-outside-folder": put("files", {"../../x": "0" * 64}),
    "checksum-not-hex": put("files", {"runs": "z" * 64}),
    "edited-device": put("device", "GPU H100", reseal=False),
    "edited-commit": put("commit", "0" * 40, reseal=False),
    "edited-timing": meta_edit(lambda m: m["timings"].__setitem__("wall_s", 1.0), False),
    "meta-null": lambda folder: (folder / "meta.json").write_text("null"),
    "meta-a-number": lambda folder: (folder / "meta.json").write_text("42"),
    "meta-deleted": lambda folder: (folder / "meta.json").unlink(),
    "table-deleted": lambda folder: (folder / "runs.csv.gz").unlink(),
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_damaged_result_warns_naming_its_folder_and_reads_as_absent(tmp_path, damage):
    folder = saved(tmp_path)
    damage(folder)
    with pytest.warns(store.StoreWarning, match=str(folder)):
        assert store.load("demo/grid", CONFIG, root=tmp_path) is None


def test_an_intact_result_loads_with_its_provenance(tmp_path):
    saved(tmp_path)
    got = store.load("demo/grid", CONFIG, root=tmp_path)
    assert got.meta["device"] == "CPU test" and got.meta["sha256"] == store._meta_digest(got.meta)
    assert "on CPU test, 5 min of training summed over workers" in got.provenance


def test_the_stored_results_in_data_pass_the_checks(recwarn):
    """The results kept in the repository carry the metadata checksum and load."""
    from geneft.profiles import PROFILES, stored_config
    config = stored_config("repons/phase-grid", PROFILES["repons"]["full"])
    if not (store.default_root() / "repons" / "phase-grid" / store.config_hash(config)).exists():
        pytest.skip("no stored full-size phase grid in this checkout")
    assert store.load("repons/phase-grid", config) is not None and not recwarn.list
