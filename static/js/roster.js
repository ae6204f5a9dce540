// The roster's bulk actions: the header box ticks every trainee of the page, the bar says how
// many are ticked, and a withdrawal asks first. Without JavaScript the boxes still work one by
// one and the buttons send at once.
(function () {
  "use strict";
  var form = document.getElementById("roster-bulk");
  if (!form) return;
  var all = document.getElementById("roster-select-all");
  var ticks = Array.prototype.slice.call(document.querySelectorAll("input.roster-tick"));
  var counter = document.getElementById("roster-ticked-count");

  function update() {
    var ticked = ticks.filter(function (box) { return box.checked; }).length;
    if (all) {
      all.checked = ticked > 0 && ticked === ticks.length;
      all.indeterminate = ticked > 0 && ticked < ticks.length;
    }
    if (counter) counter.textContent = String(ticked);
  }

  if (all) {
    all.addEventListener("change", function () {
      ticks.forEach(function (box) { box.checked = all.checked; });
      update();
    });
  }
  ticks.forEach(function (box) { box.addEventListener("change", update); });
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.value === "withdraw" && !window.confirm(form.dataset.confirmWithdraw)) {
      event.preventDefault();
    }
  });
  update(); // a page come back to keeps its ticks
})();
