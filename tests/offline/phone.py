"""What a phone's queue (static/js/offline/queue.js) sends, done in Python for the tests: the
form's fields as [name, value] pairs in JSON, encrypted with a fresh AES-256-GCM key under
additional data "pcmd-offline/1|<id>|<kind>|<user id>", the AES key wrapped with the server's
public RSA key (RSA-OAEP, SHA-256). Written from that description, not from offline/sealing.py."""

import base64
import hashlib
import json
import os
import uuid

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.urls import reverse

OAEP = padding.OAEP(
    mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None
)


def server_public_key(pem=None):
    """The public half of the key in the setting (its first PEM block)."""
    pem = pem or settings.OFFLINE_PRIVATE_KEY
    first = pem[: pem.index("-----END PRIVATE KEY-----") + len("-----END PRIVATE KEY-----")]
    return serialization.load_pem_private_key(first.encode(), password=None).public_key()


def kid_of(public_key):
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()[:16]


def b64(data):
    return base64.b64encode(data).decode()


def seal(fields, *, user, kind, client_id=None, public_key=None, aad_user=None):
    """One queue item as the phone sends it. `fields`: a dict (lists for repeated names)."""
    client_id = client_id or uuid.uuid4()
    public_key = public_key or server_public_key()
    pairs = [
        [name, str(value)]
        for name, values in fields.items()
        for value in (values if isinstance(values, list) else [values])
    ]
    content_key = AESGCM.generate_key(bit_length=256)
    iv = os.urandom(12)
    aad = f"pcmd-offline/1|{client_id}|{kind}|{(aad_user or user).pk}".encode()
    data = AESGCM(content_key).encrypt(iv, json.dumps({"fields": pairs}).encode(), aad)
    return {
        "id": str(client_id),
        "kind": kind,
        "kid": kid_of(public_key),
        "key": b64(public_key.encrypt(content_key, OAEP)),
        "iv": b64(iv),
        "data": b64(data),
    }


def send(client, *items):
    return client.post(
        reverse("offline:sync"), json.dumps({"items": list(items)}), content_type="application/json"
    )


def results(response):
    assert response.status_code == 200, response.content
    return [(r["status"], r["errors"]) for r in response.json()["results"]]
