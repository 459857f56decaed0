"""Command line: `geneft statics ...` and `geneft run CHAPTER ...`.

    geneft statics --relation greater --n 30 --json
    geneft statics --relation mod --k 5
    geneft statics --relation bipartite --a 10 --alpha 0.95
    geneft run statics --profile quick -p n 12 --out runs/
    geneft run goldilocks --profile full -p seeds 5 -p widths 2,10,50 --device cuda
    geneft run all --profile full

Errors are one line on stderr and exit code 2; no tracebacks for bad input.
"""
from __future__ import annotations

import argparse
import json
import sys

from . import __version__
from .tasks import RELATIONS, make_relation


# The chapters `geneft run` knows, in book order (tests check this against runner.CHAPTERS,
# which loads torch; the help text must not).
CHAPTER_NAMES = ("statics", "goldilocks", "repons", "fieldtheory", "twolayer", "duality")


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error message (no usage dump)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _statics(args, parser) -> int:
    from .statics import summary      # igraph: imported only by the command that needs it
    params = {}
    if args.k is not None:
        if args.relation != "mod":
            parser.error("--k applies only to --relation mod")
        params["k"] = args.k
    if args.a is not None:
        if args.relation != "bipartite":
            parser.error("--a applies only to --relation bipartite")
        params["a"] = args.a
    if not 0 < args.alpha < 1:
        parser.error(f"--alpha must be in the open interval (0, 1), got {args.alpha}")
    try:
        relation = make_relation(args.relation, args.n, **params)
    except ValueError as err:
        parser.error(str(err))
    report = summary(relation, args.alpha)
    if args.json:
        print(json.dumps(report))
    else:
        width = max(map(len, report))
        for key, value in report.items():
            shown = f"{value:.4f}" if isinstance(value, float) else value
            print(f"{key:<{width}}  {shown}")
    return 0


def _run(args, parser) -> int:
    # Imported here, not at the top: they load torch (1 s), which `geneft --help` and
    # `geneft statics` do not need.
    from .profiles import resolve
    from .runner import (CHAPTERS, Terminated, absolute_paths, check_folders, check_shard,
                         parse_parameter, run_chapter)
    from .sweeps import merge_caches, resolve_cache

    chapters = list(CHAPTERS) if args.chapter == "all" else [args.chapter]
    if args.chapter == "all" and (args.shard or args.command == "merge"):
        parser.error(f"'all' has nothing to split or merge as one: each chapter needs its own "
                     f"passes of shards, so shard one chapter at a time ({', '.join(CHAPTERS)})")
    if args.chapter != "all" and args.chapter not in CHAPTERS:
        parser.error(f"chapter must be one of {list(CHAPTERS) + ['all']}, got {args.chapter!r}")
    plans = []
    try:  # check every chapter's parameters before running any
        for chapter in chapters:
            given = {name: parse_parameter(chapter, name, text) for name, text in args.p
                     if args.chapter != "all" or name in _fields(chapter)}
            if args.device:
                given["device"] = args.device
            given = absolute_paths(given)        # where the user typed them, not book/
            resolved = resolve(chapter, args.profile, **given)
            check_shard(chapter, "merge" if args.command == "merge" else args.shard, resolved)
            check_folders(resolved, args.out)    # writable before anything runs
            plans.append((chapter, given))
        if args.chapter == "all":
            unknown = {n for n, _ in args.p} - set().union(*map(_fields, chapters))
            if unknown:
                raise ValueError(f"parameter(s) {sorted(unknown)} belong to no chapter")
    except ValueError as err:
        parser.error(str(err))
    shard = args.shard
    if args.command == "merge":
        shard = "merge"
        for chapter, given in plans:
            cache = resolve_cache(resolve(chapter, args.profile, **given).cache)
            if cache is None:
                parser.error("merge needs a run cache; cache 'off' has none")
            try:
                counts = merge_caches(args.sources, cache)
            except ValueError as err:
                parser.error(str(err))
            print(f"geneft merge: into {cache}: {counts}", flush=True)
    for chapter, given in plans:
        print(f"geneft {args.command} {chapter} --profile {args.profile}: "
              f"{given or 'profile defaults'}", flush=True)
        try:
            record = run_chapter(chapter, args.profile, given, out=args.out, shard=shard,
                                 progress=not args.quiet)
        except ValueError as err:         # bad input found by run_chapter's own checks
            parser.error(str(err))
        except (KeyboardInterrupt, Terminated) as err:
            name = "SIGINT" if isinstance(err, KeyboardInterrupt) else "SIGTERM"
            print(f"geneft {args.command}: {chapter} interrupted by {name}; its record says "
                  f"so in {args.out}", file=sys.stderr)
            return 130 if name == "SIGINT" else 143
        except Exception as err:          # a failed cell: papermill's error names its type
            if args.command != "merge" or getattr(err, "ename", None) != "ShardIncomplete":
                raise
            print(f"geneft merge: {chapter}: incomplete: "
                  f"{str(err).strip().splitlines()[-1]}", file=sys.stderr)
            return 1
        print(f"  wrote {record} and {record.with_suffix('.ipynb')}", flush=True)
    return 0


def _fields(chapter: str) -> set:
    from .profiles import PROFILES
    return set(vars(PROFILES[chapter]["quick"]))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="geneft", description="GenEFT book companion: library commands.")
    parser.add_argument("--version", action="version", version=f"geneft {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    st = sub.add_parser("statics", help="description length, |Aut(G)|, crude p_c of a relation",
                        description="Static analysis of one relation (GenEFT section 3): "
                        "|Aut(G)|, exact and paper-approximate description length b, p*, "
                        "and the crude critical train fraction p_c of Eq. (4).")
    st.add_argument("--relation", required=True, choices=sorted(RELATIONS),
                    help="which relation")
    st.add_argument("--n", type=int, default=30, help="number of symbols (default 30)")
    st.add_argument("--k", type=int, help="modulus for --relation mod (default 3)")
    st.add_argument("--a", type=int, help="set size for --relation bipartite (default 10)")
    st.add_argument("--alpha", type=float, default=0.9,
                    help="target fraction of known bits for p_c (default 0.9)")
    st.add_argument("--json", action="store_true", help="print one JSON object")
    st.set_defaults(func=_statics, subparser=st)

    run = sub.add_parser("run", help="execute a chapter (or all) with papermill",
                         description="Execute a chapter's notebook with papermill, injecting "
                         "parameters, and write the executed notebook and a run record "
                         "(parameters, git commit, versions, device, wall time) to --out.",
                         epilog="examples:\n  geneft run statics --profile quick -p n 12\n"
                         "  geneft run repons --profile full --device cuda --out runs/full\n"
                         "  geneft run all --profile full",
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    _chapter_arguments(run)
    run.add_argument("--shard", metavar="I/N", help="compute only shard I of N of each sweep "
                     "into the shared run cache, then `geneft merge`; 'auto': I and N of this "
                     "task of a Slurm job array ($SLURM_ARRAY_TASK_ID, _MIN, _COUNT or _MAX); "
                     "every chapter; see docs/slurm/")
    run.set_defaults(func=_run, subparser=run, command="run")

    merge = sub.add_parser("merge", help="finish a sharded chapter run from the shards' caches",
                           description="Copy the valid run files of the shards' caches (--from) "
                           "into the chapter's run cache, then execute the chapter from the "
                           "cache alone, training no sweep run; exits 1 naming what is missing "
                           "if a shard has not finished. Same parameters as the shards' run.",
                           epilog="example (a Slurm job array, then one merge job; "
                           "templates in docs/slurm/):\n"
                           "  geneft run repons --profile full --shard auto\n"
                           "  geneft merge repons --profile full",
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    _chapter_arguments(merge)
    merge.add_argument("--from", dest="sources", nargs="+", default=[], metavar="CACHE",
                       help="run caches of shards that ran without a shared disk")
    merge.set_defaults(func=_run, subparser=merge, command="merge", shard=None)
    return parser


def _chapter_arguments(parser) -> None:
    """The arguments `run` and `merge` share."""
    parser.add_argument("chapter", help=f"{', '.join(CHAPTER_NAMES)} or all")
    parser.add_argument("--profile", default="quick", choices=["quick", "full"],
                        help="parameter preset (default quick)")
    parser.add_argument("-p", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="override one parameter; lists as 1,2,3 (repeatable)")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], help="training device")
    parser.add_argument("--out", default="runs", help="output folder (default runs/)")
    parser.add_argument("--quiet", action="store_true", help="no papermill progress bar")


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.func(args, args.subparser)


if __name__ == "__main__":  # python -m geneft.cli
    sys.exit(main())
