"""Writing exchange files: the CSV and XLSX of an export, and the blank template workbook."""

import csv
import io

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .spec import BOOL, DATE, ENUM, FILES, INT, SERVICES, UIC


class _Echo:
    def write(self, value):
        return value


def csv_stream(rows):
    """UTF-8 with a byte-order mark (so Excel shows Vietnamese correctly), comma-separated."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(row)


def xlsx_bytes(sheets):
    """`sheets`: [(sheet name, rows)] -> the .xlsx file's bytes."""
    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title=title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _values(column):
    if column.kind == DATE:
        return "YYYY-MM-DD"
    if column.kind == INT:
        return "0, 1, 2, …"
    if column.kind in (ENUM, BOOL):
        return " | ".join(column.choices)
    if column.kind == SERVICES:
        return "; ".join(column.choices)
    if column.kind == UIC:
        return "LAHU030795F | h:<64 hex>"
    return ""


def template_bytes():
    """The blank template: a guide sheet describing every column in Vietnamese and English,
    then one sheet per exchange file with its header row."""
    book = Workbook()
    guide = book.active
    guide.title = "_Hướng dẫn"
    bold = Font(bold=True)
    guide.append(
        [
            _("Tệp"),
            _("Cột"),
            _("Bắt buộc"),
            _("Giá trị"),
            _("Mô tả (tiếng Việt)"),
            "Description (English)",
        ]
    )
    for cell in guide[1]:
        cell.font = bold
    for spec in FILES:
        guide.append([spec.filename, "", "", "", str(spec.help), _english(spec.help)])
        guide.cell(row=guide.max_row, column=1).font = bold
        for column in spec.columns:
            guide.append(
                [
                    spec.filename,
                    column.name,
                    _("không") if column.optional else _("có"),
                    _values(column),
                    str(column.help),
                    _english(column.help),
                ]
            )
    guide.append([])
    for note in _notes():
        guide.append(["", "", "", "", str(note), _english(note)])
    for width, letter in zip((28, 22, 10, 40, 80, 80), "ABCDEF", strict=True):
        guide.column_dimensions[letter].width = width
    for spec in FILES:
        sheet = book.create_sheet(title=spec.name)
        sheet.append(list(spec.column_names))
        for cell in sheet[1]:
            cell.font = bold
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _english(text):
    with translation.override("en"):
        return str(text)


def _notes():
    from django.utils.translation import gettext_lazy

    return [
        gettext_lazy(
            "Mỗi trang tính mang tên một tệp (sites, contacts, …); có thể nộp cả sổ Excel này "
            "hoặc từng tệp CSV UTF-8 cùng tên (sites.csv, contacts.csv, …). Trang tính có tên "
            "bắt đầu bằng _ được bỏ qua."
        ),
        gettext_lazy(
            "Ngày ghi dạng YYYY-MM-DD; giá trị đúng/sai ghi yes/no; danh sách cách nhau bởi "
            "dấu ; ; mã phân biệt chữ hoa, chữ thường."
        ),
        gettext_lazy(
            "Nhập là tất cả hoặc không có gì: chỉ một dòng sai thì không dòng nào được lưu. Nhập "
            "lại cùng tệp không thay đổi gì (các dòng được đối chiếu theo khóa)."
        ),
        gettext_lazy(
            "UIC gốc được băm ngay khi đọc và không bao giờ được lưu. Vì vậy tệp xuất ra ghi cột "
            "uic dưới dạng h: và mã băm 64 ký tự; có thể nhập lại nguyên tệp đó."
        ),
    ]
