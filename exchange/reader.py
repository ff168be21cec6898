"""Reading exchange files: CSV files and XLSX workbooks into rows of strings with their line
numbers, one row at a time and within limits.

- `contacts.csv`: UTF-8 (a byte-order mark is tolerated), comma-separated, header row first.
- `contacts.xlsx`: the first sheet holds the file's rows.
- any other workbook (e.g. `data.xlsx`): every sheet named like a file (`sites`, `contacts`, ...)
  holds that file's rows; sheets whose names begin with "_" (the template's column guide) are
  skipped.
- an upload may also be a .zip of such files.
The same file given twice (say `sites.csv` and a `sites` sheet) is an error.

No file is ever held as a list of rows: reading checks each file once from end to end, counting
its rows, and `Source.rows` reads it again, row by row, when the importer goes through it.
Hostile files are refused with a message before they cost much memory or time (the limits are
settings, see `Limits` and the README):
- a zip (an uploaded .zip, and every .xlsx, which is a zip) with too many members, or whose
  members would be too large once uncompressed or are compressed too many times, is refused
  from its directory, before anything is decompressed;
- every XML part of a workbook is first read as a byte stream, holding one row at a time: a
  worksheet whose declared <dimension> exceeds the row or cell limits is refused on that
  element, before its rows; rows and cells per row are counted as they come (a dimension may
  lie) and the first one past a limit stops the reading; what openpyxl would keep in memory
  (elements outside rows, shared strings) is counted too. Only then does openpyxl open the
  workbook (read-only);
- a CSV file is decoded and split one line at a time; a line, a row or a file past a limit
  stops it;
- all the files of one upload together may hold only so many rows.
Values that an export escaped so that spreadsheets do not run them as formulas
(`accounts.spreadsheets`) are read back as they were.
"""

import csv
import datetime
import functools
import io
import lzma
import re
import struct
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.utils.cell import column_index_from_string, range_boundaries

from accounts.spreadsheets import unescape

from .spec import FILES_BY_NAME

MB = 1024 * 1024
# Excel's own limit of characters in one cell.
MAX_CELL_CHARS = 32_767
# A zip is refused from its end record when it declares more members than this: listing half a
# million empty members took 30 s and 270 MB.
MAX_ZIP_MEMBERS = 1_000
# Members smaller than this are not refused for their compression ratio: a small, repetitive
# part of a workbook compresses very well and costs nothing.
RATIO_CHECKED_FROM = MB
# Workbook parts other than worksheets and shared strings are loaded whole by openpyxl (and so
# is everything of a worksheet outside its rows): this many elements at most.
MAX_PART_ELEMENTS = 250_000
# Elements in one row of a worksheet, or in one shared string, which are held until it ends.
MAX_UNIT_ELEMENTS = 10_000
# openpyxl holds a workbook's shared strings in a list; a sheet within the row limit needs far
# fewer distinct ones.
MAX_SHARED_STRINGS = 1_000_000
READ_CHUNK = 64 * 1024
# What zipfile raises on a damaged archive: a bad header or checksum, a seek before the start,
# data that does not decompress, a member that is encrypted or compressed in a way it lacks.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    lzma.LZMAError,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)
ALLOWED_SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class Limits:
    """What one read (an upload, or a folder for `import_exchange`) may hold."""

    rows_per_file: int
    rows_per_upload: int
    cells_per_row: int
    # One zip member, and all the members decompressed for one read, uncompressed.
    member_bytes: int
    unzipped_bytes: int
    zip_ratio: int

    @classmethod
    def from_settings(cls):
        return cls(
            rows_per_file=settings.EXCHANGE_MAX_ROWS_PER_FILE,
            rows_per_upload=settings.EXCHANGE_MAX_ROWS_PER_UPLOAD,
            cells_per_row=settings.EXCHANGE_MAX_CELLS_PER_ROW,
            member_bytes=settings.EXCHANGE_MAX_MEMBER_MB * MB,
            unzipped_bytes=settings.EXCHANGE_MAX_UNZIPPED_MB * MB,
            zip_ratio=settings.EXCHANGE_MAX_ZIP_RATIO,
        )


class Refused(Exception):
    """A file that cannot be read, or that is past a limit: why, and where if known (a line, a
    member of a zip)."""

    def __init__(self, reason, line=None, member=None):
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.member = member

    def error(self, label):
        if self.member:
            label = f"{label}[{self.member}]"
        return RowError(label, self.line, "", self.reason)


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
    rows: "Rows"


class Rows:
    """A file's data rows, (line number, [cell strings]) after the header, read anew from the
    file each time they are iterated; `len()` is their number, counted when it was checked."""

    def __init__(self, read, count):
        self._read = read
        self._count = count

    def __iter__(self):
        rows = self._read()
        next(rows, None)
        return rows

    def __len__(self):
        return self._count


def _check(rows):
    """(header cells or None, number of data rows) of a file read to its end."""
    header, count = None, 0
    for _line, cells in rows:
        if header is None:
            header = cells
        else:
            count += 1
    return header, count


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
    return unescape(str(value).strip())


def read_csv(name, label, open_file, limits):
    """Check one CSV file (`open_file()` opens it); returns (Source or None, [RowError])."""

    def read():
        return _csv_rows(open_file, limits)

    try:
        header, count = _check(read())
    except Refused as refused:
        return None, [refused.error(label)]
    if header is None:
        return None, [RowError(label, None, "", _("tệp rỗng, thiếu dòng tiêu đề."))]
    return Source(name, label, header, Rows(read, count)), []


def _csv_rows(open_file, limits):
    """(line number, [cells]) of every row of a CSV file, header first, decoded and split one
    line at a time; raises Refused at the first thing that cannot be read or is past a limit."""
    with open_file() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.reader(_lines(text, limits.cells_per_row * (MAX_CELL_CHARS + 3)))
        line, data_rows = 1, 0
        try:
            for cells in reader:
                _check_cells(cells, line, limits)
                if line > 1:
                    data_rows += 1
                    if data_rows > limits.rows_per_file:
                        raise Refused(_too_many_rows(limits))
                yield line, [unescape(cell.strip()) for cell in cells]
                line = reader.line_num + 1
        except csv.Error:
            if line == 1:
                raise Refused(_("dòng tiêu đề không đọc được."), 1) from None
            raise Refused(_("dòng này không đọc được dưới dạng CSV."), line) from None


def _lines(text, max_chars):
    """The lines of `text`; refuses one longer than `max_chars`, text that is not UTF-8, and
    UTF-16 text without a byte-order mark (it decodes as UTF-8 full of NUL characters)."""
    number = 0
    while True:
        try:
            line = text.readline(max_chars + 1)
        except UnicodeDecodeError:
            raise Refused(_encoding_message()) from None
        except ZIP_ERRORS:
            # A member of an uploaded zip whose data does not match its directory entry.
            raise Refused(_damaged_zip()) from None
        if not line:
            return
        number += 1
        if "\x00" in line:
            raise Refused(_encoding_message())
        if len(line) > max_chars:
            raise Refused(_("dòng dài quá %(limit)s ký tự.") % {"limit": max_chars}, number)
        yield line


def _check_cells(cells, line, limits):
    if len(cells) > limits.cells_per_row:
        raise Refused(_too_many_cells(limits), line)
    if any(len(cell) > MAX_CELL_CHARS for cell in cells):
        raise Refused(_cell_too_long(), line)


def _too_many_rows(limits):
    return _(
        "có hơn %(limit)s dòng dữ liệu, quá giới hạn của một tệp; hãy chia thành nhiều tệp nhỏ hơn."
    ) % {"limit": limits.rows_per_file}


def _too_many_cells(limits):
    return _("dòng có hơn %(limit)s ô, quá giới hạn của một dòng.") % {
        "limit": limits.cells_per_row
    }


def _cell_too_long():
    return _("có ô dài hơn %(limit)s ký tự.") % {"limit": MAX_CELL_CHARS}


def _encoding_message():
    return _(
        "tệp không được mã hóa UTF-8. Hãy lưu lại dưới dạng “CSV UTF-8 (phân cách bằng dấu "
        "phẩy)” rồi nhập lại."
    )


class _Budget:
    """How much of `Limits.unzipped_bytes` one read has decompressed so far."""

    def __init__(self, limits):
        self.limits = limits
        self.used = 0

    def check(self, members):
        """Refuse `members` (ZipInfo) before anything is decompressed if one is too large or
        compressed too many times."""
        limits = self.limits
        for info in members:
            if info.file_size > limits.member_bytes:
                raise Refused(
                    _(
                        "%(member)s chiếm %(size)s MB khi giải nén, quá giới hạn %(limit)s MB "
                        "của một tệp trong tệp nén."
                    )
                    % {
                        "member": info.filename,
                        "size": -(-info.file_size // MB),
                        "limit": limits.member_bytes // MB,
                    }
                )
            if info.file_size >= RATIO_CHECKED_FROM and info.file_size > limits.zip_ratio * max(
                info.compress_size, 1
            ):
                raise Refused(
                    _(
                        "%(member)s bị nén hơn %(limit)s lần (tệp nén bất thường, có thể là "
                        "“bom nén”); không giải nén."
                    )
                    % {"member": info.filename, "limit": limits.zip_ratio}
                )

    def spend(self, members):
        """Count `members` as decompressed; refuse them if the read would pass its total."""
        self.used += sum(info.file_size for info in members)
        if self.used > self.limits.unzipped_bytes:
            raise Refused(
                _("Dữ liệu quá lớn khi giải nén (tối đa %(limit)s MB cho một lần nhập).")
                % {"limit": self.limits.unzipped_bytes // MB}
            )


def _declared_members(raw):
    """The number of members a zip's end record declares, read before zipfile lists them."""
    raw.seek(0, io.SEEK_END)
    # The end record is 22 bytes, followed by a comment of at most 65,535 bytes.
    start = max(0, raw.tell() - 22 - 65_535)
    raw.seek(start)
    tail = raw.read()
    raw.seek(0)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) < end + 22:
        return 0
    count = int.from_bytes(tail[end + 10 : end + 12], "little")
    if count == 0xFFFF:
        # ZIP64: the real count is in the ZIP64 end record, which comes before.
        zip64 = tail.rfind(b"PK\x06\x06", 0, end)
        if zip64 >= 0 and len(tail) >= zip64 + 40:
            count = int.from_bytes(tail[zip64 + 32 : zip64 + 40], "little")
    return count


def _open_zip(raw, damaged):
    """A ZipFile over the seekable `raw`, refused with `damaged` if it is not a readable zip and
    before it is listed if it declares too many members."""
    if _declared_members(raw) > MAX_ZIP_MEMBERS:
        raise Refused(
            _("tệp nén có quá nhiều tệp bên trong (tối đa %(limit)s).") % {"limit": MAX_ZIP_MEMBERS}
        )
    try:
        return zipfile.ZipFile(raw)
    except ZIP_ERRORS:
        raise Refused(damaged) from None


def _damaged_zip():
    return _("Tệp .zip bị hỏng hoặc không phải tệp .zip.")


def _zip_member(data, member):
    """Opens one member of the zip `data` (bytes): an .xlsx member as bytes in memory (openpyxl
    needs to seek), any other as a stream."""

    def open_member():
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            if member.lower().endswith(".xlsx"):
                return io.BytesIO(archive.read(member))
            return archive.open(member)
        except ZIP_ERRORS:
            raise Refused(_damaged_zip()) from None

    return open_member


def _upload_members(data, budget):
    """[(file name, opener)] of the .csv/.xlsx files in the uploaded zip `data`."""
    archive = _open_zip(io.BytesIO(data), _damaged_zip())
    with archive:
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and not info.filename.startswith("__MACOSX")
            and PurePosixPath(info.filename).suffix.lower() in ALLOWED_SUFFIXES
            and not PurePosixPath(info.filename).name.startswith(".")
        ]
    if not members:
        raise Refused(_("Tệp .zip không chứa tệp .csv hay .xlsx nào."))
    budget.check(members)
    budget.spend(members)
    files, names = [], set()
    for info in members:
        # Only the base name is used: a folder in the archive means nothing here.
        name = PurePosixPath(info.filename).name
        if name in names:
            raise Refused(_("Tệp .zip có hai tệp cùng tên %(name)s.") % {"name": name})
        names.add(name)
        files.append((name, _zip_member(data, info.filename)))
    return files


def _damaged_workbook():
    return _("không đọc được tệp Excel (.xlsx).")


def _check_workbook(open_file, limits, budget):
    """Refuse a workbook whose zip or XML parts are past a limit, before openpyxl opens it."""
    with open_file() as raw:
        archive = _open_zip(raw, _damaged_workbook())
        with archive:
            parts = [
                info
                for info in archive.infolist()
                if PurePosixPath(info.filename).suffix.lower() in (".xml", ".rels")
            ]
            budget.check(archive.infolist())
            budget.spend(parts)
            for info in parts:
                try:
                    with archive.open(info) as part:
                        _scan_part(part, limits)
                except ZIP_ERRORS:
                    raise Refused(_damaged_workbook(), member=info.filename) from None
                except Refused as refused:
                    refused.member = info.filename
                    raise


def _scan_part(part, limits):
    """Read one XML part of a workbook as a byte stream, keeping at most one row (or shared
    string) of it at a time; raises Refused at the first thing past a limit."""
    scan = _PartScan(limits)
    while chunk := part.read(READ_CHUNK):
        scan.feed(chunk)
    scan.close()


_NAME = rb"(?:[A-Za-z_][\w.-]*:)?"
_ROOT = re.compile(rb"<" + _NAME + rb"([A-Za-z_][\w.-]*)")
_UNIT_START = {
    b"worksheet": re.compile(rb"<" + _NAME + rb"row(?=[\s/>])"),
    b"sst": re.compile(rb"<" + _NAME + rb"si(?=[\s/>])"),
}
_UNIT_END = {
    b"worksheet": re.compile(rb"</" + _NAME + rb"row\s*>"),
    b"sst": re.compile(rb"</" + _NAME + rb"si\s*>"),
}
_CELL = re.compile(rb"<" + _NAME + rb"c(?=[\s/>])([^>]*)>")
_DIMENSION = re.compile(rb"<" + _NAME + rb"dimension(?=[\s/>])([^>]*)>")
_R = re.compile(rb"""\sr\s*=\s*["']([^"']*)["']""")
_REF = re.compile(rb"""\sref\s*=\s*["']([^"']*)["']""")


class _PartScan:
    """What openpyxl would hold of one XML part, counted without parsing it: in a worksheet,
    the declared dimension, then each row (openpyxl holds one row at a time) with its index,
    cells, last column and elements; in the shared strings, each string and its elements; and
    every element outside those, which openpyxl keeps for the whole part."""

    def __init__(self, limits):
        self.limits = limits
        self.root = None
        self.buffer = b""
        self.elements = 0
        self.row = 0
        self.strings = 0
        # A row of the maximum width whose every cell is as long as a cell may be.
        self.max_unit_bytes = limits.cells_per_row * (4 * MAX_CELL_CHARS + 256)

    def feed(self, chunk):
        data = self.buffer + chunk
        if self.root is None:
            found = _ROOT.search(data)
            if found is None:
                if len(data) > READ_CHUNK:
                    raise Refused(_damaged_workbook())
                self.buffer = data
                return
            prolog = data[: found.start()]
            # UTF-16 text would hide every tag from this scan, and entity declarations are
            # how XML bombs are built; no workbook part has either.
            if b"\x00" in data[:4] or b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                raise Refused(_damaged_workbook())
            self.root = found.group(1)
        self.buffer = self._scan(data, final=False)
        if len(self.buffer) > self.max_unit_bytes:
            raise Refused(_damaged_workbook(), self.row or None)

    def close(self):
        if self.root is None or self._scan(self.buffer, final=True):
            raise Refused(_damaged_workbook())

    def _scan(self, data, *, final):
        """Account for the complete rows (or strings) of `data`; returns what is left over."""
        start_of_unit = _UNIT_START.get(self.root)
        if start_of_unit is None:
            # Keep a possibly cut "</" for the next chunk.
            end = len(data) if final else max(0, len(data) - 1)
            self._outside(data, 0, end)
            return data[end:]
        position = 0
        while True:
            start = start_of_unit.search(data, position)
            if start is None:
                end = len(data) if final else max(position, data.rfind(b"<", position))
                self._outside(data, position, end)
                return data[end:]
            self._outside(data, position, start.start())
            end = self._unit_end(data, start.end())
            if end is None:
                return data[start.start() :]
            self._unit(data, start.start(), end)
            position = end

    def _unit_end(self, data, after_name):
        tag_end = data.find(b">", after_name)
        if tag_end < 0:
            return None
        if data[tag_end - 1 : tag_end] == b"/":
            return tag_end + 1
        closing = _UNIT_END[self.root].search(data, tag_end)
        return closing.end() if closing else None

    def _outside(self, data, start, end):
        self.elements += data.count(b"<", start, end) - data.count(b"</", start, end)
        if self.elements > MAX_PART_ELEMENTS:
            raise Refused(
                _("có quá nhiều phần tử XML (tối đa %(limit)s).") % {"limit": MAX_PART_ELEMENTS}
            )
        if self.root == b"worksheet":
            dimension = _DIMENSION.search(data, start, end)
            if dimension is not None:
                self._dimension(dimension.group(1))

    def _unit(self, data, start, end):
        elements = data.count(b"<", start, end) - data.count(b"</", start, end)
        if elements > MAX_UNIT_ELEMENTS:
            raise Refused(_damaged_workbook(), self.row or None)
        if self.root == b"sst":
            self.strings += 1
            if self.strings > MAX_SHARED_STRINGS:
                raise Refused(
                    _("có quá nhiều chuỗi ký tự dùng chung (tối đa %(limit)s).")
                    % {"limit": MAX_SHARED_STRINGS}
                )
            return
        tag_end = data.find(b">", start)
        index = _R.search(data, start, tag_end)
        self.row = _index(index.group(1)) if index else self.row + 1
        if self.row - 1 > self.limits.rows_per_file:
            raise Refused(_too_many_rows(self.limits))
        cells = _CELL.findall(data, tag_end, end)
        if len(cells) > self.limits.cells_per_row:
            raise Refused(_too_many_cells(self.limits), self.row)
        # openpyxl makes a row as wide as the column of its last cell: the one its reference
        # names, or the one after the cell before it when it names none.
        column, unnamed = 0, 0
        for attributes in reversed(cells):
            reference = _R.search(attributes)
            if reference:
                column = _column(reference.group(1))
                break
            unnamed += 1
        if column + unnamed > self.limits.cells_per_row:
            raise Refused(_too_many_cells(self.limits), self.row)

    def _dimension(self, attributes):
        ref = _REF.search(attributes)
        try:
            _min_col, _min_row, max_col, max_row = range_boundaries(ref.group(1).decode())
        except (AttributeError, ValueError, TypeError, UnicodeDecodeError):
            raise Refused(_damaged_workbook()) from None
        rows, columns = (max_row or 1), (max_col or 1)
        if rows - 1 > self.limits.rows_per_file or columns > self.limits.cells_per_row:
            raise Refused(
                _(
                    "trang tính khai báo vùng dữ liệu %(ref)s (%(rows)s dòng, %(columns)s cột), "
                    "quá giới hạn %(max_rows)s dòng dữ liệu và %(max_columns)s cột. Hãy xóa "
                    "các dòng, cột thừa rồi lưu lại."
                )
                % {
                    "ref": ref.group(1).decode(),
                    "rows": rows,
                    "columns": columns,
                    "max_rows": self.limits.rows_per_file,
                    "max_columns": self.limits.cells_per_row,
                }
            )


def _index(value):
    if not value.isdigit():
        raise Refused(_damaged_workbook())
    return int(value)


def _column(reference):
    return _column_of(reference.rstrip(b"0123456789"))


@functools.lru_cache(maxsize=1024)
def _column_of(letters):
    try:
        return column_index_from_string(letters.decode())
    except (ValueError, UnicodeDecodeError):
        raise Refused(_damaged_workbook()) from None


@contextmanager
def _workbook(open_file):
    from openpyxl import load_workbook

    with open_file() as raw:
        try:
            book = load_workbook(raw, read_only=True, data_only=True)
        except MemoryError:
            raise
        except Exception:  # openpyxl raises many kinds of error on a damaged file
            raise Refused(_damaged_workbook()) from None
        try:
            yield book
        finally:
            book.close()


def _sheet_rows(open_file, title):
    """(line number, [cell strings]) of every row of one sheet, header first."""
    with _workbook(open_file) as book:
        sheet = book[title]
        # The declared dimension was checked; reading past it keeps cells it would cut off.
        sheet.reset_dimensions()
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, [_cell(value) for value in values]


def _sheet_source(name, label, open_file, title):
    def read():
        return _sheet_rows(open_file, title)

    try:
        header, count = _check(read())
    except (Refused, MemoryError):
        raise
    except Exception:  # a value openpyxl cannot convert
        raise Refused(_damaged_workbook()) from None
    if header is None:
        return None
    while header and header[-1] == "":
        header.pop()
    return Source(name, label, header, Rows(read, count))


def read_xlsx(filename, open_file, limits, budget=None):
    """Sources found in one workbook (`open_file()` opens it); returns ([Source], [RowError])."""
    budget = budget or _Budget(limits)
    stem = filename.rsplit(".", 1)[0]
    sources, errors = [], []
    try:
        _check_workbook(open_file, limits, budget)
        with _workbook(open_file) as book:
            titles = [sheet.title for sheet in book.worksheets]
        if stem in FILES_BY_NAME:
            source = _sheet_source(stem, filename, open_file, titles[0]) if titles else None
            if source is None:
                errors.append(RowError(filename, None, "", _("tệp rỗng, thiếu dòng tiêu đề.")))
            else:
                sources.append(source)
            return sources, errors
        for title in titles:
            if title.startswith("_"):
                continue
            label = f"{filename}[{title}]"
            if title not in FILES_BY_NAME:
                errors.append(RowError(label, None, "", _unknown_file_message()))
                continue
            source = _sheet_source(title, label, open_file, title)
            if source is not None:
                sources.append(source)
    except Refused as refused:
        return [], [refused.error(filename)]
    return sources, errors


def _unknown_file_message():
    return _("tên tệp/trang tính không thuộc định dạng trao đổi (ví dụ sites.csv, contacts.csv).")


def _opener(data):
    """A function that opens `data` (bytes, or the path of a file) for reading, each time anew."""
    if isinstance(data, bytes | bytearray):
        return lambda: io.BytesIO(data)
    return lambda: open(data, "rb")


def read_files(files, *, label="", limits=None):
    """`files`: [(file name, bytes or path)] -> ({file name in the format: Source}, [RowError]).
    `label` names them as a whole in a message (the upload, the folder)."""
    limits = limits or Limits.from_settings()
    return _read([(name, _opener(data)) for name, data in files], label, limits, _Budget(limits))


def read_upload(filename, data, *, limits=None):
    """An uploaded .csv, .xlsx or .zip of them (`data`, its bytes): like `read_files`."""
    limits = limits or Limits.from_settings()
    budget = _Budget(limits)
    if not filename.lower().endswith(".zip"):
        return _read([(filename, _opener(data))], filename, limits, budget)
    try:
        files = _upload_members(data, budget)
    except Refused as refused:
        return {}, [refused.error(filename)]
    return _read(files, filename, limits, budget)


def read_directory(path, *, limits=None):
    """Every .csv/.xlsx file directly in the folder `path` (a pathlib.Path)."""
    files = [
        (entry.name, entry)
        for entry in path.iterdir()
        if entry.is_file() and entry.suffix.lower() in ALLOWED_SUFFIXES
    ]
    return read_files(files, label=path.name, limits=limits)


def _read(files, label, limits, budget):
    sources, errors = {}, []
    total = 0
    for filename, open_file in sorted(files, key=lambda item: item[0]):
        lower = filename.lower()
        if lower.endswith(".csv"):
            stem = filename[:-4]
            if stem not in FILES_BY_NAME:
                errors.append(RowError(filename, None, "", _unknown_file_message()))
                continue
            source, found = read_csv(stem, filename, open_file, limits)
            errors += found
            found_sources = [source] if source else []
        elif lower.endswith(".xlsx"):
            found_sources, found = read_xlsx(filename, open_file, limits, budget)
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
            total += len(source.rows)
        if total > limits.rows_per_upload:
            # The files not read yet are not read at all.
            errors.append(
                RowError(
                    label,
                    None,
                    "",
                    _(
                        "các tệp có hơn %(limit)s dòng dữ liệu cộng lại, quá giới hạn của một lần "
                        "nhập; hãy nhập thành nhiều lần."
                    )
                    % {"limit": limits.rows_per_upload},
                )
            )
            break
    return sources, errors
