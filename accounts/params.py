"""Bounded parsing of numbers typed into a URL or a request body.

`str.isdigit()` is true for "²" and "٣" (superscripts, other scripts' digits) that `int()`
refuses or reads; these helpers accept only ASCII digits, a bounded number of them."""

import re

ASCII_NUMBER = re.compile(r"[0-9]{1,9}")


def positive_int(value, *, maximum=10**9 - 1):
    """The whole number 1..maximum that `value` (a string or None) spells in ASCII digits, or
    None for anything else (missing, empty, "²", "-1", "1e9", a thousand digits)."""
    if not isinstance(value, str) or not ASCII_NUMBER.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= maximum else None


STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
BRACKET = re.compile(r"[\[\]{}]")


class TooDeep(ValueError):
    """JSON nested deeper than the caller allows."""


def json_loads_bounded(data, *, max_depth):
    """json.loads of `data` (str or UTF-8 bytes), refusing (TooDeep, a ValueError) arrays and
    objects nested more than `max_depth` deep before the decoder recurses into them (Python's
    decoder raises RecursionError at about a thousand levels, which no caller expects).
    UnicodeDecodeError and json.JSONDecodeError (ValueErrors too) as json.loads."""
    import json

    text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
    depth = 0
    for match in BRACKET.finditer(STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > max_depth:
                raise TooDeep(f"JSON nested deeper than {max_depth}")
        else:
            depth -= 1
    return json.loads(text)
