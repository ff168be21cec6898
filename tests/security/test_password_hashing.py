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


def _pbkdf2():
    return make_password(PASSWORD, hasher="pbkdf2_sha256")


def _argon2_at_djangos_defaults():
    hasher = Argon2PasswordHasher()
    return hasher.encode(PASSWORD, hasher.salt())


@override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS)
@pytest.mark.parametrize(
    ("old_hash", "old_prefix"),
    [
        pytest.param(_pbkdf2, "pbkdf2_sha256$", id="pbkdf2"),
        pytest.param(
            _argon2_at_djangos_defaults,
            "argon2$argon2id$v=19$m=102400,t=2,p=8$",
            id="argon2-at-djangos-defaults",
        ),
    ],
)
def test_an_older_hash_is_rewritten_at_the_next_sign_in(client, officer_hn, old_hash, old_prefix):
    officer_hn.password = old_hash()
    officer_hn.save(update_fields=["password"])
    assert officer_hn.password.startswith(old_prefix)

    response = client.post(reverse("login"), {"username": "officer_hn", "password": PASSWORD})

    assert response.status_code == 302
    officer_hn.refresh_from_db()
    assert officer_hn.password.startswith(OWASP)
    assert officer_hn.check_password(PASSWORD)


@override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS)
def test_a_new_password_is_hashed_with_argon2(officer_hn):
    officer_hn.set_password(PASSWORD)
    assert officer_hn.password.startswith(OWASP)
