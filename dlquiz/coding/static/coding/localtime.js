/* Times come from the server in UTC, labelled "UTC"; here they are shown in the reader's own
   time zone, named, with the UTC time kept in the tooltip. */
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function zoneName() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }
  function offset(date) {
    var minutes = -date.getTimezoneOffset();
    var sign = minutes >= 0 ? "+" : "-";
    minutes = Math.abs(minutes);
    return "UTC" + sign + pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60);
  }
  function localise(root) {
    var zone = zoneName();
    (root || document).querySelectorAll("time.local-time:not([data-local])").forEach(function (el) {
      var date = new Date(el.getAttribute("datetime"));
      if (isNaN(date.getTime())) return;
      var text = date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
        " " + pad(date.getHours()) + ":" + pad(date.getMinutes()) +
        (el.dataset.seconds === "1" ? ":" + pad(date.getSeconds()) : "");
      el.title = el.textContent;
      el.textContent = text + " (" + (zone ? zone + ", " : "") + offset(date) + ")";
      el.setAttribute("data-local", "1");
    });
  }
  window.dlquizLocalTimes = localise;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { localise(); });
  else localise();
})();
