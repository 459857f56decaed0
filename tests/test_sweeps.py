"""The sweep engine: grids, batching that does not change the numbers, and the on-disk cache."""
import json
import os
import time
import warnings

import numpy as np
import pytest

from geneft import sweeps
from geneft.sweeps import CacheWarning, Run, grid, run_sweep

TINY = dict(n=6, fraction=0.5, width=3, steps=12, eval_every=4)
ARRAYS = ("curve_train_acc", "curve_test_acc", "curve_whole_acc", "curve_loss", "embeddings")


def tiny_grid(**more):
    return grid(**{**TINY, "depth": [1, 2], "seed": [0, 1, 2], **more})


def assert_same_numbers(a, b):
    assert len(a) == len(b)
    for col in ARRAYS:
        for x, y in zip(a[col], b[col]):
            np.testing.assert_array_equal(x, y)


def test_grid_is_the_cartesian_product_first_axis_slowest():
    runs = grid(depth=[1, 2], seed=range(3), steps=5)
    assert [(r.depth, r.seed) for r in runs] == [(1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2)]
    assert all(r.steps == 5 and r.relation == "mod3" for r in runs)


@pytest.mark.parametrize("axes, message", [
    (dict(dept=[1]), "unknown setting.*valid"),
    (dict(seed=[]), "axis 'seed' is empty"),
    (dict(fraction=1.5), "fraction must be"),
    (dict(relation="mod1"), "k must be"),
    (dict(lr_dec=0), "lr_dec must be a positive"),
    (dict(loss="hinge"), "loss must be one of"),
    (dict(decoder="cnn"), "decoder must be one of"),
    (dict(decoder="ideal", relation="bipartite10"), "decoder 'ideal' exists for relation famil"),
], ids=["unknown", "empty", "fraction", "relation", "lr", "loss", "decoder", "no-ideal"])
def test_grid_rejects_bad_settings(axes, message):
    with pytest.raises(ValueError, match=message):
        grid(**axes)


def test_table_has_one_row_per_run_with_curves_and_final_metrics():
    runs = tiny_grid()
    table = run_sweep(runs)
    assert list(table.seed) == [r.seed for r in runs]
    row = table.iloc[0]
    assert row.curve_step.tolist() == [0, 4, 8, 12]
    assert row.embeddings.shape == (6, 2)
    assert row.test_acc == row.curve_test_acc[-1] and not row.cached
    assert np.allclose(table.whole_acc, 0.5 * table.train_acc + 0.5 * table.test_acc, atol=1e-6)


def test_same_list_same_numbers_on_any_number_of_workers():
    runs = tiny_grid(lr_enc=[1e-3, 3e-3])
    once = run_sweep(runs, batch_size=4)
    assert_same_numbers(once, run_sweep(runs, batch_size=4))
    assert_same_numbers(once, run_sweep(runs, batch_size=4, workers=2))


def test_other_batchings_agree_to_rounding():
    """A model's numbers may move at float32 rounding level with its batch (see sweeps)."""
    runs = tiny_grid(lr_enc=[1e-3, 3e-3])
    together, apart = run_sweep(runs), run_sweep(runs, batch_size=1)
    for col in ARRAYS:
        for x, y in zip(together[col], apart[col]):
            np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-6)


def test_cache_miss_then_hit(tmp_path, monkeypatch):
    runs = tiny_grid()
    first = run_sweep(runs, cache=tmp_path)
    assert not first.cached.any() and len(list(tmp_path.glob("*.json"))) == len(runs)
    monkeypatch.setattr(sweeps, "_train_batch", lambda *a: pytest.fail("trained a cached run"))
    second = run_sweep(runs, cache=tmp_path)
    assert second.cached.all()
    assert_same_numbers(first, second)


def test_cache_key_changes_with_any_setting():
    base = Run(**TINY)
    keys = {base.key(), Run(**{**TINY, "seed": 1}).key(), Run(**{**TINY, "lr_dec": 2e-3}).key(),
            Run(**{**TINY, "steps": 13}).key(), Run(**{**TINY, "mode": "squared"}).key()}
    assert len(keys) == 5


@pytest.mark.parametrize("damage", ["truncate", "edit-number", "other-run", "not-json"])
def test_corrupt_cache_file_is_reported_and_recomputed(tmp_path, damage):
    runs = tiny_grid()
    clean = run_sweep(runs, cache=tmp_path)
    path = tmp_path / f"{runs[2].key()}.json"
    text = path.read_text()
    if damage == "truncate":
        path.write_text(text[: len(text) // 2])
    elif damage == "edit-number":
        data = json.loads(text)
        data["result"]["curve_test_acc"][-1] = 1.0 - data["result"]["curve_test_acc"][-1]
        path.write_text(json.dumps(data))
    elif damage == "other-run":
        path.write_text((tmp_path / f"{runs[3].key()}.json").read_text())
    else:
        path.write_bytes(b"\x80\x04K\x01.")  # a pickle; must never be loaded as one
    with pytest.warns(CacheWarning, match=str(path.name)):
        again = run_sweep(runs, cache=tmp_path)
    assert again.cached.tolist() == [i != 2 for i in range(len(runs))]
    assert_same_numbers(clean, again)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert run_sweep(runs, cache=tmp_path).cached.all()  # the file was rewritten


def test_interrupted_sweep_resumes_with_only_the_missing_runs(tmp_path, monkeypatch):
    runs = tiny_grid()  # two shapes: two batches of three
    reference = run_sweep(runs)
    real = sweeps._train_batch
    trained = []

    def dies_after_first_batch(batch, device):
        if trained:
            raise KeyboardInterrupt
        trained.extend(batch)
        return real(batch, device)

    monkeypatch.setattr(sweeps, "_train_batch", dies_after_first_batch)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(runs, cache=tmp_path)
    assert len(list(tmp_path.glob("*.json"))) == len(trained) == 3
    assert not list(tmp_path.glob(".tmp-*"))

    second = []
    monkeypatch.setattr(sweeps, "_train_batch",
                        lambda batch, device: second.extend(batch) or real(batch, device))
    resumed = run_sweep(runs, cache=tmp_path)
    assert set(second) == set(runs) - set(trained)
    assert_same_numbers(reference, resumed)


def test_resolve_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GENEFT_CACHE", str(tmp_path))
    assert sweeps.resolve_cache(None) == tmp_path
    assert sweeps.resolve_cache("off") is None
    assert sweeps.resolve_cache("x/y") == sweeps.Path("x/y")


def test_cache_none_means_the_default_cache_as_for_a_chapter(tmp_path, monkeypatch):
    """One meaning of `cache` everywhere: None is the default cache, "off" (run_sweep's
    default) is none."""
    monkeypatch.setenv("GENEFT_CACHE", str(tmp_path / "default"))
    runs = tiny_grid()[:2]
    run_sweep(runs)
    run_sweep(runs, cache="off")
    assert not (tmp_path / "default").exists()
    run_sweep(runs, cache=None)
    assert len(list((tmp_path / "default").glob("*.json"))) == len(runs)
    assert run_sweep(runs, cache=None).cached.all()


def test_run_sweep_rejects_bad_arguments():
    with pytest.raises(ValueError, match="non-empty list of sweeps.Run"):
        run_sweep([])
    with pytest.raises(ValueError, match="workers must be"):
        run_sweep(tiny_grid(), workers=0)


def test_run_of_a_table_row_gives_back_the_run():
    runs = tiny_grid()
    table = run_sweep(runs)
    assert [sweeps.run_of(row) for _, row in table.iterrows()] == runs
    assert (table["loss"] == "bce").all() and (table["train_loss"] > 0).all()


def test_merged_shards_equal_one_unsharded_run(tmp_path):
    runs = tiny_grid(width=[2, 3])                      # four shapes: four batches
    whole = run_sweep(runs)
    for i in (1, 2):
        with pytest.raises(sweeps.ShardIncomplete, match=f"shard {i}/3 done"):
            run_sweep(runs, cache=tmp_path, shard=f"{i}/3")
    last = run_sweep(runs, cache=tmp_path, shard="3/3")   # the last shard completes the set
    merged = run_sweep(runs, cache=tmp_path)              # the merge: everything from cache
    assert merged.cached.all() and last.cached.sum() == len(runs) - 3
    assert_same_numbers(whole, merged)


def test_shards_in_separate_caches_merge_into_one_table_equal_to_an_unsharded_run(tmp_path):
    runs = tiny_grid(width=[2, 3])                      # four shapes: four batches
    whole = run_sweep(runs)
    for i in (1, 2):
        with pytest.raises(sweeps.ShardIncomplete):
            run_sweep(runs, cache=tmp_path / f"shard{i}", shard=f"{i}/2")
    into = tmp_path / "merged"
    with pytest.raises(sweeps.ShardIncomplete, match="merge: 12 of 12 runs are not in the cache"):
        run_sweep(runs, cache=into, shard="merge")
    assert sweeps.merge_caches([tmp_path / "shard1"], into)["copied"] == 6
    with pytest.raises(sweeps.ShardIncomplete, match="merge: 6 of 12 runs"):
        run_sweep(runs, cache=into, shard="merge")
    counts = sweeps.merge_caches([tmp_path / "shard1", tmp_path / "shard2"], into)
    assert counts == {"copied": 6, "present": 6, "other_version": 0, "invalid": 0}
    merged = run_sweep(runs, cache=into, shard="merge")
    assert merged.cached.all()
    assert_same_numbers(whole, merged)


def test_merge_skips_bad_and_foreign_files(tmp_path):
    runs = tiny_grid()[:2]
    run_sweep(runs, cache=tmp_path / "a")
    first, second = sorted((tmp_path / "a").glob("*.json"))
    data = json.loads(first.read_text())
    data["result"]["curve_test_acc"][-1] = 1.0                           # edited: bad sha
    first.write_text(json.dumps(data))
    second.rename(second.with_name("0" * 64 + ".json"))                  # another version's key
    with pytest.warns(CacheWarning, match="not merged"):
        counts = sweeps.merge_caches([tmp_path / "a"], tmp_path / "b")
    assert counts == {"copied": 0, "present": 0, "other_version": 1, "invalid": 1}
    with pytest.raises(ValueError, match="not a directory"):
        sweeps.merge_caches([tmp_path / "nope"], tmp_path / "b")


def test_dask_executor_gives_the_same_numbers(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    runs = tiny_grid(width=[2, 3])
    alone = run_sweep(runs)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        monkeypatch.setenv("GENEFT_DASK", cluster.scheduler_address)
        on_dask = run_sweep(runs, cache=tmp_path)
    assert not on_dask.cached.any() and len(list(tmp_path.glob("*.json"))) == len(runs)
    assert_same_numbers(alone, on_dask)


@pytest.mark.parametrize("shard", ["0/2", "3/2", "a/b", "2"])
def test_bad_shard(tmp_path, shard):
    with pytest.raises(ValueError, match="shard must be 'I/N'"):
        run_sweep(tiny_grid(), cache=tmp_path, shard=shard)


def test_killed_sweep_process_resumes_with_only_the_missing_runs(tmp_path):
    """SIGKILL a sweep in another process after its first batches are cached, run it again."""
    import os
    import signal
    import subprocess
    import sys
    import time
    script = "; ".join([
        "from geneft.sweeps import grid, run_sweep",
        "runs = grid(n=6, fraction=0.5, width=3, depth=range(1, 9), seed=[0, 1], steps=1500,"
        " eval_every=1000)",
        f"run_sweep(runs, cache={str(tmp_path)!r})"])
    # Finished runs only: a writer killed mid-write leaves a `.tmp-*.json` file behind.
    finished = lambda: [p for p in tmp_path.glob("*.json") if not p.name.startswith(".")]  # noqa: E731
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.time() + 120
    while len(finished()) < 4 and time.time() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = {p.stem for p in finished()}
    assert 4 <= len(done) < 16, "kill came too late to test resumption"
    runs = grid(n=6, fraction=0.5, width=3, depth=range(1, 9), seed=[0, 1], steps=1500,
                eval_every=1000)
    table = run_sweep(runs, cache=tmp_path)
    assert set(table.key[table.cached]) == done
    assert len(finished()) == 16


def test_orphaned_temporary_files_are_removed_when_old(tmp_path):
    from geneft.sweeps import remove_orphans
    old, young = tmp_path / ".tmp-old.json", tmp_path / ".tmp-young.json"
    result = tmp_path / "r.json"
    for path in (old, young, result):
        path.write_text("{")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    os.utime(result, (time.time() - 3600, time.time() - 3600))
    assert remove_orphans(tmp_path) == 1
    assert not old.exists() and young.exists() and result.exists()


def test_tidy_tables_give_back_the_sweep_table_exactly():
    table = run_sweep(tiny_grid())
    table["phase"] = "generalization"
    tables = sweeps.to_tables(table)
    assert "embeddings" not in tables["runs"] and tables["runs"]["phase"].eq("generalization").all()
    assert len(tables["curves"]) == len(table) * 4
    back = sweeps.from_tables(tables["runs"], tables["curves"])
    for col in ("curve_step", *ARRAYS[:-1]):
        for x, y in zip(table[col], back[col]):
            np.testing.assert_array_equal(x, y)
    for col in ("train_acc", "test_acc", "whole_acc", "train_loss", "key"):
        assert list(back[col]) == list(table[col])
    with pytest.raises(ValueError, match="curves lack 1 of the runs"):
        sweeps.from_tables(tables["runs"], tables["curves"][tables["curves"].key != table.key[0]])


def test_training_time_is_recorded_and_survives_the_cache(tmp_path):
    fresh = run_sweep(tiny_grid(), cache=tmp_path)
    cached = run_sweep(tiny_grid(), cache=tmp_path)
    assert (fresh.train_s > 0).all() and list(cached.train_s) == list(fresh.train_s)


@pytest.mark.parametrize("count, workers, size", [
    (98, 2, 49), (576, 2, 58), (64, 1, 64), (65, 1, 33), (3, 4, 1), (1, 1, 1)])
def test_balanced_batch_size(count, workers, size):
    got = sweeps.balanced_batch_size(count, workers)
    assert got == size and got <= 64
    batches = -(-count // got)
    assert batches % workers == 0 or batches < workers


def test_runs_of_the_mlp_decoder_keep_their_keys_and_cache_files(tmp_path):
    """`decoder` came after the cache format: at its default it is left out of the key and of
    the file, so keys and files of earlier runs stay valid."""
    import hashlib
    from dataclasses import asdict

    run = Run(**TINY)
    before = {k: v for k, v in asdict(run).items() if k != "decoder"}   # the fields until then
    text = json.dumps({"run": before, "code": sweeps.code_version()}, sort_keys=True)
    assert run.key() == hashlib.sha256(text.encode()).hexdigest()
    run_sweep([run], cache=tmp_path)
    assert json.loads((tmp_path / f"{run.key()}.json").read_text())["run"] == before
    ideal = Run(**TINY, decoder="ideal")
    assert ideal.key() != run.key() and "decoder" in ideal.settings()


def test_an_ideal_run_trains_the_ideal_decoder_of_its_family():
    """Differential: run_sweep's ideal runs against models.ideal_config trained directly, with
    the same splits and initial embeddings per seed."""
    from geneft.models import ideal_config, init_ensemble
    from geneft.fasttrain import train        # the trainer run_sweep uses
    from geneft.tasks import all_pairs, parse_relation, train_mask

    runs = grid(relation="greater", n=8, fraction=[0.3, 0.6], seed=[0, 1], decoder="ideal",
                depth=3, width=9, steps=20, eval_every=10)
    assert {(r.dim, r.depth, r.width, r.mode) for r in runs} == {(1, 0, 1, "difference")}
    table = run_sweep(runs)
    _, labels = all_pairs(parse_relation("greater", 8))
    masks = np.stack([train_mask(64, r.fraction, r.seed) for r in runs])
    model = init_ensemble(ideal_config("order", n=8), [r.seed for r in runs])
    hist = train(model, labels, masks, steps=20, eval_every=10)
    for i, row in table.iterrows():        # equal up to float rounding of the two trainers
        np.testing.assert_allclose(row.embeddings, model.embeddings[i].numpy(), atol=1e-5)
        assert np.abs(row.curve_whole_acc - hist.whole_acc[i]).max() <= 1 / 64   # one pair
    assert sweeps.run_of(table.iloc[0]) == runs[0]


def test_uncached_training_gives_the_sweeps_numbers_and_keeps_what_was_asked():
    """trained_models and embedding_paths train as run_sweep does (same batches, same
    numbers), and keep the trained model, or the embeddings at every evaluation step."""
    runs = tiny_grid()[:3]
    table = run_sweep(runs)
    models = sweeps.trained_models(runs)
    paths = sweeps.embedding_paths(runs)
    for (model, result), path, (_, row) in zip(models, paths, table.iterrows()):
        assert "model" not in result
        np.testing.assert_array_equal(result["curve_test_acc"], row.curve_test_acc)
        np.testing.assert_array_equal(model.embeddings[0].numpy(), row.embeddings)
        assert path.shape == (len(row.curve_step), *row.embeddings.shape)
        np.testing.assert_allclose(path[-1], row.embeddings, rtol=1e-5, atol=1e-6)
