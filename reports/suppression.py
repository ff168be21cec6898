"""Small-cell suppression (docs/indicators.md): tables that leave the system or are shown to roles
without participant access.

- a count from 1 to threshold-1 shows as "<threshold" ("<5" with the default setting);
- zero stays 0;
- a percentage (or another ratio) whose numerator or denominator is suppressed is suppressed;
- where a row or column has exactly one suppressed cell and a total, the next smallest
  non-zero cell of that line is suppressed too (shown as `HIDDEN`) so that the hidden value
  cannot be worked back from the total. Repeated until no line has a lone suppressed cell.

A suppressed value is always a string; numbers are left as they are.
"""

from django.conf import settings

from . import catalogue
from .catalogue import ADDITIVE, COVERING, DISTINCT, MONOTONE  # noqa: F401

# A cell hidden only to protect another one (complementary suppression).
HIDDEN = "x"

# What is protected: counts of people and of events about people (the catalogue's `people`).
# Counts of sites, localities, establishments and groups and money are shown as they are; a
# percentage or ratio is hidden with its numerator or denominator. How a protected count of a
# whole relates to its parts (ADDITIVE, DISTINCT, MONOTONE, COVERING) and the facts within one
# scope and period ((smaller, larger)) come from the catalogue too.
PROTECTED_COUNTS = catalogue.PROTECTED_COUNTS
RELATIONS = catalogue.RELATIONS
ROW_FACTS = catalogue.ROW_FACTS


def threshold():
    return settings.SUPPRESSION_THRESHOLD


def small_label():
    return f"<{threshold()}"


def is_suppressed(value):
    return isinstance(value, str)


def suppress_count(value):
    """Primary suppression of one count: 1..threshold-1 -> "<threshold"; 0, None and larger
    counts unchanged."""
    if value is None or is_suppressed(value):
        return value
    if 0 < value < threshold():
        return small_label()
    return value


def _complete_line(cells, line):
    """If `line` (indices into `cells`) has exactly one suppressed cell, hide the smallest
    non-zero visible one. Returns True when a cell was hidden."""
    counted = [i for i in line if cells[i] is not None]
    if sum(1 for i in counted if is_suppressed(cells[i])) != 1:
        return False
    candidates = [i for i in counted if not is_suppressed(cells[i]) and cells[i] > 0]
    if not candidates:
        return False
    smallest = min(candidates, key=lambda i: cells[i])
    cells[smallest] = HIDDEN
    return True


def suppress_matrix(matrix, *, row_totals=False, column_totals=False):
    """Suppress a table of counts (a list of rows of int or None — None for cells that are not
    counts), leaving the totals out of it: `row_totals` says each row has a total shown beside
    it, `column_totals` that each column has one shown under it. Returns a new table."""
    height = len(matrix)
    width = max((len(row) for row in matrix), default=0)
    cells = {}
    for r, row in enumerate(matrix):
        for c in range(width):
            cells[(r, c)] = suppress_count(row[c]) if c < len(row) else None
    lines = []
    if row_totals:
        lines += [[(r, c) for c in range(width)] for r in range(height)]
    if column_totals:
        lines += [[(r, c) for r in range(height)] for c in range(width)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            changed |= _complete_line(cells, line)
    return [[cells[(r, c)] for c in range(len(matrix[r]))] for r in range(height)]


def suppress_ratios(row, ratios, hidden=HIDDEN):
    """In a dict `row`, hide every ratio (code -> (numerator code, denominator code)) whose
    numerator or denominator is suppressed. Returns a new dict."""
    out = dict(row)
    for code, (numerator, denominator) in ratios.items():
        if code in out and (
            is_suppressed(out.get(numerator)) or is_suppressed(out.get(denominator))
        ):
            out[code] = hidden
    return out


def suppress_rows(rows, *, counts, ratios, total=None, national_total=True):
    """Suppress a table given as dicts (one per row, e.g. one per province), where `counts` are
    the keys holding counts and `ratios` maps derived keys to their (numerator, denominator).
    `total` is the row of totals shown under the table (its counts are the column totals): it
    is suppressed itself unless it is the national total. Returns (rows, total)."""
    matrix = [[row.get(code) for code in counts] for row in rows]
    done = suppress_matrix(matrix, column_totals=total is not None)
    out = []
    for row, cells in zip(rows, done, strict=True):
        new = dict(row)
        new.update(zip(counts, cells, strict=True))
        out.append(suppress_ratios(new, ratios))
    if total is not None and not national_total:
        total = suppress_ratios(
            {**total, **{code: suppress_count(total.get(code)) for code in counts}}, ratios
        )
    return out, total


def suppress_breakdown(counts, total, *, national_total=False):
    """A one-column table with a total: `counts` is a list of counts (one per category), `total`
    the count shown under them. Returns (counts, total) suppressed."""
    done = suppress_matrix([[value] for value in counts], column_totals=True)
    shown_total = total if national_total else suppress_count(total)
    return [row[0] for row in done], shown_total
