"""Tables for people: what a chapter shows instead of a raw DataFrame.

`show` formats a table the way a reader wants it: no index column unless it means something,
numbers rounded, booleans as ✔ / ✘, missing values as a word the caller chooses (e.g. "full
profile only", "never"), and wide tables scroll inside their own box (the book's CSS, class
`geneft-table`). `parameters` is the folded box a chapter shows for the parameters it ran with;
`glue` hands a chapter's numbers to its prose.
"""
from __future__ import annotations

import html as _html
import math
import numbers
from dataclasses import fields

import numpy as np

__all__ = ["MARKS", "cell", "show", "parameters", "glue"]

MARKS = {True: "✔", False: "✘"}
WRAP_AT = 30        # a text column with a longer cell wraps (`show`); numbers never do


def cell(value, *, precision: int = 3, missing: str = "–") -> str:
    """One value as text: bools as ✔ / ✘, None and NaN as `missing`, integers as they are
    (thousands separated), other numbers with `precision` decimals, or in scientific notation
    when that would hide them (|v| < 10^-precision or >= 10^6)."""
    if isinstance(value, (bool, np.bool_)):
        return MARKS[bool(value)]
    if value is None or (isinstance(value, numbers.Real) and math.isnan(value)):
        return missing
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isinf(v):
            return "∞" if v > 0 else "−∞"
        if v != 0 and (abs(v) < 10 ** -precision or abs(v) >= 1e6):
            return f"{v:.{max(precision - 1, 1)}e}"
        return f"{v:,.{precision}f}"
    if isinstance(value, (tuple, list)):
        return ", ".join(cell(v, precision=precision, missing=missing) for v in value)
    return str(value)


def show(table, *, precision: int = 3, missing: str = "–", index: bool = False,
         formats: dict | None = None, caption: str | None = None):
    """`table` (a pandas DataFrame) as a pandas Styler for the page.

    Args:
        table: the DataFrame.
        precision: decimals of non-integer numbers (see `cell`).
        missing: the text for None / NaN, e.g. "never" or "full profile only".
        index: show the index (named by `table.index.name`) as the first column; default: hide
            it, so put what a reader needs in columns.
        formats: per-column format strings ("{:.1%}") or callables, overriding `cell`.
        caption: an optional caption above the table.

    A text column with a cell longer than WRAP_AT characters is left-aligned and wraps.

    Returns:
        pandas.io.formats.style.Styler, rendered as HTML with class `geneft-table`.
    """
    formats = formats or {}
    unknown = sorted(set(formats) - set(table.columns))
    if unknown:
        raise ValueError(f"formats names columns {unknown} that the table does not have; "
                         f"columns: {list(table.columns)}")
    default = lambda v: cell(v, precision=precision, missing=missing)  # noqa: E731
    styler = table.style.format(default)
    for column, fmt in formats.items():
        styler = styler.format(fmt, subset=[column], na_rep=missing)
    if index:
        styler = styler.format_index(default)
    else:
        styler = styler.hide(axis="index")
    if caption:
        styler = styler.set_caption(caption)
    words = [c for c in table.columns if c not in formats and any(
             isinstance(v, str) and len(v) > WRAP_AT for v in table[c])]
    if words:              # sentences wrap (numbers do not), so the table fits the column
        styler = styler.set_properties(subset=words, **{
            "white-space": "normal", "text-align": "left", "min-width": "12em"})
    return styler.set_table_attributes('class="geneft-table"')


def _literal(value) -> str:
    """A parameter value as a person would type it; a long list is shortened to its count and
    range ("27 values from 0.05 to 0.9"), which, unlike "0.05, 0.1, 0.15, …, 0.9", does not
    suggest an even spacing it may not have."""
    if isinstance(value, (tuple, list)):
        items = [_literal(v) for v in value]
        if len(items) > 8:
            return f"{len(items)} values from {items[0]} to {items[-1]}"
        return ", ".join(items)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def parameters(chapter: str, params, *, profiles: dict | None = None):
    """The parameters a chapter ran with, as a folded box (an HTML <details> element): one row
    per parameter with this run's value and the quick and full profiles' values, changed
    values marked. `profiles` defaults to `geneft.profiles.PROFILES[chapter]`."""
    from IPython.display import HTML

    if profiles is None:
        from .profiles import PROFILES
        if chapter not in PROFILES:
            raise ValueError(f"chapter must be one of {sorted(PROFILES)}, got {chapter!r}")
        profiles = PROFILES[chapter]
    named = [name for name, preset in profiles.items() if preset == params]
    esc = lambda v: _html.escape(_literal(v))  # noqa: E731
    head = "".join(f"<th>{_html.escape(h)}</th>" for h in ["parameter", "this run", *profiles])
    rows = []
    for f in fields(params):
        value = getattr(params, f.name)
        changed = all(getattr(p, f.name) != value for p in profiles.values())
        mark = ' class="changed"' if changed else ""
        rows.append(f"<tr{mark}><td><code>{f.name}</code></td><td>{esc(value)}</td>"
                    + "".join(f"<td>{esc(getattr(p, f.name))}</td>" for p in profiles.values())
                    + "</tr>")
    label = f"profile {named[0]}" if named else "custom parameters"
    return HTML(f'<details class="geneft-params"><summary>Parameters of this run ({label}); '
                'click to show</summary><div class="geneft-table-wrap">'
                '<table class="geneft-table">'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
                "</details>")


def glue(prefix: str, values: dict) -> None:
    """Glue each of `values` as "<prefix>_<name>" for the prose (`{glue:text}` in MyST), without
    showing it in the cell's output: one call for all the numbers a section's text quotes.

    Raises:
        ValueError: `prefix` or a name is not an identifier (the glue key would not parse).
    """
    from myst_nb import glue as _glue        # the book's dependency, imported only by chapters
    for name in [prefix, *values]:
        if not str(name).isidentifier():
            raise ValueError(f"glue: {name!r} is not an identifier; keys are <prefix>_<name>")
    for name, value in values.items():
        _glue(f"{prefix}_{name}", value, display=False)
