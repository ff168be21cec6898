"""The unique identifier code (UIC) and its keyed hash (docs/design.md, "Participants are
pseudonymous").

UIC = 2 letters of the mother's given name + 2 of the father's + birth day, month and 2-digit
year + sex letter, e.g. mother Nguyễn Thị Lan, father Trần Văn Hùng, born 03/07/1995, female
-> "LAHU030795F". Only the HMAC-SHA256 of it under settings.UIC_SECRET is ever stored; the raw
code lives in memory for the length of one request or import.
"""

import functools
import hashlib
import hmac
import re
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
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


# Per-province pseudonyms (README "Exchange files"): the `uic` column of every file that leaves
# the server holds, instead of the national hash, the person's pseudonym for the province whose
# record the row belongs to: the stored hash encrypted deterministically (AES-SIV) under a key
# of that province derived from UIC_SECRET. Two provinces' files have no value in common; only
# the server, with that province's key, reads a pseudonym back (exchange.pseudonyms decides for
# whom).
PSEUDONYM_PREFIX = "p:"
PSEUDONYM_RE = re.compile(r"^p:([0-9]{2}):([0-9a-f]{96})$")


def province_key(province_label):
    """The AES-SIV key (512 bits) of a province's pseudonyms, derived from UIC_SECRET and the
    province's stable label (its unit set and GSO code, "2025:01"): never stored."""
    return hmac.new(
        settings.UIC_SECRET.encode(),
        b"pcmd-exchange-pseudonym\x00" + province_label.encode(),
        hashlib.sha512,
    ).digest()


@functools.lru_cache(maxsize=128)
def _cipher(key):
    # Setting up a key costs far more than sealing one value: one per province and process.
    return AESSIV(key)


def pseudonym(digest, key, province_code):
    """The pseudonym of the person whose stored hash is `digest`: "p:", the province's GSO code
    (which province wrote the file, never who), ":" and 96 hex digits."""
    sealed = _cipher(key).encrypt(bytes.fromhex(digest), None)
    return f"{PSEUDONYM_PREFIX}{province_code}:{sealed.hex()}"


def split_pseudonym(value):
    """(province code, sealed bytes) of a well-formed pseudonym, else None."""
    match = PSEUDONYM_RE.match(value or "")
    if match is None:
        return None
    return match.group(1), bytes.fromhex(match.group(2))


def open_pseudonym(sealed, key):
    """The stored hash sealed under `key`, or None when it was sealed under another key (another
    province's) or altered. Decryption and the tag check take the same time either way."""
    try:
        return _cipher(key).decrypt(sealed, None).hex()
    except InvalidTag:
        return None
