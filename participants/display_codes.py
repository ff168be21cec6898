"""A participant's display code as people type it ("p-abc2345", "ABC 2345"), made canonical.

Plain text handling, used by the forms and the selectors alike."""

import re


def normalize_code(text):
    """' p-abc2345 ' -> 'P-ABC2345'; 'abc2345' -> 'P-ABC2345'."""
    text = re.sub(r"[\s-]", "", (text or "").upper())
    if not text:
        return ""
    if len(text) == 8 and text.startswith("P"):
        text = text[1:]
    return "P-" + text
