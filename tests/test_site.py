"""The built site in a real browser: headless Chromium (Debian's package) driven by Playwright,
against the book served on localhost. Every page loads without console errors and without asking
the network for anything, every image has a width, math is typeset by the locally served MathJax,
and every internal link (and its #fragment) resolves. Screenshots of the chapters are saved in
_build/screenshots/. Runs after the book is built (conftest.built_book)."""
import functools
import http.server
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ("intro", "statics", "goldilocks", "repons", "fieldtheory", "twolayer", "duality",
            "scorecard", "api")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(built_book):
    """(base URL, html folder) of the built book served on a free localhost port."""
    handler = functools.partial(_Quiet, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", built_book
    server.shutdown()
    server.server_close()


def pages(html: Path) -> list[str]:
    return sorted(str(p.relative_to(html)) for p in html.rglob("*.html")
                  if not str(p.relative_to(html)).startswith(("_static", "_sources")))


# In the page: wait for every image and for MathJax, then report what a reader would see.
INSPECT = """async () => {
  for (const img of document.images) {
    img.loading = 'eager';
    if (!img.complete) await new Promise(r => { img.onload = img.onerror = r; });
  }
  if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  return {
    broken: Array.from(document.images).filter(i => i.naturalWidth === 0).map(i => i.src),
    images: document.images.length,
    math: document.querySelectorAll('.math').length,
    typeset: document.querySelectorAll('mjx-container').length,
    mathErrors: document.querySelectorAll('mjx-merror').length,
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
  };
}"""


@pytest.mark.slow
def test_every_page_renders_in_a_browser(site, browser):
    base, html = site
    problems, checked = [], {}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    for name in pages(html):
        page = context.new_page()
        errors, outside = [], []
        page.on("console", lambda m, errors=errors:
                errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.on("request", lambda r, outside=outside: outside.append(r.url)
                if not r.url.startswith((base, "data:", "blob:", "about:")) else None)
        page.goto(base + name, wait_until="load")
        page.wait_for_load_state("networkidle")      # index.html redirects to the intro
        seen = page.evaluate(INSPECT)
        checked[name] = seen
        problems += [f"{name}: console error {e}" for e in errors]
        problems += [f"{name}: requested {u} from the network" for u in outside]
        problems += [f"{name}: image without width {u}" for u in seen["broken"]]
        if seen["math"] and seen["typeset"] < seen["math"]:
            problems.append(f"{name}: {seen['math']} math elements, {seen['typeset']} typeset")
        if seen["mathErrors"]:
            problems.append(f"{name}: {seen['mathErrors']} MathJax errors")
        stem = Path(name).stem
        if stem in CHAPTERS:
            shots = ROOT / "_build" / "screenshots"
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / f"{stem}.png"))
        page.close()
    context.close()
    problems += broken_links(base, html, checked)
    assert not problems, "\n".join(problems[:40])
    assert checked["book/repons.html"]["images"] >= 5
    assert checked["book/statics.html"]["typeset"] >= 10     # the chapters have real math


def broken_links(base: str, html: Path, checked: dict) -> list[str]:
    """Internal links whose file or #fragment does not exist in the built site."""
    ids = {}
    bad = []
    for name, seen in checked.items():
        for link in seen["links"]:
            if not link.startswith(base):
                continue
            url, fragment = urldefrag(link)
            target = unquote(urlparse(url).path).lstrip("/") or "index.html"
            path = html / target
            if path.is_dir():
                path = path / "index.html"
            if not path.is_file():
                bad.append(f"{name}: link to missing {target}")
                continue
            if fragment and path.suffix == ".html":
                if path not in ids:
                    ids[path] = set(re.findall(r'id="([^"]+)"', path.read_text()))
                if unquote(fragment) not in ids[path]:
                    bad.append(f"{name}: link to missing #{fragment} in {target}")
    return bad


# What a reader of a chapter must never meet (issue: the reader's edition). Each entry: a regular
# expression over the page's visible text and what it means.
LEAKS = {
    r"\d+it/s|\d+/\d+ \[\d\d:\d\d|\d+%\|": "a progress bar",
    r"\w*Warning: |Traceback \(most recent|site-packages|/work/|/tmp/|/home/":
        "a warning, traceback or machine path",
    r"\b\d+ rows × \d+ columns|\bdtype: ": "a raw DataFrame dump",
    r"\bspec\b|\[NB\]|\[NB-impl\]|INFERRED|calibration run|beyond\.md|geneft\.md":
        "an internal reference",
}
TALL = 20_000        # px at 1366 px width: a chapter longer than this buries its content
CHAPTER_PAGES = [f"book/{c}.html" for c in CHAPTERS if c not in ("intro", "api")]

# In the page: the article's visible text outside math and code, its table cells, its images'
# displayed and natural widths, and the page size.
READ = """async () => {
  for (const img of document.images) {
    img.loading = 'eager';
    if (!img.complete) await new Promise(r => { img.onload = img.onerror = r; });
  }
  if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  const article = document.querySelector('.bd-article') || document.body;
  const copy = article.cloneNode(true);
  copy.querySelectorAll('mjx-container, pre, code, script, style, .highlight, details:not([open])')
      .forEach(e => e.remove());
  return {
    text: article.innerText,
    prose: copy.textContent,
    cells: Array.from(article.querySelectorAll('td')).map(td => td.innerText.trim()),
    stderr: article.querySelectorAll('.output.stderr, .cell_output .stderr').length,
    images: Array.from(article.querySelectorAll('img'))
      .map(i => [i.src, i.clientWidth, i.naturalWidth]),
    height: document.documentElement.scrollHeight,
    width: document.documentElement.scrollWidth,
    scrolling: Array.from(article.querySelectorAll('table.scorecard'))
      .filter(t => t.scrollWidth > t.clientWidth + 1).length,
  };
}"""


@pytest.fixture(scope="module")
def seen(site, browser):
    """What a reader sees on every chapter page and the API page, at desktop and phone width."""
    base, _ = site
    out = {}
    for width in (1366, 390):
        context = browser.new_context(viewport={"width": width, "height": 900})
        for name in CHAPTER_PAGES + ["book/intro.html", "book/api.html"]:
            page = context.new_page()
            page.goto(base + name, wait_until="load")
            page.wait_for_load_state("networkidle")
            out[name, width] = page.evaluate(READ)
            shots = ROOT / "_build" / "screenshots"
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / f"{Path(name).stem}-{width}.png"))
            page.close()
        context.close()
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", CHAPTER_PAGES + ["book/intro.html", "book/api.html"])
def test_page_shows_no_leaked_output_or_internal_reference(seen, name):
    page = seen[name, 1366]
    found = {what: re.findall(pattern, page["text"])[:3] for pattern, what in LEAKS.items()}
    assert not any(found.values()), f"{name}: " + "; ".join(
        f"{what}: {hits}" for what, hits in found.items() if hits)
    assert page["stderr"] == 0, f"{name}: {page['stderr']} stderr outputs on the page"


@pytest.mark.slow
@pytest.mark.parametrize("name", CHAPTER_PAGES + ["book/intro.html"])
def test_page_prose_has_no_raw_tex_and_tables_no_raw_values(seen, name):
    page = seen[name, 1366]
    raw = re.findall(r"\$|\\[a-zA-Z]{2,}", page["prose"])
    assert not raw, f"{name}: literal TeX in rendered prose: {raw[:5]}"
    bad = sorted({c for c in page["cells"] if c in ("True", "False", "None", "NaN", "nan")})
    assert not bad, f"{name}: table cells show {bad}"


@pytest.mark.slow
@pytest.mark.parametrize("name", CHAPTER_PAGES)
def test_chapter_is_readable_at_desktop_width(seen, name):
    page = seen[name, 1366]
    assert page["height"] <= TALL, f"{name}: {page['height']} px tall (limit {TALL})"
    small = [(src.rsplit("/", 1)[-1], round(shown / natural, 2))
             for src, shown, natural in page["images"] if natural and shown < 0.8 * natural]
    assert not small, f"{name}: figures shown below 80 % of their size: {small}"


@pytest.mark.slow
@pytest.mark.parametrize("name", CHAPTER_PAGES + ["book/intro.html", "book/api.html"])
def test_page_does_not_scroll_sideways_on_a_phone(seen, name):
    assert seen[name, 390]["width"] <= 390, f"{name}: {seen[name, 390]['width']} px wide at 390"


@pytest.mark.slow
def test_scorecard_rows_fit_a_phone_without_scrolling(seen):
    """On a phone each scorecard row is a card of labelled lines (_assets/geneft.css): none of
    the six chapter tables scrolls sideways in its box, as their seven columns did."""
    assert seen["book/scorecard.html", 390]["scrolling"] == 0


@pytest.mark.slow
def test_sidebar_toggle_opens_the_chapter_list_on_a_phone(site, browser):
    base, _ = site
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(base + "book/statics.html", wait_until="load")
    page.wait_for_load_state("networkidle")
    links = page.locator("#pst-primary-sidebar-modal a.reference.internal:visible")
    assert links.count() == 0
    page.locator(".primary-toggle:visible").first.click()
    page.wait_for_timeout(500)
    titles = links.all_inner_texts()
    assert any("Goldilocks" in t for t in titles) and any("duality" in t for t in titles), titles
    page.screenshot(path=str(ROOT / "_build" / "screenshots" / "phone-sidebar.png"))
    context.close()


# The live figures (geneft.live): {page: how many}; repons has the quick and the stored full-size
# phase diagram and the repons in motion.
LIVE_PAGES = {"book/goldilocks.html": 1, "book/repons.html": 3}
# In the page: what a live figure shows (its marks, the shapes of its lines, the positions of its
# points, the colours of its heat-map cells) and how wide it is against its column.
LIVE_STATE = """(figure) => {
  const svg = figure.querySelector('svg');
  const list = (sel, attr) => Array.from(svg.querySelectorAll(sel), e => e.getAttribute(attr));
  return {marks: svg.querySelectorAll('.role-mark > path, .role-mark > text').length,
          lines: list('.mark-line.role-mark path', 'd').join(' '),
          points: list('.mark-symbol.role-mark path', 'transform').join(' '),
          cells: list('.mark-rect.role-mark path', 'fill').join(' '),
          width: svg.getBoundingClientRect().width, room: figure.clientWidth};
}"""


# The theme's sticky headers and skip link would cover the top of a tall figure's screenshot.
UNCOVER = ".bd-header, .bd-header-article, .skip-link { display: none !important; }"


def _answers(page, figure) -> list[str]:
    """Hover and click a heat-map cell that is not the picked one (the linked panels must
    redraw) and try the other radio button, or move the slider to its end (the points must
    move). Returns what did not answer."""
    before, wrong = figure.evaluate(LIVE_STATE), []
    slider = figure.locator("input[type=range]")
    if slider.count():
        slider.fill(slider.get_attribute("max"))
        linked = ["points"]
    else:
        cell = figure.locator('.mark-rect.role-mark path:not([stroke-width="2.5"])').first
        cell.hover()
        page.wait_for_timeout(200)
        tip = page.locator("#vg-tooltip-element")
        if "majority phase" not in (tip.inner_text() if tip.count() else ""):
            wrong.append("no tooltip with the cell's phase on hover")
        cell.click()
        linked = ["lines", "points"] if before["points"] else ["lines"]
    page.wait_for_timeout(300)
    after = figure.evaluate(LIVE_STATE)
    wrong += [f"{what} did not change" for what in linked
              if not after[what] or after[what] == before[what]]
    radio = figure.locator("input[type=radio]")
    if radio.count() > 1:
        radio.nth(1).check()
        page.wait_for_timeout(300)
        if figure.evaluate(LIVE_STATE)["cells"] == after["cells"]:
            wrong.append("the second radio button did not change the cells")
    return wrong


@pytest.mark.slow
@pytest.mark.parametrize("width", [1366, 390])
def test_live_figures_draw_and_answer_a_click_or_a_slider(site, browser, width):
    """Each live figure draws its marks within its column, answers the reader, and asks the
    network for nothing. Screenshots after the interaction: screenshots/ beside the built html."""
    base, html = site
    shots = html.parent / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    problems = []
    for name, count in LIVE_PAGES.items():
        page, outside = context.new_page(), []
        page.on("request", lambda r, outside=outside: outside.append(r.url)
                if not r.url.startswith((base, "data:", "blob:", "about:")) else None)
        page.goto(base + name, wait_until="load")
        page.wait_for_function("() => Array.from(document.querySelectorAll('.geneft-live'))"
                               ".every(f => f.vegaView)", timeout=30_000)
        figures = page.locator(".geneft-live")
        assert figures.count() == count, f"{name}: {figures.count()} live figures, not {count}"
        for i in range(count):
            figure = figures.nth(i)
            figure.scroll_into_view_if_needed()
            state = figure.evaluate(LIVE_STATE)
            if state["marks"] < 20:
                problems.append(f"{name} #{i}: {state['marks']} marks drawn")
            if state["width"] > state["room"] + 1:
                problems.append(f"{name} #{i}: {state['width']:.0f} px wide in a "
                                f"{state['room']} px column")
            problems += [f"{name} #{i}: {w}" for w in _answers(page, figure)]
            page.mouse.move(0, 0)                         # the tooltip away from the figure
            shot = shots / f"live-{Path(name).stem}-{i}-{width}.png"
            figure.screenshot(style=UNCOVER, path=str(shot))
        problems += [f"{name}: requested {u} from the network" for u in outside]
        page.close()
    context.close()
    assert not problems, "\n".join(problems)


# Contrast of each table cell's text against the first opaque background behind it.
CONTRAST = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = el => { for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3); }
    return [255, 255, 255]; };
  return Array.from(document.querySelectorAll('.bd-article table td')).map(td => {
    const a = lum(rgb(getComputedStyle(td).color)), b = lum(background(td));
    return [td.innerText.trim().slice(0, 30), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  });
}"""


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_tables_are_readable_in_both_colour_schemes(site, browser, scheme):
    base, _ = site
    context = browser.new_context(viewport={"width": 1366, "height": 900}, color_scheme=scheme)
    faint = []
    for name in CHAPTER_PAGES:
        page = context.new_page()
        page.goto(base + name, wait_until="load")
        page.wait_for_load_state("networkidle")
        faint += [(name, text, round(ratio, 1)) for text, ratio in page.evaluate(CONTRAST)
                  if text and ratio < 4.5]
        page.close()
    context.close()
    assert not faint, f"{scheme}: table text below contrast 4.5: {faint[:5]}"


@pytest.mark.parametrize("chapter", ["statics", "goldilocks", "repons", "fieldtheory", "twolayer",
                                     "duality"])
def test_chapter_shows_its_folded_parameters_box(built_book, chapter):
    """The setup cell's last expression is the parameters box; a line after it hides the box."""
    assert 'class="geneft-params"' in (built_book / "book" / f"{chapter}.html").read_text()
