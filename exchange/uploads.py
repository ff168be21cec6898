"""Uploaded files of a browser import: in memory while they are checked, and kept between the
preview and the confirmation only encrypted.

An import may hold raw UICs. `MemoryOnlyUploadHandler` (settings.FILE_UPLOAD_HANDLERS) keeps
every uploaded file in memory, up to EXCHANGE_MAX_UPLOAD_MB, so it is never written in clear
to a temporary file that a worker dying on it would leave behind; the preview reads it from
there. Only an upload whose preview found no error is kept for the confirmation: encrypted
(AES-256-GCM) in a private temporary folder named by a random token.

Where the key is (README "Import previews"): only in the user's browser, in its own cookie
(HttpOnly, SameSite=Strict, sent only to the import page, lasting as long as the preview). The
session, which rests in the database (`django_session`), holds only the token and when the
preview expires; the server keeps the key nowhere. A copy of the database and of the temporary
folder together still decrypt nothing.

A preview is destroyed on confirm, on cancel, when another file is uploaded, at sign-out, once
EXCHANGE_PREVIEW_MINUTES have passed (refused after that, and deleted by the next upload or by
`manage.py clearpreviews`, scheduled like `clearsessions`), and every pending preview when a
person is erased (privacy.services: the server cannot tell, without the keys, whose UICs a
preview holds).
"""

import functools
import io
import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.dispatch import receiver

SESSION_KEY = "exchange_import_token"
# The upload's file name and when its preview expires (never its key).
CIPHER_SESSION_KEY = "exchange_import_cipher"
KEY_COOKIE = "pcmd_import_key"
STORED_NAME = "upload.bin"
NONCE_BYTES = 12


def max_upload_bytes():
    return settings.EXCHANGE_MAX_UPLOAD_MB * 1024 * 1024


class MemoryOnlyUploadHandler(FileUploadHandler):
    """Keeps an uploaded file in memory whatever its size. Past `max_upload_bytes()` the rest
    is read and dropped: the file arrives empty, with the `size` it had, and the upload form
    refuses it for that size."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file = io.BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received <= max_upload_bytes():
            self.file.write(raw_data)
        elif self.file.tell():
            self.file = io.BytesIO()

    def file_complete(self, file_size):
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def upload_root():
    root = Path(
        getattr(settings, "EXCHANGE_UPLOAD_DIR", None)
        or Path(tempfile.gettempdir()) / "pcmd-imports"
    )
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def folder_for(token):
    """The folder of a token from the session, or None if it is malformed or gone."""
    if (
        not token
        or not isinstance(token, str)
        or not token.replace("-", "").replace("_", "").isalnum()
    ):
        return None
    folder = upload_root() / token
    return folder if folder.is_dir() else None


def discard(session):
    """Forget the upload kept in `session`, if any, and delete its file."""
    session.pop(CIPHER_SESSION_KEY, None)
    folder = folder_for(session.pop(SESSION_KEY, None))
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def lifetime_seconds():
    return settings.EXCHANGE_PREVIEW_MINUTES * 60


def purge_expired(now=None):
    """Delete every kept upload older than EXCHANGE_PREVIEW_MINUTES. Returns how many."""
    limit = (time.time() if now is None else now) - lifetime_seconds()
    purged = 0
    for folder in upload_root().iterdir():
        if folder.is_dir() and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)
            purged += 1
    return purged


def purge_all():
    """Delete every kept upload, whoever left it (a person was erased). Returns how many."""
    purged = 0
    for folder in upload_root().iterdir():
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            purged += 1
    return purged


def set_key_cookie(response, key, path):
    """The preview's key goes to the browser only."""
    response.set_cookie(
        KEY_COOKIE,
        key.hex(),
        max_age=lifetime_seconds(),
        path=path,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def forget_key_cookie(response, path):
    response.delete_cookie(KEY_COOKIE, path=path, samesite="Strict")


def keep(session, name, data):
    """Keep an upload (its file name and bytes) for the confirmation: encrypted under a new key,
    in a new folder named by a token held in `session` with the expiry. Returns the key, for
    the browser's cookie (`set_key_cookie`); the server keeps no copy."""
    discard(session)
    root = upload_root()
    purge_expired()
    token = secrets.token_urlsafe(24)
    key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(NONCE_BYTES)
    folder = root / token
    folder.mkdir(mode=0o700)
    try:
        with open(folder / STORED_NAME, "xb") as out:
            out.write(nonce)
            out.write(AESGCM(key).encrypt(nonce, data, token.encode()))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    session[SESSION_KEY] = token
    session[CIPHER_SESSION_KEY] = {"name": name, "expires": time.time() + lifetime_seconds()}
    return key


def take(session, key_hex):
    """The upload kept by `keep` as (file name, bytes), given the key from the browser's
    cookie; None if it is gone, expired or cannot be decrypted. Its file is deleted either
    way."""
    token = session.pop(SESSION_KEY, None)
    kept = session.pop(CIPHER_SESSION_KEY, None)
    folder = folder_for(token)
    if folder is None:
        return None
    try:
        if not isinstance(kept, dict) or not isinstance(key_hex, str):
            return None
        if not time.time() < kept["expires"] or not _fresh(folder):
            return None
        blob = (folder / STORED_NAME).read_bytes()
        data = AESGCM(bytes.fromhex(key_hex)).decrypt(
            blob[:NONCE_BYTES], blob[NONCE_BYTES:], token.encode()
        )
    except (OSError, ValueError, KeyError, TypeError, InvalidTag):
        return None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return kept.get("name", ""), data


def _fresh(folder):
    return folder.stat().st_mtime >= time.time() - lifetime_seconds()


def import_path():
    from django.urls import reverse

    return reverse("exchange:import")


def forget_at_logout(view):
    """Wraps the sign-out view: the preview's key cookie is deleted with the session (its file
    is deleted by `discard_at_logout`)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        forget_key_cookie(response, import_path())
        return response

    return wrapped


@receiver(user_logged_out, dispatch_uid="exchange.discard_at_logout")
def discard_at_logout(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        discard(request.session)
