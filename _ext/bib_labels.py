"""Bibliography labels that match the author-year citations in the text.

The text cites "Baek et al., 2024" (`bibtex_reference_style: author_year`), but pybtex's default
styles label the bibliography "[BLT24]" or "[1]", so a reader cannot find a citation in the list.
This registers the formatting style `authoryear`: pybtex's `unsrt` entries, sorted by author and
year, labelled "Baek et al., 2024" ("and" for two authors, "et al." for three or more).
"""
from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as Unsrt
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle


def _last(person) -> str:
    return " ".join(person.prelast_names + person.last_names).replace("{", "").replace("}", "")


class AuthorYearLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            names = [_last(p) for p in people]
            who = (names[0] if len(names) == 1 else " and ".join(names) if len(names) == 2
                   else f"{names[0]} et al." if names else entry.key)
            yield f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYear(Unsrt):
    default_label_style = "authoryear"
    default_sorting_style = "author_year_title"


def setup(app):
    register_plugin("pybtex.style.labels", "authoryear", AuthorYearLabels, force=True)
    register_plugin("pybtex.style.sorting", "author_year_title", SortingStyle, force=True)
    register_plugin("pybtex.style.formatting", "authoryear", AuthorYear, force=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
