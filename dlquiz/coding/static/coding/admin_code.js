/* Code editors in the admin: every <textarea data-code-editor> becomes a CodeMirror editor
   (Python mode), read-only where the text area is. The text area stays the form's field:
   CodeMirror writes back to it when the form is submitted. */
(function () {
  "use strict";
  if (!window.CodeMirror) return;

  function labelOf(textarea) {
    if (textarea.labels && textarea.labels[0]) return textarea.labels[0].textContent.trim();
    return textarea.getAttribute("aria-label") || "code";
  }

  function enhance(textarea) {
    // Esc arms a way out (WCAG 2.1.2): the next Tab or Shift-Tab leaves the editor.
    var escaped = false;
    function leave(cm, backwards) {
      escaped = false;
      var focusable = Array.prototype.filter.call(
        document.querySelectorAll("a[href], button:not([disabled]), input:not([type=hidden]), select, textarea, summary"),
        function (el) { return el.offsetParent !== null && !cm.getWrapperElement().contains(el); }
      );
      var wrapper = cm.getWrapperElement();
      var target = null;
      focusable.forEach(function (el) {
        var after = wrapper.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING;
        if (backwards && !after) target = el;
        if (!backwards && after && !target) target = el;
      });
      cm.getInputField().blur();
      if (target) target.focus();
    }
    var readOnly = textarea.hasAttribute("readonly");
    var editor = window.CodeMirror.fromTextArea(textarea, {
      mode: { name: "python", version: 3 },
      lineNumbers: true,
      indentUnit: 4,
      tabSize: 4,
      indentWithTabs: false,
      matchBrackets: true,
      lineWrapping: true,
      viewportMargin: Infinity,
      readOnly: readOnly,
      screenReaderLabel: labelOf(textarea),
      extraKeys: {
        Esc: function () { escaped = true; },
        Tab: function (cm) {
          if (escaped || readOnly) { leave(cm, false); return; }
          if (cm.somethingSelected()) cm.indentSelection("add");
          else cm.replaceSelection("    ", "end");
        },
        "Shift-Tab": function (cm) {
          if (escaped || readOnly) { leave(cm, true); return; }
          cm.indentSelection("subtract");
        },
      },
    });
    editor.on("change", function () { editor.save(); });
    return editor;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var editors = Array.prototype.map.call(
      document.querySelectorAll("textarea[data-code-editor]"), enhance
    );
    // An editor set up inside a closed fieldset measures nothing; measure again on opening.
    document.querySelectorAll("details").forEach(function (details) {
      details.addEventListener("toggle", function () {
        if (details.open) editors.forEach(function (editor) { editor.refresh(); });
      });
    });
  });
})();
