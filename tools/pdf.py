"""The whole book as one PDF (`make pdf`): the single-page HTML build, printed by Chromium.

Jupyter Book's `singlehtml` builder puts every page of the book, in table-of-contents order, on
one HTML page (the chapters the execution cache lacks are first executed side by side by
tools/build_book.py, into the same execution cache as `make book`). Headless
Chromium, driven by Playwright as in the browser tests, opens it from a local web server, waits
until every image has loaded and MathJax has typeset every formula, and prints it (the theme's
print style leaves out the sidebars and buttons).

Usage: python tools/pdf.py [--path-output DIR] [--skip-build] [--out PATH] [ROOT]
"""
from __future__ import annotations

import argparse
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = "_build/pdf/geneft-book.pdf"
CHROMIUM = (os.environ.get("GENEFT_CHROMIUM") or shutil.which("chromium")
            or shutil.which("google-chrome") or "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# In the page: load every image, wait for MathJax, and report what was typeset. Folded code and
# solutions stay folded, as on the site (the PDF shows their one-line summaries).
READY = """async () => {
  for (const img of document.images) {
    img.loading = 'eager';
    if (!img.complete) await new Promise(r => { img.onload = img.onerror = r; });
  }
  if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  return {math: document.querySelectorAll('.math').length,
          typeset: document.querySelectorAll('mjx-container').length,
          broken: Array.from(document.images).filter(i => i.naturalWidth === 0).length};
}"""
# Each chapter starts a new sheet (singlehtml marks where each document begins).
PRINT_CSS = 'span[id^="document-"] + section { break-before: page; }'
FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#666">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


def build_singlehtml(root: Path, output: Path | None = None) -> Path:
    """Build `root`'s book with the singlehtml builder (warnings fail it) into
    `output`/_build (default: `root`/_build, beside `make book`'s execution cache); the
    single page's folder."""
    exe = Path(sys.executable).with_name("jupyter-book")
    output = root if output is None else output
    if not _build_book().execute_chapters(root, output=output):    # side by side, as make book
        raise RuntimeError("a chapter failed (its traceback is above): the book was not built")
    cmd = [str(exe), "build", str(root), "--builder", "singlehtml", "--warningiserror",
           "--keep-going", "--path-output", str(output)]
    subprocess.run(cmd, check=True)
    return output / "_build" / "singlehtml"


def _build_book():
    """tools/build_book.py, imported by its name (its worker processes import it again)."""
    if str(ROOT / "tools") not in sys.path:
        sys.path.insert(0, str(ROOT / "tools"))
    import build_book
    return build_book


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _start_page(folder: Path) -> str:
    """The page to print: index.html, or the page it redirects to. Jupyter Book's index points
    at the root document (book/intro.html), whose links the singlehtml builder writes relative
    to the site's root; a copy at the root (print.html) makes them resolve."""
    found = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"',
                      (folder / "index.html").read_text(), flags=re.IGNORECASE)
    if not found:
        return "index.html"
    shutil.copyfile(folder / found[1], folder / "print.html")
    return "print.html"


def print_pdf(folder: Path, out: Path, *, browser=None, chromium: str = CHROMIUM) -> dict:
    """Print `folder`/index.html (or the page it redirects to) to `out`: A4, with an outline
    of its headings and page numbers.

    Args:
        folder: a built site; it is served on a free localhost port while it prints.
        out: the PDF file to write (its folder is created).
        browser: a Playwright Chromium browser to use; default: launch `chromium` headless.
    Returns:
        {"math": math elements, "typeset": MathJax outputs, "broken": images without pixels}.
    Raises:
        RuntimeError: an image did not load or a formula was not typeset.
    """
    if browser is None:
        from playwright.sync_api import sync_playwright
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=FLAGS, headless=True)
            try:
                return print_pdf(folder, out, browser=browser)
            finally:
                browser.close()
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/{_start_page(folder)}",
                  wait_until="networkidle")
        seen = page.evaluate(READY)
        if seen["broken"] or seen["typeset"] < seen["math"]:
            raise RuntimeError(f"page not ready to print: {seen}")
        page.add_style_tag(content=PRINT_CSS)
        page.emulate_media(media="print")
        out.parent.mkdir(parents=True, exist_ok=True)
        page.pdf(path=str(out), format="A4", print_background=True, outline=True, tagged=True,
                 display_header_footer=True, header_template="<span></span>",
                 footer_template=FOOTER,
                 margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"})
    finally:
        page.close()
        server.shutdown()
        server.server_close()
    return seen


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default=str(ROOT), help="the book's repository")
    parser.add_argument("--out", help=f"the PDF (default: {OUT} in the build folder)")
    parser.add_argument("--path-output", help="build into PATH/_build (default: ROOT)")
    parser.add_argument("--skip-build", action="store_true",
                        help="print the single page already built there")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    output = Path(args.path_output).resolve() if args.path_output else root
    folder = (output / "_build" / "singlehtml" if args.skip_build
              else build_singlehtml(root, output))
    out = Path(args.out) if args.out else output / OUT
    seen = print_pdf(folder, out)
    print(f"PDF: {out} ({out.stat().st_size // 1024} KiB; {seen['typeset']} formulas typeset)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
