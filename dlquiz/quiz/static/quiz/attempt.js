/* Practice exam page: autosaves each answer as it changes (PUT to the attempt's answers API)
   and counts down to the server's deadline, submitting the form when time runs out. The
   server enforces the deadline itself; this only keeps the page honest about it. */
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) { return; }
  var api = form.getAttribute("data-api");
  var status = document.getElementById("save-status");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timers = {};
  var pending = 0;

  function answerOf(section) {
    var kind = section.getAttribute("data-kind");
    var pos = section.getAttribute("data-position");
    var inputs = section.querySelectorAll("[name='answer-" + pos + "']");
    if (kind === "single") {
      var picked = section.querySelector("input:checked");
      return picked ? parseInt(picked.value, 10) : null;
    }
    if (kind === "multiple") {
      var out = [];
      Array.prototype.forEach.call(inputs, function (el) { if (el.checked) { out.push(parseInt(el.value, 10)); } });
      return out.length ? out : null;
    }
    var text = inputs[0].value.trim();
    return text === "" ? null : text;
  }

  function show(text, cls) {
    status.textContent = text;
    status.className = cls || "";
  }

  function save(section) {
    var pos = section.getAttribute("data-position");
    pending += 1;
    show("…", "saving");
    fetch(api + pos + "/", {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ answer: answerOf(section) })
    }).then(function (response) {
      pending -= 1;
      if (response.status === 409) { show("⏱", "closed"); form.submit(); return; }
      if (!response.ok) { show("✘ " + response.status, "error"); return; }
      section.setAttribute("data-saved", "1");
      if (pending === 0) { show("✔", "saved"); }
    }).catch(function () { pending -= 1; show("✘", "error"); });
  }

  form.addEventListener("input", function (event) {
    var section = event.target.closest(".quiz-item");
    if (!section) { return; }
    section.removeAttribute("data-saved");
    var pos = section.getAttribute("data-position");
    clearTimeout(timers[pos]);
    timers[pos] = setTimeout(function () { save(section); }, event.target.type === "text" ? 400 : 0);
  });

  var clock = document.getElementById("time-left");
  var deadline = new Date(clock.getAttribute("data-deadline")).getTime();
  var submitted = false;
  function tick() {
    var ms = deadline - Date.now();
    var left = Math.max(0, Math.ceil(ms / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    clock.textContent = m + ":" + (s < 10 ? "0" : "") + s;
    if (ms <= 0 && !submitted) { submitted = true; form.submit(); return; }
    setTimeout(tick, 500);
  }
  // Submitting by hand names the unanswered questions first; the deadline submits regardless.
  form.addEventListener("submit", function (event) {
    if (submitted) { return; }
    var missing = [];
    Array.prototype.forEach.call(form.querySelectorAll(".quiz-item"), function (section) {
      var empty = answerOf(section) === null;
      section.classList.toggle("unanswered", empty);
      if (empty) { missing.push(section.getAttribute("data-position")); }
    });
    var template = form.getAttribute("data-unanswered");
    if (missing.length && template && !window.confirm(template.replace("{positions}", missing.join(", ")))) {
      event.preventDefault();
      var first = document.getElementById("item-" + missing[0]);
      if (first) { first.scrollIntoView(); var input = first.querySelector("input"); if (input) { input.focus(); } }
      return;
    }
    submitted = true;
  });
  tick();
})();
