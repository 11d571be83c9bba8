/* Small enhancements for every page. Everything also works without this script. */
(function () {
  "use strict";

  // Scripts run: the CSS may hide what only no-script browsers need (the language "Change" button).
  document.documentElement.classList.add("js");

  // The language menu switches at once; its "Change" button stays for keyboards and no-script browsers.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select instanceof HTMLSelectElement && select.id === "lang-select" && select.form) {
      select.form.submit();
    }
  });

  // "Copy" buttons copy the text of the element their data-copy selector names (API client secrets).
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
    if (!button || !navigator.clipboard) {
      return;
    }
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) {
      return;
    }
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.setAttribute("data-copied", "");
      button.textContent = button.getAttribute("data-copied-label") || "✓";
    });
  });
})();
