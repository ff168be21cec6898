"""Reading an exchange folder: CSV files and XLSX workbooks into rows of strings with their line
numbers.

- `contacts.csv`: UTF-8 (a byte-order mark is tolerated), comma-separated, header row first.
- `contacts.xlsx`: the first sheet holds the file's rows.
- any other workbook (e.g. `data.xlsx`): every sheet named like a file (`sites`, `contacts`, ...)
  holds that file's rows; sheets whose names begin with "_" (the template's column guide) are
  skipped.
The same file given twice (say `sites.csv` and a `sites` sheet) is an error.
"""

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from .spec import FILES_BY_NAME


@dataclass
class RowError:
    file: str
    line: int | None
    column: str
    reason: str

    def __str__(self):
        if self.line is None:
            return f"{self.file}: {self.reason}"
        return f"{self.file}:{self.line}: {self.column}: {self.reason}"


@dataclass
class Source:
    """One exchange file's content: `label` names it in messages ("contacts.csv",
    "data.xlsx[contacts]"); `rows` yields (line number, [cell strings]) after the header."""

    name: str
    label: str
    header: list
    rows: list


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return str(value).strip()


def read_csv(name, label, data):
    """Decode and split one CSV file; returns (Source or None, [RowError])."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [RowError(label, None, "", _encoding_message())]
    if "\x00" in text:
        # UTF-16 text without a byte-order mark decodes as UTF-8 full of NUL characters.
        return None, [RowError(label, None, "", _encoding_message())]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        return None, [RowError(label, None, "", _("tệp rỗng, thiếu dòng tiêu đề."))]
    except csv.Error:
        return None, [RowError(label, 1, "", _("dòng tiêu đề không đọc được."))]
    rows = []
    start = reader.line_num + 1
    try:
        for cells in reader:
            rows.append((start, [cell.strip() for cell in cells]))
            start = reader.line_num + 1
    except csv.Error:
        return None, [RowError(label, start, "", _("dòng này không đọc được dưới dạng CSV."))]
    return Source(name, label, header, rows), []


def _encoding_message():
    return _(
        "tệp không được mã hóa UTF-8. Hãy lưu lại dưới dạng “CSV UTF-8 (phân cách bằng dấu "
        "phẩy)” rồi nhập lại."
    )


def _sheet_source(name, label, sheet):
    values = sheet.iter_rows(values_only=True)
    try:
        header = [_cell(v) for v in next(values)]
    except StopIteration:
        return None
    while header and header[-1] == "":
        header.pop()
    rows = [(line, [_cell(v) for v in cells]) for line, cells in enumerate(values, start=2)]
    return Source(name, label, header, rows)


def read_xlsx(filename, data):
    """Sources found in one workbook; returns ([Source], [RowError])."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error on a damaged file
        return [], [RowError(filename, None, "", _("không đọc được tệp Excel (.xlsx)."))]
    stem = filename.rsplit(".", 1)[0]
    sources, errors = [], []
    try:
        if stem in FILES_BY_NAME:
            source = _sheet_source(stem, filename, book.worksheets[0])
            if source is None:
                errors.append(RowError(filename, None, "", _("tệp rỗng, thiếu dòng tiêu đề.")))
            else:
                sources.append(source)
            return sources, errors
        for sheet in book.worksheets:
            if sheet.title.startswith("_"):
                continue
            label = f"{filename}[{sheet.title}]"
            if sheet.title not in FILES_BY_NAME:
                errors.append(RowError(label, None, "", _unknown_file_message()))
                continue
            source = _sheet_source(sheet.title, label, sheet)
            if source is not None:
                sources.append(source)
    finally:
        book.close()
    return sources, errors


def _unknown_file_message():
    return _("tên tệp/trang tính không thuộc định dạng trao đổi (ví dụ sites.csv, contacts.csv).")


def read_files(files):
    """`files`: [(file name, bytes)] -> ({file name in the format: Source}, [RowError])."""
    sources, errors = {}, []
    for filename, data in sorted(files):
        lower = filename.lower()
        if lower.endswith(".csv"):
            stem = filename[:-4]
            if stem not in FILES_BY_NAME:
                errors.append(RowError(filename, None, "", _unknown_file_message()))
                continue
            source, found = read_csv(stem, filename, data)
            errors += found
            found_sources = [source] if source else []
        elif lower.endswith(".xlsx"):
            found_sources, found = read_xlsx(filename, data)
            errors += found
        else:
            continue
        for source in found_sources:
            if source.name in sources:
                errors.append(
                    RowError(
                        source.label,
                        None,
                        "",
                        _("tệp %(name)s đã có trong %(other)s.")
                        % {"name": source.name, "other": sources[source.name].label},
                    )
                )
            else:
                sources[source.name] = source
    return sources, errors


def read_directory(path):
    """Every .csv/.xlsx file directly in the folder `path` (a pathlib.Path)."""
    files = [
        (entry.name, entry.read_bytes())
        for entry in path.iterdir()
        if entry.is_file() and entry.suffix.lower() in (".csv", ".xlsx")
    ]
    return read_files(files)
