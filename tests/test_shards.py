"""`--shard`: which chapters split their training, Slurm job arrays (`--shard auto` and the
templates in docs/slurm/), and sharded chapter runs that give the numbers of one unsharded run."""
import json
import os
from dataclasses import fields
import re
import subprocess
from pathlib import Path

import pytest

from geneft.cli import build_parser, main
from geneft.profiles import resolve
from geneft.runner import CHAPTERS, SHARDED, book_dir, check_shard, parse_parameter
from geneft.sweeps import parse_shard, slurm_shard

SLURM = book_dir().parent / "docs" / "slurm"


def test_every_chapter_computes_through_the_run_cache_and_shards():
    """Each chapter hands its `cache` parameter to the library calls that train (the sweep
    engine, or `units.run_units` inside fieldtheory, twolayer and digits), so each splits."""
    cached = {c for c in CHAPTERS if "cache=P.cache" in (book_dir() / f"{c}.md").read_text()}
    assert cached == set(CHAPTERS) == set(SHARDED)


@pytest.mark.parametrize("command", ["run", "merge"])
@pytest.mark.parametrize("chapter", ["all"])
def test_all_chapters_at_once_refuse_a_shard_and_exit_2(chapter, command, capsys):
    argv = [command, chapter] + (["--shard", "1/2"] if command == "run" else [])
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert "has nothing to split" in capsys.readouterr().err


def _array_env(task, low, high, step=1, count=True):
    """The variables Slurm sets in task `task` of --array=low-high:step."""
    env = {"SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_MIN": str(low),
           "SLURM_ARRAY_TASK_MAX": str(high), "SLURM_ARRAY_TASK_STEP": str(step)}
    if count:
        env["SLURM_ARRAY_TASK_COUNT"] = str(len(range(low, high + 1, step)))
    return env


@pytest.mark.parametrize("low, high, step, count", [
    (1, 4, 1, True), (0, 3, 1, True), (0, 15, 5, True), (1, 4, 1, False), (7, 7, 1, True),
], ids=["1-4", "0-3", "0-15:5", "1-4-without-count", "one-task"])
def test_the_tasks_of_an_array_are_the_shards_1_to_n(low, high, step, count):
    tasks = range(low, high + 1, step)
    shards = [slurm_shard(_array_env(t, low, high, step, count)) for t in tasks]
    assert shards == [(i, len(tasks)) for i in range(1, len(tasks) + 1)]


@pytest.mark.parametrize("drop, message", [
    ("SLURM_ARRAY_TASK_ID", r"not set: \$SLURM_ARRAY_TASK_ID\b"),
    ("SLURM_ARRAY_TASK_MIN", r"not set: \$SLURM_ARRAY_TASK_MIN\b"),
    ("COUNT and MAX", r"not set: \$SLURM_ARRAY_TASK_COUNT \(or \$SLURM_ARRAY_TASK_MAX\)"),
], ids=["id", "min", "count"])
def test_shard_auto_names_the_missing_variable(drop, message):
    env = _array_env(2, 1, 4)
    for name in (["SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MAX"] if " and " in drop
                 else [drop]):
        del env[name]
    with pytest.raises(ValueError, match=message):
        slurm_shard(env)


@pytest.mark.parametrize("env, message", [
    ({**_array_env(2, 1, 4), "SLURM_ARRAY_TASK_ID": "two"}, r"TASK_ID must be an integer"),
    ({**_array_env(5, 1, 9), "SLURM_ARRAY_TASK_COUNT": "3"}, "given as a range"),  # --array=1,5,9
], ids=["not-int", "list"])
def test_shard_auto_rejects_what_is_not_a_range_of_tasks(env, message):
    with pytest.raises(ValueError, match=message):
        slurm_shard(env)


def test_shard_auto_in_the_cli_reads_the_array(monkeypatch, capsys):
    monkeypatch.setenv("GENEFT_SHARD", "")
    for name, value in _array_env(3, 0, 3).items():
        monkeypatch.setenv(name, value)
    assert parse_shard("auto") == (4, 4)
    assert check_shard("statics", "auto", resolve("statics")) == "4/4"
    monkeypatch.delenv("SLURM_ARRAY_TASK_ID")
    with pytest.raises(SystemExit) as exit_:
        main(["run", "statics", "--shard", "auto"])
    assert exit_.value.code == 2 and "SLURM_ARRAY_TASK_ID" in capsys.readouterr().err


def _fake(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!/bin/bash\n{body}\n")
    path.chmod(0o755)


def _run_template(script: Path, tmp_path: Path, env: dict) -> list[str]:
    """Run a template with bash, a fake `geneft` on the PATH recording its arguments; return
    them."""
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    log = tmp_path / "argv"
    _fake(fake, "geneft", f'printf "%s\\0" "$@" > {log}')
    subprocess.run(["bash", str(script)], check=True, cwd=tmp_path, capture_output=True,
                   env={"PATH": f"{fake}:{os.environ['PATH']}", "HOME": str(tmp_path), **env})
    return log.read_text().split("\0")[:-1]


def _array_range(script: Path) -> tuple[int, int]:
    low, high = re.search(r"^#SBATCH --array=(\d+)-(\d+)$", script.read_text(), re.M).groups()
    return int(low), int(high)


@pytest.mark.parametrize("chapter", list(SHARDED))
def test_the_shard_template_runs_a_command_the_cli_accepts_for_every_task(chapter, tmp_path):
    script = SLURM / "shard.sbatch"
    low, high = _array_range(script)
    shards = set()
    for task in range(low, high + 1):
        env = {"CHAPTER": chapter, "SLURM_CPUS_PER_TASK": "4", **_array_env(task, low, high)}
        argv = _run_template(script, tmp_path, env)
        args = build_parser().parse_args(argv)
        assert (args.command, args.chapter, args.profile, args.shard) == \
            ("run", chapter, "full", "auto")
        given = {name: parse_parameter(chapter, name, text) for name, text in args.p}
        params = resolve(chapter, args.profile, **given)
        has_workers = any(f.name == "workers" for f in fields(params))
        assert given == ({"workers": 4} if has_workers else {})
        with pytest.MonkeyPatch.context() as mp:      # the task's variables, as Slurm sets them
            for name, value in env.items():
                mp.setenv(name, value)
            shards.add(check_shard(chapter, args.shard, params))
    count = high - low + 1
    assert shards == {f"{i}/{count}" for i in range(1, count + 1)}   # each task its own shard


def test_the_merge_template_runs_the_merge_of_the_same_chapter(tmp_path):
    argv = _run_template(SLURM / "merge.sbatch", tmp_path, {"CHAPTER": "goldilocks",
                                                             "PROFILE": "quick"})
    args = build_parser().parse_args(argv)
    assert (args.command, args.chapter, args.profile, args.sources) == \
        ("merge", "goldilocks", "quick", [])
    assert check_shard("goldilocks", "merge", resolve("goldilocks", "quick")) == "merge"


def _submit(chapter: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run submit.sh with a fake sbatch that logs its arguments to tmp_path/sbatch.log and
    answers job ids 101, 102, ... as `sbatch --parsable` does ("id;cluster")."""
    fake = tmp_path / "bin"
    fake.mkdir()
    log = tmp_path / "sbatch.log"
    _fake(fake, "sbatch", f'echo "$*" >> {log}; echo "$((100 + $(wc -l < {log})));cluster"')
    return subprocess.run(["bash", str(SLURM / "submit.sh"), chapter], text=True,
                          capture_output=True,
                          env={**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"})


@pytest.mark.parametrize("chapter", list(SHARDED))
def test_submit_chains_the_passes_of_the_array_and_the_merge(chapter, tmp_path):
    """Each pass of the array after the last, the merge after the last pass, each with
    --dependency=afterok:<the previous job's id>."""
    out = _submit(chapter, tmp_path).stdout
    calls = (tmp_path / "sbatch.log").read_text().splitlines()
    passes = SHARDED[chapter]
    assert [c.split()[-1].rsplit("/", 1)[-1] for c in calls] == \
        ["shard.sbatch"] * passes + ["merge.sbatch"]
    assert "--dependency" not in calls[0]
    for k, call in enumerate(calls[1:], start=1):
        assert f"--dependency=afterok:{100 + k} " in call
    assert f"merge: job {100 + passes + 1}" in out


@pytest.mark.parametrize("chapter", ["all", "nonsense"])
def test_submit_refuses_a_chapter_with_nothing_to_split(chapter, tmp_path):
    done = _submit(chapter, tmp_path)
    assert done.returncode != 0 and "has nothing to split" in done.stderr
    assert not (tmp_path / "sbatch.log").exists()                   # nothing submitted


def _numbers(notebook: Path) -> dict:
    """{name: text} of every myst-nb glue output of an executed notebook, less the timings
    (names with "try_": minutes an exercise takes on this machine)."""
    nb = json.loads(notebook.read_text())
    glued = {o["metadata"]["scrapbook"]["name"]: o["data"].get("text/plain")
             for c in nb["cells"] for o in c.get("outputs", [])
             if "scrapbook" in o.get("metadata", {})}
    return {k: v for k, v in glued.items() if "try_" not in k}


TINY = {
    "statics": {"n": "12", "mc_fractions": "0.1,0.3", "mc_draws": "2", "fractions": "0.2,0.6",
                "seeds": "2", "steps": "20", "ideal_steps": "20"},
    "goldilocks": {"n": "9", "depths": "1,2", "widths": "2,3", "fig7_width": "3", "seeds": "2",
                   "steps": "30", "compare_depths": "1", "compare_widths": "2,3",
                   "compare_seeds": "2", "compare_steps": "30", "eval_every": "10"},
    "fieldtheory": {"d": "6", "depths": "2", "spectrum_depths": "1,2", "lmax": "10",
                    "n_list": "8,32", "draws": "2", "n_test": "100", "widths": "32,64",
                    "net_n_list": "16,32", "sigma2_list": "1.0", "langevin": "true",
                    "langevin_width": "16", "langevin_n_list": "8,16", "langevin_steps": "40",
                    "langevin_burn_in": "20", "langevin_n_test": "20"},
    "twolayer": {"d": "8", "alphas": "2,4,8", "width": "100", "widths": "40",
                 "contrast_a0s": "5", "contrast_steps": "300", "noise_alphas": "4",
                 "steps": "300", "seeds": "1", "n_test": "200", "eval_points": "10"},
    "duality": {"dataset": "synthetic", "train_per_class": "20", "batch_sizes": "25,50",
                "betas": "0,0.01", "init_scales": "[]", "max_epochs": "20", "seeds": "2",
                "bridge_steps": "100", "bridge_seeds": "2"},
}


@pytest.mark.slow
@pytest.mark.parametrize("chapter", list(TINY))
def test_sharded_chapter_then_merge_gives_the_numbers_of_one_unsharded_run(chapter, tmp_path):
    """`geneft run CHAPTER --shard 1/2` and `--shard 2/2` (SHARDED[chapter] passes of them),
    then `geneft merge`, with tiny parameters; the repons chapter has its own test (with
    separate caches) in test_runner.py."""
    tiny = [a for name, text in TINY[chapter].items() for a in ("-p", name, text)]
    tiny += ["-p", "workers", "1"] if chapter in ("statics", "goldilocks") else []
    tiny += ["--device", "cpu"] if chapter != "duality" else []
    tiny += ["--quiet"]
    cache = ["-p", "cache", str(tmp_path / "cache")]
    status = []
    for _ in range(SHARDED[chapter]):
        for shard in ("1/2", "2/2"):
            assert main(["run", chapter, *tiny, *cache, "--shard", shard,
                         "--out", str(tmp_path / "shards")]) == 0
            record = tmp_path / "shards" / f"{chapter}-quick-shard{shard.replace('/', 'of')}.json"
            status.append(json.loads(record.read_text())["status"])
    assert status[0] == "shard-done"               # the first shard cannot finish the chapter
    assert main(["merge", chapter, *tiny, *cache, "--out", str(tmp_path / "merged")]) == 0
    assert main(["run", chapter, *tiny, "-p", "cache", "off",
                 "--out", str(tmp_path / "whole")]) == 0
    merged = _numbers(tmp_path / "merged" / f"{chapter}-quick.ipynb")
    whole = _numbers(tmp_path / "whole" / f"{chapter}-quick.ipynb")
    assert len(merged) > 20 and merged == whole
