// Every form page: after a refused submission the first field with an error takes the focus and
// is scrolled into view (its error is printed beside it), so nothing is missed on a phone.
(function () {
  "use strict";
  var main = document.getElementById("main");
  var first = main && main.querySelector(
    "form .is-invalid, form [aria-invalid=true], form [data-error], form .invalid-feedback"
  );
  if (!first) {
    return;
  }
  var box = first.closest(".mb-3, fieldset, .form-check, .card-body") || first;
  var target = first.matches("input, select, textarea")
    ? first
    : box.querySelector("input:not([type=hidden]), select, textarea") || first;
  if (!target.matches("input, select, textarea")) {
    target.setAttribute("tabindex", "-1");
  }
  target.focus({ preventScroll: true });
  box.scrollIntoView({ block: "center" });
})();
