"""`build-environment`: what built this copy of the book, computed at build.

The directive is a placeholder, replaced once every chapter has been executed by three tables:
- the build: date, commit (`geneft.store.git_commit`), machine (`geneft.store.device_name`),
  how chapters were executed (myst-nb's execution mode), and the run cache
  (`geneft.sweeps.default_cache`): how many training runs it holds and how many of them this
  build trained (written since the build started); the others were read, not trained;
- the packages that decide the numbers (`geneft.store.versions`) and the book's toolchain;
- the installed packages against `requirements-lock.txt` (`tools/lock.py`).
`build-executions` is the table of each executed chapter: whether it ran in this build or came
from the execution cache (and when it ran), its run time and its status, from the execution data
myst-nb records for every notebook (what its `{nb-exec-table}` shows, with chapter titles and
in the order of the book). Pages holding either directive are rebuilt on every build.
"""
import datetime
import importlib.metadata
import importlib.util
import os
import time
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from docutils_tables import table

ROOT = Path(__file__).resolve().parents[1]
TOOLCHAIN = ("jupyter-book", "sphinx", "myst-nb", "jupyter-cache", "sphinx-book-theme")
_STARTED = "geneft_build_started"


class environment_node(nodes.General, nodes.Element):
    """Placeholder, replaced by the tables once every chapter has been executed."""


class executions_node(nodes.General, nodes.Element):
    """Placeholder, replaced by the table of executed chapters."""


class BuildEnvironment(SphinxDirective):
    node = environment_node

    def run(self):
        self.env.metadata[self.env.docname]["build_environment"] = True
        return [self.node()]


class BuildExecutions(BuildEnvironment):
    node = executions_node


def _lock_module():
    spec = importlib.util.spec_from_file_location("geneft_lock", ROOT / "tools" / "lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_cache_counts(folder: Path, since: float) -> tuple[int, int]:
    """(run results in the cache `folder`, those written at or after the time `since`)."""
    files = list(folder.glob("*.json")) if folder.is_dir() else []
    return len(files), sum(f.stat().st_mtime >= since for f in files)


def _table(head, rows, classes=()):
    return nodes.container("", table(head, rows, ["geneft-words", *classes]),
                           classes=["geneft-table-wrap"])


def _build_rows(app) -> list[list[str]]:
    from geneft import store, sweeps
    folder = sweeps.default_cache()
    held, trained = run_cache_counts(folder, getattr(app, _STARTED))
    cache = (f"{held} trained runs held; {trained} trained by this build, "
             f"{held - trained} from earlier builds")
    return [["built", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")],
            ["commit", store.git_commit()],
            ["machine", store.device_name("cpu")],
            ["chapters executed", _execution_mode(app)],
            ["run cache", cache]]


def _execution_mode(app) -> str:
    mode = f"mode '{app.env.mystnb_config.execution_mode}'"
    jobs, each = os.environ.get("GENEFT_BUILD_JOBS"), os.environ.get("GENEFT_BUILD_CPUS_EACH")
    if jobs:
        cpus = f", {each} CPU{'s' if each != '1' else ''} each" if each else ""
        return (f"{jobs} at a time by tools/build_book.py{cpus}, then read from the execution "
                f"cache ({mode})")
    return f"one at a time by the build ({mode})"


def _package_rows() -> list[list[str]]:
    from geneft import store
    rows = [[name, version, "decides the numbers"] for name, version in store.versions().items()]
    for name in TOOLCHAIN:
        try:
            rows.append([name, importlib.metadata.version(name), "builds the book"])
        except importlib.metadata.PackageNotFoundError:
            rows.append([name, "not installed", "builds the book"])
    return rows


def _lock_sentence() -> str:
    lock = _lock_module()
    path = ROOT / lock.LOCK
    if not path.is_file():
        return f"No {lock.LOCK} found."
    locked = lock.parse_freeze(path.read_text())
    off = lock.differences(locked, lock.installed())
    if not off:
        return (f"All {len(locked)} installed packages are at the versions of {lock.LOCK}, "
                f"the lock that Binder installs too.")
    return (f"{len(off)} packages differ from {lock.LOCK}: " + "; ".join(
        f"{n} {a or 'not'} installed, {b or 'not'} locked" for n, (a, b) in off.items()) + ".")


def _documents(env, root) -> list[str]:
    """Every document of the table of contents, in reading order."""
    from sphinx import addnodes
    docs = [root]
    for tree in env.get_doctree(root).findall(addnodes.toctree):
        docs += [doc for _, doc in tree["entries"]]
    return docs


def _execution_rows(app, docname) -> list[list]:
    from myst_nb.sphinx_ import NbMetadataCollector
    env, started = app.env, getattr(app, _STARTED)
    data = NbMetadataCollector.get_doc_data(env)
    rows = []
    for doc in _documents(env, app.config.root_doc):
        run = data.get(doc, {}).get("exec_data")
        if not run:
            continue
        number = env.toc_secnumbers.get(doc, {}).get("", ())
        title = env.titles[doc].astext() if doc in env.titles else doc
        label = ".".join(map(str, number)) + ". " + title if number else title
        link = nodes.reference("", label, internal=True,
                               refuri=app.builder.get_relative_uri(docname, doc))
        when = datetime.datetime.fromtimestamp(run["mtime"], datetime.timezone.utc)
        how = ("in this build" if run["mtime"] >= started else
               f"from the cache; ran {when:%Y-%m-%d %H:%M} UTC")
        took = "–" if run["runtime"] is None else f"{run['runtime']:.0f}"
        rows.append([link, how, took, "ok" if run["succeeded"] else "failed"])
    return rows


def _resolve(app, doctree, docname):
    for node in list(doctree.findall(executions_node)):
        rows = _execution_rows(app, docname)
        node.replace_self(_table(["chapter", "executed", "run time (s)", "status"], rows)
                          if rows else nodes.paragraph(text="No chapter has been executed."))
    placeholders = list(doctree.findall(environment_node))
    if not placeholders:
        return
    content = [_table(["", "this build"], _build_rows(app)),
               nodes.paragraph(text=_lock_sentence()),
               _table(["package", "version", "role"], _package_rows())]
    for node in placeholders:
        node.replace_self([n.deepcopy() for n in content])


def _start(app):
    """The build started now, or earlier if tools/build_book.py executed chapters before it
    (``$GENEFT_BUILD_STARTED``, seconds since the epoch)."""
    started = time.time()
    try:
        started = min(started, float(os.environ.get("GENEFT_BUILD_STARTED", "inf")))
    except ValueError:
        pass
    setattr(app, _STARTED, started)


def _always_outdated(app, env, added, changed, removed):
    return [doc for doc, meta in env.metadata.items() if meta.get("build_environment")]


def setup(app):
    app.add_node(environment_node)
    app.add_node(executions_node)
    app.add_directive("build-environment", BuildEnvironment)
    app.add_directive("build-executions", BuildExecutions)
    app.connect("builder-inited", _start)
    app.connect("doctree-resolved", _resolve)
    app.connect("env-get-outdated", _always_outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
