"""The server's key pair for the phones' queue: required in production, never in the repository,
made in memory on a developer's machine; a setting that is not a strong RSA key is refused."""

import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from offline import keys


def pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def test_production_does_not_start_without_the_key():
    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 60,
        "UIC_SECRET": "check",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode != 0
    assert "OFFLINE_PRIVATE_KEY" in result.stderr
    assert "SECRET_KEY," not in result.stderr  # only what is missing is named


def test_the_command_prints_a_new_3072_bit_key():
    result = subprocess.run(
        [sys.executable, "-m", "offline.keys"],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=True,
    )
    key = serialization.load_pem_private_key(result.stdout.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 3072


@pytest.mark.parametrize(
    "value",
    [
        "not a key",
        pem(rsa.generate_private_key(public_exponent=65537, key_size=1024)),  # noqa: S505
        pem(ec.generate_private_key(ec.SECP256R1())),
    ],
    ids=["text", "rsa-1024", "ec"],
)
def test_a_setting_that_is_not_a_strong_rsa_key_is_refused(settings, value):
    settings.OFFLINE_PRIVATE_KEY = value
    with pytest.raises(ImproperlyConfigured):
        keys.private_keys()
    # `manage.py check` (and so migrate and runserver) stops on it.
    assert "offline.E001" in [message.id for message in checks.run_checks()]


def test_a_developers_machine_gets_a_key_made_in_memory(settings):
    settings.OFFLINE_PRIVATE_KEY = ""
    settings.DEBUG = True
    made = keys.current_key()
    assert made.key_size == 2048 and keys.current_key() is made
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured):
        keys.current_key()


def test_no_private_key_is_in_the_repository():
    tracked = subprocess.run(
        ["grep", "-rlI", "--exclude-dir=.venv", "--exclude-dir=.git", "BEGIN PRIVATE KEY", "."],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    ).stdout.split()
    assert [path for path in tracked if not path.startswith("./tests/")] == []
