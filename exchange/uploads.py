"""Uploaded files of a browser import: in memory while they are checked, and kept between the
preview and the confirmation only encrypted.

An import may hold raw UICs. `MemoryOnlyUploadHandler` (settings.FILE_UPLOAD_HANDLERS) keeps
every uploaded file in memory, up to EXCHANGE_MAX_UPLOAD_MB, so it is never written in clear
to a temporary file that a worker dying on it would leave behind; the preview reads it from
there. Only an upload whose preview found no error is kept for the confirmation: encrypted
(AES-256-GCM) under a fresh key that lives only in the user's session, in a private temporary
folder named by a random token. It is deleted on confirm, on cancel, when another file is
uploaded, and after a day at the latest; without the session it cannot be read.
"""

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
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

MAX_AGE_SECONDS = 24 * 3600
SESSION_KEY = "exchange_import_token"
CIPHER_SESSION_KEY = "exchange_import_cipher"
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


def _purge_stale(root):
    limit = time.time() - MAX_AGE_SECONDS
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)


def keep(session, name, data):
    """Keep an upload (its file name and bytes) for the confirmation: encrypted under a new key
    held in `session`, in a new folder named by a token also held there."""
    discard(session)
    root = upload_root()
    _purge_stale(root)
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
    session[CIPHER_SESSION_KEY] = {"key": key.hex(), "name": name}


def take(session):
    """The upload kept by `keep` as (file name, bytes), or None if it is gone, expired or
    cannot be decrypted. Its file is deleted either way."""
    token = session.pop(SESSION_KEY, None)
    secret = session.pop(CIPHER_SESSION_KEY, None)
    folder = folder_for(token)
    if folder is None:
        return None
    try:
        if not isinstance(secret, dict):
            return None
        blob = (folder / STORED_NAME).read_bytes()
        data = AESGCM(bytes.fromhex(secret["key"])).decrypt(
            blob[:NONCE_BYTES], blob[NONCE_BYTES:], token.encode()
        )
    except (OSError, ValueError, KeyError, TypeError, InvalidTag):
        return None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return secret.get("name", ""), data
