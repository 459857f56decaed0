"""The figures of chapter 6, activity-weight duality (book/duality.md). Each takes the chapter's
computed results and returns the Figure; the style and the shared helpers come from
`geneft.plots`."""
from __future__ import annotations
