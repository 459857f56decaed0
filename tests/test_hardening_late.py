"""Hardening, class 4 (work lost late): a folder that cannot take the results is refused before
anything trains, with a message naming it, by the library, the runner and the CLI."""
import os

import pytest

from geneft import sweeps
from geneft.cli import main
from geneft.profiles import resolve
from geneft.runner import check_folders


def a_file(tmp_path):
    path = tmp_path / "file"
    path.write_text("x")
    return path


def read_only(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    path = tmp_path / "ro"
    path.mkdir()
    path.chmod(0o555)
    return path


UNWRITABLE = {
    "proc": lambda tmp_path: "/proc/geneft-cache",
    "sys": lambda tmp_path: "/sys/geneft-cache",
    "a-file": a_file,
    "under-a-file": lambda tmp_path: a_file(tmp_path) / "cache",
    "dev-null": lambda tmp_path: "/dev/null",
    "read-only": read_only,
}


@pytest.fixture
def no_training(monkeypatch):
    def train(*args, **kwargs):
        raise AssertionError("a batch was trained before the cache was checked")
    monkeypatch.setattr(sweeps, "_train_batch", train)


@pytest.mark.parametrize("where", UNWRITABLE.values(), ids=UNWRITABLE.keys())
def test_run_sweep_refuses_an_unwritable_cache_before_training(tmp_path, no_training, where):
    cache = where(tmp_path)
    runs = sweeps.grid(n=6, fraction=0.5, depth=1, width=3, seed=[0, 1], steps=20)
    with pytest.raises(ValueError, match=f"cache directory {cache} (cannot be written|is a file)"):
        sweeps.run_sweep(runs, cache=cache)


@pytest.mark.parametrize("where", UNWRITABLE.values(), ids=UNWRITABLE.keys())
def test_geneft_run_refuses_an_unwritable_cache_in_one_line(tmp_path, capsys, where):
    cache = where(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main(["run", "goldilocks", "-p", "cache", str(cache), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and len(err.strip().splitlines()) == 1
    assert f"cache directory {cache}" in err


def test_a_results_store_that_cannot_be_written_is_refused_before_running(tmp_path,
                                                                          monkeypatch):
    monkeypatch.setenv("GENEFT_DATA", "/proc/geneft-data")
    params = resolve("repons", save_results=True, cache="off")
    with pytest.raises(ValueError, match="results store .* /proc/geneft-data cannot be written"):
        check_folders(params, tmp_path / "out")
    assert check_folders(resolve("repons", cache="off"), tmp_path / "out").is_dir()


def test_a_missing_cache_folder_is_created_and_used(tmp_path):
    cache = tmp_path / "a" / "b" / "cache"
    runs = sweeps.grid(n=6, fraction=0.5, depth=1, width=3, seed=[0], steps=20, eval_every=10)
    table = sweeps.run_sweep(runs, cache=cache)
    assert (cache / f"{runs[0].key()}.json").exists() and not table.cached[0]
