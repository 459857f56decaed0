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
