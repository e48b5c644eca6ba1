// Review page keyboard: Space shows the answer, 1-4 rate it (Again, Hard, Good, Easy), as in
// Anki. Keys typed into a form field are left alone.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && target.closest && target.closest("input, select, textarea, [contenteditable]")) return;
    var answer = document.getElementById("review-answer");
    if (!answer) return;
    if (event.key === " " && !answer.open) {
      event.preventDefault();
      answer.open = true;
      var first = answer.querySelector(".review-ratings button[data-key='3']");
      if (first) first.focus();
      return;
    }
    if (answer.open && /^[1-4]$/.test(event.key)) {
      var button = answer.querySelector(".review-ratings button[data-key='" + event.key + "']");
      if (button) {
        event.preventDefault();
        button.click();
      }
    }
  });
})();
