/* The exercise page: CodeMirror editor, per-framework drafts in localStorage, Run samples and
   Submit through the JSON API, live result. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var form = document.getElementById("submit-form");

  // Math in the statement is rendered by the site-wide KaTeX script of base.html.
  if (!form) return;

  var select = document.getElementById("framework");
  var textarea = document.getElementById("code");
  var feedback = document.getElementById("feedback");
  var resultBox = document.getElementById("result");
  var buttons = [document.getElementById("run-samples"), document.getElementById("submit")];
  var stopPolling = null;

  function draftKey(framework) { return "dlquiz:draft:" + config.slug + ":" + framework; }
  function storageGet(key) { try { return window.localStorage.getItem(key); } catch (e) { return null; } }
  function storageSet(key, value) { try { window.localStorage.setItem(key, value); } catch (e) { /* full or disabled */ } }
  function storageRemove(key) { try { window.localStorage.removeItem(key); } catch (e) { /* disabled */ } }

  var lastFramework = storageGet("dlquiz:framework:" + config.slug);
  if (lastFramework && config.frameworks.indexOf(lastFramework) >= 0) select.value = lastFramework;

  function codeFor(framework) {
    var draft = storageGet(draftKey(framework));
    return draft !== null ? draft : (config.starterCode[framework] || "");
  }

  textarea.value = codeFor(select.value);
  // Esc arms a way out (WCAG 2.1.2): the next Tab or Shift-Tab moves focus instead of indenting.
  var escaped = false;
  function leave(cm, backwards) {
    escaped = false;
    var focusable = Array.prototype.filter.call(
      document.querySelectorAll("a[href], button:not([disabled]), input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])"),
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
  var editor = window.CodeMirror.fromTextArea(textarea, {
    mode: { name: "python", version: 3 },
    lineNumbers: true,
    indentUnit: 4,
    tabSize: 4,
    indentWithTabs: false,
    matchBrackets: true,
    lineWrapping: true, // no sideways scrolling on a phone; long lines wrap
    viewportMargin: Infinity,
    screenReaderLabel: textarea.labels && textarea.labels[0] ? textarea.labels[0].textContent : "code",
    extraKeys: {
      Esc: function () { escaped = true; },
      Tab: function (cm) {
        if (escaped) { leave(cm, false); return; }
        if (cm.somethingSelected()) cm.indentSelection("add");
        else cm.replaceSelection(Array(cm.getOption("indentUnit") + 1).join(" "), "end");
      },
      "Shift-Tab": function (cm) {
        if (escaped) { leave(cm, true); return; }
        cm.indentSelection("subtract");
      },
      "Ctrl-Enter": function () { send("submit"); },
      "Cmd-Enter": function () { send("submit"); },
    },
  });
  window.dlquizEditor = editor; // for scripted tests and the browser console

  // Any other key disarms it ("keydown" handlers run before the key bindings).
  editor.on("keydown", function (cm, event) {
    if (["Escape", "Tab", "Shift"].indexOf(event.key) < 0) escaped = false;
  });
  editor.on("blur", function () { escaped = false; });

  var currentFramework = select.value;
  var saveTimer = null;
  editor.on("change", function () {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(function () { storageSet(draftKey(currentFramework), editor.getValue()); }, 200);
  });
  window.addEventListener("beforeunload", function () {
    storageSet(draftKey(currentFramework), editor.getValue());
  });

  select.addEventListener("change", function () {
    clearTimeout(saveTimer);
    storageSet(draftKey(currentFramework), editor.getValue());
    currentFramework = select.value;
    storageSet("dlquiz:framework:" + config.slug, currentFramework);
    editor.setValue(codeFor(currentFramework));
  });

  document.getElementById("reset-starter").addEventListener("click", function () {
    if (!window.confirm(this.dataset.confirm || "Replace the editor content with the starter code?")) return;
    storageRemove(draftKey(currentFramework));
    editor.setValue(config.starterCode[currentFramework] || "");
  });

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function showFeedback(lines) {
    feedback.textContent = "";
    lines.forEach(function (line) {
      var p = document.createElement("p");
      p.textContent = line;
      feedback.appendChild(p);
    });
    feedback.hidden = lines.length === 0;
  }

  function errorLines(status, data) {
    if (!data || typeof data !== "object") return ["HTTP " + status];
    var lines = [];
    Object.keys(data).forEach(function (field) {
      var value = data[field];
      var text = Array.isArray(value) ? value.join(" ") : String(value);
      lines.push(field === "detail" ? text : field + ": " + text);
    });
    return lines.length ? lines : ["HTTP " + status];
  }

  // The submission list and the hints below the editor follow each submission: the page itself
  // is fetched again and the two sections replaced (the server renders and escapes them).
  function refreshHistory() {
    fetch(window.location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ["history", "hints"].forEach(function (id) {
          var now = document.getElementById(id);
          var next = fresh.getElementById(id);
          if (now && next) now.innerHTML = next.innerHTML;
        });
        if (window.dlquizLocalTimes) window.dlquizLocalTimes(document.getElementById("history"));
      })
      .catch(function () { /* the list stays as it was; a reload shows it */ });
  }

  function setBusy(busy) { buttons.forEach(function (b) { b.disabled = busy; }); }

  function send(action) {
    var code = editor.getValue();
    storageSet(draftKey(currentFramework), code);
    if (new TextEncoder().encode(code).length > config.maxCodeBytes) {
      showFeedback([config.messages.tooLong]);
      return;
    }
    if (stopPolling) stopPolling();
    setBusy(true);
    showFeedback([]);
    var url = action === "samples" ? config.runSamplesUrl : config.submitUrl;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrfToken(),
        "Idempotency-Key": newKey(),
      },
      body: JSON.stringify({ exercise: config.slug, framework: currentFramework, code: code }),
    })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (data) {
          return { response: response, data: data };
        });
      })
      .then(function (r) {
        if (!r.response.ok || !r.data) {
          var lines = errorLines(r.response.status, r.data);
          var retry = r.response.headers.get("Retry-After");
          if (r.response.status === 429 && retry) lines.push(config.messages.retryAfter.replace("{seconds}", retry));
          showFeedback(lines);
          setBusy(false);
          return;
        }
        resultBox.innerHTML = "";
        var pending = document.createElement("div");
        pending.className = "result";
        pending.dataset.status = r.data.status;
        pending.textContent = config.messages.queued;
        resultBox.appendChild(pending);
        stopPolling = window.dlquizPollResult(
          resultBox,
          config.resultUrl.replace("{id}", String(r.data.id)),
          function () {
            setBusy(false);
            if (window.dlquizLocalTimes) window.dlquizLocalTimes(resultBox);
            refreshHistory();
          }
        );
        if (action !== "samples") refreshHistory();
        // Buttons come back even if grading takes long; the quota protects the workers.
        setTimeout(function () { setBusy(false); }, 1500);
      })
      .catch(function (error) {
        showFeedback([String(error)]);
        setBusy(false);
      });
  }

  buttons[0].addEventListener("click", function () { send("samples"); });
  buttons[1].addEventListener("click", function () { send("submit"); });
})();
