// Forms of the participants app: one tap submits once (no duplicate contact on a double tap).
(function () {
  "use strict";
  document.querySelectorAll("form.js-one-submit").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  });
})();
