"""The reporting cycle as reports sees it: the figures of each step and what each role sees.

The steps (submit, return, approve, reopen) and their rules are periods.services, which alone
writes Submission and SubmissionEvent rows. Here: submit and approve compute the figures the
province stands behind with the indicator engine and call those services; the ministry's
decisions by name (submission_decide) call periods.services directly.

Reads (selectors): a province's periods and their status, a period's provinces, the review of a
province's figures (live values, what changed since it last submitted, data-quality warnings)
and what awaits each role on its home page."""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from participants.models import Contact
from periods import services
from periods.models import ReportingPeriod, Submission
from referrals.models import Referral
from sites.models import Cost, Province, Site

from .indicators import CODES, compute_indicators
from .labels import INDICATOR_LABELS
from .models import Release

Status = Submission.Status
# Periods a province reports on (phases are published by the ministry from their years).
SUBMITTED_KINDS = (ReportingPeriod.Kind.QUARTER, ReportingPeriod.Kind.YEAR)
EXAMPLES = 10


def today():
    return timezone.localdate()


# --------------------------------------------------------------------------- figures


def jsonable(values):
    """Indicator values as stored in JSON: percentages (Decimal) as strings."""
    return {code: str(v) if isinstance(v, Decimal) else v for code, v in values.items()}


def restored(value):
    """A stored value back for display: a string that is a number is a percentage (Decimal);
    any other string (a suppression marker) stays as it is."""
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


def province_figures(*, period, province):
    """The province's live indicators for the period, as stored. Eight queries (nine on
    PostgreSQL)."""
    values = compute_indicators(start=period.start, end=period.end, province=province.code)
    return jsonable(values)


@dataclass
class Change:
    code: str
    label: str
    before: object
    after: object


def figure_changes(before, after):
    """The indicators whose value differs between two stored sets of figures, in CODES order."""
    return [
        Change(code, INDICATOR_LABELS[code], restored(before.get(code)), restored(after.get(code)))
        for code in CODES
        if before.get(code) != after.get(code)
    ]


# --------------------------------------------------------------------------- steps
# The steps write through periods.services; what reports adds is the figures: those the province
# stands behind when it submits, and what changed since then when the ministry approves.


@transaction.atomic
def submission_submit(*, period, province, by, comment=""):
    """The province's officer submits a closed period: its live figures are recorded as what
    the province stands behind (periods.services.submission_submit holds the rules)."""
    services.check_period_closed(period)
    figures = province_figures(period=period, province=province)
    return services.submission_submit(
        period=period, province=province, by=by, figures=figures, comment=comment
    )


def changed_labels(submission):
    """The labels of the indicators whose live value differs from what the province
    submitted, in CODES order."""
    live = province_figures(period=submission.period, province=submission.province)
    return [change.label for change in figure_changes(submission.figures, live)]


def submission_approve(*, submission, by, comment=""):
    """The ministry approves a submitted period; refused when the province's figures changed
    after it submitted them (periods.services.submission_approve)."""
    return services.submission_approve(
        submission=submission, by=by, comment=comment, changed_since=changed_labels
    )


DECISIONS = ("approve", "return", "reopen")


def submission_decide(*, submission, action, by, comment):
    """One of the ministry's decisions by name (DECISIONS)."""
    if action == "approve":
        return submission_approve(submission=submission, by=by, comment=comment)
    if action == "return":
        return services.submission_return(submission=submission, by=by, comment=comment)
    if action == "reopen":
        return services.submission_reopen(submission=submission, by=by, reason=comment)
    raise ValueError(f"unknown decision {action!r}")


# --------------------------------------------------------------------------- reads


def closed_periods(*, kinds=SUBMITTED_KINDS):
    """Reporting periods that have ended, newest first. One query."""
    return ReportingPeriod.objects.filter(kind__in=kinds, end__lt=today()).order_by("-end", "start")


def period_get(code):
    return ReportingPeriod.objects.filter(code=code).first()


def submission_for(*, period, province):
    """The province's submission of the period, or None (also when `period` is None)."""
    if period is None:
        return None
    return Submission.objects.filter(period=period, province=province).first()


def province_periods(*, province):
    """[(period, submission or None)] of the closed quarters and years, newest first. Two
    queries."""
    periods = list(closed_periods())
    submissions = {
        s.period_id: s for s in Submission.objects.filter(province=province, period__in=periods)
    }
    return [(period, submissions.get(period.pk)) for period in periods]


def current_provinces():
    return Province.objects.filter(unit_set=Province.UnitSet.CURRENT).order_by("name")


def period_provinces(*, period):
    """[(province, submission or None)] for the 34 provinces. Two queries."""
    submissions = {s.province_id: s for s in Submission.objects.filter(period=period)}
    return [(province, submissions.get(province.pk)) for province in current_provinces()]


def period_overview():
    """For the ministry: every closed period with how many provinces submitted, were returned,
    approved or reopened, and its latest release version. Three queries."""
    periods = list(closed_periods(kinds=ReportingPeriod.Kind.values))
    counts = {
        row["period"]: row
        for row in Submission.objects.filter(period__in=periods)
        .values("period")
        .annotate(**{status: Count("id", filter=Q(status=status)) for status in Status.values})
    }
    versions = dict(
        Release.objects.filter(period__in=periods)
        .values("period")
        .annotate(latest=Max("version"))
        .values_list("period", "latest")
    )
    return [
        {
            "period": period,
            "counts": counts.get(period.pk, dict.fromkeys(Status.values, 0)),
            "release_version": versions.get(period.pk),
        }
        for period in periods
    ]


def submission_events(submission):
    if submission is None:
        return []
    return list(submission.events.select_related("by"))


@dataclass
class Warning:
    code: str
    message: str
    count: int
    examples: list


def data_quality(*, period, province):
    """What a reviewer should look at before the period is locked: sites active in the period
    that recorded no contact or no cost in it, and referrals dated in it that are still open
    after REFERRAL_OVERDUE_DAYS. Three queries."""
    in_period = {"date__gte": period.start, "date__lte": period.end}
    sites = Site.objects.filter(province__current=province).active_between(period.start, period.end)
    no_contacts = list(
        sites.exclude(Exists(Contact.objects.filter(site=OuterRef("pk"), **in_period)))
        .order_by("code")
        .values_list("code", flat=True)
    )
    no_costs = list(
        sites.exclude(Exists(Cost.objects.filter(site=OuterRef("pk"), **in_period)))
        .order_by("code")
        .values_list("code", flat=True)
    )
    days = settings.REFERRAL_OVERDUE_DAYS
    overdue = Referral.objects.filter(
        site__province__current=province,
        status__in=Referral.OPEN_STATUSES,
        date__lt=today() - datetime.timedelta(days=days),
        **in_period,
    ).count()
    warnings = []
    if no_contacts:
        warnings.append(
            Warning(
                "no_contacts",
                _("Địa bàn hoạt động trong kỳ nhưng không có lần tiếp cận nào"),
                len(no_contacts),
                no_contacts[:EXAMPLES],
            )
        )
    if no_costs:
        warnings.append(
            Warning(
                "no_costs",
                _("Địa bàn hoạt động trong kỳ nhưng chưa nhập chi phí"),
                len(no_costs),
                no_costs[:EXAMPLES],
            )
        )
    if overdue:
        warnings.append(
            Warning(
                "open_referrals",
                _(
                    "Chuyển gửi trong kỳ vẫn chưa kết thúc sau hơn %(days)s ngày: khi kỳ được "
                    "phê duyệt, trạng thái của chúng không cập nhật được nữa"
                )
                % {"days": days},
                overdue,
                [],
            )
        )
    return warnings


def review(*, period, province):
    """Everything the review page shows of a province's period: the submission (or None), its
    live figures, what changed since the last submission, warnings and history."""
    submission = submission_for(period=period, province=province)
    live = province_figures(period=period, province=province)
    changes = figure_changes(submission.figures, live) if submission else []
    return {
        "submission": submission,
        "figures": [
            {
                "code": code,
                "label": INDICATOR_LABELS[code],
                "value": restored(live[code]),
                "submitted": restored(submission.figures.get(code)) if submission else None,
                "changed": bool(submission) and submission.figures.get(code) != live[code],
            }
            for code in CODES
        ],
        "changes": changes,
        "warnings": data_quality(period=period, province=province),
        "events": submission_events(submission),
    }


# --------------------------------------------------------------------------- home page


@dataclass
class Awaiting:
    title: str
    text: str
    url: str
    level: str = "info"


def _officer_awaiting(user):
    submissions = {
        s.period_id: s
        for s in Submission.objects.filter(province_id=user.province_id).select_related("period")
    }
    items = []
    for submission in sorted(submissions.values(), key=lambda s: s.period.end, reverse=True):
        if submission.status in (Status.RETURNED, Status.REOPENED):
            items.append(
                Awaiting(
                    submission.period.label,
                    f"{submission.get_status_display()}: {submission.comment}",
                    reverse("reports:cycle_period", args=[submission.period_id]),
                    "warning",
                )
            )
    latest = {}
    for period in closed_periods()[:8]:
        latest.setdefault(period.kind, period)
    for period in sorted(latest.values(), key=lambda p: p.start):
        if period.pk not in submissions:
            items.append(
                Awaiting(
                    period.label,
                    _("Kỳ đã kết thúc: hãy rà soát số liệu và trình Bộ."),
                    reverse("reports:cycle_period", args=[period.pk]),
                )
            )
    return items


def _ministry_awaiting():
    rows = (
        Submission.objects.values("period")
        .annotate(
            waiting=Count("id", filter=Q(status=Status.SUBMITTED)),
            approved=Count("id", filter=Q(status=Status.APPROVED)),
            approved_at=Max("updated_at", filter=Q(status=Status.APPROVED)),
        )
        .filter(Q(waiting__gt=0) | Q(approved__gt=0))
    )
    rows = {row["period"]: row for row in rows}
    published = dict(
        Release.objects.filter(period__in=list(rows))
        .values("period")
        .annotate(at=Max("published_at"))
        .values_list("period", "at")
    )
    periods = ReportingPeriod.objects.in_bulk(list(rows))
    items = []
    for code, row in sorted(rows.items(), key=lambda item: periods[item[0]].end, reverse=True):
        period, url = periods[code], reverse("reports:cycle_period", args=[code])
        if row["waiting"]:
            items.append(
                Awaiting(
                    period.label,
                    _("%(count)s tỉnh đã trình, chờ Bộ phê duyệt.") % {"count": row["waiting"]},
                    url,
                    "warning",
                )
            )
        last_release = published.get(code)
        if row["approved"] and (last_release is None or last_release < row["approved_at"]):
            items.append(
                Awaiting(
                    period.label,
                    _("%(count)s tỉnh đã được phê duyệt, chưa công bố.")
                    % {"count": row["approved"]},
                    url,
                )
            )
    return items


def awaiting(user):
    """What awaits this user in the reporting cycle (home page cards): an officer's returned or
    reopened periods and the last closed quarter and year not yet submitted; the ministry's
    submissions to decide and approved periods to publish. Three queries at most."""
    if user.role == Role.OFFICER:
        return _officer_awaiting(user)
    if user.role == Role.MINISTRY:
        return _ministry_awaiting()
    return []
