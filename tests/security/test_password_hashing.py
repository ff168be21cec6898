"""Passwords are hashed with Argon2id at OWASP's parameters (19 MiB, 2 passes, 1 lane); a hash
made by PBKDF2 (before Argon2) or by Argon2 at Django's defaults (100 MiB, 8 lanes) still signs
in and is rewritten at that sign-in."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.test import override_settings
from django.urls import reverse

from config import settings as production

PASSWORD = "Mat-khau-thu-nghiem-2025"
OWASP = "argon2$argon2id$v=19$m=19456,t=2,p=1$"

pytestmark = pytest.mark.django_db


def test_argon2_first_and_pbkdf2_kept():
    assert production.PASSWORD_HASHERS[0] == "accounts.hashers.OwaspArgon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in production.PASSWORD_HASHERS


@override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS)
def test_a_pbkdf2_hash_is_upgraded_to_argon2_at_the_next_sign_in(client, officer_hn):
    officer_hn.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    officer_hn.save(update_fields=["password"])
    assert officer_hn.password.startswith("pbkdf2_sha256$")

    response = client.post(reverse("login"), {"username": "officer_hn", "password": PASSWORD})

    assert response.status_code == 302
    officer_hn.refresh_from_db()
    assert officer_hn.password.startswith(OWASP)
    assert officer_hn.check_password(PASSWORD)


@override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS)
def test_an_argon2_hash_at_djangos_defaults_is_rewritten_at_the_next_sign_in(client, officer_hn):
    django_default = Argon2PasswordHasher()
    officer_hn.password = django_default.encode(PASSWORD, django_default.salt())
    officer_hn.save(update_fields=["password"])
    assert officer_hn.password.startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$")

    response = client.post(reverse("login"), {"username": "officer_hn", "password": PASSWORD})

    assert response.status_code == 302
    officer_hn.refresh_from_db()
    assert officer_hn.password.startswith(OWASP)
    assert officer_hn.check_password(PASSWORD)


@override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS)
def test_a_new_password_is_hashed_with_argon2(officer_hn):
    officer_hn.set_password(PASSWORD)
    assert officer_hn.password.startswith(OWASP)
