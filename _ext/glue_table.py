"""`glue-table`: a glued table numbered and captioned as a table ("Table 2.1"), not a figure.

myst-nb's `glue:figure` is the way to place a glued DataFrame with a caption and a label, but it
makes a figure node, so tables share the figures' counter and show as "Fig. 7". This directive
is `glue:figure` with the node class swapped for `TableFigure`, which Sphinx numbers with the
"table" counter (`numfig_format["table"]`) and `{numref}` cites as "Table n". Same options:

    ```{glue-table} key
    :name: tab-something

    The caption.
    ```
"""
from docutils import nodes
from myst_nb.ext.glue.directives import PasteFigureDirective


class TableFigure(nodes.figure):
    """A figure that holds a table: numbered as a table."""


class GlueTableDirective(PasteFigureDirective):
    def run(self):
        out = super().run()
        for node in out:
            if type(node) is nodes.figure:
                # Swap the class in place: the document's id registry holds this very node.
                node.__class__ = TableFigure
                node["classes"].append("geneft-table-figure")
        return out


def _title(node):
    caption = next(iter(node.findall(nodes.caption)), None)
    return caption.astext() if caption is not None else ""


def _visit(self, node):
    self.visit_figure(node)


def _depart(self, node):
    self.depart_figure(node)


def setup(app):
    app.add_enumerable_node(TableFigure, "table", _title, html=(_visit, _depart),
                            latex=(_visit, _depart), text=(_visit, _depart))
    app.add_directive("glue-table", GlueTableDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
