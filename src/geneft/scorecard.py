"""The reproduction scorecard: each claim of the paper (its figures, tables and
headline numbers) with the paper's value, ours, the tolerance and a status.

Each chapter builds its rows from the numbers it has just computed, `Claim(...)` per claim, and
glues `html(chapter, claims)`; the book's scorecard page pastes every chapter's table. A status
is decided in code from the numbers and the tolerance, never typed.
"""
from __future__ import annotations

import html as _html
from dataclasses import dataclass, replace

__all__ = ["STATUSES", "Claim", "status", "tally", "with_full", "html", "glue"]

STATUSES = {"reproduced": "✔", "partly": "◐", "not reproduced": "✘", "not testable": "–"}


@dataclass(frozen=True)
class Claim:
    """One row of the scorecard.

    Args:
        item: where the paper makes the claim ("Fig. 5", "Table II", "Eq. 12").
        claim: the claim in a few words.
        paper: the paper's value or statement.
        ours: our value at the profile the chapter ran.
        tolerance: what counts as agreement.
        status: one of STATUSES (use `status`).
        anchor: the MyST label of the chapter section that tests the claim.
        full: our value at full size from the results store, if there is one.
        full_status: the status at full size (one of STATUSES), or None when no full-size
            result is stored (use `with_full`).
        counted: False for a row that is shown but is no claim of the paper (e.g. our own
            extension of it): the book's tally leaves it out.
    """

    item: str
    claim: str
    paper: str
    ours: str
    tolerance: str
    status: str
    anchor: str
    full: str = "not stored"
    counted: bool = True
    full_status: str | None = None

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {list(STATUSES)}, got {self.status!r}")
        if self.full_status is not None and self.full_status not in STATUSES:
            raise ValueError(f"full_status must be one of {list(STATUSES)} or None, got "
                             f"{self.full_status!r}")


def status(checks: list[bool] | bool) -> str:
    """"reproduced" if every check passes, "partly" if some do, else "not reproduced"."""
    checks = [bool(c) for c in (checks if isinstance(checks, (list, tuple)) else [checks])]
    if not checks:
        raise ValueError("checks must hold at least one bool")
    return "reproduced" if all(checks) else "partly" if any(checks) else "not reproduced"


def tally(claims: list[Claim]) -> dict:
    """How many counted claims have each status: {status: count} over STATUSES, in its order."""
    return {s: sum(c.status == s and c.counted for c in claims) for s in STATUSES}


def _text(text: str) -> str:
    """Escape `text` for HTML, with each $...$ segment set as inline math for MathJax."""
    parts = text.split("$")
    if len(parts) % 2 == 0:
        raise ValueError(f"unbalanced $ in scorecard text: {text!r}")
    return "".join(_html.escape(p) if k % 2 == 0 else
                   f'<span class="math notranslate nohighlight">\\({_html.escape(p)}\\)</span>'
                   for k, p in enumerate(parts))


def with_full(claims: list[Claim], full: list[Claim] | None) -> list[Claim]:
    """The rows `claims` (computed at the profile the chapter ran) with the full-size result of
    each: its value in `full` and its status in `full_status`, taken from the row of `full`
    (the same claims computed from the stored full-size result) with the same item. Rows are
    matched by item, not by claim text, because a claim's text may name the run's own sizes
    (a custom run's width differs from the full profile's). `full=None` (nothing stored)
    returns `claims` unchanged.

    Raises:
        ValueError: `full` lacks an item of `claims`, or an item appears twice in either.
    """
    if full is None:
        return list(claims)
    for rows, name in ((claims, "claims"), (full, "full")):
        items = [c.item for c in rows]
        if len(set(items)) != len(items):
            raise ValueError(f"{name} must hold each item once, got {items}")
    by_item = {f.item: f for f in full}
    missing = [c.item for c in claims if c.item not in by_item]
    if missing:
        raise ValueError(f"full lacks the rows {missing}; the claims must be computed by the "
                         "same function at both sizes")
    return [replace(c, full=by_item[c.item].ours, full_status=by_item[c.item].status)
            for c in claims]


# A row that is no claim of the source (a check of our own setup or extension) is not
# "reproduced": its status in words says whether the check holds.
OWN_CHECK = {"reproduced": "holds", "partly": "partly holds", "not reproduced": "fails",
             "not testable": "not testable"}


def _word(status: str, counted: bool) -> str:
    return status if counted else OWN_CHECK[status]


def html(chapter: str, claims: list[Claim], profile: str = "quick"):
    """The chapter's rows as an HTML table (IPython.display.HTML), each claim linked to the
    section `<chapter>.html#<anchor>` that tests it. Text between $ signs is set as math. Each
    cell carries its column's header (`data-label`): on a phone the book's style sheet shows
    each row as a card of labelled lines instead of seven columns."""
    from IPython.display import HTML
    esc = _text
    head = ["Item", f"Status ({profile})", "Claim", "Paper", f"Ours ({profile})",
            "Ours (full size)", "Tolerance"]
    rows = []
    for c in claims:
        mark = "" if c.counted else ' data-counted="no"'
        note = "" if c.counted else (' <span class="score-note">(our own check, not a claim of '
                                     'the source: not counted)</span>')   # may wrap
        status = (f'<span class="score score-{c.status.replace(" ", "-")}"{mark}>'
                  f"{STATUSES[c.status]} {esc(_word(c.status, c.counted))}</span>{note}")
        full = esc(c.full) if c.full_status is None else (
            f'<span class="score-full score-{c.full_status.replace(" ", "-")}"{mark}>'
            f"{STATUSES[c.full_status]} {esc(_word(c.full_status, c.counted))}</span>: "
            f"{esc(c.full)}")
        cells = [f'<a href="{esc(chapter)}.html#{esc(c.anchor)}">{esc(c.item)}</a>', status,
                 esc(c.claim), esc(c.paper), esc(c.ours), full, esc(c.tolerance)]
        labelled = (f'<td data-label="{h}">{x}</td>' for h, x in zip(head, cells))
        rows.append("<tr>" + "".join(labelled) + "</tr>")
    return HTML('<table class="table scorecard"><thead><tr>'
                + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>"
                + "".join(rows) + "</tbody></table>")


def glue(chapter: str, claims: list[Claim]) -> None:
    """Glue the chapter's rows (`html`) under the key "scorecard", where the scorecard page
    and its tally read them, without showing them in the cell."""
    from myst_nb import glue as _glue        # the book's dependency, imported only by chapters
    _glue("scorecard", html(chapter, claims), display=False)
