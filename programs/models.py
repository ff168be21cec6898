from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.auditing import audit


class Phase(models.Model):
    """A five-year phase of the national programme. Later phases are added as data."""

    code = models.CharField(_("mã"), max_length=20, primary_key=True)
    name = models.CharField(_("tên"), max_length=200)
    decision = models.CharField(_("quyết định phê duyệt"), max_length=200, blank=True)
    start_date = models.DateField(_("ngày bắt đầu"))
    end_date = models.DateField(_("ngày kết thúc"))

    class Meta:
        verbose_name = _("giai đoạn")
        verbose_name_plural = _("giai đoạn")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="phase_end_after_start"
            )
        ]

    def __str__(self):
        return self.name


class InterventionModel(models.Model):
    """One of the pilot intervention models (docs/domain.md). The code is the exchange format's."""

    COMMUNITY = "community"
    WORKER_RIGHTS = "worker_rights"
    PEER_GROUPS = "peer_groups"

    code = models.CharField(_("mã"), max_length=20, primary_key=True)
    name = models.CharField(_("tên"), max_length=300)
    short_name = models.CharField(_("tên ngắn"), max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("mô hình can thiệp")
        verbose_name_plural = _("mô hình can thiệp")
        ordering = ["order"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        """The short name in the user's language (names are stored in Vietnamese)."""
        return gettext(self.short_name)


class Target(models.Model):
    """A phase's target for one indicator (docs/indicators.md code), e.g. referred_pct ≥ 50."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(_("chỉ số"), max_length=50)
    value = models.DecimalField(_("giá trị mục tiêu"), max_digits=12, decimal_places=1)
    description = models.CharField(_("mô tả"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")
        constraints = [
            models.UniqueConstraint(fields=["phase", "indicator"], name="target_unique_per_phase")
        ]

    def __str__(self):
        return f"{self.phase_id} {self.indicator} ≥ {self.value}"


for _model in (Phase, InterventionModel, Target):
    audit(_model)
