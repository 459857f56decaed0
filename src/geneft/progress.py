"""Progress bars: shown to people at a terminal or in a notebook, never in the built book.

Every long loop of the library takes `progress: bool` and wraps itself in `bar(...)`. The
environment variable GENEFT_PROGRESS=0 turns every bar off whatever the caller asked; the book
build sets it (`_ext/book_env.py`), so executed pages carry no progress text, while a reader who
runs the same chapter in Jupyter or through `geneft run` still sees its bars.

The console bar (`tqdm.tqdm`) is used, not `tqdm.auto`: the notebook widget needs ipywidgets,
and without it `tqdm.auto` prints a warning into every page that imports it. The console bar
redraws in place in Jupyter too.
"""
from __future__ import annotations

import os

from tqdm import tqdm

__all__ = ["ENV", "enabled", "bar"]

ENV = "GENEFT_PROGRESS"
_OFF = ("0", "off", "false", "no")


def enabled(progress: bool) -> bool:
    """Whether a bar asked for with `progress` is shown: `progress`, unless ``$GENEFT_PROGRESS`` is
    one of 0/off/false/no."""
    return bool(progress) and os.environ.get(ENV, "").strip().lower() not in _OFF


def bar(iterable=None, *, progress: bool, **kwargs) -> tqdm:
    """A tqdm console bar over `iterable` (or with `total=`), disabled unless
    `enabled(progress)`."""
    return tqdm(iterable, disable=not enabled(progress), **kwargs)
