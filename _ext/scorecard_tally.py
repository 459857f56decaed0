"""`scorecard-tally`: the book-wide count of reproduced claims, computed at build.

Each chapter glues its scorecard rows as an HTML table (`geneft.scorecard.html`) whose status
cells carry the class `score-<status>`. This directive counts those cells in every chapter's
glue data (myst-nb writes it to `<output folder>/<doc>.glue.json` when it executes the chapter)
and shows one row per chapter and a subtotal per part of the book (the paper's chapters, the
related papers'). Rows marked `data-counted="no"` (no claim of the source) are not counted.
Pages holding the directive are rebuilt on every build, so the tally never lags behind.
"""
import json
import re
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from docutils_tables import table

STATUSES = {"reproduced": "✔", "partly": "◐", "not-reproduced": "✘", "not-testable": "–"}
# A counted row's status cell; rows marked data-counted="no" (our extensions) are left out.
_CELL = re.compile(r'class="score score-([a-z-]+)">')
# A counted row's status at full size (from the results store), where one is stored.
_FULL = re.compile(r'class="score-full score-([a-z-]+)">')


class tally_node(nodes.General, nodes.Element):
    """Placeholder, replaced by the table once every chapter has been executed."""


class ScorecardTally(SphinxDirective):
    def run(self):
        self.env.metadata[self.env.docname]["scorecard_tally"] = True
        return [tally_node()]


def counts(glue_file: Path, *, full: bool = False) -> dict | None:
    """{status: count} of the scorecard glued in one chapter's glue file, or None; with
    `full`, the counted rows' statuses at full size (rows without a stored full-size result
    are not counted)."""
    if not glue_file.is_file():
        return None
    data = json.loads(glue_file.read_text())
    card = data.get("scorecard", {}).get("data", {}).get("text/html")
    if card is None:
        return None
    found = (_FULL if full else _CELL).findall("".join(card) if isinstance(card, list) else card)
    return {s: found.count(s) for s in STATUSES}


def _compact(total: dict) -> str:
    """Full-size counts in a table cell, e.g. "2 ✔ 1 ✘"; "–" if nothing is stored."""
    stored = sum(total.values())
    return " ".join(f"{n} {STATUSES[s]}" for s, n in total.items() if n) if stored else "–"


def _table(rows):
    return table(["chapter", "claims", *STATUSES.values(), "at full size"], rows,
                 ["scorecard-tally"])


def _parts(env, root) -> list[tuple[str, list[str]]]:
    """(caption, documents) of each part of the table of contents, in order."""
    from sphinx import addnodes
    doctree = env.get_doctree(root)
    return [(tree.get("caption") or "", [doc for _, doc in tree["entries"]])
            for tree in doctree.findall(addnodes.toctree)]


def _words(total: dict) -> str:
    return ", ".join(f"{total[s]} {s.replace('-', ' ')} ({m})" for s, m in STATUSES.items())


def _resolve(app, doctree, docname):
    placeholders = list(doctree.findall(tally_node))
    if not placeholders:
        return
    env = app.env
    folder = Path(env.mystnb_config.output_folder)
    rows, sentences = [], []
    for caption, docs in _parts(env, app.config.root_doc):
        part, part_full = dict.fromkeys(STATUSES, 0), dict.fromkeys(STATUSES, 0)
        for doc in docs:
            found = counts(folder / f"{doc}.glue.json")
            if found is None:
                continue
            full = counts(folder / f"{doc}.glue.json", full=True)
            number = env.toc_secnumbers.get(doc, {}).get("", ())
            title = env.titles[doc].astext() if doc in env.titles else doc
            label = ".".join(map(str, number)) + ". " + title if number else title
            rows.append([label, sum(found.values()), *found.values(), _compact(full)])
            part = {s: part[s] + found[s] for s in STATUSES}
            part_full = {s: part_full[s] + full[s] for s in STATUSES}
        if sum(part.values()):
            rows.append([f"{caption}: all", sum(part.values()), *part.values(),
                         _compact(part_full)])
            stored = sum(part_full.values())
            sentences.append(f"{caption}: {sum(part.values())} claims, {_words(part)}; at full "
                             f"size {stored} of them have been run"
                             + (f", {_words(part_full)}." if stored else "."))
    for node in placeholders:
        node.replace_self([nodes.paragraph(text=" ".join(sentences)), _table(rows)] if rows else
                          nodes.paragraph(text="No chapter has been executed yet."))


def _always_outdated(app, env, added, changed, removed):
    return [doc for doc, meta in env.metadata.items() if meta.get("scorecard_tally")]


def setup(app):
    app.add_node(tally_node)
    app.add_directive("scorecard-tally", ScorecardTally)
    app.connect("doctree-resolved", _resolve)
    app.connect("env-get-outdated", _always_outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
