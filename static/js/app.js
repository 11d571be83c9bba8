/* Small enhancements for every page. Everything also works without this script. */
(function () {
  "use strict";

  // Scripts run: the CSS may hide what only no-script browsers need (the language "Change" button).
  document.documentElement.classList.add("js");

  // Times are printed in the viewer's zone: tell the server which one this browser is in (core/timezones.py).
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("dpp_tz=" + zone) === -1) {
      document.cookie = "dpp_tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (error) {
    // No Intl time zone support: pages keep the default zone.
  }

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

  // A "select all" box (data-check-all="<form id>") ticks every checkbox that belongs to that form, such as
  // the passports chosen for a report pack; without scripts each box is ticked by hand.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.hasAttribute("data-check-all")) {
      return;
    }
    var selector = 'input[type="checkbox"][form="' + box.getAttribute("data-check-all") + '"]';
    document.querySelectorAll(selector).forEach(function (other) {
      other.checked = box.checked;
    });
  });
})();
