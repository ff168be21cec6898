"""The releases the ministry publishes: a period's tables computed and suppressed once, then
stored and served as stored: a correction is a new version, never a silent recomputation. The
periods and the provinces' submissions they are computed from are in `periods`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.auditing import audit


class Release(models.Model):
    """A period's published tables, computed and suppressed once as one linked set
    (reports.disclosure) and stored: every page and download of the release reads `tables` as
    they are. A correction is a new version; earlier versions stay as they were."""

    period = models.ForeignKey(
        "periods.ReportingPeriod",
        verbose_name=_("kỳ báo cáo"),
        on_delete=models.PROTECT,
        related_name="releases",
    )
    version = models.PositiveIntegerField(_("phiên bản"))
    published_at = models.DateTimeField(_("thời điểm công bố"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người công bố"), on_delete=models.PROTECT
    )
    provinces = models.JSONField(_("tỉnh đã phê duyệt"), default=list)
    tables = models.JSONField(_("bảng số liệu"))
    extras = models.JSONField(_("số liệu không cần ẩn"), default=dict)
    reason = models.TextField(_("lý do đính chính"), blank=True)

    class Meta:
        verbose_name = _("bản công bố")
        verbose_name_plural = _("bản công bố")
        ordering = ["period", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["period", "version"], name="release_version_unique"),
            models.CheckConstraint(condition=Q(version__gte=1), name="release_version_positive"),
        ]

    def __str__(self):
        return gettext("%(period)s · phiên bản %(version)s") % {
            "period": self.period.label,
            "version": self.version,
        }

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A release is never changed once published: publish a new version.")
        super().save(*args, **kwargs)


audit(Release, exclude=["tables", "extras"])
