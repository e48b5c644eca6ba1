// Behaviour that used to sit in inline event handlers, which the Content-Security-Policy refuses:
// a <select data-autosubmit> submits its form when changed; a <form data-no-submit> is never
// submitted by the browser (its buttons send it by script).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.submit();
  }
});
document.addEventListener("submit", function (event) {
  if (event.target instanceof HTMLFormElement && event.target.hasAttribute("data-no-submit")) {
    event.preventDefault();
  }
});
