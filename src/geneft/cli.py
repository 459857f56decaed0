"""Command line: `geneft statics ...` (more commands arrive with the later chapters).

    geneft statics --relation greater --n 30 --json
    geneft statics --relation mod --k 5
    geneft statics --relation bipartite --a 10 --alpha 0.95

Errors are one line on stderr and exit code 2; no tracebacks for bad input.
"""
from __future__ import annotations

import argparse
import json
import sys

from . import __version__
from .statics import summary
from .tasks import RELATIONS, make_relation


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error message (no usage dump)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _statics(args, parser) -> int:
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
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.func(args, args.subparser)


if __name__ == "__main__":  # python -m geneft.cli
    sys.exit(main())
