"""Drop repeated <script> entries from each page.

sphinx-thebe (0.3) adds its inline configuration script in an `env-before-read-docs` handler, and
with the Sphinx this book builds with the script ends up twice on every page: the browser then
reports "Identifier 'THEBE_JS_URL' has already been declared". Keeping the first of identical
entries fixes the page without touching the extension.
"""


def _dedup(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        attributes = getattr(script, "attributes", {}) or {}
        name = getattr(script, "filename", script) or ""   # inline scripts: None or ""
        key = (str(name), tuple(sorted(
            (k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _dedup, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
