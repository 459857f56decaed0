"""The figures of chapter 5, two-layer networks (book/twolayer.md). Each takes the chapter's
computed results and returns the Figure; the style and the shared helpers come from
`geneft.plots`."""
from __future__ import annotations
