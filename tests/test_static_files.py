"""Static files in production: collected under content-hashed names and served by WhiteNoise
with far-future, immutable caching, so a phone never asks for them again until they change; the
service worker precaches those same hashed URLs (a page asks for exactly what it holds)."""

import json
import re

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

from offline import pwa

pytestmark = pytest.mark.django_db

HASHED = re.compile(r"^/static/css/app\.[0-9a-f]{12}\.css$")


@pytest.fixture
def collected(settings, tmp_path):
    """The production storage (settings.py without DEBUG), after `collectstatic`."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", "--noinput", verbosity=0)
    return settings.STATIC_ROOT


def test_static_files_have_hashed_names_and_are_cached_for_good(collected):
    url = static("css/app.css")
    assert HASHED.match(url), url
    response = Client().get(url, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] == "gzip"
    # The name without its hash still answers, but is checked again (no immutable caching).
    plain = Client().get("/static/css/app.css")
    assert plain.status_code == 200 and "immutable" not in plain["Cache-Control"]


def test_the_service_worker_precaches_the_hashed_urls(collected):
    script = pwa._build_service_worker()
    config = json.loads(script.split("self.PCMD_OFFLINE = ", 1)[1].split(";\n", 1)[0])
    urls = [entry["url"] for entry in config["precache"]]
    assert static("css/app.css") in urls and any(HASHED.match(u) for u in urls)
    assert "/static/css/app.css" not in urls
    for url in urls[:-1]:  # every file but the "no network" page, from the collected files
        response = Client().get(url)
        assert response.status_code == 200, url
        assert "immutable" in response["Cache-Control"], url
    assert re.search(
        r'importScripts\("/static/vendor/workbox-7\.4\.1/workbox-core\.prod\.[0-9a-f]{12}\.js',
        script,
    )
