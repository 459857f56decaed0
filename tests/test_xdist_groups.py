"""`make test` runs the suite on several processes (pytest-xdist); conftest's scheduler sends the
test files that use the built book (conftest.BOOK_FILES) to one worker, so that the book is built
once."""
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import BOOK_FILES

TESTS = Path(__file__).resolve().parent


def test_every_file_that_uses_the_built_book_is_a_book_file():
    """A test file outside BOOK_FILES that used `built_book` would build the book once more, on
    another worker."""
    users = {f.name for f in TESTS.glob("test_*.py")
             if f.name != Path(__file__).name and re.search(r"\bbuilt_book\b", f.read_text())}
    assert users == set(BOOK_FILES)


def test_the_book_files_run_on_one_worker_and_the_rest_is_shared(tmp_path):
    """Two workers: every chosen test of BOOK_FILES ran on one worker, and the other worker ran
    the other tests (none of the chosen ones builds the book)."""
    chosen = ["tests/test_book.py::test_removed_cells_define_nothing_the_page_uses",
              "tests/test_environment.py::test_parse_freeze_rejects_a_package_listed_twice",
              "tests/test_environment.py::test_parse_freeze_drops_local_labels_and_the_venvs_own_"
              "tools",
              "tests/test_threads.py", "tests/test_shards.py::test_the_tasks_of_an_array_are_the_"
              "shards_1_to_n"]
    env = {**os.environ, "GENEFT_BUILT_BOOK": str(tmp_path)}    # in case one asked for it
    done = subprocess.run([sys.executable, "-m", "pytest", "-v", "-n", "2", "--dist",
                           "loadgroup", "-p", "no:cacheprovider",
                           *chosen], cwd=TESTS.parent, env=env, capture_output=True, text=True)
    ran = re.findall(r"\[(gw\d)\] \[ *\d+%\] (?:PASSED|FAILED|SKIPPED|ERROR) (\S+)", done.stdout)
    assert ran, done.stdout[-2000:] + done.stderr[-2000:]
    book = {gw for gw, nodeid in ran if Path(nodeid.split("::")[0]).name in BOOK_FILES}
    others = {gw for gw, nodeid in ran if Path(nodeid.split("::")[0]).name not in BOOK_FILES}
    assert len(book) == 1, ran
    assert others - book, ran                  # the other worker was not idle
