/* Renders the math on a page with the vendored KaTeX: elements with class "math" (made by the
   Markdown renderer, TeX source inside) and $…$ / $$…$$ / \(…\) / \[…\] written in plain text
   (quiz questions, exercise statements). Call window.dlquizRenderMath(element) after inserting
   content; content added later is also picked up automatically. */
(function () {
  "use strict";
  var OPTIONS = { throwOnError: false, strict: "ignore", trust: false };

  function renderMath(root) {
    if (!root || !window.katex) { return; }
    var nodes = root.querySelectorAll ? root.querySelectorAll(".math:not([data-math-done])") : [];
    Array.prototype.forEach.call(nodes, function (el) {
      var display = el.classList.contains("display") || el.classList.contains("block") || el.tagName === "DIV";
      var tex = el.textContent;
      el.setAttribute("data-math-done", "1");
      try {
        window.katex.render(tex, el, Object.assign({ displayMode: display }, OPTIONS));
      } catch (err) {
        el.classList.add("math-error");
        el.textContent = tex;
      }
    });
    if (window.renderMathInElement) {
      window.renderMathInElement(root, Object.assign({
        delimiters: [
          { left: "$$", right: "$$", display: true },
          { left: "\\[", right: "\\]", display: true },
          { left: "\\(", right: "\\)", display: false },
          { left: "$", right: "$", display: false }
        ],
        ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code", "option", "input"],
        ignoredClasses: ["katex", "no-math", "math"]
      }, OPTIONS));
    }
  }

  window.dlquizRenderMath = renderMath;

  var scheduled = false;
  function schedule() {
    if (scheduled) { return; }
    scheduled = true;
    window.requestAnimationFrame(function () { scheduled = false; renderMath(document.body); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    renderMath(document.body);
    if (window.MutationObserver) {
      new MutationObserver(function (records) {
        for (var i = 0; i < records.length; i++) {
          var target = records[i].target;
          if (target.closest && target.closest(".katex")) { continue; }
          if (records[i].addedNodes.length) { schedule(); return; }
        }
      }).observe(document.body, { childList: true, subtree: true });
    }
  });
})();
