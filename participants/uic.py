"""The unique identifier code (UIC) and its keyed hash (docs/design.md, "Participants are
pseudonymous").

UIC = 2 letters of the mother's given name + 2 of the father's + birth day, month and 2-digit
year + sex letter, e.g. mother Nguyễn Thị Lan, father Trần Văn Hùng, born 03/07/1995, female
-> "LAHU030795F". Only the HMAC-SHA256 of it under settings.UIC_SECRET is ever stored; the raw
code lives in memory for the length of one request or import.
"""

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings
from django.views.decorators.debug import sensitive_variables

UIC_RE = re.compile(r"^[A-Z]{4}[0-9]{6}[FMO]$")
SEX_LETTERS = {"female": "F", "male": "M", "other": "O"}
UNKNOWN_PARENT = "XX"


def strip_diacritics(text):
    """'Đặng Thị Ánh' -> 'Dang Thi Anh'."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@sensitive_variables()
def given_name_letters(name):
    """First two letters of a Vietnamese given name (the last word of a full name), upper case,
    without diacritics; XX when the parent is unknown."""
    words = re.sub(r"[^A-Za-z ]", " ", strip_diacritics(name or "")).split()
    if not words:
        return UNKNOWN_PARENT
    return words[-1][:2].upper().ljust(2, "X")


@sensitive_variables()
def build_uic(*, mother_name, father_name, birth_date, sex):
    return (
        given_name_letters(mother_name)
        + given_name_letters(father_name)
        + birth_date.strftime("%d%m%y")
        + SEX_LETTERS[sex]
    )


def is_valid_uic(code):
    return bool(UIC_RE.match(code or ""))


@sensitive_variables()
def uic_hash(code):
    """The stored, one-way form of a UIC: HMAC-SHA256 under UIC_SECRET, hex."""
    key = settings.UIC_SECRET.encode()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()
