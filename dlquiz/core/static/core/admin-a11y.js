// What the admin's own markup leaves out for assistive technology, which axe-core finds
// (tests/browser/test_accessibility_browser.py): a name for each input in a table cell (the
// editable columns of a list, tabular inlines) and in a split date-time field, a keyboard stop
// on regions that scroll sideways on a phone, and select2's unnamed search box and stray
// "clear" mark inside its list. Runs again whenever rows or widgets are added.
(function () {
  "use strict";

  function text(node) {
    return ((node && node.textContent) || "")
      .replace(/\s+/g, " ")
      .replace(/[:：]\s*$/, "")
      .trim();
  }

  function named(el) {
    if (el.getAttribute("aria-label") || el.getAttribute("aria-labelledby")) return true;
    if (el.closest("label")) return true;
    return Boolean(el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]'));
  }

  // The header of the column a cell is in, colspans counted.
  function columnHeader(cell) {
    const table = cell.closest("table");
    const head = table && table.tHead;
    if (!head || !head.rows.length) return "";
    let index = 0;
    for (const other of cell.parentElement.cells) {
      if (other === cell) break;
      index += other.colSpan;
    }
    let at = 0;
    for (const th of head.rows[head.rows.length - 1].cells) {
      if (index < at + th.colSpan) return text(th);
      at += th.colSpan;
    }
    return "";
  }

  // "Date" or "Time": the text just before an input of a split date-time field.
  function partName(input) {
    for (let node = input.previousSibling; node; node = node.previousSibling) {
      if (node.nodeType === Node.ELEMENT_NODE && node.tagName === "INPUT") return "";
      if (node.nodeType === Node.TEXT_NODE && node.textContent.trim()) return text(node);
    }
    return "";
  }

  function fieldName(el) {
    const cell = el.closest("td, th");
    if (cell) return columnHeader(cell);
    const row = el.closest(".form-row, .fieldBox, .flex-container");
    return text(row && row.querySelector("label"));
  }

  function mend(root) {
    root.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (el) {
      if (named(el) || el.classList.contains("select2-search__field")) return;
      let name = fieldName(el);
      if (el.closest(".datetime")) name = [name, partName(el)].filter(Boolean).join(" ");
      if (name) el.setAttribute("aria-label", name);
    });
    root.querySelectorAll(".select2-search__field:not([aria-label])").forEach(function (box) {
      const container = box.closest(".select2-container");
      const select = container && container.previousElementSibling;
      const label = select && select.id && document.querySelector('label[for="' + CSS.escape(select.id) + '"]');
      box.setAttribute("aria-label", text(label) || (select && select.name) || "search");
    });
    // A list holds list items only: the "clear all" mark goes just before the list. select2
    // adds a new mark to the list on every change and removes only the ones inside it.
    root.querySelectorAll(".select2-selection__rendered > .select2-selection__clear").forEach(function (mark) {
      const list = mark.parentElement;
      list.parentElement.querySelectorAll(":scope > .select2-selection__clear").forEach(function (old) {
        old.remove();
      });
      list.before(mark);
    });
    root.querySelectorAll(".select2-selection > .select2-selection__clear").forEach(function (mark) {
      const list = mark.parentElement.querySelector(".select2-selection__rendered");
      if (list && !list.querySelector(".select2-selection__choice")) mark.remove();
    });
    root.querySelectorAll("pre, .inline-group").forEach(function (region) {
      if (!region.hasAttribute("tabindex")) region.tabIndex = 0;
    });
  }

  function start() {
    mend(document);
    new MutationObserver(function () {
      mend(document);
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
