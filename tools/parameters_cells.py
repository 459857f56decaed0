"""Write every chapter's papermill parameters cell from geneft.profiles (`parameters_cell`):
the comments of the profile dataclasses and the quick and full values, so the chapters state
the values the profiles give. Run after changing a profile or a field's comment:

    .venv/bin/python tools/parameters_cells.py          # rewrite book/*.md where they differ
    .venv/bin/python tools/parameters_cells.py --check  # exit 1 naming the chapters that differ

tests/test_profiles.py checks the same.
"""
import argparse
import re
import sys
from pathlib import Path

from geneft.profiles import PROFILES, parameters_cell

BOOK = Path(__file__).resolve().parents[1] / "book"
CELL = re.compile(r"(```\{code-cell\} ipython3\n:tags: \[parameters[^\n]*\]\n\n)(.*?)(```)", re.S)


def _escape(text: str) -> str:
    """`text` as a literal in a re.sub replacement."""
    return text.replace("\\", "\\\\")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if any differ")
    args = parser.parse_args()
    stale = []
    for chapter in PROFILES:
        path = BOOK / f"{chapter}.md"
        text = path.read_text()
        if len(CELL.findall(text)) != 1:
            sys.exit(f"{path}: expected one parameters cell")
        new = CELL.sub(rf"\g<1>{_escape(parameters_cell(chapter))}\g<3>", text)
        if new != text:
            stale.append(chapter)
            if not args.check:
                path.write_text(new)
    print(("differ: " if args.check else "rewrote: ") + (", ".join(stale) or "none"))
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
