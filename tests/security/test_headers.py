"""Security headers: Content-Security-Policy without inline scripts or styles, HSTS, frame
denial, referrer policy, no-sniff; production settings pass `check --deploy`."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.urlsweep import walk

BASE_DIR = Path(settings.BASE_DIR)
EXPECTED_CSP = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
}
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I
)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=\s*[\"']", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=\s*[\"']", re.I)
ADMIN_PAGES = [
    "/admin/",
    "/admin/accounts/user/",
    "/admin/accounts/user/add/",
    "/admin/auditlog/logentry/",
    "/admin/accounts/activityevent/",
    "/admin/sites/site/",
    "/admin/sites/region/add/",
    "/admin/participants/participant/",
    "/admin/referrals/referral/",
]


def policy(response):
    header = response["Content-Security-Policy"]
    return {part.strip() for part in header.split(";") if part.strip()}


def inline_code(content):
    return (
        INLINE_SCRIPT.findall(content)
        + INLINE_STYLE.findall(content)
        + INLINE_HANDLER.findall(content)
    )


@pytest.mark.django_db
def test_every_page_sends_the_policy_and_the_other_headers(client, officer_hn):
    for response in (client.get(reverse("login")), client.get(reverse("home"))):
        assert policy(response) == EXPECTED_CSP
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(officer_hn)
    assert policy(client.get(reverse("home"))) == EXPECTED_CSP


@pytest.mark.django_db
def test_https_responses_carry_hsts(client):
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in response["Strict-Transport-Security"]


@pytest.mark.django_db
def test_admin_pages_need_no_inline_code(client, admin_user):
    """The Django admin works under the strict policy: no exemption is needed."""
    client.force_login(admin_user)
    for url in ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert policy(response) == EXPECTED_CSP
        assert inline_code(response.content.decode()) == [], url


@pytest.mark.django_db
def test_no_app_page_has_inline_scripts_styles_or_handlers(client, personas):
    """Every page reachable with GET, as each role that may open it: nothing the policy would
    block (so nothing breaks silently in the browser)."""
    failures = []
    client.raise_request_exception = False  # a crashing page is the access sweep's finding
    for route in walk():
        for label, user in personas.items():
            if route.rule != "public" and user.role not in route.rule:
                continue
            client.force_login(user)
            response = client.get(route.path)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            found = inline_code(response.content.decode())
            if found:
                failures.append(f"{label} {route.path}: {found[:3]}")
            break
    assert failures == []


def _production_env(**extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "DEBUG", "SECRET_KEY", "UIC_SECRET"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="x" * 20 + "production-like-secret-key-for-the-deploy-check-0123456789",
        UIC_SECRET="check",
        ALLOWED_HOSTS="pcmd.example.gov.vn",
        DJANGO_SETTINGS_MODULE="config.settings",
        **extra,
    )
    return env


def test_production_settings_pass_the_deploy_check():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure_and_short_lived():
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ("
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
        "'SESSION_COOKIE_AGE', 'SESSION_SAVE_EVERY_REQUEST', 'X_FRAME_OPTIONS', "
        "'SECURE_REFERRER_POLICY', 'AXES_ENABLED', 'AXES_FAILURE_LIMIT', 'DEBUG')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_AGE": 1800,
        "SESSION_SAVE_EVERY_REQUEST": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
        "AXES_ENABLED": True,
        "AXES_FAILURE_LIMIT": 5,
        "DEBUG": False,
    }
