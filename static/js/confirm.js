// Forms with a data-confirm question ask it before sending (removing an idea or a forum talk).
// Without JavaScript they send at once.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
})();
