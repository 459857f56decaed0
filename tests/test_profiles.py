"""The parameters cells of the chapters are made from the profiles (one source for each
parameter's meaning and values)."""
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from geneft import profiles
from geneft.profiles import PROFILES, parameters_cell

BOOK = Path(__file__).resolve().parents[1] / "book"


def cell_of(chapter: str) -> str:
    text = (BOOK / f"{chapter}.md").read_text()
    return re.search(r":tags: \[parameters[^\n]*\]\n\n(.*?)```", text, re.S).group(1)


@pytest.mark.parametrize("chapter", sorted(PROFILES))
def test_chapter_parameters_cell_is_made_from_the_profiles(chapter):
    assert cell_of(chapter) == parameters_cell(chapter), \
        "run .venv/bin/python tools/parameters_cells.py"


@pytest.mark.parametrize("chapter", sorted(PROFILES))
def test_cell_names_every_parameter_once_with_both_values(chapter):
    cell = parameters_cell(chapter)
    names = re.findall(r"^(\w+) = ", cell, re.M)
    assert names == ["profile", *[f for f in PROFILES[chapter]["quick"].__dataclass_fields__]]
    quick, full = PROFILES[chapter]["quick"], PROFILES[chapter]["full"]
    differ = [n for n in names[1:] if getattr(quick, n) != getattr(full, n)]
    assert len(re.findall(r"\| full ", cell)) == len(differ)
    assert all(len(line) <= profiles._CELL_WIDTH for line in cell.splitlines())


@pytest.mark.parametrize("value, text", [
    ((), "none"), ((2, 5, 10, 20), "2, 5, 10, 20"), ((1, 2, 3, 4, 5, 6), "1..6 (6)"),
    ((0.03, 0.06, 0.1), "0.03, 0.06, 0.1"), (True, "on"), (False, "off"), (None, "default"),
    (10_000, "10000"), (1e-3, "0.001"), ("mod3", "mod3"), (((1e-2, 1e-3),), "0.01, 0.001"),
])
def test_cell_values_are_short(value, text):
    assert profiles._cell_value(value) == text


def test_a_field_without_a_comment_is_an_error():
    @dataclass(frozen=True)
    class Params:
        a: int = 1            # documented
        b: int = 2

    with pytest.raises(ValueError, match=r"no comment on field\(s\) \['b'\]"):
        profiles._field_notes(Params)


def test_a_comment_above_the_field_is_its_note():
    @dataclass(frozen=True)
    class Params:
        # a long explanation of a
        a: tuple = (1, 2)
        b: int = 2            # b's note

    assert profiles._field_notes(Params) == {"a": "a long explanation of a", "b": "b's note"}


def test_a_comment_papermill_could_not_read_is_an_error():
    @dataclass(frozen=True)
    class Params:
        a: int = 1            # steps (d = 1)

    with pytest.raises(ValueError, match=r"\['a'\] holds '='"):
        profiles._field_notes(Params)
