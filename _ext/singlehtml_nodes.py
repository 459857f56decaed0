"""The single-page build (`make pdf`) renders every node the HTML build renders.

Sphinx looks up a node's HTML visitors by builder name first and falls back to the format
("html") only when no extension registered any visitor for that name. sphinx-exercise registers
its nodes for "singlehtml" by name, so the singlehtml builder then knows only those, and
myst-nb's folded cells (HideCodeCellNode) stop the build. At builder-inited this copies every
HTML visitor that the single-page builder lacks.
"""


def _share_html_visitors(app):
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node, visitors in handlers.get("html", {}).items():
        single.setdefault(node, visitors)


def setup(app):
    app.connect("builder-inited", _share_html_visitors)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
