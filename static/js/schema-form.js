/* The passport editor: repeatable rows (add / remove) and the "unsaved changes" state.
 *
 * Rows: each repeatable group is a <fieldset data-rows> with its rows in an <ol>, a blank row in a
 * <template> whose input names hold a placeholder (__i0__, __i1__... by nesting depth) where the row index
 * goes, and an "add" button. Adding copies the template with the placeholder replaced by a fresh index;
 * the server reads rows in index order and renumbers them, so removed rows leave no gaps in the data.
 *
 * Unsaved changes: publishing publishes the saved draft, so once anything is typed the Publish button is
 * disabled until the draft is saved again (the server checks the saved draft in any case).
 */
(function () {
  "use strict";

  var dirty = false;

  function renumber(group) {
    var rows = group.querySelectorAll(":scope > ol > li.sf-row");
    rows.forEach(function (row, position) {
      var number = row.querySelector(":scope > .sf-row-head .sf-row-number");
      if (number) {
        number.textContent = String(position + 1);
      }
    });
  }

  function addRow(group) {
    var template = group.querySelector(":scope > template");
    var list = group.querySelector(":scope > ol");
    if (!template || !list) {
      return;
    }
    var index = parseInt(group.getAttribute("data-next-index") || "0", 10);
    group.setAttribute("data-next-index", String(index + 1));
    var placeholder = group.getAttribute("data-placeholder");
    list.insertAdjacentHTML("beforeend", template.innerHTML.split(placeholder).join(String(index)));
    var none = group.querySelector(":scope > .sf-rows-actions input[name='_none']");
    if (none) {
      none.checked = false;
    }
    renumber(group);
    var first = list.lastElementChild && list.lastElementChild.querySelector("input, select, textarea");
    if (first) {
      first.focus();
    }
    markDirty();
  }

  function removeRow(button) {
    var row = button.closest("li.sf-row");
    var group = row && row.closest("[data-rows]");
    if (!row || !group) {
      return;
    }
    row.remove();
    renumber(group);
    var add = group.querySelector(":scope > .sf-rows-actions [data-add-row]");
    if (add) {
      add.focus();
    }
    markDirty();
  }

  function applyDirty() {
    if (!dirty) {
      return;
    }
    document.querySelectorAll("[data-publish]").forEach(function (button) {
      button.disabled = true;
    });
    document.querySelectorAll("[data-dirty-note]").forEach(function (note) {
      note.hidden = false;
    });
    var why = document.querySelector("[data-publish-note]");
    if (why && why.getAttribute("data-unsaved-text")) {
      why.textContent = why.getAttribute("data-unsaved-text");
    }
  }

  function markDirty() {
    dirty = true;
    applyDirty();
  }

  document.addEventListener("click", function (event) {
    if (!(event.target instanceof Element)) {
      return;
    }
    var add = event.target.closest("[data-add-row]");
    if (add) {
      addRow(add.closest("[data-rows]"));
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      removeRow(remove);
    }
  });

  document.addEventListener("input", function (event) {
    if (event.target instanceof Element && event.target.closest("[data-schema-form]")) {
      markDirty();
    }
  });

  document.addEventListener("submit", function (event) {
    if (event.target instanceof Element && event.target.matches("[data-schema-form]")) {
      var submitter = event.submitter;
      if (!submitter || submitter.value !== "validate") {
        dirty = false;
      }
    }
  });

  // After "Check for errors" swaps the form in place, keep the unsaved state and move to the summary.
  document.addEventListener("htmx:afterSettle", function () {
    applyDirty();
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  });
})();
