"""tools/build_book.py (`make book`): chapters executed side by side into the execution cache,
then Jupyter Book, which must find every one of them there and execute nothing itself.

Checked on a small book of the same layout (root `_config.yml` and `_toc.yml`, MyST-markdown
notebooks in book/), built end to end; the real book goes through the same script in the test
suite's own book build (tests/conftest.py)."""
import importlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from geneft.threads import usable_cpus

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("build_book", ROOT / "tools" / "build_book.py")
build_book = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_book)

HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def _chapter(title: str, code: str) -> str:
    return (HEADER + f"# {title}\n\nSome prose.\n\n```{{code-cell}} ipython3\n{code}\n```\n\n"
            "```{code-cell} ipython3\nimport os\n"
            "print('progress=' + os.environ['GENEFT_PROGRESS'])\n"
            "print('cpus=' + os.environ.get('GENEFT_CPUS', 'unset'))\n```\n")


def _book(root: Path, chapters: dict[str, str]) -> Path:
    (root / "book").mkdir(parents=True)
    (root / "_config.yml").write_text(
        "title: test\nonly_build_toc_files: true\nexclude_patterns: [_build]\n"
        "execute:\n  execute_notebooks: cache\n  timeout: 120\n"
        "parse:\n  myst_enable_extensions: [dollarmath, colon_fence]\n"
        "sphinx:\n  config:\n    nb_execution_raise_on_error: true\n")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n" + "".join(
        f"  - file: book/{name}\n" for name in chapters))
    (root / "book" / "intro.md").write_text("# Intro\n\nNot a notebook.\n")
    for name, code in chapters.items():
        (root / "book" / f"{name}.md").write_text(_chapter(name.title(), code))
    return root


def _run(root: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "tools" / "build_book.py"), *args,
                           str(root)], capture_output=True, text=True, timeout=600)


def test_chapters_are_the_tocs_notebooks_in_reading_order(tmp_path):
    root = _book(tmp_path, {"second": "1", "first": "2"})
    assert [p.name for p in build_book.chapters(root)] == ["second.md", "first.md"]


def test_the_books_chapters_are_the_librarys_chapters():
    from geneft.runner import CHAPTERS
    assert [p.stem for p in build_book.chapters(ROOT)] == list(CHAPTERS)


def test_the_cost_order_names_every_chapter_once():
    """A chapter added to the book without a place in the order would start first; one renamed
    would lose its place. Either shows up here."""
    assert sorted(build_book.COSTLIEST_FIRST) == sorted(p.stem for p in build_book.chapters(ROOT))


def test_chapters_start_costliest_first_and_unknown_ones_before_them():
    names = ["statics", "new", "fieldtheory", "repons"]
    ordered = build_book.costliest_first([Path(f"book/{n}.md") for n in names])
    assert [p.stem for p in ordered] == ["new", "repons", "statics", "fieldtheory"]


def test_chapters_executed_side_by_side_are_what_the_build_renders(tmp_path):
    root = _book(tmp_path, {"alpha": "x = 6 * 7\nprint('alpha', x)",
                            "beta": "print('beta', sum(range(10)))"})
    proc = _run(root, "--jobs", "2")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    out = proc.stdout + proc.stderr
    assert "book/alpha.md: executed in" in out and "book/beta.md: executed in" in out
    # Jupyter Book found both in the cache: it executed nothing itself
    assert out.count("Using cached notebook") == 2 and "Executing notebook" not in out
    page = (root / "_build" / "html" / "book" / "alpha.html").read_text()
    assert "alpha 42" in page
    assert "progress=0" in page                # the build's environment: no progress bars
    share = max(1, usable_cpus() // 2)          # each chapter's share of the CPUs
    assert f"cpus={share}" in page
    # a second run finds nothing to execute
    again = _run(root, "--jobs", "2")
    assert again.returncode == 0 and "executed in" not in again.stdout + again.stderr


def test_the_pdfs_single_page_build_executes_side_by_side_into_its_output(tmp_path):
    """tools/pdf.py executes the missing chapters as `make book` does, into the execution cache
    of its --path-output, before its singlehtml build renders them."""
    root = _book(tmp_path / "src", {"alpha": "print('alpha', 6 * 7)", "beta": "print('beta')"})
    output = tmp_path / "out"
    script = ("import sys; from pathlib import Path; sys.path.insert(0, sys.argv[3])\n"
              "import pdf; print(pdf.build_singlehtml(Path(sys.argv[1]), Path(sys.argv[2])))\n")
    proc = subprocess.run([sys.executable, "-c", script, str(root), str(output),
                           str(ROOT / "tools")],
                          capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-2000:]
    assert "book/alpha.md: executed in" in out and "book/beta.md: executed in" in out
    assert out.count("Using cached notebook") == 2 and "Executing notebook" not in out
    assert (output / "_build" / ".jupyter_cache").is_dir() and not (root / "_build").exists()
    assert "alpha 42" in (output / "_build" / "singlehtml" / "book" / "intro.html").read_text()


def test_a_failing_chapter_stops_before_sphinx_and_keeps_the_others(tmp_path):
    root = _book(tmp_path, {"good": "print('fine')", "bad": "raise ValueError('broken cell')"})
    proc = _run(root, "--jobs", "2")
    assert proc.returncode == 1
    assert "book/bad.md failed" in proc.stderr and "broken cell" in proc.stderr
    assert "the book was not built" in proc.stderr
    assert not (root / "_build" / "html").exists()
    # the chapter that worked is in the cache; fixing the other executes only that one
    (root / "book" / "bad.md").write_text(_chapter("Bad", "print('mended')"))
    proc = _run(root, "--jobs", "2")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-2000:]
    assert "executed in" not in out                     # one chapter left: the build ran it
    assert out.count("Using cached notebook") == 1


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_jobs_must_be_a_positive_whole_number(tmp_path, value):
    proc = _run(tmp_path, "--jobs", value)
    assert proc.returncode == 2
    assert "--jobs must be a whole number >= 1" in proc.stderr and repr(value) in proc.stderr


def test_the_build_report_counts_chapters_executed_before_sphinx_as_this_build(monkeypatch):
    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        report = importlib.import_module("build_report")
    finally:
        sys.path.remove(str(ROOT / "_ext"))

    class App:
        pass
    app = App()
    monkeypatch.setenv(build_book.STARTED, "1000.5")
    report._start(app)
    assert getattr(app, report._STARTED) == 1000.5
    monkeypatch.setenv(build_book.STARTED, "not a time")
    report._start(app)
    assert getattr(app, report._STARTED) > 1000.5       # ignored: the build's own start


def test_make_book_goes_through_the_script():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nbook:", 1)[1].split("\n\n", 1)[0]
    assert "tools/build_book.py" in recipe and "jupyter-book build" not in recipe
