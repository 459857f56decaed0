"""A plain table as docutils nodes, in the book's table style (class `geneft-table`), for the
directives that compute one at build (`build_report`, `scorecard_tally`). Not an extension."""
from docutils import nodes


def table(head, rows, classes=()) -> nodes.table:
    """`head` (column titles) and `rows` (lists of cells: text, or a docutils node to place as
    it is) as a table with the classes `geneft-table` and `classes`."""
    node = nodes.table(classes=["geneft-table", *classes])
    group = nodes.tgroup(cols=len(head))
    node += group
    group.extend(nodes.colspec(colwidth=1) for _ in head)
    thead, tbody = nodes.thead(), nodes.tbody()
    group += thead
    group += tbody
    for target, lines in ((thead, [head]), (tbody, rows)):
        for cells in lines:
            row = nodes.row()
            for cell in cells:
                para = (nodes.paragraph("", "", cell) if isinstance(cell, nodes.Node)
                        else nodes.paragraph(text=str(cell)))
                row += nodes.entry("", para)
            target += row
    return node
