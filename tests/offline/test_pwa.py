"""The installable web app: the manifest, the service worker served from the site's root with the
Workbox files the app serves itself, the "no network" page, and the hooks in the base layout."""

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from .phone import server_public_key

pytestmark = pytest.mark.django_db

FIELD_PAGES = [
    "/",
    "/participants/contacts/new/",
    "/participants/enrol/",
    "/referrals/new/",
    "/sites/groups/mine/",
]
WORKBOX = [
    f"/static/vendor/workbox-7.4.1/workbox-{name}.prod.js"
    for name in ("core", "routing", "strategies", "expiration", "precaching")
]


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def service_worker(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    config = json.loads(re.search(r"self\.PCMD_OFFLINE = (\{.*\});", script).group(1))
    imported = json.loads("[" + re.search(r"importScripts\((.*)\);", script).group(1) + "]")
    return config, imported


def test_the_service_worker_loads_workbox_from_the_site_itself(client):
    _config, imported = service_worker(client)
    assert imported == [*WORKBOX, "/static/js/offline/sw.js"]
    for url in imported:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"sourceMappingURL" not in body(response)
    licence = Path(finders.find("vendor/workbox-7.4.1/LICENSE")).read_text(encoding="utf-8")
    assert "Permission is hereby granted, free of charge" in licence  # MIT


def test_the_service_worker_keeps_the_field_pages_and_what_they_load(client):
    config, _imported = service_worker(client)
    assert config["pages"] == FIELD_PAGES
    assert config["fallback"] == "/offline/fallback/"
    precached = {entry["url"]: entry["revision"] for entry in config["precache"]}
    for url in (
        "/static/js/offline/queue.js",
        "/static/js/offline/ui.js",
        "/static/js/participants.js",
        "/static/css/app.css",
        "/static/bootstrap/css/bootstrap.min.css",
        "/offline/fallback/",
    ):
        assert url in precached
    for url, revision in precached.items():
        response = client.get(url)
        assert response.status_code == 200, url
        if url.startswith("/static/"):
            assert revision == hashlib.sha256(body(response)).hexdigest()[:16], url


def test_the_manifest_makes_the_site_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "/",
        "/",
        "standalone",
    )
    assert manifest["name"] == "PCMD — Phòng, chống mại dâm"
    sizes = set()
    for icon in manifest["icons"]:
        png = body(client.get(icon["src"]))
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert icon["sizes"] == f"{width}x{height}"
        sizes.add(width)
    assert {192, 512} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])


def test_the_no_network_page_holds_nothing_of_anyone(client_for, leader):
    page = client_for(leader).get(reverse("offline:fallback")).content.decode()
    assert "Chưa có mạng" in page
    for url in FIELD_PAGES:
        assert f'href="{url}"' in page
    assert "leader" not in page
    assert "csrfmiddlewaretoken" not in page


def test_a_field_page_carries_the_queue_and_the_servers_public_key(client_for, leader):
    page = client_for(leader).get(reverse("participants:contact_new")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert f'data-offline-user="{leader.pk}"' in page
    der = server_public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert f'data-key="{base64.b64encode(der).decode()}"' in page
    assert f'data-kid="{hashlib.sha256(der).hexdigest()[:16]}"' in page
    assert 'data-offline-form="contact"' in page
    assert 'id="offline-messages" type="application/json"' in page
    assert settings.OFFLINE_PRIVATE_KEY.split("\n")[1] not in page


@pytest.mark.parametrize(
    ("url", "form"),
    [
        ("participants:enrol", 'data-offline-form="enrolment"'),
        ("referrals:referral_new", 'data-offline-form="referral"'),
    ],
)
def test_the_enrolment_and_referral_forms_are_hooked(client_for, leader, url, form):
    assert form in client_for(leader).get(reverse(url)).content.decode()


def test_pages_of_people_who_queue_nothing_carry_no_key(client, ministry):
    login = client.get(reverse("login")).content.decode()
    assert 'data-offline-user=""' in login and 'data-key=""' in login
    client.force_login(ministry)
    home = client.get(reverse("home")).content.decode()
    assert 'data-offline-user=""' in home and 'data-key=""' in home
