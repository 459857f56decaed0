"""Live figures (geneft.live) in the built pages, with no CDN.

A page whose body holds a live figure loads Vega, Vega-Lite and vega-embed from the site itself
(`make` fetches pinned releases from npm into _assets/vega/), then _assets/geneft-live.js, which
draws the figures, and its stylesheet. Pages without one load none of it (Vega is about 800 kB).
A build whose _assets/vega/ is missing warns (an error under -W) instead of shipping pages
whose figures cannot draw.
"""
from pathlib import Path

from sphinx.util import logging

SCRIPTS = ("vega/vega.min.js", "vega/vega-lite.min.js", "vega/vega-embed.min.js",
           "geneft-live.js")      # in this order: each needs the ones before it
STYLES = ("geneft-live.css",)
MARK = 'class="geneft-live"'      # what geneft.live.Live writes into a page

logger = logging.getLogger(__name__)


def _check(app):
    assets = Path(app.srcdir) / "_assets"
    missing = [name for name in SCRIPTS + STYLES if not (assets / name).is_file()]
    if missing:
        logger.warning("live figures: %s missing from _assets/; `make book` fetches Vega "
                       "(see the Makefile)", ", ".join(missing))


def _add_assets(app, pagename, templatename, context, doctree):
    if MARK not in context.get("body", ""):
        return
    for name in SCRIPTS:
        app.add_js_file(name, loading_method="defer")
    for name in STYLES:
        app.add_css_file(name)


def setup(app):
    app.connect("builder-inited", _check)
    app.connect("html-page-context", _add_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
