import math
import re

import numpy as np
import pandas as pd
import pytest

from geneft import tables
from geneft.profiles import PROFILES, resolve


@pytest.mark.parametrize("value, text", [
    (True, "✔"), (False, "✘"), (np.bool_(True), "✔"), (None, "–"), (float("nan"), "–"),
    (3, "3"), (12345, "12,345"), (np.int64(7), "7"), (0.123456, "0.123"), (0.0, "0.000"),
    (1e-5, "1.00e-05"), (2.5e7, "2.50e+07"), (math.inf, "∞"), ((0.5, 1), "0.500, 1"),
    ("mod3", "mod3"),
], ids=str)
def test_cell_formats_each_kind_of_value_for_people(value, text):
    assert tables.cell(value) == text


def test_cell_missing_word_is_the_callers():
    assert tables.cell(None, missing="full profile only") == "full profile only"


def test_show_hides_the_index_and_formats_every_cell():
    df = pd.DataFrame({"ok": [True, False], "p": [0.1234, np.nan]}, index=["a", "b"])
    out = tables.show(df, missing="never").to_html()
    assert "✔" in out and "✘" in out and "never" in out and "0.123" in out
    assert ">a<" not in out and "True" not in out and "nan" not in out.lower()
    assert 'class="geneft-table"' in out
    assert ">a<" in tables.show(df, index=True).to_html()


def test_show_rejects_formats_for_unknown_columns():
    with pytest.raises(ValueError, match="formats names columns \\['q'\\]"):
        tables.show(pd.DataFrame({"p": [1.0]}), formats={"q": "{:.1f}"})


def test_parameters_box_is_folded_and_marks_changed_values():
    html = tables.parameters("statics", resolve("statics", "quick", n=12)).data
    assert html.startswith('<details class="geneft-params">') and "custom parameters" in html
    assert '<tr class="changed"><td><code>n</code></td><td>12</td>' in html
    assert "(profile quick)" in tables.parameters("statics", PROFILES["statics"]["quick"]).data
    assert "27 values from 0.05 to 0.9" in html     # the full profile's fractions, shortened


def test_parameters_box_rejects_unknown_chapter():
    with pytest.raises(ValueError, match="chapter must be one of"):
        tables.parameters("nope", PROFILES["statics"]["quick"])


def test_glue_stores_each_value_under_its_prefixed_key(monkeypatch):
    glued = {}
    def record(key, value, display):
        glued[key] = (value, display)
    monkeypatch.setattr("myst_nb.glue", record)
    tables.glue("tl", {"slope": 1.5, "alphas": "8, 16"})
    assert glued == {"tl_slope": (1.5, False), "tl_alphas": ("8, 16", False)}


@pytest.mark.parametrize("prefix, name", [("tl", "a b"), ("t-l", "x"), ("tl", "1x")])
def test_glue_refuses_keys_the_prose_could_not_name(prefix, name):
    with pytest.raises(ValueError, match="not an identifier"):
        tables.glue(prefix, {name: 1})


def test_long_text_columns_wrap_and_numbers_do_not():
    table = pd.DataFrame({"claim": ["interior maximum of the test accuracy over the depth", "x"],
                          "value": [0.123456789, 2.0], "short": ["a", "b"]})
    html = tables.show(table).to_html()
    wrapped = re.findall(r"#T_\w+_row\d+_col(\d+)[^{]*\{[^}]*white-space: normal", html)
    assert set(wrapped) == {"0"}                 # only the long text column
