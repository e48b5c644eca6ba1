/* "All topics" and the topic boxes agree: checking it checks every topic, unchecking a topic
   unchecks it. The server reads "all_topics" itself, so the form works without this. */
(function () {
  "use strict";
  var all = document.getElementById("all-topics");
  if (!all) { return; }
  var topics = document.querySelectorAll("input[name=topics]");
  all.addEventListener("change", function () {
    Array.prototype.forEach.call(topics, function (box) { box.checked = all.checked; });
  });
  Array.prototype.forEach.call(topics, function (box) {
    box.addEventListener("change", function () {
      all.checked = Array.prototype.every.call(topics, function (b) { return b.checked; });
    });
  });
})();
