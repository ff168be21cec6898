"""The reporting calendar as data: every quarter and year from the programme's start and every
programme phase are rows (periods.models.ReportingPeriod), loaded by a migration
(`load_periods`); a later phase is added as data in the admin. The date arithmetic itself is in
programs.calendar."""

import datetime

from programs.calendar import quarter_range, year_range

from .models import ReportingPeriod

FIRST_YEAR = 2016
LAST_YEAR = 2035


def period_rows(phases, *, first_year=FIRST_YEAR, last_year=LAST_YEAR):
    """The periods as dicts: every quarter and year of [first_year, last_year] and one period
    per programme phase (`phases`: objects with code, start_date, end_date)."""
    rows = []
    for year in range(first_year, last_year + 1):
        start, end = year_range(year)
        rows.append({"code": str(year), "kind": "year", "start": start, "end": end})
        for quarter in range(1, 5):
            start, end = quarter_range(year, quarter)
            rows.append(
                {"code": f"{year}Q{quarter}", "kind": "quarter", "start": start, "end": end}
            )
    for phase in phases:
        rows.append(
            {"code": phase.code, "kind": "phase", "start": phase.start_date, "end": phase.end_date}
        )
    return rows


def load_periods(period_model, phase_model):
    """Create the periods that are missing. Idempotent; takes the model classes so a data
    migration can pass its historical models (and the test suite reload them after a flush)."""
    existing = set(period_model.objects.values_list("code", flat=True))
    missing = [
        period_model(**row)
        for row in period_rows(phase_model.objects.order_by("start_date"))
        if row["code"] not in existing
    ]
    period_model.objects.bulk_create(missing)


def period_for(start, end):
    """The reporting period that is exactly [start, end], or None. One query."""
    return ReportingPeriod.objects.filter(start=start, end=end).first()


def quarter_of(day):
    quarter = (day.month - 1) // 3 + 1
    return quarter_range(day.year, quarter)


def last_complete_quarter(*, today, latest=None):
    """(start, end) of the last quarter that has ended before `today` and is not after the
    latest data (`latest`, a date or None): where the dashboards open when nothing is
    published."""
    day = today - datetime.timedelta(days=1)
    if latest is not None and latest < day:
        day = latest
    start, end = quarter_of(day)
    if end >= today:
        start, end = quarter_of(start - datetime.timedelta(days=1))
    return start, end
