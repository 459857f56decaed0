"""The results store: round trip, replacement, validation on read, provenance."""
import gzip
import json

import numpy as np
import pandas as pd
import pytest

from geneft import store


def frames():
    return {"runs": pd.DataFrame({"key": ["a", "b"], "acc": np.float32([0.9, 1 / 3]),
                                  "steps": [10, 20]}),
            "curves": pd.DataFrame({"key": ["a", "a", "b"], "step": [0, 10, 0],
                                    "test_acc": np.float32([0.1, 0.7, 2 / 3])})}


def test_round_trip_is_exact_for_float32_and_keys_on_the_config(tmp_path):
    config = {"steps": 10, "widths": (2, 5), "relation": "mod3"}
    folder = store.save("demo/grid", frames(), config, wall_s=125.0, compute_s=240.0,
                        device="CPU test", root=tmp_path)
    assert folder == tmp_path / "demo" / "grid" / store.config_hash(config)
    got = store.load("demo/grid", {"relation": "mod3", "widths": [2, 5], "steps": 10},
                     root=tmp_path)
    for name, frame in frames().items():
        back = got.tables[name]
        for col in frame:
            values = back[col].to_numpy()
            if frame[col].dtype == np.float32:
                values = values.astype(np.float32)
            assert np.array_equal(values, frame[col].to_numpy()), (name, col)
    assert got.meta["timings"] == {"wall_s": 125.0, "compute_s": 240.0}
    assert {"geneft", "torch", "numpy", "pandas", "python"} <= set(got.meta["versions"])
    line = got.provenance
    assert line.startswith(f"full-size run of {got.meta['created'][:10]} on CPU test, 4 min of "
                           "training summed over workers")
    assert store.config_hash(config) in line
    assert store.load("demo/grid", {**config, "steps": 11}, root=tmp_path) is None


def test_files_are_byte_identical_for_the_same_tables(tmp_path):
    store.save("x", frames(), {"k": 1}, wall_s=1, root=tmp_path / "a")
    store.save("x", frames(), {"k": 1}, wall_s=1, root=tmp_path / "b")
    h = store.config_hash({"k": 1})
    for table in ("runs", "curves"):
        name = f"x/{h}/{table}.csv.gz"
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_saving_again_replaces_the_result_and_leaves_no_temporaries(tmp_path):
    store.save("x", frames(), {"k": 1}, wall_s=1, root=tmp_path)
    changed = {"runs": frames()["runs"].assign(acc=0.5)}
    store.save("x", changed, {"k": 1}, wall_s=2, root=tmp_path)
    got = store.load("x", {"k": 1}, root=tmp_path)
    assert set(got.tables) == {"runs"} and (got.tables["runs"].acc == 0.5).all()
    assert [p.name for p in (tmp_path / "x").iterdir()] == [store.config_hash({"k": 1})]


def corrupt_table(folder):
    path = folder / "runs.csv.gz"
    text = gzip.decompress(path.read_bytes()).decode().replace("0.9", "0.8")
    path.write_bytes(gzip.compress(text.encode()))


def corrupt_meta(folder):
    meta = json.loads((folder / "meta.json").read_text())
    meta["config"]["k"] = 2                      # claims another configuration
    (folder / "meta.json").write_text(json.dumps(meta))


def truncate_meta(folder):
    (folder / "meta.json").write_text((folder / "meta.json").read_text()[:40])


def remove_table(folder):
    (folder / "curves.csv.gz").unlink()


@pytest.mark.parametrize("damage", [corrupt_table, corrupt_meta, truncate_meta, remove_table])
def test_a_damaged_result_warns_and_reads_as_absent(tmp_path, damage):
    folder = store.save("x", frames(), {"k": 1}, wall_s=1, root=tmp_path)
    damage(folder)
    with pytest.warns(store.StoreWarning, match="invalid"):
        assert store.load("x", {"k": 1}, root=tmp_path) is None


def test_a_missing_result_is_none_without_warning(tmp_path, recwarn):
    assert store.load("nothing/here", {"k": 1}, root=tmp_path) is None
    assert not recwarn.list


@pytest.mark.parametrize("name", ["", "../up", "a//b", ".hidden", "a b", None])
def test_bad_names_are_rejected(tmp_path, name):
    with pytest.raises(ValueError, match="name must be"):
        store.save(name, frames(), {"k": 1}, wall_s=1, root=tmp_path)


def test_bad_configs_and_tables_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="config must hold only JSON"):
        store.save("x", frames(), {"k": object()}, wall_s=1, root=tmp_path)
    with pytest.raises(ValueError, match="config must hold only JSON"):
        store.save("x", frames(), {"k": float("nan")}, wall_s=1, root=tmp_path)
    with pytest.raises(ValueError, match="config must be a dict"):
        store.load("x", [1], root=tmp_path)
    with pytest.raises(ValueError, match="tables must be"):
        store.save("x", {}, {"k": 1}, wall_s=1, root=tmp_path)


def test_default_root_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GENEFT_DATA", str(tmp_path))
    assert store.default_root() == tmp_path
    monkeypatch.delenv("GENEFT_DATA")
    assert store.default_root() == store.REPO / "data"


def test_commit_and_device_describe_this_checkout():
    commit = store.git_commit()
    assert commit == "unknown" or len(commit.removesuffix("-dirty")) == 40
    assert store.device_name("cpu").startswith("CPU ")
