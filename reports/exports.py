"""The national summary of a published release (province × indicator), served exactly as stored,
as XLSX (an analyst's workbook: Vietnamese titles over the codes, number formats, the legend of
suppressed cells, print settings), CSV (UTF-8 with a byte-order mark so Excel reads Vietnamese;
codes as column names) and DHIS2 dataValueSets JSON."""

import csv
import io
import json
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from accounts.spreadsheets import csv_row, xlsx_row
from programs.calendar import iso_period
from sites.models import Province

from .catalogue import CODES, INDICATOR_LABELS, MONEY_CODES, PERCENTAGES
from .dashboards import province_label, province_names
from .disclosure import UNAPPROVED, approved_note
from .releases import table

NATIONAL_CODE = "VN"
HEADER_ROW = 6  # the Vietnamese titles; the codes are on the row under them
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"
VND_FORMAT = '#,##0 "₫"'


def release_summary(release, *, units="2025"):
    """The table every download writes, read from the stored release: a header of codes, one
    row per province of the unit set (code, name, values), then the national row."""
    name = "province_legacy" if units == Province.UnitSet.LEGACY else "province_2025"
    stored = table(release, name)
    names = province_names()
    header = ["province_code", "province", *CODES]
    body = []
    for code in sorted(stored["rows"]):
        values = stored["rows"][code]
        body.append([code, province_label(names, units, code), *(values.get(c) for c in CODES)])
    national = stored["total"] or {}
    body.append([NATIONAL_CODE, national_label(release), *(national.get(c) for c in CODES)])
    return header, body


def national_label(release):
    """ "Toàn quốc", or "Toàn quốc (1/34 tỉnh đã phê duyệt)" when the release covers only the
    provinces approved so far (its national row counts them only)."""
    note = approved_note(release.tables)
    if note is None:
        return _("Toàn quốc")
    return _("Toàn quốc (%(note)s)") % {"note": note}


def to_csv(header, body):
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_row(header))
    for row in body:
        writer.writerow(csv_row(row))
    return out.getvalue().encode("utf-8")


def _number_format(code):
    if code in PERCENTAGES:
        return PERCENT_FORMAT
    if code in MONEY_CODES:
        return VND_FORMAT
    return COUNT_FORMAT


def _xlsx_value(code, value):
    """A cell's value: percentages as fractions (shown 83.3% by their format), other numbers as
    they are, markers ("<5", "x") as text."""
    if isinstance(value, Decimal):
        return float(value / 100) if code in PERCENTAGES else float(value)
    return value


def _release_lines(release, units):
    published = timezone.localtime(release.published_at)
    lines = [
        _("Kỳ báo cáo: %(period)s (%(start)s – %(end)s)")
        % {
            "period": release.period.label,
            "start": f"{release.period.start:%d/%m/%Y}",
            "end": f"{release.period.end:%d/%m/%Y}",
        },
        _("Bản công bố: phiên bản %(version)s, công bố ngày %(day)s; %(count)s tỉnh đã phê duyệt")
        % {
            "version": release.version,
            "day": f"{published:%d/%m/%Y}",
            "count": len(release.provinces),
        },
        _("Theo 63 tỉnh, thành phố (trước 01/07/2025)")
        if units == Province.UnitSet.LEGACY
        else _("Theo 34 tỉnh, thành phố (từ 01/07/2025)"),
    ]
    note = approved_note(release.tables)
    if note is not None:
        lines.append(
            _(
                "Số liệu toàn quốc và theo vùng chỉ tính %(note)s; tỉnh khác: chưa phê duyệt "
                "(không có số liệu)"
            )
            % {"note": note}
        )
    if release.reason:
        lines.append(_("Lý do đính chính: %(reason)s") % {"reason": release.reason})
    return lines


def _legend(markers):
    return [
        (markers.get("small", "<5"), _("Số từ 1 đến 4 được ẩn để bảo vệ người tham gia (số nhỏ).")),
        (markers.get("hidden", "x"), _("Ô được ẩn thêm để không suy ra được số nhỏ từ tổng.")),
        (_("(trống)"), _("Không tính được: mẫu số bằng 0.")),
        (
            markers.get("unapproved", UNAPPROVED),
            _("Tỉnh chưa được phê duyệt số liệu của kỳ khi công bố: không có số liệu nào."),
        ),
    ]


def to_xlsx(header, body, *, release, units="2025"):
    """The national summary workbook of a release: on the first sheet the period, the release
    and the legend above a table with Vietnamese titles and the codes under them, numbers
    formatted (thousands, percentages, VND) and printable on A4 landscape; a guide sheet with
    every code and its title."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Tổng hợp")
    codes = header[2:]
    sheet.append(xlsx_row(sheet, [_("Tổng hợp chỉ số toàn quốc")]))
    sheet["A1"].font = Font(bold=True, size=14)
    lines = _release_lines(release, units)
    sheet.append(xlsx_row(sheet, [lines[0]]))
    sheet.append(xlsx_row(sheet, [" · ".join(str(line) for line in lines[1:])]))
    markers = release.tables.get("markers", {})
    sheet.append(xlsx_row(sheet, ["; ".join(f"{mark}: {text}" for mark, text in _legend(markers))]))
    sheet.append([])
    titles = [_("Mã tỉnh"), _("Tỉnh/thành phố"), *(INDICATOR_LABELS[code] for code in codes)]
    sheet.append(xlsx_row(sheet, titles))
    sheet.append(xlsx_row(sheet, header))
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[HEADER_ROW + 1]:
        cell.font = Font(italic=True, color="666666")
    for row in body:
        values = row[:2] + [_xlsx_value(code, v) for code, v in zip(codes, row[2:], strict=True)]
        cells = xlsx_row(sheet, values)
        for code, cell in zip(codes, cells[2:], strict=True):
            cell.number_format = _number_format(code)
            cell.alignment = Alignment(horizontal="right")
            if row[0] == NATIONAL_CODE:
                cell.font = Font(bold=True)
        if row[0] == NATIONAL_CODE:
            cells[1].font = Font(bold=True)
        sheet.append(cells)
    sheet.row_dimensions[HEADER_ROW].height = 75
    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = 24
    for index in range(3, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 14
    sheet.freeze_panes = f"C{HEADER_ROW + 2}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW + 1}"
    sheet.print_title_cols = "A:B"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = True
    sheet.oddHeader.center.text = str(lines[0])
    sheet.oddFooter.right.text = _("Trang &P / &N")

    guide = book.create_sheet(_("Hướng dẫn"))
    for line in lines:
        guide.append(xlsx_row(guide, [str(line)]))
    guide.append([])
    guide.append(xlsx_row(guide, [_("Mã chỉ số"), _("Chỉ số"), _("Định dạng")]))
    for code in codes:
        kind = _number_format(code)
        fmt = {PERCENT_FORMAT: _("phần trăm"), VND_FORMAT: _("đồng (VNĐ)")}.get(kind, _("số"))
        guide.append(xlsx_row(guide, [code, INDICATOR_LABELS[code], fmt]))
    guide.append([])
    guide.append(xlsx_row(guide, [_("Ký hiệu"), _("Ý nghĩa")]))
    for mark, text in _legend(markers):
        guide.append(xlsx_row(guide, [mark, text]))
    guide.column_dimensions["A"].width = 32
    guide.column_dimensions["B"].width = 70
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_dhis2(header, body, *, start, end, release=None):
    """A DHIS2 dataValueSets document: data element = indicator code, org unit = province code,
    ISO period. Suppressed and empty cells are left out (DHIS2 values must be numbers), as are
    the provinces not approved ("chưa phê duyệt": DHIS2 then leaves them out of its analytics)
    and the national row (not a province: DHIS2 adds up the provinces sent). When the release
    covers only part of the provinces, every value says so in its comment ("1/34 tỉnh đã phê
    duyệt")."""
    period = iso_period(start, end)
    note = approved_note(release.tables) if release is not None else None
    values = []
    for row in body:
        if row[0] == NATIONAL_CODE:
            continue
        for code, value in zip(header[2:], row[2:], strict=True):
            if value is None or isinstance(value, str):
                continue
            value = {"dataElement": code, "period": period, "orgUnit": row[0], "value": str(value)}
            if note is not None:
                value["comment"] = str(note)
            values.append(value)
    return json.dumps({"period": period, "dataValues": values}, ensure_ascii=False).encode()
