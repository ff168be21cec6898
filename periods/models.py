"""The reporting calendar and the approval state: the periods the programme reports on, held as
data, and each province's submission of a period with its history (DHIS2's data approval as the
model).

A province submits a closed period, the ministry approves it or returns it with a comment; an
approved period is locked (periods.lock.check_period_open) until the ministry reopens it with a
reason. The steps are periods.services (the only writer of these rows; reports.cycle computes
the figures a province stands behind and calls them); everything that writes a dated record
asks periods.lock.

The tables keep the names they had when these models lived in `reports` (`db_table`): the move
was a change of Django's state only (periods/migrations/0001, reports/migrations/0003)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.auditing import audit
from accounts.models import VersionedModel


class ReportingPeriod(models.Model):
    """A period the programme reports on: a quarter ("2019Q1"), a year ("2019") or a programme
    phase ("2016-2020"). Codes of quarters and years are DHIS2's ISO periods."""

    class Kind(models.TextChoices):
        QUARTER = "quarter", _("Quý")
        YEAR = "year", _("Năm")
        PHASE = "phase", _("Giai đoạn")

    code = models.CharField(_("mã"), max_length=20, primary_key=True)
    kind = models.CharField(_("loại kỳ"), max_length=10, choices=Kind.choices)
    start = models.DateField(_("ngày bắt đầu"))
    end = models.DateField(_("ngày kết thúc"))

    class Meta:
        db_table = "reports_reportingperiod"
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")
        ordering = ["-end", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="period_end_after_start"),
            models.UniqueConstraint(fields=["start", "end"], name="period_unique_range"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self):
        """ "Quý 1/2019", "Năm 2019", "Giai đoạn 2016–2020" in the user's language."""
        if self.kind == self.Kind.QUARTER:
            year, quarter = self.code.split("Q")
            return gettext("Quý %(quarter)s/%(year)s") % {"quarter": quarter, "year": year}
        if self.kind == self.Kind.YEAR:
            return gettext("Năm %(year)s") % {"year": self.code}
        return gettext("Giai đoạn %(start)s–%(end)s") % {
            "start": self.start.year,
            "end": self.end.year,
        }

    def is_closed(self, today):
        return self.end < today

    def nests_with(self, other):
        """One period lies inside the other (a quarter and its year, a year and its phase)."""
        inside = self.start >= other.start and self.end <= other.end
        around = other.start >= self.start and other.end <= self.end
        return self.code != other.code and (inside or around)


class Submission(VersionedModel):
    """One province's report of one period: submitted by its officer, approved or returned by
    the ministry. Its status changes only through periods.services (one function per step, each
    recording a SubmissionEvent); `figures` are the indicators the province stood behind when
    it last submitted."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Đã trình, chờ Bộ duyệt")
        RETURNED = "returned", _("Bộ trả lại")
        APPROVED = "approved", _("Đã phê duyệt (khoá)")
        REOPENED = "reopened", _("Bộ đã mở lại")

    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("kỳ báo cáo"),
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    province = models.ForeignKey(
        "sites.Province",
        verbose_name=_("tỉnh/thành phố"),
        on_delete=models.PROTECT,
        limit_choices_to={"unit_set": "2025"},
        related_name="submissions",
    )
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices)
    figures = models.JSONField(_("số liệu đã trình"), default=dict, blank=True)
    comment = models.TextField(_("ý kiến gần nhất"), blank=True)

    class Meta:
        db_table = "reports_submission"
        verbose_name = _("báo cáo kỳ của tỉnh")
        verbose_name_plural = _("báo cáo kỳ của tỉnh")
        ordering = ["period", "province__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "province"], name="submission_one_per_province_period"
            )
        ]
        indexes = [models.Index(fields=["status", "province"])]

    def __str__(self):
        return f"{self.period.label} · {self.province.name}"


class SubmissionEvent(models.Model):
    """One step of a submission's history: who did what, when, with which comment (and, on a
    submission, the figures submitted). Rows are only ever added."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("Trình Bộ")
        RETURN = "return", _("Trả lại")
        APPROVE = "approve", _("Phê duyệt")
        REOPEN = "reopen", _("Mở lại")

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="events", verbose_name=_("báo cáo kỳ")
    )
    action = models.CharField(_("thao tác"), max_length=10, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người thực hiện"), on_delete=models.PROTECT
    )
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    comment = models.TextField(_("ý kiến"), blank=True)
    figures = models.JSONField(_("số liệu"), default=dict, blank=True)

    class Meta:
        db_table = "reports_submissionevent"
        verbose_name = _("bước của báo cáo kỳ")
        verbose_name_plural = _("bước của báo cáo kỳ")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.submission} · {self.get_action_display()}"


audit(Submission)
audit(SubmissionEvent)
audit(ReportingPeriod)
