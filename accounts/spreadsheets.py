"""Cells of every CSV and XLSX file the system writes: what users typed stays text.

A spreadsheet program runs a cell that starts with "=", "+", "-" or "@" (or a tab or carriage
return before one) as a formula, so a site named `=HYPERLINK("http://x","y")` would become a
live link in the file an official opens. As OWASP's CSV-injection guidance says, such text is
written with a leading apostrophe. A text that already starts with an apostrophe followed by
one of those characters (or by another apostrophe) gets one more, so `unescape` gives back
exactly what was escaped: an exported file imports again unchanged. Numbers, dates and empty
cells are left as they are (a number stays a number).

In XLSX files text cells are also written as strings (data type "s"): openpyxl would otherwise
store a text starting with "=" as a formula. Characters that XML cannot carry (control
characters other than tab and line breaks) are dropped there, instead of failing the export.
"""

from django.utils.functional import Promise
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def safe_cell(value):
    """`value` as a spreadsheet cell that no spreadsheet program runs as a formula."""
    if isinstance(value, Promise):  # a translated label
        value = str(value)
    if isinstance(value, str) and (
        value.startswith(FORMULA_STARTS)
        or (value.startswith(ESCAPE) and value[1:].startswith((*FORMULA_STARTS, ESCAPE)))
    ):
        return ESCAPE + value
    return value


def unescape(text):
    """The text `safe_cell` was given, from the text it returned (for imports)."""
    if text.startswith(ESCAPE) and text[1:].startswith((*FORMULA_STARTS, ESCAPE)):
        return text[1:]
    return text


def csv_row(values):
    """A row for `csv.writer`: text escaped, None as an empty cell."""
    return ["" if value is None else safe_cell(value) for value in values]


def xlsx_row(sheet, values):
    """A row of cells for `sheet.append` (normal or write-only sheet): text escaped and
    written as strings, never as formulas."""
    cells = []
    for value in values:
        value = safe_cell(value)
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        cells.append(cell)
    return cells
