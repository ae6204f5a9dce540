// 成绩录入: in a grid of score fields, Enter moves to the next field as Tab does, instead of
// sending the form; Enter in the last field sends it. Keyboard only, no mouse needed.
(function () {
  "use strict";
  document.querySelectorAll("form.score-grid").forEach(function (form) {
    var inputs = Array.prototype.slice.call(form.querySelectorAll(".score-input"));
    inputs.forEach(function (input, index) {
      input.addEventListener("keydown", function (event) {
        if (event.key !== "Enter") return;
        event.preventDefault();
        var next = inputs[index + (event.shiftKey ? -1 : 1)];
        if (next) { next.focus(); next.select(); } else if (!event.shiftKey) { form.requestSubmit(); }
      });
    });
  });
})();
