"""The lock of approved periods, asked by every writer.

Every dated event — contacts, enrolments, withdrawals, supports, referrals and each of their
status changes (by the change's date), assessments, costs and trainings — dated in a period that
the ministry has approved for a province cannot be created, changed or imported at that
province's sites until the ministry reopens the period. Every writer (the forms through the
services, the importer, the offline sync; the admin is read-only for these records) asks here:

- `check_period_open(*, site, day)`: one record, one query (`province=` instead of `site=` for
  a province-level event: a withdrawal);
- `locked_spans()` once per import, then `check_open_in(spans, *, site, day)` per row (no
  query; `province=` likewise).

`LOCKED_EVENTS` lists the kinds of dated event the lock covers; the rule × writer matrix test
(tests/test_rule_matrix.py) checks each against every writer.

Both raise ValidationError({"date": …}) with a message saying which period, which province and
what to do. This module is on the ground floor: it reaches the provinces only through the
submissions' relation, never by importing `sites`."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Submission

# The dated events the lock covers (the matrix test enumerates them).
LOCKED_EVENTS = (
    "contact",
    "enrolment",
    "withdrawal",
    "support",
    "referral",
    "referral_transition",
    "rights_assessment",
    "establishment_assessment",
    "cost",
    "training",
)

LOCKED = _(
    "Kỳ báo cáo %(period)s của %(province)s đã được Bộ phê duyệt và khoá: không thể thêm, sửa "
    "hay nhập số liệu ngày %(day)s. Nếu cần sửa, hãy đề nghị Bộ mở lại kỳ báo cáo."
)


def _locked(period_label, province_name, day):
    message = LOCKED % {
        "period": period_label,
        "province": province_name,
        "day": day.strftime("%d/%m/%Y"),
    }
    return ValidationError({"date": ValidationError(message, code="period_locked")})


def check_period_open(*, day, site=None, province=None):
    """Refuse (ValidationError on "date") a record dated `day` at `site` (or of `province`, any
    province row, pre-2025 or 2025) when the ministry has approved a period containing that day
    for its 2025 province. Nothing is checked while either is unknown (the form reports that).
    One query."""
    province_id = site.province_id if site is not None else getattr(province, "pk", province)
    if province_id is None or day is None:
        return
    approved = (
        Submission.objects.filter(
            status=Submission.Status.APPROVED,
            province__predecessors=province_id,
            period__start__lte=day,
            period__end__gte=day,
        )
        .select_related("period", "province")
        .order_by("period__start")
        .first()
    )
    if approved is not None:
        raise _locked(approved.period.label, approved.province.name, day)


def record_site_day(record):
    """(site, day) of a stored dated record, as the lock sees it: its own site, or its
    establishment's; None for a record not saved yet."""
    if record is None or record.pk is None:
        return None
    site = getattr(record, "site", None)
    if site is None and getattr(record, "establishment_id", None):
        site = record.establishment.site
    return site, record.date


def check_change_open(*, record, site, day):
    """A dated record may be saved only outside the locked periods: neither a new one dated in
    such a period, nor a change to one that is (moving it out would change the approved
    figures too). `record` is the record as stored (its pk None when new)."""
    before = record_site_day(record)
    if before is not None:
        check_period_open(site=before[0], day=before[1])
    check_period_open(site=site, day=day)


@dataclass(frozen=True)
class LockedSpans:
    """The approved (locked) periods of every province, loaded once (see `locked_spans`)."""

    # 2025 province id -> [(start, end, period label, province name)]
    by_province: dict = field(default_factory=dict)
    # any province id (pre-2025 or 2025) -> the 2025 province it is or became
    current: dict = field(default_factory=dict)

    def find(self, *, province_id, day):
        for start, end, period_label, province_name in self.by_province.get(
            self.current.get(province_id), ()
        ):
            if start <= day <= end:
                return period_label, province_name
        return None


def locked_spans():
    """Every approved (province, period) for an import to check its rows against with
    `check_open_in`. Two queries (one when nothing is approved)."""
    approved = Submission.objects.filter(status=Submission.Status.APPROVED).select_related(
        "period", "province"
    )
    by_province = {}
    for submission in approved.order_by("period__start"):
        period = submission.period
        by_province.setdefault(submission.province_id, []).append(
            (period.start, period.end, period.label, submission.province.name)
        )
    if not by_province:
        return LockedSpans()
    # Each approved province's predecessors (itself among them: a 2025 province is its own
    # `current`), through the relation rather than an import of sites.
    current = dict(
        Submission.objects.filter(status=Submission.Status.APPROVED)
        .order_by()
        .values_list("province__predecessors", "province_id")
        .distinct()
    )
    return LockedSpans(by_province=by_province, current=current)


def check_open_in(spans, *, day, site=None, province=None):
    """`check_period_open` against spans loaded once by `locked_spans()`: no query."""
    province_id = site.province_id if site is not None else getattr(province, "pk", province)
    if province_id is None or day is None:
        return
    found = spans.find(province_id=province_id, day=day)
    if found is not None:
        raise _locked(found[0], found[1], day)
