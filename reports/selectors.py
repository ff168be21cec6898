"""Reads behind the dashboards and exports: tables of indicators by province, model and site role,
coverage against the target, cost per result. Every function runs a fixed number of queries."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q
from django.utils.functional import Promise

from participants.models import Contact
from programs.models import InterventionModel, Target
from referrals.models import Referral
from sites.models import MERGER_DATE, PeerGroup, Province, Site

from . import catalogue, suppression
from .indicators import (
    EMPTY,
    Pass,
    breakdown_labels,
    cost_figures,
    localities_covered,
    percentage,
    reached_breakdowns,
    site_days,
)
from .labels import AGE_GROUP_LABELS

SUPPRESSIBLE_RATIOS = catalogue.ENGINE_RATIOS
# A row of figures: {code: value}.
Values = Mapping[str, Any]
COVERAGE_TARGET_DEFAULT = Decimal(10)


def latest_data_day(before: datetime.date | None = None) -> datetime.date | None:
    """The date of the most recent contact anywhere (before the day `before`, if given), or None
    (where the dashboards open when nothing is published). One query on the index of contact
    dates."""
    contacts = Contact.objects.filter(date__lt=before) if before else Contact.objects
    return contacts.aggregate(latest=Max("date"))["latest"]


def latest_group_day(peer_group: PeerGroup) -> datetime.date | None:
    """The date of the group's most recent contact, or None. One query."""
    return Contact.objects.filter(peer_group=peer_group).aggregate(latest=Max("date"))["latest"]


def targets_for(*, start: datetime.date, end: datetime.date) -> dict[str, Decimal]:
    """{indicator code: target value} of the latest phase overlapping the period. One query."""
    rows = (
        Target.objects.filter(phase__start_date__lte=end, phase__end_date__gte=start)
        .order_by("phase__start_date")
        .values_list("indicator", "value")
    )
    return dict(rows)


@dataclass
class Row:
    """One line of a table of indicators: a unit (province, model, role…) and its values."""

    key: object
    label: str | Promise
    code: str = ""
    values: Mapping[str, Any] = field(default_factory=dict)
    coverage: dict[str, Any] = field(default_factory=dict)


def _coverage(covered: int, units: int | None) -> dict[str, Any]:
    return {
        "covered": covered,
        "units": units,
        "pct": percentage(covered, units) if units else None,
    }


def _coverage_units(
    province: Province, provinces: list[Province], *, legacy_era: bool
) -> int | None:
    """District-level areas of a 2025 province for a period before the merger (the sum over the
    pre-2025 provinces merged into it, when all are known), else its own count."""
    if not legacy_era or province.unit_set == Province.UnitSet.LEGACY:
        return province.locality_count
    counts = [
        p.locality_count
        for p in provinces
        if p.unit_set == Province.UnitSet.LEGACY and p.current_id == province.pk
    ]
    known = [count for count in counts if count is not None]
    if not counts or len(known) < len(counts):
        return None
    return sum(known)


def province_table(
    *,
    start: datetime.date,
    end: datetime.date,
    units: str = "2025",
    model: str | None = None,
    scope: list[str] | None = None,
    figures: Pass | None = None,
) -> tuple[list[Row], Values]:
    """Every province of a unit set ("2025": the 34; "legacy": the 63, plus any post-merger
    province with data) with its indicators and coverage, and the national row. From `figures`
    (a Pass of the page that wants ("province" or "province_legacy", None) and (None, None)),
    or a Pass of their own: 8 queries, the provinces and coverage, whatever the data size.
    `scope` (a list of 2025 province codes) narrows the figures of a Pass of its own, national
    row included, to those provinces; the other rows then hold no data."""
    provinces = list(Province.objects.order_by("code"))
    grouping = "province" if units == "2025" else "province_legacy"
    if figures is None:
        figures = Pass(
            start=start,
            end=end,
            province=scope,
            model=model,
            wanted=[(grouping, None), (None, None)],
        )
    grouped = figures.get(grouping)
    covered = localities_covered(start=start, end=end, unit_set=units, model=model)
    legacy_era = end < MERGER_DATE
    rows = []
    for province in provinces:
        wanted = province.unit_set == units or (units == "legacy" and province.pk in grouped)
        if not wanted:
            continue
        label = province.name
        if units == "legacy" and province.unit_set == Province.UnitSet.CURRENT:
            label = f"{province.name} (2025)"
        rows.append(
            Row(
                key=province.pk,
                label=label,
                code=province.code,
                values=grouped.get(province.pk, EMPTY),
                coverage=_coverage(
                    covered.get(province.pk, 0),
                    _coverage_units(province, provinces, legacy_era=legacy_era),
                ),
            )
        )
    national = figures.get()[None]
    return rows, national


def _figures(figures: Pass | None, table: tuple[str | None, str | None], **scope: Any) -> Pass:
    """`figures` (the page's Pass), or a Pass of its own for one table."""
    return figures or Pass(wanted=[table], **scope)


def model_table(
    *,
    start: datetime.date,
    end: datetime.date,
    province: str | None = None,
    figures: Pass | None = None,
) -> list[Row]:
    """The three intervention models with their indicators (from `figures`, a Pass of the page
    that wants ("model", None), or one of its own)."""
    figures = _figures(figures, ("model", None), start=start, end=end, province=province)
    grouped = figures.get("model")
    models = list(InterventionModel.objects.all())
    rows = [
        Row(key=m.code, label=m.label, code=m.code, values=grouped.get(m.code, EMPTY))
        for m in models
    ]
    return rows


def site_table(
    *, start: datetime.date, end: datetime.date, province: str, figures: Pass | None = None
) -> list[Row]:
    """Every site of a 2025 province (active in the period or with data) and its indicators
    (from `figures`, a Pass of the page that wants ("site", None), or one of its own)."""
    figures = _figures(figures, ("site", None), start=start, end=end, province=province)
    grouped = figures.get("site")
    sites = Site.objects.filter(province__current__code=province).select_related("model")
    sites = sites.filter(Q(pk__in=list(grouped)) | Q(start_date__lte=end, is_active=True))
    return [
        Row(key=s.pk, label=s.name, code=s.code, values=grouped.get(s.pk, EMPTY)) for s in sites
    ]


# The columns of the worker-rights model's pilot / control / scale-up table.
WORKER_RIGHTS_CODES = catalogue.columns(catalogue.ROLE)


PILOT_CONTROL = ("role", InterventionModel.WORKER_RIGHTS)


def pilot_vs_control(
    *,
    start: datetime.date,
    end: datetime.date,
    province: str | None = None,
    figures: Pass | None = None,
) -> list[Row]:
    """The worker-rights indicators of the worker-rights model's pilot, control and scale-up
    sites side by side (from `figures`, a Pass of the page that wants PILOT_CONTROL, or one of
    its own)."""
    figures = _figures(figures, PILOT_CONTROL, start=start, end=end, province=province)
    grouped = figures.get(*PILOT_CONTROL)
    return [
        Row(key=role, label=label, code=role, values=grouped.get(role, EMPTY))
        for role, label in Site.SiteRole.choices
    ]


def cost_table(
    *,
    start: datetime.date,
    end: datetime.date,
    model_rows: list[Row],
    total: Values,
    province: str | list[str] | None = None,
) -> tuple[list[Row], Values]:
    """Cost per person reached, per completed referral and per site-year, by model and in
    total, from the indicators already computed for the models' table and for the whole scope
    (`model_rows`, `total`: their cost, people reached and referrals completed) and the days
    each model's sites ran in the period. One query."""
    days = site_days(start=start, end=end, province=province, group="model")

    def figures(values: Values, running: int) -> Values:
        return cost_figures(
            total=values["total_cost_vnd"],
            reached=values["reached"],
            completed=values["referrals_completed"],
            days=running,
        )

    rows = [
        Row(
            key=row.key,
            label=row.label,
            code=row.code,
            values=figures(row.values, days.get(row.code, 0)),
        )
        for row in model_rows
    ]
    return rows, figures(total, sum(days.values()))


def breakdowns(
    *,
    start: datetime.date,
    end: datetime.date,
    province: str | None = None,
    site: str | None = None,
    peer_group: PeerGroup | None = None,
) -> dict[str, dict[str, Any]]:
    """Reached by sex, age group, residence and category: for each, its rows (label, count) and
    total. One statement (and one query for the sites in a scope)."""
    found = reached_breakdowns(
        start=start, end=end, province=province, site=site, peer_group=peer_group
    )
    return breakdown_rows(found)


def breakdown_rows(found: dict[str, dict[str, int]]) -> dict[str, dict[str, Any]]:
    """{by: {value: count}} (reached_breakdowns, or a Pass's breakdowns) -> {by: {"rows": [(label,
    count)], "total"}} in display order."""
    out = {}
    for by in ("sex", "age_group", "residence", "category"):
        counts = found[by]
        labels = breakdown_labels(by)
        values = [counts.get(key, 0) for key, _label in labels]
        names = [AGE_GROUP_LABELS[key] if by == "age_group" else lbl for key, lbl in labels]
        out[by] = {"rows": list(zip(names, values, strict=True)), "total": sum(values)}
    return out


def suppress_table(rows: list[Row], national: Values | None) -> list[Row]:
    """Small-cell suppression of a province (or model) table, the national row being the
    columns' total (left as it is). Only counts of people are suppressed: sites, localities
    (coverage), establishments, groups and money are shown as they are."""
    dicts = [row.values for row in rows]
    done, _total = suppression.suppress_rows(
        dicts, counts=suppression.PROTECTED_COUNTS, ratios=SUPPRESSIBLE_RATIOS, total=national
    )
    for row, values in zip(rows, done, strict=True):
        row.values = values
    return rows


def group_figures(
    *, start: datetime.date, end: datetime.date, peer_group: PeerGroup
) -> dict[str, Any]:
    """A peer group's own results in the period: people its leaders reached, those with a need,
    those referred by the group, referrals made and completed. Two queries."""
    contacts = Contact.objects.filter(peer_group=peer_group, date__gte=start, date__lte=end)
    referred_by_group = Referral.objects.filter(
        peer_group=peer_group, date__gte=start, date__lte=end
    )
    people = contacts.aggregate(
        reached=Count("participant", distinct=True),
        reached_with_need=Count("participant", distinct=True, filter=Q(needs__any=True)),
        referred=Count(
            "participant",
            distinct=True,
            filter=Q(needs__any=True) & Q(participant__in=referred_by_group.values("participant")),
        ),
    )
    referrals = referred_by_group.aggregate(
        made=Count("id"),
        completed=Count("id", filter=Q(status=Referral.Status.COMPLETED)),
    )
    return {
        **people,
        "referred_pct": percentage(people["referred"], people["reached_with_need"]),
        "referrals_made": referrals["made"],
        "referrals_completed": referrals["completed"],
        "members": peer_group.members,
    }
