"""The national summary (province × indicator for a period), suppressed, as XLSX, CSV (UTF-8 with
a byte-order mark so Excel reads Vietnamese) and DHIS2 dataValueSets JSON."""

import csv
import io
import json
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .forms import iso_period
from .indicators import CODES
from .labels import INDICATOR_LABELS
from .selectors import province_table, suppress_table
from .suppression import HIDDEN, small_label

NATIONAL_CODE = "VN"


def national_summary(*, start, end, units="2025"):
    """The table every export writes: a header of codes, one row per province (code, name, values),
    then the national row; counts below the national total suppressed."""
    rows, national = province_table(start=start, end=end, units=units)
    rows = suppress_table(rows, national)
    header = ["province_code", "province", *CODES]
    body = [[row.code, row.label, *(row.values[code] for code in CODES)] for row in rows]
    body.append([NATIONAL_CODE, _("Toàn quốc"), *(national[code] for code in CODES)])
    return header, body


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def to_csv(header, body):
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in body:
        writer.writerow(["" if value is None else value for value in row])
    return out.getvalue().encode("utf-8")


def to_xlsx(header, body, *, start, end):
    book = Workbook()
    sheet = book.active
    sheet.title = _("Tổng hợp")
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in body:
        sheet.append([_plain(value) for value in row])
    sheet.freeze_panes = "C2"
    legend = book.create_sheet(_("Chú thích"))
    legend.append([_("Kỳ báo cáo"), f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"])
    legend.append([_("Mã chỉ số"), _("Chỉ số")])
    for code in CODES:
        legend.append([code, str(INDICATOR_LABELS[code])])
    legend.append([])
    legend.append([small_label(), _("Số từ 1 đến 4 được ẩn để bảo vệ người tham gia (số nhỏ).")])
    legend.append([HIDDEN, _("Ô được ẩn thêm để không suy ra được số nhỏ từ tổng.")])
    legend.append([_("(trống)"), _("Không tính được: mẫu số bằng 0.")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_dhis2(header, body, *, start, end):
    """A DHIS2 dataValueSets document: data element = indicator code, org unit = province code,
    ISO period. Suppressed and empty cells are left out (DHIS2 values must be numbers), as is
    the national row (not a province)."""
    period = iso_period(start, end)
    values = []
    for row in body:
        if row[0] == NATIONAL_CODE:
            continue
        for code, value in zip(header[2:], row[2:], strict=True):
            if value is None or isinstance(value, str):
                continue
            values.append(
                {"dataElement": code, "period": period, "orgUnit": row[0], "value": str(value)}
            )
    return json.dumps({"period": period, "dataValues": values}, ensure_ascii=False).encode()
