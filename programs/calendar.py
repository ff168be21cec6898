"""The reporting calendar's date arithmetic: quarters, years and the names of periods.

Plain functions on dates, at the ground floor, so that the period lock, the dashboards, the
exports and the selectors can use them without importing a forms module.
"""

import calendar
import datetime

from django.utils.translation import gettext_lazy as _


def quarter_range(year, quarter):
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    last_day = calendar.monthrange(year, last_month)[1]
    return datetime.date(year, first_month, 1), datetime.date(year, last_month, last_day)


def year_range(year):
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def iso_period(start, end):
    """The DHIS2 ISO period of [start, end]: "2019" for a calendar year, "2019Q1" for a quarter,
    "201903" for a month, else "2019-01-15/2019-03-20"."""
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    if start.year == end.year and start.day == 1 and start.month % 3 == 1:
        quarter = (start.month - 1) // 3 + 1
        if (start, end) == quarter_range(start.year, quarter):
            return f"{start.year}Q{quarter}"
    same_month = (start.year, start.month) == (end.year, end.month)
    if same_month and start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]:
        return f"{start.year}{start.month:02d}"
    return f"{start.isoformat()}/{end.isoformat()}"


def period_label(start, end):
    """ "Năm 2019", "Quý 1/2019" or "15/01/2019 – 20/03/2019"."""
    period = iso_period(start, end)
    if period.isdigit() and len(period) == 4:
        return _("Năm %(year)s") % {"year": period}
    if "Q" in period:
        year, quarter = period.split("Q")
        return _("Quý %(quarter)s/%(year)s") % {"quarter": quarter, "year": year}
    return f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"
