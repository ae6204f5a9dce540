// A copy button (data-copy-target: the id of a field) copies the field's text with the
// clipboard API; where that is missing (plain http on the training site's network) or
// refused, the text is selected and copied the old way, or left selected for the phone's own
// menu. The button stays hidden without JavaScript: the field can still be selected by hand.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copyTarget);
    var status = document.getElementById(button.dataset.copyStatus);
    if (!field) return;
    button.classList.remove("d-none");

    function say(text, ok) {
      if (!status) return;
      status.textContent = text;
      status.classList.toggle("text-success", ok);
      status.classList.toggle("text-danger", !ok);
    }
    function selectAll() {
      field.focus();
      field.select();
      field.setSelectionRange(0, field.value.length); // iOS ignores select() alone
    }
    function fallback() {
      selectAll();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      say(copied ? button.dataset.copied : button.dataset.copyFailed, copied);
    }

    field.addEventListener("focus", selectAll);
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () {
          say(button.dataset.copied, true);
        }, fallback);
      } else {
        fallback();
      }
    });
  });
})();
