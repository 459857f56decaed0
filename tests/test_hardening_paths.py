"""Hardening, class 5 (paths): a path is taken where the user typed it (the caller's working
directory, not the kernel's book/ folder), and a bad --out is one line, not a traceback."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geneft.cli import main
from geneft.profiles import resolve
from geneft.runner import absolute_paths, kernel_environment


@pytest.mark.parametrize("given, expected", [
    ("runs/cache", "{cwd}/runs/cache"),
    ("./c", "{cwd}/c"),
    ("../up", "{parent}/up"),
    ("~/c", "{home}/c"),
    ("/abs/c", "/abs/c"),
    ("off", "off"),
    (None, None),
], ids=["relative", "dot", "parent", "home", "absolute", "off", "default"])
def test_a_cache_parameter_is_resolved_where_it_was_typed(tmp_path, monkeypatch, given,
                                                           expected):
    monkeypatch.chdir(tmp_path)
    out = absolute_paths({"cache": given, "seeds": 2})
    values = dict(cwd=tmp_path, parent=tmp_path.parent, home=Path.home())
    assert out == {"cache": expected if expected is None else expected.format(**values),
                   "seeds": 2}


@pytest.mark.parametrize("name", ["GENEFT_CACHE", "GENEFT_DATA"])
def test_path_variables_reach_the_kernel_absolute(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(name, "rel/dir")
    assert kernel_environment("1/2")[name] == str(tmp_path / "rel" / "dir")
    assert kernel_environment()["GENEFT_SHARD"] == ""
    monkeypatch.setenv(name, "~/dir")
    assert kernel_environment()[name] == str(Path.home() / "dir")
    monkeypatch.setenv(name, "")
    assert name not in kernel_environment()           # unset or empty: the default location


@pytest.mark.parametrize("cache", ["", "   "], ids=["empty", "blank"])
def test_an_empty_cache_path_is_refused(cache):
    with pytest.raises(ValueError, match="cache must be a directory path, 'off' or None"):
        resolve("goldilocks", cache=cache)


def a_file(tmp_path):
    path = tmp_path / "file"
    path.write_text("x")
    return path


BAD_OUT = {
    "a-file": (a_file, "is a file"),
    "under-a-file": (lambda tmp_path: a_file(tmp_path) / "out", "cannot be written"),
    "proc": (lambda tmp_path: Path("/proc/geneft-out"), "cannot be written"),
    "dev-null": (lambda tmp_path: Path("/dev/null"), "is a file"),
}


@pytest.mark.parametrize("where, message", BAD_OUT.values(), ids=BAD_OUT.keys())
def test_a_bad_out_folder_is_one_line_before_running(tmp_path, capsys, where, message):
    out = where(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main(["run", "statics", "--out", str(out)])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and len(err.strip().splitlines()) == 1
    assert f"--out directory {out} {message}" in err


@pytest.mark.slow
def test_a_relative_cache_lands_in_the_callers_folder(tmp_path):
    """`geneft run` from tmp_path with -p cache rel/cache: the runs are cached under tmp_path,
    and nothing is written to book/rel."""
    from geneft.runner import book_dir
    cmd = [sys.executable, "-m", "geneft.cli", "run", "statics", "-p", "n", "12",
           "-p", "mc_fractions", "0.1,0.3", "-p", "mc_draws", "2", "-p", "fractions", "0.2,0.6",
           "-p", "seeds", "2", "-p", "steps", "20", "-p", "ideal_steps", "20", "-p", "workers",
           "1", "--device", "cpu", "--quiet", "-p", "cache", "rel/cache", "--out", "out"]
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(book_dir().parent / "src")})
    assert proc.returncode == 0, proc.stderr[-3000:]
    record = json.loads((tmp_path / "out" / "statics-quick.json").read_text())
    assert record["parameters"]["cache"] == str(tmp_path / "rel" / "cache")
    assert list((tmp_path / "rel" / "cache").glob("*.json"))
    assert not (book_dir() / "rel").exists()
