// Draws the book's live figures (geneft.live). Each <div class="geneft-live"> carries its
// Vega-Lite specification, data included, in a JSON script; vega-embed, served from this site
// with Vega and Vega-Lite (see _ext/live_figures.py), draws it as SVG. A figure wider than its
// column is drawn again with its panels narrowed to fit (data-plot-width: the px of its widest
// row of panels, the part that can shrink), so a phone never scrolls sideways.
(function () {
  "use strict";
  const OPTIONS = { actions: false, renderer: "svg" };
  const VIEWS = ["vconcat", "hconcat", "concat", "layer"];

  // Multiply the width and height of every view of a specification by f.
  function narrow(spec, f) {
    for (const key of ["width", "height"]) {
      if (typeof spec[key] === "number") spec[key] = Math.floor(spec[key] * f);
    }
    for (const key of VIEWS) (spec[key] || []).forEach((view) => narrow(view, f));
    if (spec.spec) narrow(spec.spec, f);
  }

  async function draw(figure) {
    if (figure.dataset.drawn || typeof vegaEmbed !== "function") return;
    figure.dataset.drawn = "yes";
    const spec = JSON.parse(figure.querySelector('script[type="application/json"]').textContent);
    const target = document.createElement("div");
    figure.appendChild(target);
    let result = await vegaEmbed(target, spec, OPTIONS);
    const room = figure.clientWidth;
    const drawn = target.querySelector("svg").getBoundingClientRect().width;
    const plot = Number(figure.dataset.plotWidth) || 0;
    if (drawn > room && plot > 0) {
      result.finalize();
      target.replaceChildren();
      narrow(spec, Math.max(0.3, (room - (drawn - plot)) / plot));
      result = await vegaEmbed(target, spec, OPTIONS);
    }
    figure.querySelector(".geneft-live-note")?.remove();
    figure.vegaView = result.view;    // for the browser tests and for readers' consoles
  }

  function drawAll(root) {
    root.querySelectorAll(".geneft-live").forEach((figure) => draw(figure).catch(console.error));
  }

  function start() {
    drawAll(document);
    // Live Code (Thebe) replaces a cell's output with the kernel's: draw new figures too.
    new MutationObserver((changes) => {
      if (changes.some((c) => c.addedNodes.length)) drawAll(document);
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
