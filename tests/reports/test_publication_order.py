"""The ministry publishes in the order periods close: every closed quarter of the demo data, then
every year, then both programme phases (2016–2020, 2021–2025), each submitted and approved by
every province with sites first. Every one publishes (suppression always finds a pattern, given
the releases already frozen), and the three differencing attacks — across units, across periods,
across totals — recover nothing across all of them."""

import datetime

import pytest

from periods.models import ReportingPeriod
from reports import cycle, releases
from reports.disclosure import Units
from reports.suppression import ADDITIVE, RELATIONS
from sites.models import Province, Site
from tooling.demo import seed_demo_data

# Ten years of demo data published in order: minutes, not seconds. `make test` leaves it out;
# `make test SLOW=1` and CI (the report tests on the replica) run it.
pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.timeout(3600)]

ADDITIVE_CODES = [code for code, kind in RELATIONS.items() if kind == ADDITIVE]
# Closed on the suite's "today" (reports.cycle.today): the quarters up to 2026Q3.
QUARTERS = [f"{year}Q{q}" for year in range(2016, 2027) for q in (1, 2, 3, 4)][:-1]
YEARS = [str(year) for year in range(2016, 2026)]
PHASES = ["2016-2020", "2021-2025"]
NOT_APPROVED = "chưa phê duyệt"


def _hidden(value):
    return isinstance(value, str) and value != NOT_APPROVED


def _number(value):
    return isinstance(value, int)


def _differences(lines):
    """Whole − Σ parts on every line whose cells are all published (a number or a marker) and
    hold exactly one hidden cell: [(line name, cell, value recovered)]."""
    recovered = []
    for name, whole, parts in lines:
        cells = [whole, *parts]
        if not all(_number(v) or _hidden(v) for v in cells):
            continue
        hidden = [i for i, v in enumerate(cells) if _hidden(v)]
        if len(hidden) != 1:
            continue
        shown = sum(v for v in parts if _number(v))
        value = shown if hidden[0] == 0 else whole - shown
        recovered.append((name, hidden[0], value))
    return recovered


def _cell(tables, table, row, code):
    data = tables["tables"].get(table, {})
    values = data.get("total") if row == "total" else data.get("rows", {}).get(row)
    return None if values is None else values.get(code)


def _unit_lines(tables, units):
    """The country − its provinces (both tables), a 2025 province − its pre-2025 provinces."""
    lines = []
    for code in ADDITIVE_CODES:
        for table in ("province_2025", "province_legacy"):
            rows = tables["tables"][table]["rows"]
            whole = _cell(tables, table, "total", code)
            lines.append((f"{table}/{code}", whole, [v[code] for v in rows.values()]))
        legacy = tables["tables"]["province_legacy"]["rows"]
        for province, values in tables["tables"]["province_2025"]["rows"].items():
            parts = [v[code] for k, v in legacy.items() if units.parent[k] == province]
            lines.append((f"{province}/{code}", values[code], parts))
    return lines


def _period_lines(whole, parts):
    """A release − the releases of the periods that make it up, cell by cell (a row absent from
    a part counts nothing there)."""
    lines = []
    for name, table in whole["tables"].items():
        for row in [*table["rows"], "total"]:
            for code in table["codes"]:
                if code not in ADDITIVE_CODES:
                    continue
                cells = [_cell(part, name, row, code) for part in parts]
                cells = [0 if value is None else value for value in cells]
                lines.append((f"{name}/{row}/{code}", _cell(whole, name, row, code), cells))
    return lines


def _total_lines(tables):
    """The country − its models, the worker-rights model − its pilot, control, scale-up sites."""
    lines = []
    model, role = tables["tables"]["model"], tables["tables"]["role"]
    for code in ADDITIVE_CODES:
        if code in model["codes"]:
            parts = [v[code] for v in model["rows"].values()]
            lines.append((f"model/{code}", model["total"][code], parts))
        if code in role["codes"]:
            parts = [v[code] for v in role["rows"].values()]
            lines.append((f"role/{code}", role["total"][code], parts))
    return lines


def test_every_closed_period_publishes_in_the_order_they_close(monkeypatch):
    from accounts.models import Role
    from tests import factories as f

    # The periods closed on a fixed day: every quarter up to 2026Q3, every year up to 2025.
    monkeypatch.setattr(cycle, "today", lambda: datetime.date(2026, 10, 1))
    seed_demo_data()
    ministry = f.UserFactory(username="ministry_order", role=Role.MINISTRY)
    with_sites = sorted(set(Site.objects.values_list("province__current__code", flat=True)))
    provinces = list(Province.objects.filter(code__in=with_sites, unit_set="2025"))
    officers = {
        p.pk: f.UserFactory(username=f"officer_{p.code}", role=Role.OFFICER, province=p)
        for p in provinces
    }
    closed = {
        kind: sorted(cycle.closed_periods(kinds=[kind]), key=lambda p: p.start)
        for kind in ReportingPeriod.Kind
    }
    order = [*closed["quarter"], *closed["year"], *closed["phase"]]
    assert [p.code for p in order] == [*QUARTERS, *YEARS, *PHASES]
    assert len(QUARTERS) == 43

    published = {}
    for period in order:
        for province in provinces:
            submission = cycle.submission_submit(
                period=period, province=province, by=officers[province.pk]
            )
            cycle.submission_approve(submission=submission, by=ministry)
        release = releases.release_publish(period=period, provinces=provinces, by=ministry)
        assert release.provinces == [p.code for p in sorted(provinces, key=lambda p: p.code)]
        published[period.code] = (period, release.tables)
    assert list(published) == [*QUARTERS, *YEARS, *PHASES]

    units = Units.load()
    recovered = []
    for code, (period, tables) in published.items():
        recovered += [(code, *r) for r in _differences(_unit_lines(tables, units))]
        recovered += [(code, *r) for r in _differences(_total_lines(tables))]
        inner = sorted(
            (p.start, c)
            for c, (p, _t) in published.items()
            if c != code and period.start <= p.start and p.end <= period.end
        )
        for kind in (ReportingPeriod.Kind.QUARTER, ReportingPeriod.Kind.YEAR):
            parts = [published[c][1] for _s, c in inner if published[c][0].kind == kind]
            if parts:
                lines = _period_lines(tables, parts)
                recovered += [(code, *r) for r in _differences(lines)]
    assert recovered == []
