/* Service worker of the field pages. /sw.js (offline/pwa.py) loads Workbox, sets
   self.PCMD_OFFLINE (what to keep on the phone) and then this file.

   - The files the field pages load, and the "no network" page, are stored when the worker
     installs (precache).
   - The field pages come from the network first; their last copy is kept and served when the
     network fails or is too slow. A page is kept only when fetched without a query string and
     only as a plain 200 page (never a redirect to the sign-in page). Pages kept for one user
     are dropped as soon as a page is kept for another (each page names its user).
   - Any other page needs the network; without it the "no network" page is shown instead of the
     browser's error page.
   - Nothing the pages send (POST) goes through the worker: the queue lives in the page
     (js/offline/queue.js), encrypted. */
(function () {
  "use strict";
  var config = self.PCMD_OFFLINE;
  var workbox = self.workbox;
  var NETWORK_TIMEOUT_SECONDS = 5;
  var OWNER_HEADER = "X-Pcmd-Owner";
  var OWNER_RE = /data-offline-user="(\d*)"/;
  var FLASH_RE = /class="alert alert-/;
  var pages = new Set(config.pages);
  var cacheOptions = { ignoreSearch: true, ignoreVary: true };

  workbox.core.setCacheNameDetails({ prefix: "pcmd" });
  self.addEventListener("install", function () { self.skipWaiting(); });
  workbox.core.clientsClaim();
  workbox.precaching.precacheAndRoute(config.precache);
  workbox.precaching.cleanupOutdatedCaches();

  function sameOrigin(url) { return url.origin === self.location.origin; }

  function isFieldPage(options) {
    return options.request.mode === "navigate" && sameOrigin(options.url) &&
      pages.has(options.url.pathname);
  }

  /* A copy of a page to keep, marked with its user (each page names its user in
     data-offline-user), once the other users' copies are dropped. Null for a page showing a
     one-time message (it may name a participant): the copy kept before stays. */
  async function markedCopy(response) {
    var body = await response.clone().text();
    if (FLASH_RE.test(body)) { return null; }
    var match = OWNER_RE.exec(body);
    var owner = match ? match[1] : "";
    var cache = await caches.open(config.pagesCache);
    var keys = await cache.keys();
    await Promise.all(keys.map(async function (key) {
      var kept = await cache.match(key, cacheOptions);
      if (!kept || kept.headers.get(OWNER_HEADER) !== owner) { await cache.delete(key, cacheOptions); }
    }));
    var headers = new Headers(response.headers);
    headers.set(OWNER_HEADER, owner);
    return new Response(body, { status: 200, statusText: response.statusText, headers: headers });
  }

  var pagePlugin = {
    cacheWillUpdate: async function (options) {
      var response = options.response;
      var plain = response && response.status === 200 && response.type === "basic" &&
        !response.redirected && new URL(options.request.url).search === "";
      return plain ? markedCopy(response) : null;
    }
  };

  var pageStrategy = new workbox.strategies.NetworkFirst({
    cacheName: config.pagesCache,
    networkTimeoutSeconds: NETWORK_TIMEOUT_SECONDS,
    plugins: [pagePlugin],
    matchOptions: cacheOptions
  });

  workbox.routing.registerRoute(
    function (options) { return isFieldPage(options) && options.url.pathname !== config.groupPage; },
    pageStrategy
  );

  /* "My group" answers with a redirect to the group's own page: follow it here and keep that
     page under this address, so it opens offline too. A redirect to the sign-in page (the
     session has ended) goes to the browser as a redirect and is never kept. */
  function withTimeout(promise) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(new Error("timeout")); },
        NETWORK_TIMEOUT_SECONDS * 1000);
      promise.then(
        function (value) { clearTimeout(timer); resolve(value); },
        function (error) { clearTimeout(timer); reject(error); }
      );
    });
  }

  async function groupPage(options) {
    var address = new URL(options.request.url);
    address.search = "";
    var cache = await caches.open(config.pagesCache);
    var response;
    try {
      response = await withTimeout(fetch(address.href, { credentials: "same-origin", redirect: "follow" }));
    } catch (error) {
      var kept = await cache.match(address.href, cacheOptions);
      if (kept) { return kept; }
      throw error;
    }
    if (response.redirected && new URL(response.url).pathname === config.loginPath) {
      return Response.redirect(response.url, 303);
    }
    /* Served under this address, the page must not look redirected. */
    var served = new Response(await response.clone().blob(), {
      status: response.status, statusText: response.statusText, headers: response.headers
    });
    if (response.status === 200 && response.type === "basic") {
      var copy = await markedCopy(response);
      if (copy) { await cache.put(address.href, copy); }
    }
    return served;
  }

  workbox.routing.registerRoute(
    function (options) { return isFieldPage(options) && options.url.pathname === config.groupPage; },
    groupPage
  );

  workbox.routing.registerRoute(
    function (options) {
      return sameOrigin(options.url) && options.url.pathname.indexOf(config.staticPrefix) === 0;
    },
    new workbox.strategies.StaleWhileRevalidate({
      cacheName: "pcmd-static",
      plugins: [new workbox.expiration.ExpirationPlugin({ maxEntries: 60 })]
    })
  );

  workbox.routing.registerRoute(
    function (options) { return options.request.mode === "navigate"; },
    new workbox.strategies.NetworkOnly()
  );

  workbox.routing.setCatchHandler(async function (options) {
    if (options.request.mode === "navigate") {
      var page = await workbox.precaching.matchPrecache(config.fallback);
      if (page) { return page; }
    }
    return Response.error();
  });
})();
