from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.auditing import audit


class Submission(models.Model):
    """One item of a phone's offline queue, as the server received it: the id the phone made
    for it and what came of it. A resend of the same id gets this first result back, so it
    never records the contact, enrolment or referral twice. Nothing the phone encrypted is kept
    here: only the outcome (the record made and the participant's display code, or the
    reasons it was refused)."""

    class Kind(models.TextChoices):
        CONTACT = "contact", pgettext_lazy("loại mục", "Lần tiếp cận")
        ENROLMENT = "enrolment", pgettext_lazy("loại mục", "Ghi danh")
        REFERRAL = "referral", pgettext_lazy("loại mục", "Chuyển gửi")

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Đã ghi nhận")
        REFUSED = "refused", _("Bị từ chối")

    client_id = models.UUIDField(_("mã do điện thoại tạo"), unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người gửi"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("kết quả"), max_length=10, choices=Status.choices)
    object_id = models.PositiveBigIntegerField(_("bản ghi đã tạo"), null=True, blank=True)
    code = models.CharField(_("mã người tham gia"), max_length=12, blank=True)
    errors = models.JSONField(_("lý do từ chối"), default=list, blank=True)
    received_at = models.DateTimeField(_("nhận lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    resolved_at = models.DateTimeField(_("đã xử lý lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("mục gửi từ điện thoại")
        verbose_name_plural = _("mục gửi từ điện thoại")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="refused") | Q(object_id__isnull=False),
                name="offline_submission_accepted_has_record",
            )
        ]
        indexes = [models.Index(fields=["user", "status", "-received_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.client_id}"


audit(Submission)
