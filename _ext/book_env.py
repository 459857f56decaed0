"""Environment for the chapters the book build executes.

The kernels that execute the chapters are started by the build and inherit its environment, so
setting variables here (before any chapter runs) reaches every chapter, whichever command runs
the build (`make book`, `jupyter-book build .`, the tests):
- GENEFT_PROGRESS=0: no progress bar in a built page (`geneft.progress`); readers who run a
  chapter themselves still see its bars.
- OMP_WAIT_POLICY=PASSIVE: torch's OpenMP threads sleep instead of spinning while they wait, which
  keeps a chapter from running several times slower when the CPU is shared (`geneft/__init__.py`).
The first is always set; for the second an explicit value in the environment wins.
It also asks Sphinx to load MathJax on every page: the scorecard's math arrives in HTML that
the chapters glue, which Sphinx does not count as math on that page.
"""
import os


def set_chapter_environment():
    """The environment the chapters execute in (also used by tools/build_book.py, which executes
    them before the build)."""
    os.environ["GENEFT_PROGRESS"] = "0"
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def setup(app):
    # MathJax on every page, not only on pages whose own source has math: the scorecard's math
    # arrives in glued HTML from the chapters.
    app.set_html_assets_policy("always")
    set_chapter_environment()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
