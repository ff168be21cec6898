"""Items of a phone's offline queue as they travel: sealed on the phone, opened here.

Each item is sealed on the phone (static/js/offline/queue.js) with a fresh AES-256-GCM key;
that key is wrapped with the server's public RSA key (RSA-OAEP, SHA-256). The additional
authenticated data binds the ciphertext to the item's id, its kind and the user who queued it,
so an item cannot be replayed under another id or opened in another user's session. What it
holds (the form's fields, UIC answers included) lives only in the memory of one request.
"""

import base64
import binascii
import json
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from accounts.params import TooDeep, json_loads_bounded

from . import keys
from .models import Submission

AAD_PREFIX = "pcmd-offline/1"
MAX_ITEMS = 50
MAX_SEALED_BYTES = 64 * 1024
MAX_FIELDS = 200
MAX_VALUE_LENGTH = 2000
# {"items": [{…}]} and {"fields": [[name, value], …]}: a little room, never a thousand levels.
MAX_BATCH_DEPTH = 4
MAX_ITEM_DEPTH = 4
OAEP = padding.OAEP(
    mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None
)

UNREADABLE = _(
    "Không đọc được mục này (dữ liệu bị hỏng hoặc được mã hoá cho tài khoản khác). Hãy nhập lại."
)
TOO_DEEP = _("Dữ liệu gửi lên lồng nhau quá sâu: không có mục nào được ghi. Hãy gửi lại.")
OLD_KEY = _(
    "Mục này được mã hoá bằng một khoá máy chủ không còn dùng nên không đọc được. Hãy nhập lại."
)


class BatchError(ValueError):
    """A request that is not a batch of queue items: refused as a whole."""


@dataclass(frozen=True)
class SealedItem:
    client_id: uuid.UUID
    kind: str
    kid: str
    key: bytes
    iv: bytes
    data: bytes


def _bytes(value, limit):
    if not isinstance(value, str) or len(value) > limit * 4 // 3 + 4:
        raise ValueError
    return base64.b64decode(value, validate=True)


def parse_batch(body):
    """The items of a sync request's JSON body: {"items": [{"id", "kind", "kid", "key", "iv",
    "data"}, …]}. Raises BatchError when the body is not such a batch; an item whose seal is
    malformed is still returned (with empty bytes) so it can be refused by its id."""
    try:
        batch = json_loads_bounded(body, max_depth=MAX_BATCH_DEPTH)
    except TooDeep as error:
        # Nothing is written: the phone keeps every item of the batch.
        raise BatchError(TOO_DEEP) from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BatchError(_("Dữ liệu gửi lên không đúng định dạng.")) from error
    items = batch.get("items") if isinstance(batch, dict) else None
    if not isinstance(items, list) or not items or len(items) > MAX_ITEMS:
        raise BatchError(_("Mỗi lần gửi cần từ 1 đến %(max)s mục.") % {"max": MAX_ITEMS})
    parsed, seen = [], set()
    for item in items:
        try:
            client_id = uuid.UUID(str(item["id"]))
        except (TypeError, KeyError, ValueError, AttributeError) as error:
            raise BatchError(_("Có mục không có mã hợp lệ.")) from error
        if client_id in seen:
            raise BatchError(_("Một mục được gửi hai lần trong cùng một lần gửi."))
        seen.add(client_id)
        kind = item.get("kind")
        kind = kind if kind in Submission.Kind.values else ""
        try:
            key = _bytes(item.get("key"), 1024)
            iv = _bytes(item.get("iv"), 64)
            data = _bytes(item.get("data"), MAX_SEALED_BYTES)
        except (ValueError, binascii.Error):
            key = iv = data = b""
        kid = item.get("kid") if isinstance(item.get("kid"), str) else ""
        parsed.append(SealedItem(client_id, kind, kid[:64], key, iv, data))
    return parsed


def additional_data(*, client_id, kind, user_id):
    return f"{AAD_PREFIX}|{client_id}|{kind}|{user_id}".encode()


@sensitive_variables()
def unseal(item, *, user):
    """The form data an item holds, as a QueryDict, or ValidationError when it cannot be read
    by this user's session."""
    private_key = keys.key_for(item.kid)
    if private_key is None:
        raise ValidationError(OLD_KEY, code="old_key")
    aad = additional_data(client_id=item.client_id, kind=item.kind, user_id=user.pk)
    try:
        content_key = private_key.decrypt(item.key, OAEP)
        plain = AESGCM(content_key).decrypt(item.iv, item.data, aad)
        # Bounded: a deeply nested item is refused alone, the batch's other items recorded.
        fields = json_loads_bounded(plain, max_depth=MAX_ITEM_DEPTH)["fields"]
    except (ValueError, InvalidTag, KeyError, TypeError) as error:
        raise ValidationError(UNREADABLE, code="unreadable") from error
    if not isinstance(fields, list) or len(fields) > MAX_FIELDS:
        raise ValidationError(UNREADABLE, code="unreadable")
    data = QueryDict(mutable=True)
    for pair in fields:
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(part, str) for part in pair)
            or len(pair[1]) > MAX_VALUE_LENGTH
        ):
            raise ValidationError(UNREADABLE, code="unreadable")
        data.appendlist(pair[0][:100], pair[1])
    return data
