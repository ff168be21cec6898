"""Files uploaded for a browser import, kept on the server between the preview and the
confirmation.

They may hold raw UICs, so they live only in a private temporary folder named by a random
token (the session holds nothing but the token), are never put in the database, and are
deleted on confirm, on cancel, when the preview finds errors, and after a day at the latest.
"""

import re
import secrets
import shutil
import tempfile
import time
import zipfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

ALLOWED_SUFFIXES = (".csv", ".xlsx")
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_AGE_SECONDS = 24 * 3600
SESSION_KEY = "exchange_import_token"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")


class UploadError(ValueError):
    pass


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


def discard(token):
    folder = folder_for(token)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _purge_stale(root):
    limit = time.time() - MAX_AGE_SECONDS
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)


def store(upload):
    """Save an uploaded .csv/.xlsx file, or the .csv/.xlsx files of a .zip, into a fresh
    folder; returns (token, folder)."""
    root = upload_root()
    _purge_stale(root)
    token = secrets.token_urlsafe(24)
    folder = root / token
    folder.mkdir(mode=0o700)
    try:
        name = PurePosixPath(upload.name.replace("\\", "/")).name
        if name.lower().endswith(".zip"):
            _unzip(upload, folder)
        else:
            with open(folder / name, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return token, folder


def _unzip(upload, folder):
    try:
        archive = zipfile.ZipFile(upload)
    except zipfile.BadZipFile:
        raise UploadError(_("Tệp .zip bị hỏng hoặc không phải tệp .zip.")) from None
    with archive:
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and not info.filename.startswith("__MACOSX")
            and PurePosixPath(info.filename).suffix.lower() in ALLOWED_SUFFIXES
            and not PurePosixPath(info.filename).name.startswith(".")
        ]
        if sum(info.file_size for info in members) > MAX_UNZIPPED_BYTES:
            raise UploadError(_("Tệp .zip quá lớn khi giải nén (tối đa 200 MB)."))
        if not members:
            raise UploadError(_("Tệp .zip không chứa tệp .csv hay .xlsx nào."))
        names = set()
        for info in members:
            # Only the base name is used: no folder in the archive can point outside ours.
            name = PurePosixPath(info.filename).name
            if name in names:
                raise UploadError(_("Tệp .zip có hai tệp cùng tên %(name)s.") % {"name": name})
            names.add(name)
            with archive.open(info) as source, open(folder / name, "wb") as out:
                shutil.copyfileobj(source, out)
