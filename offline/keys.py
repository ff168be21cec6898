"""The server's key pair for the phones' offline queue.

Phones encrypt each waiting item with a fresh AES-GCM key and wrap that key with this pair's
public half (RSA-OAEP, SHA-256), so only the server can read what waits on a phone. The private
key comes from the `OFFLINE_PRIVATE_KEY` setting (PEM; required when DEBUG is off). Several PEM
blocks may follow each other: the first is the current key, the others are older ones kept only
to open items queued before a change of key. A developer's machine without the setting gets a
key made in memory for the life of the process.

`python -m offline.keys` prints a new private key (PEM) to put in the environment.
"""

import base64
import functools
import hashlib
import re

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# New production keys; a development or test process makes a smaller one, faster.
KEY_SIZE = 3072
MIN_KEY_SIZE = 2048
PEM_BLOCK = re.compile(
    r"-----BEGIN (?:RSA )?PRIVATE KEY-----.+?-----END (?:RSA )?PRIVATE KEY-----", re.S
)


def new_private_key_pem(key_size=KEY_SIZE):
    """A fresh RSA private key, PEM (PKCS#8, unencrypted)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_der(private_key):
    return private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_id(private_key):
    """A short name of the key pair that phones store beside each item."""
    return hashlib.sha256(public_der(private_key)).hexdigest()[:16]


@functools.lru_cache(maxsize=4)
def _load(pem):
    blocks = PEM_BLOCK.findall(pem)
    if not blocks:
        raise ImproperlyConfigured(
            "OFFLINE_PRIVATE_KEY không phải khoá riêng RSA dạng PEM. "
            "OFFLINE_PRIVATE_KEY is not an RSA private key in PEM form."
        )
    keys = []
    for block in blocks:
        key = serialization.load_pem_private_key(block.encode(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < MIN_KEY_SIZE:
            raise ImproperlyConfigured(
                f"OFFLINE_PRIVATE_KEY phải là khoá RSA từ {MIN_KEY_SIZE} bit trở lên. "
                f"OFFLINE_PRIVATE_KEY must be an RSA key of at least {MIN_KEY_SIZE} bits."
            )
        keys.append(key)
    return tuple(keys)


@functools.cache
def _development_key():
    return _load(new_private_key_pem(MIN_KEY_SIZE))


def private_keys():
    """(current key, *older keys)."""
    if settings.OFFLINE_PRIVATE_KEY:
        return _load(settings.OFFLINE_PRIVATE_KEY)
    if settings.DEBUG:
        return _development_key()
    raise ImproperlyConfigured("OFFLINE_PRIVATE_KEY is required when DEBUG is off.")


def current_key():
    return private_keys()[0]


def key_for(kid):
    """The private key whose public half is named `kid`, or None."""
    return next((key for key in private_keys() if key_id(key) == kid), None)


def public_key_spki():
    """The current public key as phones import it (SubjectPublicKeyInfo, DER, base64)."""
    return base64.b64encode(public_der(current_key())).decode()


if __name__ == "__main__":
    print(new_private_key_pem(), end="")
