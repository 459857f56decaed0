// The sidebar toggles. The page has two buttons of each kind: pydata-sphinx-theme's (hidden by
// sphinx-book-theme) and sphinx-book-theme's own (the one a reader sees). Both themes wire up
// only the first match of `.primary-toggle` / `.secondary-toggle`, the hidden one, so the visible
// button did nothing: on a phone the chapter list could not be opened. Forward its clicks.
document.addEventListener("DOMContentLoaded", () => {
  for (const kind of ["primary", "secondary"]) {
    const [wired, ...others] = document.querySelectorAll(`.${kind}-toggle`);
    for (const button of others) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        wired.click();
      });
    }
  }
});

// Figures: a tap or click opens the image at full size (on a phone a multi-panel figure is shown
// at ~350 px, too small to read its labels).
document.addEventListener("DOMContentLoaded", () => {
  for (const img of document.querySelectorAll(".bd-article .cell_output img")) {
    if (img.closest("a")) continue;
    const link = document.createElement("a");
    link.href = img.src;
    link.target = "_blank";
    link.title = "Open the figure at full size";
    link.className = "geneft-figure-link";
    img.replaceWith(link);
    link.appendChild(img);
  }
});

// Boxes that scroll sideways (long equations, wide tables, figures on a phone): a class on the
// side where there is more to see, which the CSS draws as a shadow; kept up to date on scroll and
// on resize (MathJax typesets after load, so it is checked again then).
(() => {
  const SELECTOR = "div.math, .geneft-table-wrap, .output.text_html, figure.geneft-table-figure, " +
                   "table.scorecard, a.geneft-figure-link";
  const mark = (box) => {
    const more = box.scrollWidth - box.clientWidth > 1;
    box.classList.toggle("geneft-more-left", more && box.scrollLeft > 1);
    box.classList.toggle("geneft-more-right",
                         more && box.scrollLeft + box.clientWidth < box.scrollWidth - 1);
  };
  const markAll = () => document.querySelectorAll(SELECTOR).forEach(mark);
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(SELECTOR).forEach((box) =>
      box.addEventListener("scroll", () => mark(box), { passive: true }));
    markAll();
    window.addEventListener("resize", markAll);
    window.addEventListener("load", markAll);
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(markAll);
    }
    setTimeout(markAll, 3000);
  });
})();
