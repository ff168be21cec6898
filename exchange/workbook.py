"""Writing exchange files: the CSV and XLSX of an export, and the blank template workbook.
Every cell goes through `accounts.spreadsheets` (text that looks like a formula is escaped)."""

import csv
import io

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.spreadsheets import csv_row, xlsx_row

from .spec import (
    BOOL,
    DATE,
    ENUM,
    FILES,
    INT,
    SERVICES,
    UIC,
    choice_labels,
    column_title,
    example_cells,
)

# The rows a template's drop-downs cover (row 1 is the header, row 2 the example).
TEMPLATE_ROWS = 5000
EXAMPLE_FONT = Font(italic=True, color="6C757D")
LISTS_SHEET = "_Danh mục"


class _Echo:
    def write(self, value):
        return value


def csv_stream(rows):
    """UTF-8 with a byte-order mark (so Excel shows Vietnamese correctly), comma-separated."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(csv_row(row))


def xlsx_bytes(sheets):
    """`sheets`: [(sheet name, rows)] -> the .xlsx file's bytes."""
    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title=title)
        for row in rows:
            sheet.append(xlsx_row(sheet, row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _values(column):
    if column.kind == DATE:
        return "dd/mm/yyyy | YYYY-MM-DD"
    if column.kind == INT:
        return "0, 1, 2, …"
    if column.kind in (ENUM, BOOL, SERVICES):
        separator = "; " if column.kind == SERVICES else " | "
        if not column.labels:
            return separator.join(column.choices)
        # The label the drop-down offers, and the code a file may hold instead.
        return separator.join(
            f"{label} ({code})"
            for code, label in zip(column.choices, choice_labels(column), strict=True)
        )
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
        xlsx_row(
            guide,
            [
                _("Tệp"),
                _("Cột"),
                _("Bắt buộc"),
                _("Giá trị"),
                _("Mô tả (tiếng Việt)"),
                "Description (English)",
            ],
        )
    )
    for cell in guide[1]:
        cell.font = bold
    for spec in FILES:
        guide.append(
            xlsx_row(guide, [spec.filename, "", "", "", str(spec.help), _english(spec.help)])
        )
        guide.cell(row=guide.max_row, column=1).font = bold
        for column in spec.columns:
            guide.append(
                xlsx_row(
                    guide,
                    [
                        spec.filename,
                        column.name,
                        _("không") if column.optional else _("có"),
                        _values(column),
                        str(column.help),
                        _english(column.help),
                    ],
                )
            )
    guide.append([])
    for note in _notes():
        guide.append(xlsx_row(guide, ["", "", "", "", str(note), _english(note)]))
    for width, letter in zip((28, 22, 10, 40, 80, 80), "ABCDEF", strict=True):
        guide.column_dimensions[letter].width = width
    lists = _list_sheet(book)
    for spec in FILES:
        sheet = book.create_sheet(title=spec.name)
        sheet.append(xlsx_row(sheet, [column_title(column) for column in spec.columns]))
        for cell in sheet[1]:
            cell.font = bold
        sheet.append(xlsx_row(sheet, example_cells(spec)))
        for cell in sheet[2]:
            cell.font = EXAMPLE_FONT
        sheet.freeze_panes = "A2"
        for position, column in enumerate(spec.columns, start=1):
            letter = get_column_letter(position)
            sheet.column_dimensions[letter].width = max(14, len(column_title(column)) + 2)
            if column.choices:
                _drop_down(sheet, letter, lists[_list_key(column)], column)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _list_key(column):
    return tuple(column.choices)


def _list_sheet(book):
    """A sheet holding each list of values once, one per column (its name starts with _, so
    an import skips it): {choices: range reference} for the drop-downs."""
    sheet = book.create_sheet(title=LISTS_SHEET)
    ranges = {}
    for spec in FILES:
        for column in spec.columns:
            key = _list_key(column)
            if not key or key in ranges:
                continue
            letter = get_column_letter(len(ranges) + 1)
            sheet.cell(row=1, column=len(ranges) + 1, value=column.name)
            for row, value in enumerate(choice_labels(column), start=2):
                sheet.cell(row=row, column=len(ranges) + 1, value=value)
            ranges[key] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(key) + 1}"
    sheet.sheet_state = "hidden"
    return ranges


def _drop_down(sheet, letter, reference, column):
    """A drop-down of `column`'s values under its header. A list of services may hold several
    codes ("a; b"), so there another value is allowed, with a hint."""
    several = column.kind == SERVICES
    validation = DataValidation(
        type="list",
        formula1=reference,
        allow_blank=True,
        showErrorMessage=not several,
        # A warning, not a refusal: a code (what an export holds) is a value too.
        errorStyle="warning",
        errorTitle=_("Giá trị không hợp lệ"),
        error=_("Chọn một giá trị trong danh sách (hoặc ghi mã của nó)."),
        promptTitle=column.name,
        prompt=_("Nhiều dịch vụ: ghi các dịch vụ (hoặc mã) cách nhau bởi dấu ;")
        if several
        else None,
        showInputMessage=several,
    )
    validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
    sheet.add_data_validation(validation)


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
            "Ngày ghi dạng dd/mm/yyyy (15/03/2025; YYYY-MM-DD cũng được); giá trị đúng/sai ghi "
            "yes/no; ô có danh sách nhận tên trong danh sách hoặc mã của nó; danh sách cách nhau "
            "bởi dấu ; ; mã phân biệt chữ hoa, chữ thường. Dòng tiêu đề ghi "
            "tên cột kèm mã cột trong ngoặc; dòng 2 là ví dụ (để nguyên hoặc xoá: không được "
            "nhập); cột có danh sách giá trị có ô chọn."
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
