"""The installable web app of the field pages: which pages open offline once visited, what the
service worker keeps on the phone, and the web app manifest.

The service worker (served at /sw.js so that its scope covers the whole site) is built on
Workbox, vendored in static/vendor/workbox-7.4.1 (see the README there); its logic is in
static/js/offline/sw.js and this module hands it its configuration.
"""

import functools
import hashlib
import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# Pages a field worker opens offline once visited: network first, the phone's copy when the
# network fails or is too slow. Only these pages are kept on the phone, and only as fetched
# without a query string (a page opened for one participant is never stored).
FIELD_PAGES = (
    "home",
    "participants:contact_new",
    "participants:enrol",
    "referrals:referral_new",
    "sites:peergroup_mine",
)
# What the field pages load, stored on the phone when the service worker installs.
PRECACHE = (
    "bootstrap/css/bootstrap.min.css",
    "bootstrap/js/bootstrap.bundle.min.js",
    "css/app.css",
    "css/participants.css",
    "css/offline.css",
    "js/participants.js",
    "js/referral_form.js",
    "js/offline/queue.js",
    "js/offline/ui.js",
    "icons/pcmd-192.png",
    "icons/pcmd-512.png",
)
WORKBOX_DIR = "vendor/workbox-7.4.1"
WORKBOX_MODULES = (
    "workbox-core",
    "workbox-routing",
    "workbox-strategies",
    "workbox-expiration",
    "workbox-precaching",
)
PAGES_CACHE = "pcmd-pages"
THEME_COLOR = "#123d6b"


def field_pages():
    return [reverse(name) for name in FIELD_PAGES]


def _revision(path):
    """A short digest of a static file's content (its URL alone changes only when the storage
    hashes names, which it does not on a developer's machine)."""
    found = finders.find(path)
    if found is None:
        with staticfiles_storage.open(path) as handle:
            content = handle.read()
    else:
        with open(found, "rb") as handle:
            content = handle.read()
    return hashlib.sha256(content).hexdigest()[:16]


def _fallback_revision():
    source = get_template("offline/fallback.html").template.source
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def _build_service_worker():
    precache = [{"url": static(path), "revision": _revision(path)} for path in PRECACHE]
    fallback = reverse("offline:fallback")
    precache.append({"url": fallback, "revision": _fallback_revision()})
    config = {
        "precache": precache,
        "pages": field_pages(),
        "groupPage": reverse("sites:peergroup_mine"),
        "loginPath": reverse("login"),
        "fallback": fallback,
        "staticPrefix": staticfiles_storage.base_url,
        "pagesCache": PAGES_CACHE,
    }
    modules = [static(f"{WORKBOX_DIR}/{name}.prod.js") for name in WORKBOX_MODULES]
    scripts = ", ".join(json.dumps(url) for url in [*modules, static("js/offline/sw.js")])
    return (
        "// PCMD service worker: configuration from offline.pwa, logic in js/offline/sw.js.\n"
        f"self.PCMD_OFFLINE = {json.dumps(config)};\n"
        f"importScripts({scripts});\n"
    )


_cached_service_worker = functools.cache(_build_service_worker)


def service_worker_script():
    """The /sw.js script. Built once per process; on a developer's machine (DEBUG) on every
    request, so that an edited static file reaches the phone's cache."""
    if settings.DEBUG:
        return _build_service_worker()
    return _cached_service_worker()


def manifest():
    return {
        "id": reverse("home"),
        "name": _("PCMD — Phòng, chống mại dâm"),
        "short_name": "PCMD",
        "description": _("Ghi nhận tiếp cận, ghi danh và chuyển gửi, cả khi mất mạng."),
        "lang": get_language(),
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": static("icons/pcmd-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/pcmd-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/pcmd-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
