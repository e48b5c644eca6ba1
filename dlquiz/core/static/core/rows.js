/* Rows editors (dlquiz/core/widgets.py): an "add a row" button that copies the blank row
   template. Without this script the form still has one blank row to fill in per save. */
(function () {
  "use strict";

  function setUp(editor) {
    var total = editor.querySelector("[data-rows-total]");
    var body = editor.querySelector("[data-rows-body]");
    var template = editor.querySelector("template[data-rows-template]");
    var add = editor.querySelector("[data-rows-add]");
    if (!total || !body || !template || !add) return;
    add.hidden = false;
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      var row = template.content.firstElementChild.cloneNode(true);
      row.querySelectorAll("[name], [id]").forEach(function (element) {
        ["name", "id"].forEach(function (attribute) {
          var value = element.getAttribute(attribute);
          if (value) element.setAttribute(attribute, value.replace("__prefix__", String(index)));
        });
      });
      body.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input[type=text], textarea");
      if (first) first.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-rows-editor]").forEach(setUp);
  });
})();
