/* The phone's offline queue (no DOM here; js/offline/ui.js draws it and hooks the forms).

   What waits is sealed before it is stored: the form's fields are encrypted with a fresh
   AES-256-GCM key, and that key is wrapped with the server's public RSA key (RSA-OAEP,
   SHA-256). Only the server can open an item (offline/sealing.py); what the phone keeps in
   IndexedDB is the item's id (made here, crypto.randomUUID), its kind, its owner (a user id),
   when it was made, its state (waiting, sent, refused with the server's reasons) and the
   sealed bytes. Never an answer in clear; only a refused item keeps, beside the server's
   reasons, whom it is about (the display code, or the code the answers make when they found
   nobody), so the leader can enter it again, and whether sending it again can succeed.

   The server records each item once by its id, so a resend (a lost answer, "Gửi ngay" tapped
   twice, two tabs) never writes a second record. */
(function () {
  "use strict";

  var DB_NAME = "pcmd-offline";
  var ITEMS = "items";
  var META = "meta";
  var AAD_PREFIX = "pcmd-offline/1";
  var BATCH = 20;
  var PROBE_TIMEOUT_MS = 8000;
  var SEND_TIMEOUT_MS = 30000;
  var SENT_KEPT_MS = 24 * 60 * 60 * 1000;

  function request(idbRequest) {
    return new Promise(function (resolve, reject) {
      idbRequest.onsuccess = function () { resolve(idbRequest.result); };
      idbRequest.onerror = function () { reject(idbRequest.error); };
    });
  }

  var opened = null;
  function database() {
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        var open = indexedDB.open(DB_NAME, 1);
        open.onupgradeneeded = function () {
          var db = open.result;
          db.createObjectStore(ITEMS, { keyPath: "id" });
          db.createObjectStore(META, { keyPath: "name" });
        };
        open.onsuccess = function () { resolve(open.result); };
        open.onerror = function () { reject(open.error); };
      });
    }
    return opened;
  }

  async function store(name, mode) {
    var db = await database();
    return db.transaction(name, mode).objectStore(name);
  }

  async function allItems() {
    var items = await request((await store(ITEMS, "readonly")).getAll());
    return items.sort(function (a, b) { return a.created < b.created ? -1 : a.created > b.created ? 1 : 0; });
  }

  /* A write is done when its transaction has committed, not when its request has succeeded:
     sign-out navigates away right after deleting, and a page that unloads aborts the
     transactions it has not committed yet (the deleted items would come back). */
  async function write(name, work) {
    var db = await database();
    return new Promise(function (resolve, reject) {
      var transaction = db.transaction(name, "readwrite");
      work(transaction.objectStore(name));
      transaction.oncomplete = function () { resolve(); };
      transaction.onerror = function () { reject(transaction.error); };
      transaction.onabort = function () { reject(transaction.error); };
    });
  }

  function putItem(item) { return write(ITEMS, function (items) { items.put(item); }); }
  async function getItem(id) { return request((await store(ITEMS, "readonly")).get(id)); }
  function deleteItems(ids) {
    return write(ITEMS, function (items) { ids.forEach(function (id) { items.delete(id); }); });
  }
  function deleteItem(id) { return deleteItems([id]); }
  /* An answer from the server that arrives after the item was removed (sign-out, "Bỏ") must not
     bring it back: the item is replaced only if it is still there, in one transaction. */
  function replaceItem(item) {
    return write(ITEMS, function (items) {
      var found = items.getKey(item.id);
      found.onsuccess = function () { if (found.result !== undefined) { items.put(item); } };
    });
  }

  async function getMeta(name) { return request((await store(META, "readonly")).get(name)); }
  function putMeta(record) { return write(META, function (meta) { meta.put(record); }); }
  function deleteMeta(name) { return write(META, function (meta) { meta.delete(name); }); }

  function changed() { window.dispatchEvent(new CustomEvent("pcmd-offline-change")); }

  /* ---- sealing ---- */

  function toBase64(buffer) {
    var bytes = new Uint8Array(buffer);
    var text = "";
    for (var i = 0; i < bytes.length; i += 1) { text += String.fromCharCode(bytes[i]); }
    return btoa(text);
  }

  function fromBase64(text) {
    var raw = atob(text);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function canSeal() {
    return Boolean(window.isSecureContext && window.crypto && crypto.subtle && crypto.randomUUID &&
      window.indexedDB);
  }

  function additionalData(id, kind, owner) {
    return new TextEncoder().encode([AAD_PREFIX, id, kind, owner].join("|"));
  }

  async function seal(fields, meta) {
    var publicKey = await crypto.subtle.importKey(
      "spki", fromBase64(meta.key), { name: "RSA-OAEP", hash: "SHA-256" }, false, ["encrypt"]
    );
    var contentKey = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt"]);
    var iv = crypto.getRandomValues(new Uint8Array(12));
    var data = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: iv, additionalData: additionalData(meta.id, meta.kind, meta.owner) },
      contentKey,
      new TextEncoder().encode(JSON.stringify({ fields: fields }))
    );
    var wrapped = await crypto.subtle.encrypt(
      { name: "RSA-OAEP" }, publicKey, await crypto.subtle.exportKey("raw", contentKey)
    );
    return { kid: meta.kid, key: toBase64(wrapped), iv: toBase64(iv), data: toBase64(data) };
  }

  /* Seal `fields` ([name, value] pairs) and put them in the queue. Returns the item. */
  async function add(kind, fields, owner, server) {
    var id = crypto.randomUUID();
    var sealed = await seal(fields, { id: id, kind: kind, owner: owner, key: server.key, kid: server.kid });
    var item = {
      id: id, kind: kind, owner: owner, created: new Date().toISOString(), state: "waiting",
      errors: [], kid: sealed.kid, key: sealed.key, iv: sealed.iv, data: sealed.data
    };
    await putItem(item);
    changed();
    return item;
  }

  /* ---- talking to the server ---- */

  function timed(ms) {
    var controller = new AbortController();
    setTimeout(function () { controller.abort(); }, ms);
    return controller.signal;
  }

  /* Who is signed in, and a fresh CSRF token: {state: "ok", user, csrf} | {state: "expired"} |
     {state: "offline"} | {state: "error", status}. */
  async function probe(urls) {
    if (!navigator.onLine) { return { state: "offline" }; }
    var response;
    try {
      response = await fetch(urls.sync, {
        credentials: "same-origin", redirect: "manual", cache: "no-store",
        headers: { Accept: "application/json" }, signal: timed(PROBE_TIMEOUT_MS)
      });
    } catch (error) {
      return { state: "offline" };
    }
    if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
      return { state: "expired" };
    }
    if (!response.ok) { return { state: "error", status: response.status }; }
    var body = await response.json();
    return { state: "ok", user: String(body.user), csrf: body.csrf };
  }

  function settle(item, result) {
    if (result.status === "accepted") {
      return {
        id: item.id, kind: item.kind, owner: item.owner, created: item.created, state: "sent",
        sent: new Date().toISOString(), errors: []
      };
    }
    return Object.assign({}, item, {
      state: "refused", errors: result.errors || [], person: result.person || "",
      retry: result.retry !== false
    });
  }

  async function post(urls, csrf, batch) {
    return fetch(urls.sync, {
      method: "POST", credentials: "same-origin", redirect: "manual", cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({
        items: batch.map(function (item) {
          return { id: item.id, kind: item.kind, kid: item.kid, key: item.key, iv: item.iv, data: item.data };
        })
      }),
      signal: timed(SEND_TIMEOUT_MS)
    });
  }

  /* Send `owner`'s waiting items. Resolves to {state, sent, refused, status?}; state is "ok",
     "idle" (nothing waits), "busy" (a send is running), "offline", "expired", "other-user" or
     "error". */
  async function sendOnce(owner, urls) {
    var waiting = (await allItems()).filter(function (item) {
      return item.owner === owner && item.state === "waiting";
    });
    if (!waiting.length) { return { state: "idle", sent: 0, refused: 0 }; }
    var session = await probe(urls);
    if (session.state !== "ok") { return Object.assign(session, { sent: 0, refused: 0 }); }
    if (session.user !== owner) { return { state: "other-user", sent: 0, refused: 0 }; }
    var summary = { state: "ok", sent: 0, refused: 0 };
    for (var start = 0; start < waiting.length; start += BATCH) {
      var batch = waiting.slice(start, start + BATCH);
      var response;
      try {
        response = await post(urls, session.csrf, batch);
      } catch (error) {
        return Object.assign(summary, { state: "offline" });
      }
      if (response.type === "opaqueredirect") { return Object.assign(summary, { state: "expired" }); }
      if (!response.ok) { return Object.assign(summary, { state: "error", status: response.status }); }
      var results = (await response.json()).results || [];
      for (var i = 0; i < results.length; i += 1) {
        var item = batch.find(function (candidate) { return candidate.id === results[i].id; });
        if (!item) { continue; }
        await replaceItem(settle(item, results[i]));
        summary[results[i].status === "accepted" ? "sent" : "refused"] += 1;
      }
      changed();
    }
    return summary;
  }

  var running = null;
  function send(owner, urls) {
    if (running) { return Promise.resolve({ state: "busy", sent: 0, refused: 0 }); }
    var work = navigator.locks
      ? navigator.locks.request("pcmd-offline-send", { ifAvailable: true }, function (lock) {
        return lock ? sendOnce(owner, urls) : { state: "busy", sent: 0, refused: 0 };
      })
      : sendOnce(owner, urls);
    running = Promise.resolve(work).finally(function () { running = null; });
    return running;
  }

  async function retry(id) {
    var item = await getItem(id);
    if (item && item.state === "refused" && item.retry !== false) {
      await putItem(Object.assign(item, { state: "waiting", errors: [] }));
      changed();
    }
  }

  async function remove(id) { await deleteItem(id); changed(); }

  /* Items of other users, or everything of `owner`: on sign-out, after the warning. */
  async function removeWhere(test) {
    var items = (await allItems()).filter(test);
    await deleteItems(items.map(function (item) { return item.id; }));
    changed();
    return items.length;
  }

  async function prune() {
    var limit = Date.now() - SENT_KEPT_MS;
    await removeWhere(function (item) { return item.state === "sent" && Date.parse(item.sent) < limit; });
  }

  /* ---- display codes for look-up (codes only) ---- */

  async function codes(owner) {
    var record = await getMeta("codes");
    return record && record.owner === owner ? record : null;
  }

  async function refreshCodes(owner, url) {
    var response = await fetch(url, {
      credentials: "same-origin", redirect: "manual", cache: "no-store",
      headers: { Accept: "application/json" }, signal: timed(PROBE_TIMEOUT_MS)
    });
    if (!response.ok) { return null; }
    var body = await response.json();
    var record = { name: "codes", owner: owner, codes: body.codes, fetched: new Date().toISOString() };
    await putMeta(record);
    return record;
  }

  async function forgetCodes() { await deleteMeta("codes"); }

  window.PCMDOffline = {
    canSeal: canSeal,
    items: allItems,
    add: add,
    send: send,
    retry: retry,
    remove: remove,
    removeWhere: removeWhere,
    prune: prune,
    probe: probe,
    codes: codes,
    refreshCodes: refreshCodes,
    forgetCodes: forgetCodes
  };
})();
