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
// The contact form's new-person questions online: once the UIC answers are complete (and no
// display code is typed), the server is asked whether they find anyone in the user's list
// (participants:contact_lookup); when nobody, the enrolment questions are shown on the same
// page and travel with the contact, which saves the next page. Without this script, or when
// the answers change, the next page asks them as before.
(function () {
  "use strict";
  var form = document.querySelector("form[data-offline-form=contact]");
  var section = form && form.querySelector("[data-offline-new-person][data-lookup-url]");
  if (!section || !window.fetch || !window.FormData) { return; }
  var asked = "";
  var pending = null;

  function answers() {
    var el = form.elements;
    var code = el.participant_code && el.participant_code.value.trim();
    var sex = form.querySelector("input[name=sex]:checked");
    var mother = el.mother_name.value.trim() || (el.mother_unknown && el.mother_unknown.checked);
    var father = el.father_name.value.trim() || (el.father_unknown && el.father_unknown.checked);
    if (code || !sex || !mother || !father || !el.birth_date.value) { return ""; }
    return [el.mother_name.value.trim(), el.mother_unknown && el.mother_unknown.checked,
      el.father_name.value.trim(), el.father_unknown && el.father_unknown.checked,
      el.birth_date.value, sex.value].join("|");
  }

  function show(mode) {
    section.dataset.mode = mode || "";
    section.querySelectorAll("[data-when]").forEach(function (node) {
      node.hidden = node.dataset.when !== (mode === "online" ? "online" : "offline");
    });
    if (mode === "online") {
      section.hidden = false;
      section.disabled = false;
    } else if (mode === "") {
      section.hidden = true;
      section.disabled = true;
    }
  }

  function check() {
    var key = answers();
    if (key === asked) { return; }
    asked = key;
    if (pending) { pending.abort(); pending = null; }
    if (section.dataset.mode === "online") { show(""); }
    if (!key || !navigator.onLine) { return; }
    var body = new FormData(form);
    var controller = new AbortController();
    pending = controller;
    fetch(section.dataset.lookupUrl, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { Accept: "application/json" }, signal: controller.signal
    }).then(function (response) {
      if (!response.ok) { return { "new": false }; }
      /* A signed-in answer: the session and the network were there a moment ago
         (js/offline/ui.js then saves without asking the server first). */
      form.dataset.sessionSeen = String(Date.now());
      return response.json();
    }).then(function (reply) {
      if (pending !== controller || answers() !== key) { return; }
      pending = null;
      if (reply["new"]) { show("online"); }
    }).catch(function () { /* No answer: the next page asks, as without this script. */ });
  }

  form.addEventListener("change", check);
  form.addEventListener("input", function (event) {
    if (event.target.name === "participant_code") { check(); }
  });
})();
