"""The module map in the package docstring is the one list of modules: the package and the
README's Layout section must agree with it."""
import re
from pathlib import Path

import geneft

ROOT = Path(__file__).resolve().parents[1]


def _map() -> list[str]:
    return re.findall(r"^    ([a-z_]+) {2,}\S", geneft.__doc__, re.M)


def test_module_map_names_every_module_once():
    package = ROOT / "src" / "geneft"
    modules = sorted([p.stem for p in package.glob("*.py") if p.stem != "__init__"]
                     + [p.parent.name for p in package.glob("*/__init__.py")])
    assert len(_map()) == len(set(_map()))
    assert sorted(_map()) == modules


def test_readme_layout_lists_the_modules_of_the_map():
    readme = (ROOT / "README.md").read_text()
    layout = readme[readme.index("## Layout"):]
    layout = layout[:layout.index("\n## ", 1)]
    listed = re.findall(r"`([a-z_]+)`", layout[:layout.index("· `book/`")])
    assert sorted(listed) == sorted(_map())


def test_chapter_code_lines_fit_the_text_column():
    """A code line of a chapter is at most 100 columns: what the book's CSS (12 px code in a
    757 px column) shows at 1366 px without scrolling."""
    fence = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.M | re.S)
    long = {}
    for page in sorted((ROOT / "book").glob("*.md")):
        lines = [line for cell in fence.findall(page.read_text())
                 for line in cell.splitlines() if not line.startswith(":")]
        long.update({f"{page.name}: {line[:40]}...": len(line) for line in lines
                     if len(line) > 100})
    assert not long
