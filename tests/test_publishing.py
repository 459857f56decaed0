"""Publishing metadata that cannot run here: the GitHub Actions workflow is checked against
GitHub's workflow schema (check-jsonschema's vendored copy, no network) and against this
repository (it runs the README's commands and publishes what `make book` builds)."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"


def test_workflow_matches_githubs_schema():
    exe = Path(sys.executable).with_name("check-jsonschema")
    if not exe.exists():
        exe = shutil.which("check-jsonschema")
    if not exe:
        pytest.skip("check-jsonschema not installed (it is in the test extra)")
    proc = subprocess.run([str(exe), "--builtin-schema", "vendor.github-workflows",
                           str(WORKFLOW)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflow_uses_the_readmes_commands_and_publishes_the_build():
    text = WORKFLOW.read_text()
    readme = (ROOT / "README.md").read_text()
    for command in ("make book", "make test"):
        assert f"run: {command}" in text and command in readme
    assert "path: _build/html" in text and "actions/deploy-pages" in text
    assert "pull_request" in text and "branches: [main]" in text


def test_readme_shows_a_screenshot_of_the_book_and_where_it_is_published():
    readme = (ROOT / "README.md").read_text()
    shot = ROOT / "docs" / "screenshot-repons.png"
    assert f"]({shot.relative_to(ROOT)})" in readme
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "https://geneft-book.github.io/geneft-book/" in readme


def test_citation_metadata_points_to_the_paper():
    cff = (ROOT / "CITATION.cff").read_text()
    assert "cff-version: 1.2.0" in cff and "arXiv:2402.05916" in cff
    assert "baek2024geneft" in (ROOT / "book" / "references.bib").read_text()


def test_intro_gives_the_papers_bibtex_entry_as_in_the_bibliography():
    intro = (ROOT / "book" / "intro.md").read_text()
    bib = (ROOT / "book" / "references.bib").read_text()
    entry = bib[:bib.index("}\n@") + 1]                     # the first entry: the paper
    assert entry.startswith("@article{baek2024geneft") and entry in intro
