"""The reporting cycle's steps and what each role sees of it.

Steps (services, keyword-only; each locks the submission row, checks the status it starts
from, records a SubmissionEvent and raises ValidationError with a Vietnamese message when the
step is not possible, leaving everything as it was):

    (not submitted) | returned | reopened --submit--> submitted      the province's officer
    submitted --return (comment)--> returned                          the ministry
    submitted --approve--> approved (the period is locked)            the ministry
    approved --reopen (reason)--> reopened                            the ministry

Reads (selectors): a province's periods and their status, a period's provinces, the review of a
province's figures (live values, what changed since it last submitted, data-quality warnings)
and what awaits each role on its home page."""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from participants.models import Contact
from periods.models import ReportingPeriod, Submission, SubmissionEvent
from referrals.models import Referral
from sites.models import Cost, Province, Site

from .indicators import CODES, compute_indicators
from .labels import INDICATOR_LABELS
from .models import Release

Status = Submission.Status
Action = SubmissionEvent.Action
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
    """The province's live indicators for the period, as stored. Eight queries."""
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


def _locked_submission(submission):
    return (
        Submission.objects.select_for_update()
        .select_related("period", "province")
        .get(pk=submission.pk)
    )


def _record(submission, *, action, by, comment="", figures=None):
    SubmissionEvent.objects.create(
        submission=submission, action=action, by=by, comment=comment, figures=figures or {}
    )


def _wrong_status(submission, step):
    return ValidationError(
        _("Không thể %(step)s: báo cáo %(period)s của %(province)s đang ở trạng thái “%(status)s”.")
        % {
            "step": step,
            "period": submission.period.label,
            "province": submission.province.name,
            "status": submission.get_status_display(),
        },
        code="invalid_transition",
    )


def _save(submission, *, status, comment, figures=None):
    submission.status = status
    submission.comment = comment
    if figures is not None:
        submission.figures = figures
    submission.version += 1
    submission.save()


@transaction.atomic
def submission_submit(*, period, province, by, comment=""):
    """The province's officer submits a closed period: its live figures are recorded as what
    the province stands behind. Allowed first, after a return, or after a reopening."""
    if not period.is_closed(today()):
        raise ValidationError(
            _("Kỳ %(period)s chưa kết thúc: chỉ trình được kỳ đã kết thúc (sau ngày %(end)s).")
            % {"period": period.label, "end": period.end.strftime("%d/%m/%Y")},
            code="open_period",
        )
    submission = (
        Submission.objects.select_for_update()
        .select_related("period", "province")
        .filter(period=period, province=province)
        .first()
    )
    if submission is None:
        submission = Submission(period=period, province=province)
    elif submission.status not in (Status.RETURNED, Status.REOPENED):
        raise _wrong_status(submission, _("trình Bộ"))
    figures = province_figures(period=period, province=province)
    try:
        with transaction.atomic():
            _save(submission, status=Status.SUBMITTED, comment=comment.strip(), figures=figures)
    except IntegrityError as error:  # submitted at the same moment by another officer
        raise ValidationError(
            _("Kỳ này vừa được trình. Hãy tải lại trang."), code="duplicate"
        ) from error
    _record(submission, action=Action.SUBMIT, by=by, comment=comment.strip(), figures=figures)
    return submission


@transaction.atomic
def submission_return(*, submission, by, comment):
    """The ministry sends a submitted period back to the province, saying why."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            {"comment": _("Hãy ghi ý kiến: tỉnh cần biết vì sao báo cáo bị trả lại.")}
        )
    locked = _locked_submission(submission)
    if locked.status != Status.SUBMITTED:
        raise _wrong_status(locked, _("trả lại"))
    _save(locked, status=Status.RETURNED, comment=comment)
    _record(locked, action=Action.RETURN, by=by, comment=comment)
    return locked


@transaction.atomic
def submission_approve(*, submission, by, comment=""):
    """The ministry approves a submitted period: from now on the province's records dated in it
    are locked (periods.lock). Refused when the province's figures changed after it
    submitted them: what is approved is what the province stood behind."""
    locked = _locked_submission(submission)
    if locked.status != Status.SUBMITTED:
        raise _wrong_status(locked, _("phê duyệt"))
    live = province_figures(period=locked.period, province=locked.province)
    changed = figure_changes(locked.figures, live)
    if changed:
        raise ValidationError(
            _(
                "Số liệu của %(province)s đã thay đổi sau khi tỉnh trình (%(count)s chỉ số, "
                "ví dụ: %(first)s). Hãy trả lại để tỉnh rà soát và trình lại."
            )
            % {
                "province": locked.province.name,
                "count": len(changed),
                "first": changed[0].label,
            },
            code="changed_since_submission",
        )
    comment = (comment or "").strip()
    _save(locked, status=Status.APPROVED, comment=comment)
    _record(locked, action=Action.APPROVE, by=by, comment=comment)
    return locked


@transaction.atomic
def submission_reopen(*, submission, by, reason):
    """The ministry unlocks an approved period of a province, recording why; the province
    corrects its data and submits again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"comment": _("Hãy ghi lý do mở lại kỳ báo cáo.")})
    locked = _locked_submission(submission)
    if locked.status != Status.APPROVED:
        raise _wrong_status(locked, _("mở lại"))
    _save(locked, status=Status.REOPENED, comment=reason)
    _record(locked, action=Action.REOPEN, by=by, comment=reason)
    return locked


DECISIONS = ("approve", "return", "reopen")


def submission_decide(*, submission, action, by, comment):
    """One of the ministry's decisions by name (DECISIONS)."""
    if action == "approve":
        return submission_approve(submission=submission, by=by, comment=comment)
    if action == "return":
        return submission_return(submission=submission, by=by, comment=comment)
    if action == "reopen":
        return submission_reopen(submission=submission, by=by, reason=comment)
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
