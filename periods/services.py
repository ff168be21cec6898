"""The reporting cycle's writes: each province's submission of a period and its history.

Steps (keyword-only; each locks the submission row, checks the status it starts from, records a
SubmissionEvent and raises ValidationError with a Vietnamese message when the step is not
possible, leaving everything as it was):

    (not submitted) | returned | reopened --submit--> submitted      the province's officer
    submitted --return (comment)--> returned                          the ministry
    submitted --approve--> approved (the period is locked)            the ministry
    approved --reopen (reason)--> reopened                            the ministry

The figures a province stands behind are computed by the indicator engine, which is above this
floor: `reports.cycle` computes them and hands them in (`figures` on submit, `changed_since` on
approve). Nothing else writes Submission or SubmissionEvent rows."""

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Submission, SubmissionEvent

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

Status = Submission.Status
Action = SubmissionEvent.Action

OPEN_PERIOD = _("Kỳ %(period)s chưa kết thúc: chỉ trình được kỳ đã kết thúc (sau ngày %(end)s).")
DUPLICATE = _("Kỳ này vừa được trình. Hãy tải lại trang.")
WRONG_STATUS = _(
    "Không thể %(step)s: báo cáo %(period)s của %(province)s đang ở trạng thái “%(status)s”."
)
RETURN_NEEDS_COMMENT = _("Hãy ghi ý kiến: tỉnh cần biết vì sao báo cáo bị trả lại.")
REOPEN_NEEDS_REASON = _("Hãy ghi lý do mở lại kỳ báo cáo.")
CHANGED_SINCE_SUBMISSION = _(
    "Số liệu của %(province)s đã thay đổi sau khi tỉnh trình (%(count)s chỉ số, "
    "ví dụ: %(first)s). Hãy trả lại để tỉnh rà soát và trình lại."
)


def today():
    return timezone.localdate()


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
        WRONG_STATUS
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


def check_period_closed(period):
    """A province submits only a period that has ended."""
    if not period.is_closed(today()):
        raise ValidationError(
            OPEN_PERIOD % {"period": period.label, "end": period.end.strftime("%d/%m/%Y")},
            code="open_period",
        )


@transaction.atomic
def submission_submit(*, period, province, by, figures, comment=""):
    """The province's officer submits a closed period with the figures it stands behind
    (computed by the caller). Allowed first, after a return, or after a reopening."""
    check_period_closed(period)
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
    comment = (comment or "").strip()
    try:
        with transaction.atomic():
            _save(submission, status=Status.SUBMITTED, comment=comment, figures=figures)
    except IntegrityError as error:  # submitted at the same moment by another officer
        raise ValidationError(DUPLICATE, code="duplicate") from error
    _record(submission, action=Action.SUBMIT, by=by, comment=comment, figures=figures)
    return submission


@transaction.atomic
def submission_return(*, submission, by, comment):
    """The ministry sends a submitted period back to the province, saying why."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": RETURN_NEEDS_COMMENT})
    locked = _locked_submission(submission)
    if locked.status != Status.SUBMITTED:
        raise _wrong_status(locked, _("trả lại"))
    _save(locked, status=Status.RETURNED, comment=comment)
    _record(locked, action=Action.RETURN, by=by, comment=comment)
    return locked


@transaction.atomic
def submission_approve(
    *,
    submission: Submission,
    by: "AbstractBaseUser",
    changed_since: Callable[[Submission], list[str]],
    comment: str = "",
) -> Submission:
    """The ministry approves a submitted period: from now on the province's records dated in it
    are locked (periods.lock). `changed_since(locked submission)` gives the labels of the
    figures that differ from what the province submitted (computed by the caller, under the
    row's lock); any difference refuses: what is approved is what the province stood behind."""
    locked = _locked_submission(submission)
    if locked.status != Status.SUBMITTED:
        raise _wrong_status(locked, _("phê duyệt"))
    changed = changed_since(locked)
    if changed:
        raise ValidationError(
            CHANGED_SINCE_SUBMISSION
            % {"province": locked.province.name, "count": len(changed), "first": changed[0]},
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
        raise ValidationError({"comment": REOPEN_NEEDS_REASON})
    locked = _locked_submission(submission)
    if locked.status != Status.APPROVED:
        raise _wrong_status(locked, _("mở lại"))
    _save(locked, status=Status.REOPENED, comment=reason)
    _record(locked, action=Action.REOPEN, by=by, comment=reason)
    return locked
