/* The offline queue on the page: the header's count, the queue's panel, the field forms (sealed
   into the queue when the network or the session is gone), sign-out, and look-up of display
   codes. The hooks are data attributes: data-offline-queue (the panel, with the settings),
   data-offline-badge, form[data-offline-form=contact|enrolment|referral] (with
   data-offline-code-field, the participant-code input, and data-offline-then, where to go
   after a contact marked "refer now"), form[data-offline-signout]. Storage and sending are in
   js/offline/queue.js. */
(function () {
  "use strict";

  var panel = document.querySelector("[data-offline-queue]");
  var queue = window.PCMDOffline;
  if (!panel || !queue) { return; }
  var texts = JSON.parse(document.getElementById("offline-messages").textContent);
  var config = panel.dataset;
  var user = config.offlineUser;
  var server = { key: config.key, kid: config.kid };
  var urls = { sync: config.syncUrl, codes: config.codesUrl };
  var badge = document.querySelector("[data-offline-badge]");
  var statusLine = panel.querySelector("[data-offline-status]");
  var list = panel.querySelector("[data-offline-items]");
  var sendButton = panel.querySelector("[data-offline-send]");
  var signInLink = panel.querySelector("[data-offline-signin]");
  var discardButton = panel.querySelector("[data-offline-discard]");
  var CODES_FRESH_MS = 15 * 60 * 1000;
  var RETRY_MS = 30 * 1000;
  var SIGNOUT_SEND_MS = 10 * 1000;
  var SENT_SHOWN = 5;
  /* open: null until the user or a message opens or closes the panel; then true or false. */
  var state = { status: "", signIn: false, open: null };

  function counted(message, n) {
    return (n === 1 ? message.one : message.other).replace("{n}", String(n));
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function localDay(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate());
  }

  function say(text, options) {
    state.status = text;
    state.signIn = Boolean(options && options.signIn);
    state.open = true;
    render();
  }

  /* ---- the panel ---- */

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function itemRow(item) {
    var row = element("li", "list-group-item");
    row.dataset.offlineItem = item.state;
    var head = element("div", "d-flex justify-content-between gap-2 flex-wrap");
    var created = new Date(item.created);
    var when = pad(created.getDate()) + "/" + pad(created.getMonth() + 1) + " " +
      pad(created.getHours()) + ":" + pad(created.getMinutes());
    var title = [texts.kinds[item.kind] || item.kind];
    if (item.state === "refused") { title.push(item.person || texts.person_unknown); }
    title.push(when);
    head.appendChild(element("span", "", title.join(" · ")));
    var badgeClass = { waiting: "text-bg-warning", sent: "text-bg-success", refused: "text-bg-danger" }[item.state];
    head.appendChild(element("span", "badge " + badgeClass, texts.states[item.state]));
    row.appendChild(head);
    if (item.state === "refused") {
      var reasons = element("ul", "small mb-1 mt-1");
      item.errors.forEach(function (reason) { reasons.appendChild(element("li", "", reason)); });
      row.appendChild(reasons);
      /* An item whose refusal no change on the server can lift is not offered again. */
      var retryable = item.retry !== false;
      row.appendChild(element("p", "small mb-1", retryable ? texts.retry_help : texts.final_help));
      var actions = element("div", "d-flex gap-2");
      if (retryable) {
        var retry = element("button", "btn btn-sm btn-outline-primary", texts.retry);
        retry.type = "button";
        retry.addEventListener("click", function () { queue.retry(item.id).then(function () { sendNow(true); }); });
        actions.appendChild(retry);
      }
      var remove = element("button", "btn btn-sm btn-outline-secondary", texts.remove);
      remove.type = "button";
      remove.addEventListener("click", function () { queue.remove(item.id); });
      actions.appendChild(remove);
      row.appendChild(actions);
    }
    return row;
  }

  async function render() {
    var items = await queue.items();
    var mine = user ? items.filter(function (item) { return item.owner === user; }) : [];
    var others = items.filter(function (item) { return item.owner !== user && item.state === "waiting"; });
    var waiting = user ? mine.filter(function (item) { return item.state === "waiting"; }).length : others.length;
    var refused = mine.filter(function (item) { return item.state === "refused"; }).length;

    var lines = [];
    if (state.status) { lines.push(state.status); }
    if (refused) { lines.push(texts.refused_help); }
    if (!user && others.length) { lines.push(counted(texts.anonymous, others.length)); }
    if (user && others.length) { lines.push(counted(texts.other_user, others.length)); }
    statusLine.textContent = lines.join(" ");

    var newest = mine.slice().reverse();
    var sent = newest.filter(function (item) { return item.state === "sent"; }).slice(0, SENT_SHOWN);
    var shown = newest.filter(function (item) { return item.state !== "sent" || sent.indexOf(item) !== -1; });
    list.replaceChildren.apply(list, shown.map(itemRow));
    sendButton.hidden = !(user && mine.some(function (item) { return item.state === "waiting"; }));
    discardButton.hidden = !(user && others.length);
    signInLink.hidden = !(state.signIn || (!user && others.length));
    signInLink.href = config.loginUrl + "?next=" + encodeURIComponent(location.pathname);

    badge.hidden = !(waiting || refused);
    var parts = [];
    if (waiting) { parts.push(counted(texts.badge, waiting)); }
    if (refused) { parts.push("⚠ " + counted(texts.badge_refused, refused)); }
    badge.querySelector("[data-offline-badge-text]").textContent = parts.join(" · ");
    var content = lines.length || mine.length;
    var wanted = state.open === null ? Boolean(refused || others.length) : state.open;
    panel.hidden = !(content && wanted);
    badge.setAttribute("aria-expanded", String(!panel.hidden));
  }

  badge.addEventListener("click", function () {
    state.open = panel.hidden;
    render().then(function () { if (!panel.hidden) { panel.focus(); } });
  });

  /* ---- sending ---- */

  async function sendNow(asked) {
    if (!user) { return; }
    var result = await queue.send(user, urls);
    if (result.state === "ok") {
      say(texts.done.replace("{sent}", result.sent).replace("{refused}", result.refused));
      refreshCodes(true);
    } else if (result.state === "expired" || result.state === "other-user") {
      say(texts.expired, { signIn: true });
    } else if (result.state === "offline" && asked) {
      say(texts.offline);
    } else if (result.state === "error") {
      say(texts.failed.replace("{status}", result.status));
    }
  }

  sendButton.addEventListener("click", function () { say(texts.sending); sendNow(true); });

  discardButton.addEventListener("click", async function () {
    var others = (await queue.items()).filter(function (item) { return item.owner !== user && item.state === "waiting"; });
    if (others.length && window.confirm(counted(texts.discard_confirm, others.length))) {
      await queue.removeWhere(function (item) { return item.owner !== user; });
    }
  });

  /* ---- the field forms ---- */

  function enableButtons(form) {
    setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = false; });
    }, 0);
  }

  function fieldsOf(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") { fields.push([name, value]); }
    });
    return fields;
  }

  function submitAsUsual(form, csrf) {
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    if (token && csrf) { token.value = csrf; }
    form.dataset.offlinePass = "1";
    HTMLFormElement.prototype.submit.call(form);
  }

  /* The contact form's new-person questions: with no network the server cannot say whether
     the answers find someone, so they are asked on the same page and travel with the contact
     (used only when the answers find nobody). Online, the next page asks them when needed. */
  function newPersonSection(form) { return form.querySelector("[data-offline-new-person]"); }

  function byAnswers(form) {
    var code = form.elements.participant_code;
    var answered = ["mother_name", "father_name", "birth_date"].some(function (name) {
      return form.elements[name] && form.elements[name].value;
    }) || ["mother_unknown", "father_unknown"].some(function (name) {
      return form.elements[name] && form.elements[name].checked;
    });
    return answered && !(code && code.value.trim());
  }

  function showNewPerson(form, shown) {
    var section = newPersonSection(form);
    if (!section) { return; }
    section.hidden = !shown;
    section.disabled = !shown;
  }

  /* The enrolment travels when the person's consent is ticked; then its questions are due. */
  function requireNewPerson(form) {
    var section = newPersonSection(form);
    if (!section) { return; }
    var consent = form.elements.consent;
    var due = !section.disabled && Boolean(consent && consent.checked);
    section.querySelectorAll("input").forEach(function (input) {
      if (input.name !== "consent") { input.required = due; }
    });
  }

  /* A form whose script had a signed-in answer from the server this recently (the contact
     form's look-up, js/participants.js) is sent without asking first: one wait less on a slow
     network. Without a network (navigator.onLine) it is queued as always. */
  var SESSION_SEEN_MS = 60 * 1000;

  function sessionSeen(form) {
    var seen = Number(form.dataset.sessionSeen || 0);
    return navigator.onLine && Date.now() - seen < SESSION_SEEN_MS;
  }

  async function submitOrQueue(form) {
    var section = newPersonSection(form);
    var session = sessionSeen(form) ? { state: "ok" } : await queue.probe(urls);
    if (session.state === "ok" || session.state === "error") {
      /* Online, the questions go with the contact only when the server said nobody has the
         answers (js/participants.js); otherwise the next page asks them when needed. */
      if (!(section && section.dataset.mode === "online")) { showNewPerson(form, false); }
      submitAsUsual(form, session.csrf);
      return;
    }
    if (!user || !server.key || !queue.canSeal()) {
      say(texts.no_crypto);
      return;
    }
    if (section && byAnswers(form) && section.hidden) {
      showNewPerson(form, true);
      say(texts.new_person_needed);
      section.scrollIntoView({ block: "start" });
      return;
    }
    if (section && !byAnswers(form)) { showNewPerson(form, false); }
    requireNewPerson(form);
    if (!form.reportValidity()) { return; }
    var referNow = form.elements.refer_now && form.elements.refer_now.checked;
    await queue.add(form.dataset.offlineForm, fieldsOf(form), user, server);
    /* Nothing typed stays on the page. */
    form.reset();
    if (section) { section.dataset.mode = ""; }
    showNewPerson(form, false);
    form.querySelectorAll("details").forEach(function (details) { details.open = false; });
    if (session.state === "expired") {
      say(texts.queued_expired, { signIn: true });
    } else {
      say(texts.queued);
    }
    window.scrollTo(0, 0);
    panel.focus();
    if (referNow && form.dataset.offlineThen) { location.href = form.dataset.offlineThen; }
  }

  document.querySelectorAll("form[data-offline-form]").forEach(function (form) {
    var busy = false;
    /* A page opened with no network asks the new-person questions as soon as answers are
       typed. */
    form.addEventListener("input", function () {
      if (!navigator.onLine && byAnswers(form)) { showNewPerson(form, true); }
    });
    form.addEventListener("submit", function (event) {
      if (form.dataset.offlinePass === "1") { return; }
      event.preventDefault();
      if (busy) { return; }
      busy = true;
      submitOrQueue(form).catch(function () {
        /* Not stored (storage full, encryption refused): what was typed is still in the form. */
        say(texts.no_crypto);
      }).finally(function () {
        busy = false;
        if (form.dataset.offlinePass !== "1") { enableButtons(form); }
      });
    });
  });

  /* Back to a page the browser kept (back button): its forms ask again before going. */
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-offline-pass]").forEach(function (form) {
      delete form.dataset.offlinePass;
    });
  });

  /* A page kept on the phone since an earlier day still offers that day's date. */
  var today = localDay(new Date());
  if (config.renderedOn && config.renderedOn < today) {
    document.querySelectorAll("form[data-offline-form] input[type=date]").forEach(function (input) {
      if (input.value === config.renderedOn) { input.defaultValue = today; input.value = today; }
    });
  }

  /* ---- sign-out: nothing of this user's stays on the phone, and nothing waiting is lost
     without a warning ---- */

  document.querySelectorAll("form[data-offline-signout]").forEach(function (form) {
    form.addEventListener("submit", async function (event) {
      if (form.dataset.offlinePass === "1" || !user) { return; }
      event.preventDefault();
      /* One last try to send, for at most SIGNOUT_SEND_MS: whatever happens to it (a slow or
         broken network, an error), what still waits is counted and the question is asked. */
      await Promise.race([
        queue.send(user, urls).catch(function () { return null; }),
        new Promise(function (resolve) { window.setTimeout(resolve, SIGNOUT_SEND_MS); })
      ]);
      var waiting = (await queue.items()).filter(function (item) {
        return item.owner === user && item.state === "waiting";
      });
      if (waiting.length && !window.confirm(counted(texts.signout_confirm, waiting.length))) {
        render();
        return;
      }
      await queue.removeWhere(function (item) { return item.owner === user; });
      await queue.forgetCodes();
      if (window.caches) { await caches.delete(config.pagesCache); }
      form.dataset.offlinePass = "1";
      HTMLFormElement.prototype.submit.call(form);
    });
  });

  /* ---- look-up of display codes (a leader's group; codes only) ---- */

  function normalCode(text) {
    /* As participants.forms.normalize_code, for a hint only: the server decides. */
    var code = (text || "").toUpperCase().replace(/[\s-]/g, "");
    if (!code) { return ""; }
    if (code.length === 8 && code.charAt(0) === "P") { code = code.slice(1); }
    return "P-" + code;
  }

  var lookups = [];
  function showCodes(record) {
    lookups.forEach(function (lookup) {
      lookup.list.replaceChildren.apply(lookup.list, (record ? record.codes : []).map(function (code) {
        var option = document.createElement("option");
        option.value = code;
        return option;
      }));
      lookup.record = record;
      lookup.check();
    });
  }

  if (config.leader) {
    document.querySelectorAll("form[data-offline-code-field]").forEach(function (form) {
      var input = form.elements[form.dataset.offlineCodeField];
      if (!input) { return; }
      var lookup = { list: document.createElement("datalist"), hint: element("div", "small mt-1"), record: null };
      lookup.list.id = "offline-codes-" + input.name;
      input.setAttribute("list", lookup.list.id);
      lookup.hint.setAttribute("aria-live", "polite");
      lookup.hint.dataset.offlineCodeHint = "";
      input.insertAdjacentElement("afterend", lookup.hint);
      form.appendChild(lookup.list);
      lookup.check = function () {
        var code = normalCode(input.value);
        var complete = code.length === 9;
        if (!complete || !lookup.record) { lookup.hint.textContent = ""; return; }
        var known = lookup.record.codes.indexOf(code) !== -1;
        lookup.hint.textContent = known ? texts.code_known : texts.code_unknown;
        lookup.hint.className = "small mt-1 " + (known ? "text-success" : "text-warning-emphasis");
      };
      input.addEventListener("input", lookup.check);
      lookups.push(lookup);
    });
  }

  async function refreshCodes(force) {
    if (!config.leader || !user) { return; }
    var record = await queue.codes(user);
    var stale = !record || Date.now() - Date.parse(record.fetched) > CODES_FRESH_MS;
    if ((force || stale) && navigator.onLine) {
      try {
        record = (await queue.refreshCodes(user, urls.codes)) || record;
      } catch (error) {
        /* No network: the codes kept on the phone stay in use. */
      }
    }
    showCodes(record);
  }

  /* ---- start ---- */

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.swUrl, { scope: "/" });
  }
  window.addEventListener("pcmd-offline-change", render);
  window.addEventListener("online", function () { sendNow(false); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { sendNow(false); }
  });
  setInterval(function () { if (navigator.onLine) { sendNow(false); } }, RETRY_MS);
  queue.prune().then(render).then(function () { return sendNow(false); }).then(function () {
    return refreshCodes(false);
  });
})();
