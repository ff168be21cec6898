"""Releases: publishing a period (its tables computed and suppressed once as one linked set by
reports.disclosure, then stored) and reading what was stored.

Nothing here recomputes a stored release: pages, downloads and the printable report read
`Release.tables` as they are. Publishing again is a new version (a correction), which must say
why and must differ from the version before; `release_changes` lists the cells that differ."""

import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from periods.models import Submission

from . import disclosure
from .cycle import restored
from .indicators import cost_results
from .labels import BREAKDOWN_TITLES, INDICATOR_LABELS
from .models import Release
from .selectors import targets_for

# The stored tables, in the order pages and the changes list show them.
TABLE_TITLES = {
    "province_2025": _("Theo 34 tỉnh, thành phố (từ 01/07/2025)"),
    "province_legacy": _("Theo 63 tỉnh, thành phố (trước 01/07/2025)"),
    "model": _("Theo mô hình can thiệp"),
    "role": _("Theo vai trò địa bàn"),
    **{f"breakdown_{by}": title for by, title in BREAKDOWN_TITLES.items()},
    "costs": _("Chi phí theo tỉnh"),
}
TOTAL = "total"


def _plain_json(value):
    """The value as it reads back from a JSON column (tuples become lists, keys strings)."""
    return json.loads(json.dumps(value))


# --------------------------------------------------------------------------- reads


def latest_release(period):
    """The period's latest version, or None. One query."""
    if period is None:
        return None
    return (
        Release.objects.filter(period=period)
        .select_related("period", "published_by")
        .order_by("-version")
        .first()
    )


def release_get(*, period, version=None):
    """A version of the period's release (the latest when `version` is None), or None."""
    if version is None:
        return latest_release(period)
    return (
        Release.objects.filter(period=period, version=version)
        .select_related("period", "published_by")
        .first()
    )


def latest_published_period():
    """The period of the most recent release (latest end; on a tie, the longest period), or
    None: where the ministry's dashboard opens. One query."""
    release = (
        Release.objects.select_related("period")
        .order_by("-period__end", "period__start", "-version")
        .first()
    )
    return release.period if release else None


def release_versions(period):
    return list(
        Release.objects.filter(period=period).select_related("published_by").order_by("-version")
    )


def release_list():
    """Every release, newest period first, all versions. One query."""
    return Release.objects.select_related("period", "published_by").order_by(
        "-period__end", "period__start", "-version"
    )


def nesting_releases(period):
    """The latest release of every other period that nests with `period` (its quarters, its
    year, its phase), in calendar order (by start, the shorter first): their published cells
    constrain this one's suppression, and the same releases in the same order give the same
    suppression. One query."""
    found = {}
    candidates = (
        Release.objects.filter(
            Q(period__start__lte=period.start, period__end__gte=period.end)
            | Q(period__start__gte=period.start, period__end__lte=period.end)
        )
        .exclude(period=period)
        .select_related("period")
        .order_by("period__start", "period__end", "-version")
    )
    for release in candidates:
        found.setdefault(release.period_id, release)
    return list(found.values())


def markers(release):
    return set(release.tables.get("markers", {}).values())


def table(release, name):
    """One stored table: {"rows": {key: {code: value}}, "total": {code: value} or None}, the
    values ready to show (percentages as Decimal, markers as they are)."""
    stored = release.tables["tables"].get(name) or {"rows": {}}
    rows = {
        key: {code: restored(value) for code, value in values.items()}
        for key, values in stored.get("rows", {}).items()
    }
    total = stored.get(TOTAL)
    if total is not None:
        total = {code: restored(value) for code, value in total.items()}
    return {"rows": rows, "total": total}


@dataclass
class CellChange:
    table: str  # the stored table's name (TABLE_TITLES)
    row: str
    code: str
    before: object
    after: object

    @property
    def title(self):
        return TABLE_TITLES.get(self.table, self.table)

    @property
    def label(self):
        return INDICATOR_LABELS.get(self.code, self.code)


def _cells(tables):
    for name, stored in tables.items():
        for key, values in stored.get("rows", {}).items():
            for code, value in values.items():
                yield (name, key, code), value
        for code, value in (stored.get(TOTAL) or {}).items():
            yield (name, TOTAL, code), value


def release_changes(release, previous):
    """Every cell that differs between two versions (added or removed cells included)."""
    if previous is None:
        return []
    before = dict(_cells(previous.tables["tables"]))
    after = dict(_cells(release.tables["tables"]))
    order = {name: i for i, name in enumerate(TABLE_TITLES)}
    keys = sorted(set(before) | set(after), key=lambda k: (order.get(k[0], len(order)), k[1:]))
    return [
        CellChange(
            table=name,
            row=row,
            code=code,
            before=restored(before.get((name, row, code))),
            after=restored(after.get((name, row, code))),
        )
        for name, row, code in keys
        if before.get((name, row, code)) != after.get((name, row, code))
    ]


# --------------------------------------------------------------------------- publishing


def release_extras(*, start, end, provinces=None):
    """What a release stores beside the suppressed tables, computed once with them: the phase
    targets, and each model's cost per site-year for the scale-up estimate (money and
    site-years are not about people, so not suppressed: docs/indicators.md), over the approved
    `provinces` (2025 codes; None: every province)."""
    costs = cost_results(start=start, end=end, group="model", province=provinces)
    scale_up = {
        code: {
            "site_years": str(values["site_years"]),
            "cost_per_site_year_vnd": values["cost_per_site_year_vnd"],
        }
        for code, values in costs.items()
    }
    targets = {code: str(value) for code, value in targets_for(start=start, end=end).items()}
    return {"scale_up": scale_up, "targets": targets}


@transaction.atomic
def release_publish(*, period, provinces, by, reason=""):
    """Publish `period`: every province in `provinces` (2025 provinces) must have its period
    approved. The tables are computed and suppressed once, consistently with the releases of
    the periods that nest with this one, and stored as version 1, or as the next version (a
    correction, which needs a reason and must change something)."""
    provinces = sorted(provinces, key=lambda p: p.code)
    reason = (reason or "").strip()
    if not provinces:
        raise ValidationError(
            {"provinces": _("Hãy chọn ít nhất một tỉnh đã được phê duyệt để công bố.")}
        )
    approved = set(
        Submission.objects.filter(
            period=period, status=Submission.Status.APPROVED, province__in=provinces
        ).values_list("province_id", flat=True)
    )
    missing = [p.name for p in provinces if p.pk not in approved]
    if missing:
        raise ValidationError(
            {
                "provinces": _(
                    "Chưa thể công bố: kỳ %(period)s của %(provinces)s chưa được phê duyệt."
                )
                % {"period": period.label, "provinces": ", ".join(missing)}
            }
        )
    previous = (
        Release.objects.select_for_update().filter(period=period).order_by("-version").first()
    )
    if previous is not None and not reason:
        raise ValidationError(
            {
                "reason": _(
                    "Kỳ này đã được công bố (phiên bản %(version)s): hãy ghi lý do đính chính để "
                    "công bố phiên bản mới."
                )
                % {"version": previous.version}
            }
        )
    fixed = [release.tables for release in nesting_releases(period)]
    codes = [p.code for p in provinces]
    try:
        tables = disclosure.publishable_tables(
            start=period.start, end=period.end, fixed=fixed, provinces=codes
        )
    except disclosure.DisclosureError as error:
        raise ValidationError(
            _("Không công bố được: bảng số liệu chưa bảo vệ được người tham gia (%(detail)s).")
            % {"detail": error},
            code="disclosure",
        ) from error
    tables = _plain_json(tables)
    if previous is not None and previous.tables == tables and previous.provinces == codes:
        raise ValidationError(
            _("Không có gì khác phiên bản %(version)s: không cần công bố lại.")
            % {"version": previous.version},
            code="unchanged",
        )
    try:
        with transaction.atomic():
            return Release.objects.create(
                period=period,
                version=previous.version + 1 if previous else 1,
                published_by=by,
                provinces=codes,
                tables=tables,
                extras=_plain_json(
                    release_extras(start=period.start, end=period.end, provinces=codes)
                ),
                reason=reason,
            )
    except IntegrityError as error:  # published at the same moment by someone else
        raise ValidationError(
            _("Kỳ này vừa được công bố. Hãy tải lại trang."), code="duplicate"
        ) from error
