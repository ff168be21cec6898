"""Data protection (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15): the mark left on an erased
person's records, the register of erasures (counts, never people), and harvesting alerts."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.auditing import audit

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# The stored hash of an erased person (privacy.services): it holds ":", so it never equals the
# hex HMAC of any UIC.
ERASED_PREFIX = "erased:"


def new_reference():
    """The number printed on an erasure certificate: random, so it tells nothing."""
    return "XD-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


class ErasedRecord(models.Model):
    """Marks a province's participant record whose person was erased (privacy.services). The
    record and its events stay, detached from any identity, only so that the indicators of every
    period stay as they were; `visible_to` of participants and of their events leaves them out
    for everyone. It holds no date and no link to the erasure that made it: nothing leads from a
    certificate back to these rows."""

    participant = models.OneToOneField(
        "participants.Participant",
        verbose_name=_("hồ sơ đã xoá định danh"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="erasure",
    )

    class Meta:
        verbose_name = _("dấu hồ sơ đã xoá định danh")
        verbose_name_plural = _("dấu hồ sơ đã xoá định danh")

    def __str__(self):
        return f"#{self.pk}"


class ErasureRun(models.Model):
    """One erasure: a run of `erase_expired` (retention) or one person's request. It records how
    many people and rows were erased, never who: this is the audit of erasure."""

    class Kind(models.TextChoices):
        RETENTION = "retention", _("Hết thời hạn lưu trữ")
        REQUEST = "request", _("Theo yêu cầu của người tham gia")

    reference = models.CharField(
        _("số giấy xác nhận"), max_length=12, unique=True, default=new_reference, editable=False
    )
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    people = models.PositiveIntegerField(_("số người"))
    counts = models.JSONField(_("số bản ghi"), default=dict)

    class Meta:
        verbose_name = _("lần xoá dữ liệu")
        verbose_name_plural = _("lần xoá dữ liệu")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="retention") | Q(people=1),
                name="erasure_request_is_one_person",
                violation_error_message=_("Mỗi yêu cầu xoá là của đúng một người."),
            )
        ]

    def __str__(self):
        return f"{self.reference} ({self.get_kind_display()})"


class HarvestAlert(models.Model):
    """An account whose activity looked like harvesting (privacy.harvest): what was seen, over
    which hour, and whether an administrator has reviewed it."""

    class Rule(models.TextChoices):
        PAGE_VIEWS = "page_views", _("Mở nhiều trang hồ sơ người tham gia")
        UIC_LOOKUPS = "uic_lookups", _("Tra cứu nhiều người bằng UIC")
        FAILED_LOOKUPS = "failed_lookups", _("Nhiều lần tra cứu không thấy")
        PREVIEW_ROWS = "preview_rows", _("Xem trước nhập dữ liệu nhiều dòng")
        EXPORT_HOURS = "export_hours", _("Xuất dữ liệu ngoài giờ làm việc")
        CODE_LOOKUPS = "code_lookups", _("Tra cứu nhiều người bằng mã hiển thị")
        ROWS_LISTED = "rows_listed", _("Liệt kê nhiều dòng hồ sơ người tham gia")
        ROWS_EXPORTED = "rows_exported", _("Xuất nhiều dòng hồ sơ người tham gia")
        PROVINCE_VIEWS = "province_views", _("Cả tỉnh/thành phố mở hoặc tra cứu nhiều hồ sơ")
        PROVINCE_ROWS = "province_rows", _("Cả tỉnh/thành phố liệt kê hoặc xuất nhiều dòng")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    rule = models.CharField(_("dấu hiệu"), max_length=20, choices=Rule.choices)
    first_at = models.DateTimeField(_("từ"))
    last_at = models.DateTimeField(_("đến"))
    observed = models.PositiveIntegerField(_("số lần trong một giờ"))
    threshold = models.PositiveIntegerField(_("ngưỡng"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("đã xem lúc"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xem"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("ghi chú khi xem"), blank=True)

    class Meta:
        verbose_name = _("cảnh báo thu thập dữ liệu bất thường")
        verbose_name_plural = _("cảnh báo thu thập dữ liệu bất thường")
        ordering = ["-last_at", "-id"]
        indexes = [models.Index(fields=["user", "rule", "last_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True) | Q(reviewed_by__isnull=False),
                name="harvest_alert_reviewed_by_someone",
            )
        ]

    def __str__(self):
        return f"{self.get_rule_display()} · {self.user}"

    @property
    def is_open(self):
        return self.reviewed_at is None


audit(ErasureRun)
audit(HarvestAlert)
