"""The pinned environment, Binder, and the archival metadata, checked offline.

One lock (`requirements-lock.txt`, written by `make lock` through tools/lock.py) must satisfy
every requirement of pyproject.toml, be what is installed here (`make` installs it), and be what
Binder builds (binder/environment.yml, generated from it). Binder itself cannot run here: these
tests check what decides its behaviour (repo2docker's rule for pre-assembly, the postBuild
script run against stand-ins, the JupyterLab setting against Jupytext's own tool and extension).
"""
import functools
import importlib.util
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import jsonschema
import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
EXTRAS = ("book", "test", "dask", "binder")   # what `make lock` installs besides the project


def _tool(name):
    spec = importlib.util.spec_from_file_location(f"tools_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lock = _tool("lock")


@pytest.fixture(scope="module")
def pins():
    return lock.parse_freeze((ROOT / lock.LOCK).read_text())


@pytest.fixture(scope="module")
def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def binder_env():
    return yaml.safe_load((ROOT / lock.BINDER_ENV).read_text())


def _locked_python() -> str:
    found = re.search(r"on Python (\d+\.\d+)", (ROOT / lock.LOCK).read_text())
    assert found, "the lock does not say which Python it was made on"
    return found[1]


# --- the lock tool -----------------------------------------------------------------------------

def test_parse_freeze_drops_local_labels_and_the_venvs_own_tools():
    text = "Torch==2.13.0+cpu\npip==26.3\nsphinx_book_theme==1.3.0  # a comment\n\n"
    assert lock.parse_freeze(text) == {"torch": "2.13.0", "sphinx-book-theme": "1.3.0"}


@pytest.mark.parametrize("line", ["-e git+https://example.org/x#egg=x", "numpy>=2",
                                  "geneft @ file:///src"], ids=["editable", "range", "url"])
def test_parse_freeze_rejects_what_is_not_an_exact_pin(line):
    with pytest.raises(ValueError, match="not name==version"):
        lock.parse_freeze(line)


def test_parse_freeze_rejects_a_package_listed_twice():
    with pytest.raises(ValueError, match="listed twice"):
        lock.parse_freeze("numpy==2.0.0\nNumPy==2.1.0\n")


def test_lock_tool_writes_the_lock_and_binder_env_from_a_freeze(tmp_path, monkeypatch, capsys):
    (tmp_path / "binder").mkdir()
    monkeypatch.setattr(sys, "stdin", io.StringIO("torch==2.13.0+cpu\nnumpy==2.4.6\n"))
    assert lock.main([str(tmp_path)]) == 0
    assert "numpy==2.4.6\ntorch==2.13.0\n" in (tmp_path / lock.LOCK).read_text()
    env = yaml.safe_load((tmp_path / lock.BINDER_ENV).read_text())
    assert "pytorch-cpu=2.13.0" in env["dependencies"]
    assert env["dependencies"][-1] == {"pip": ["numpy==2.4.6"]}
    assert "2 packages" in capsys.readouterr().out


def test_differences_names_missing_extra_and_changed_packages():
    found = {"a": "1", "b": "2", "c": "3"}
    locked = {"a": "1", "b": "2.1", "d": "4"}
    assert lock.differences(locked, found) == {"b": ("2", "2.1"), "c": ("3", None),
                                               "d": (None, "4")}


# --- pyproject.toml, the lock, the installed packages ------------------------------------------

def test_lock_file_is_exactly_what_the_lock_tool_writes(pins):
    """Sorted, one exact pin per package, no local label: nobody edited it by hand."""
    assert (ROOT / lock.LOCK).read_text() == lock.lock_text(pins, _locked_python())


def test_lock_satisfies_every_requirement_of_pyproject(pyproject, pins):
    project = pyproject["project"]
    wanted = [*project["dependencies"],
              *(r for extra in EXTRAS for r in project["optional-dependencies"][extra])]
    problems = []
    for text in wanted:
        req = Requirement(text)
        if req.marker and not req.marker.evaluate():
            continue
        for name in [req.name, *req.extras]:       # dask[distributed] needs distributed too
            version = pins.get(lock.normalize(name))
            if version is None:
                problems.append(f"{name} (from {text!r}) is not in the lock")
            elif name == req.name and version not in req.specifier:
                problems.append(f"{name}=={version} does not satisfy {text!r}")
    assert not problems, "; ".join(problems) + ": run `make lock`"


def test_lock_python_satisfies_requires_python(pyproject):
    from packaging.specifiers import SpecifierSet
    assert _locked_python() + ".0" in SpecifierSet(pyproject["project"]["requires-python"])


def test_torch_is_pinned_once_in_the_lock_and_nowhere_else(pins):
    assert "torch" in pins
    makefile = (ROOT / "Makefile").read_text()
    assert "TORCH  ?= $(shell grep '^torch==' $(LOCK))" in makefile
    assert not re.search(r"torch==\d", makefile)


def test_installed_packages_are_exactly_the_lock(pins):
    """What `make` installed (pip install --no-deps -r the lock) is what pip freeze shows."""
    off = lock.differences(pins, lock.installed())
    assert not off, (f"installed (found, locked) differ from {lock.LOCK}: {off}; "
                     f"run `make` (or `make lock` after changing pyproject.toml)")


def test_make_installs_the_lock_without_resolving_then_checks_it():
    makefile = (ROOT / "Makefile").read_text()
    stamp = makefile[makefile.index("$(STAMP): pyproject.toml $(LOCK)"):]
    stamp = stamp[:stamp.index("\n\n")]
    # not byte-compiled at install: Python compiles what is imported, and may keep it
    assert "pip install --quiet --no-deps --no-compile -r $(LOCK)" in stamp
    assert "\nunexport PYTHONDONTWRITEBYTECODE\n" in makefile
    assert "pip install --quiet --no-deps -e ." in stamp
    assert stamp.index("-r $(LOCK)") < stamp.index("pip check")
    rule = makefile[makefile.index("\nlock:"):]
    assert '-e ".[' + ",".join(EXTRAS) + ']"' in rule and "tools/lock.py" in rule


# --- Binder --------------------------------------------------------------------------------------

def test_binder_environment_is_the_lock(pins, binder_env):
    """Python and CPU PyTorch from conda at the locked versions, every other package from pip at
    its locked version, and nothing else."""
    text = (ROOT / lock.BINDER_ENV).read_text()
    assert text == lock.binder_text(pins, _locked_python()), "run `make lock`"
    conda = [d for d in binder_env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in binder_env["dependencies"] if isinstance(d, dict))
    assert f"python={_locked_python()}" in conda and f"pytorch-cpu={pins['torch']}" in conda
    assert binder_env["channels"] == ["conda-forge"]
    assert lock.parse_freeze("\n".join(pip)) == {n: v for n, v in pins.items() if n != "torch"}


def _is_local(line: str) -> bool:
    """repo2docker's test for a pip line that needs the repository (then the environment is
    built only after the whole repository is copied, on every commit): -r/-c/-e, a path, file://."""
    line = line.split("#", 1)[0].strip()
    return (line.startswith(("-r", "-c", "-e", "--requirement", "--constraint", "--editable", "."))
            or "file://" in line)


def test_binder_environment_keeps_repo2dockers_pre_assembly(binder_env):
    pip = next(d["pip"] for d in binder_env["dependencies"] if isinstance(d, dict))
    assert not [line for line in pip if _is_local(line)]
    assert _is_local("-e .") and _is_local("-r requirements.txt") and not _is_local("numpy==2")
    # Binder reads binder/ only; the root environment.yml the project's layout names is a link to
    # it, never a second copy that could drift.
    root = ROOT / "environment.yml"
    assert root.is_symlink() and root.resolve() == (ROOT / "binder" / "environment.yml").resolve()


def _stub(folder: Path, name: str, log: Path):
    script = folder / name
    script.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n')
    script.chmod(0o755)


def test_postbuild_installs_the_project_and_the_jupyterlab_setting(tmp_path):
    """binder/postBuild run as repo2docker runs it (from the repository, set -e), with python
    replaced by a stand-in that records its arguments."""
    bin_, prefix, log = tmp_path / "bin", tmp_path / "prefix", tmp_path / "calls.log"
    bin_.mkdir()
    _stub(bin_, "python", log)
    env = {**os.environ, "PATH": f"{bin_}:{os.environ['PATH']}", "NB_PYTHON_PREFIX": str(prefix)}
    proc = subprocess.run(["bash", "binder/postBuild"], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    calls = log.read_text().splitlines()
    assert calls[0] == "python -m pip install --no-cache-dir --no-deps -e ."
    assert "python -m pip check" in calls
    placed = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert placed.read_text() == (ROOT / "binder" / "overrides.json").read_text()
    assert os.access(ROOT / "binder" / "postBuild", os.X_OK)
    assert (ROOT / "binder" / "postBuild").read_text().splitlines()[:5].count("set -euo pipefail")


def _jupytext_labextension_js() -> str:
    folder = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "jupyterlab-jupytext"
    if not folder.is_dir():
        pytest.skip("jupytext's JupyterLab extension is not installed here")
    return "".join(p.read_text(errors="replace") for p in folder.rglob("*.js"))


def test_jupyterlab_opens_markdown_chapters_with_jupytexts_notebook(tmp_path, pins):
    """binder/overrides.json is what Jupytext's own `jupytext-config set-default-viewer
    markdown myst` writes, and names the viewer that the installed Jupytext extension registers
    for those file types; Binder installs that Jupytext (it is in the lock)."""
    from jupytext_config.labconfig import LabConfig
    ours = json.loads((ROOT / "binder" / "overrides.json").read_text())
    theirs = tmp_path / "overrides.json"
    LabConfig(settings_file=theirs).set_default_viewers(["markdown", "myst"]).write()
    assert ours == json.loads(theirs.read_text())
    js = _jupytext_labextension_js()
    factory = re.search(r'FACTORY="([^"]+)"', js)[1]
    types = re.search(r"FILE_TYPES=\[([^\]]*)\]", js)[1]
    viewers = ours["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert set(viewers.values()) == {factory}
    assert all(f'"{t}"' in types for t in viewers)
    assert lock.normalize("jupytext") in pins


def test_launch_buttons_open_the_chapter_in_jupyterlab():
    """The Binder button opens lab/tree/book/<chapter>.md (sphinx-book-theme links the source
    file; no .ipynb sits beside it), and the chapter is a Jupytext notebook."""
    import jupytext
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    buttons = config["launch_buttons"]
    assert buttons["notebook_interface"] == "jupyterlab" and buttons["binderhub_url"]
    assert config["repository"]["url"].startswith("https://github.com/")
    assert not list((ROOT / "book").glob("*.ipynb"))
    notebook = jupytext.read(ROOT / "book" / "statics.md")
    assert notebook.metadata["jupytext"]["text_representation"]["format_name"] == "myst"
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    built = os.environ.get("GENEFT_BUILT_BOOK")
    if built:
        page = (Path(built) / "book" / "statics.html").read_text()
        assert "?urlpath=lab/tree/book/statics.md" in page


# --- archival metadata ------------------------------------------------------------------------

# The fields of Zenodo's legacy deposit metadata that .zenodo.json uses, with the values Zenodo
# accepts (written from Zenodo's deposit schema; a field it does not know fails).
ZENODO = {
    "type": "object",
    "additionalProperties": False,
    "required": ["upload_type", "title", "creators", "description", "license", "version"],
    "properties": {
        "upload_type": {"enum": ["publication", "poster", "presentation", "dataset", "image",
                                 "video", "software", "lesson", "other"]},
        "title": {"type": "string", "minLength": 1},
        "version": {"type": "string", "minLength": 1},
        "description": {"type": "string", "minLength": 20},
        "license": {"type": "string"},
        "access_right": {"enum": ["open", "embargoed", "restricted", "closed"]},
        "keywords": {"type": "array", "items": {"type": "string"}},
        "creators": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False, "required": ["name"],
            "properties": {k: {"type": "string"} for k in ("name", "affiliation", "orcid")}}},
        "related_identifiers": {"type": "array", "items": {
            "type": "object", "required": ["identifier", "relation"],
            "properties": {"identifier": {"type": "string"},
                           "relation": {"enum": ["isSupplementTo", "cites", "references",
                                                 "isDerivedFrom", "isDocumentedBy"]},
                           "scheme": {"enum": ["arxiv", "doi", "url"]}}}},
    },
}


@pytest.fixture(scope="module")
def zenodo():
    return json.loads((ROOT / ".zenodo.json").read_text())


@pytest.fixture(scope="module")
def cff():
    return yaml.safe_load((ROOT / "CITATION.cff").read_text())


def test_zenodo_metadata_has_zenodos_fields(zenodo):
    jsonschema.validate(zenodo, ZENODO)
    bad = {**zenodo, "upload_type": "notebook"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, ZENODO)


def test_citation_cff_matches_the_citation_file_format_schema():
    exe = Path(sys.executable).with_name("check-jsonschema")
    if not exe.exists():
        pytest.skip("check-jsonschema not installed (it is in the test extra)")
    proc = subprocess.run([str(exe), "--builtin-schema", "vendor.citation-file-format",
                           str(ROOT / "CITATION.cff")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zenodo_and_citation_agree_with_each_other_and_pyproject(zenodo, cff, pyproject):
    assert zenodo["title"] == cff["title"]
    assert zenodo["version"] == cff["version"] == pyproject["project"]["version"]
    assert zenodo["license"] == cff["license"] == pyproject["project"]["license"]
    for name in pyproject["project"]["license-files"]:
        assert (ROOT / name).read_text().startswith(f"{cff['license']} License")
    assert [c["name"] for c in zenodo["creators"]] == [a["name"] for a in cff["authors"]]
    paper = cff["preferred-citation"]["identifiers"][0]["value"]
    assert {"identifier": paper, "relation": "isSupplementTo", "scheme": "arxiv"} in \
        zenodo["related_identifiers"]


# --- in a browser: the chapter opens as a notebook in JupyterLab; the PDF ----------------------



@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server on this repository, as Binder starts it: binder/overrides.json in
    its settings folder, fresh user settings and workspace, no token. Yields its base URL."""
    exe = Path(sys.executable).with_name("jupyter-lab")
    if not exe.exists():
        pytest.skip("jupyterlab not installed (it is in the test extra)")
    settings = tmp_path / "settings"
    settings.mkdir()
    shutil.copy(ROOT / "binder" / "overrides.json", settings / "overrides.json")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, **{f"JUPYTER_{d}_DIR": str(tmp_path / d.lower())
                            for d in ("CONFIG", "DATA", "RUNTIME")}}
    server = subprocess.Popen(
        [str(exe), "--no-browser", "--allow-root", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.root_dir={ROOT}", "--IdentityProvider.token=",
         f"--LabApp.app_settings_dir={settings}", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "api/status", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start in 60 s")
        yield base
    finally:
        server.terminate()                   # it shuts the chapter's kernel down first
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.mark.slow
def test_binder_link_opens_the_chapter_as_a_notebook_in_jupyterlab(jupyterlab, browser):
    """The launch button's URL (lab/tree/book/statics.md) shows the chapter as a notebook with
    every code cell, in the JupyterLab and Jupytext of the lock (Jupytext's extension must load:
    it does not in JupyterLab 4.4, and without binder/overrides.json the file opens as text)."""
    import jupytext
    cells = jupytext.read(ROOT / "book" / "statics.md").cells
    expected = sum(c.cell_type == "code" for c in cells)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(jupyterlab + "lab/tree/book/statics.md", wait_until="load")
    page.wait_for_selector(".jp-Document", timeout=90_000)
    page.wait_for_function(f"document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell')"
                           f".length >= {expected} || document.querySelector('.jp-FileEditor')",
                           timeout=90_000)
    shown = page.evaluate("""() => ({
        code: document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell').length,
        editor: document.querySelectorAll('.jp-FileEditor').length})""")
    page.close()
    assert shown == {"code": expected, "editor": 0}, (shown, errors[:5])
    assert not [e for e in errors if "jupytext" in e.lower() or "shared module" in e]


pdf = _tool("pdf")
PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108020000009077"
                        "53de0000000c4944415408d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082")


def test_print_pdf_prints_every_page_with_its_figures(tmp_path, browser):
    """tools/pdf.py on a small site: a heading per page break, an image; the outline holds the
    headings and the PDF the image."""
    pypdf = pytest.importorskip("pypdf")
    (tmp_path / "dot.png").write_bytes(PNG_1PX)
    parts = "".join(f'<h1 style="break-before: page">Part {k}</h1><p>text {k}</p>'
                    for k in range(1, 4))
    (tmp_path / "index.html").write_text(
        f'<html><body>{parts}<img src="dot.png" width="50" height="50"></body></html>')
    seen = pdf.print_pdf(tmp_path, tmp_path / "out.pdf", browser=browser)
    assert seen == {"math": 0, "typeset": 0, "broken": 0}
    reader = pypdf.PdfReader(tmp_path / "out.pdf")
    assert len(reader.pages) == 3
    assert [o.title for o in reader.outline] == ["Part 1", "Part 2", "Part 3"]
    assert sum(len(p.images) for p in reader.pages) == 1


def test_print_pdf_refuses_a_page_whose_images_did_not_load(tmp_path, browser):
    (tmp_path / "index.html").write_text('<html><body><img src="missing.png"></body></html>')
    with pytest.raises(RuntimeError, match="not ready to print"):
        pdf.print_pdf(tmp_path, tmp_path / "out.pdf", browser=browser)
    assert not (tmp_path / "out.pdf").exists()


def _chapters() -> list[tuple[str, str]]:
    """(file, H1 title) of every page of the table of contents, in order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"], *(c["file"] for part in toc["parts"] for c in part["chapters"])]
    titles = [next(line[2:].strip() for line in (ROOT / f"{f}.md").read_text().splitlines()
                   if line.startswith("# ")) for f in files]
    return list(zip(files, titles))


def _outline(reader, items=None) -> list[tuple[str, int]]:
    """(title, page index) of every bookmark, depth first."""
    found = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            found += _outline(reader, item)
        else:
            found.append((item.title, reader.get_destination_page_number(item)))
    return found


@pytest.fixture(scope="module")
def book_pdf(built_book, tmp_path_factory):
    """(PDF, single-page HTML) of the book of conftest.built_book, printed by tools/pdf.py from
    a singlehtml build beside it (its execution cache is warm: no chapter runs again).
    $GENEFT_BUILT_PDF=FILE checks FILE, with the single page beside the built HTML."""
    output = built_book.parents[1]
    if os.environ.get("GENEFT_BUILT_PDF"):
        return Path(os.environ["GENEFT_BUILT_PDF"]), output / "_build" / "singlehtml"
    source = ROOT if os.environ.get("GENEFT_BUILT_BOOK") else output
    out = tmp_path_factory.mktemp("pdf") / "geneft-book.pdf"
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "pdf.py"), str(source),
                           "--path-output", str(output), "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out, output / "_build" / "singlehtml"


@pytest.mark.slow
def test_pdf_holds_every_chapter_in_order_with_its_figures_and_typeset_math(book_pdf):
    pypdf = pytest.importorskip("pypdf")
    path, single = book_pdf
    reader = pypdf.PdfReader(path)
    squeeze = functools.partial(re.sub, r"\s+", "")     # a wrapped heading loses its spaces
    outline = [(squeeze(name), page) for name, page in _outline(reader)]
    pages = []
    for file, title in _chapters():
        hits = [page for name, page in outline if squeeze(title) in name]
        assert hits, f"{file}: '{title}' is not in the PDF's outline"
        pages.append(hits[0])
    assert pages == sorted(pages) and pages[-1] > pages[0], list(zip(_chapters(), pages))
    numbered = [page for (file, _), page in zip(_chapters(), pages) if file != "book/intro"]
    assert len(set(numbered)) == len(numbered), "two chapters start on one page"
    assert len(reader.pages) > pages[-1]
    html = (single / pdf._start_page(single)).read_text()             # the page it printed
    figures = len(re.findall(r'<img [^>]*src="_images/', html))
    assert figures and sum(len(p.images) for p in reader.pages) >= figures
    text = "".join(p.extract_text() for p in reader.pages)
    assert not re.search(r"\\(frac|mathrm|begin\{|log_)|\$\$", text), "raw TeX in the PDF"


# --- the Build and environment page -------------------------------------------------------------

def test_run_cache_counts_runs_written_since_the_build_started(tmp_path):
    sys.path.insert(0, str(ROOT / "_ext"))        # as Jupyter Book loads local extensions
    report = importlib.import_module("build_report")
    for k, age in enumerate([100, 100, 1]):                 # seconds before now
        run = tmp_path / f"run{k}.json"
        run.write_text("{}")
        os.utime(run, (time.time() - age, time.time() - age))
    (tmp_path / "notes.txt").write_text("not a run")
    assert report.run_cache_counts(tmp_path, since=time.time() - 10) == (3, 1)
    assert report.run_cache_counts(tmp_path / "missing", since=0) == (0, 0)


@pytest.mark.slow
def test_build_page_shows_each_executed_chapter_and_the_environment(built_book):
    import torch
    html = (built_book / "book" / "build.html").read_text()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    notebooks = [(f, t) for f, t in _chapters()                 # front matter names Jupytext
                 if (ROOT / f"{f}.md").read_text().startswith("---\njupytext:")]
    assert notebooks
    for file, title in notebooks:
        assert re.search(re.escape(title) + r" (in this build|from the cache; ran [^<]*?UTC) "
                         r"\d+ ok", text), f"{file}: no row '{title} ... ok'"
    assert f" torch {torch.__version__} decides the numbers" in text
    held = re.search(r"run cache (\d+) trained runs held; (\d+) trained by this build", text)
    assert held
    if not os.environ.get("GENEFT_BUILT_BOOK"):
        # the suite's own build (tools/build_book.py, empty caches): every chapter and every run
        # of the run cache counted as this build's, also those executed before Sphinx started
        for _, title in notebooks:
            assert re.search(re.escape(title) + r" in this build \d+ ok", text), title
        assert held[1] == held[2] != "0"
        from geneft.threads import usable_cpus
        jobs = min(usable_cpus(), len(notebooks))
        each = usable_cpus() // jobs
        assert (f"chapters executed {jobs} at a time by tools/build_book.py, {each} CPU"
                in text if jobs > 1 else "chapters executed one at a time by the build" in text)
    assert re.search(r"All \d+ installed packages are at the versions of requirements-lock", text)


def test_intro_links_the_pdf_that_the_workflow_publishes():
    """The intro links geneft-book.pdf at the published site; the workflow runs `make pdf`
    after `make book`, and `make pdf` puts the PDF beside the pages it uploads."""
    site = re.search(r"<(https://[^>]+\.github\.io/[^>]+/)>", (ROOT / "README.md").read_text())[1]
    assert f"]({site}geneft-book.pdf)" in (ROOT / "book" / "intro.md").read_text()
    workflow = (ROOT / ".github" / "workflows" / "book.yml").read_text()
    assert workflow.index("run: make book") < workflow.index("run: make pdf") < \
        workflow.index("path: _build/html")
    makefile = (ROOT / "Makefile").read_text()
    rule = makefile[makefile.index("\npdf:"):]
    assert "tools/pdf.py" in rule and "_build/html/geneft-book.pdf" in rule.split("\n\n")[0]
