from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.auditing import audit
from accounts.models import Role, VersionedModel
from participants.models import CaseEventQuerySet, carry_person
from programs.services_catalog import Service, ServiceSetField


class ProviderQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The directory is open to every signed-in role; provider staff see their own."""
        if user is None or not user.is_authenticated or not user.role:
            return self.none()
        if user.role == Role.PROVIDER:
            return self.filter(pk=user.provider_id)
        return self.all()


class Provider(VersionedModel):
    """An organisation that gives support services (in the spirit of Open Referral HSDS)."""

    name = models.CharField(_("tên cơ sở"), max_length=200)
    services = ServiceSetField(_("dịch vụ cung cấp"))
    province = models.ForeignKey(
        "sites.Province",
        verbose_name=_("tỉnh/thành phố"),
        on_delete=models.PROTECT,
        limit_choices_to={"unit_set": "2025"},
        related_name="providers",
    )
    location = models.CharField(_("địa điểm (phường/xã)"), max_length=200, blank=True)
    accepts_without_residence = models.BooleanField(
        _("nhận người không có hộ khẩu thường trú"), default=False
    )
    eligibility = models.CharField(_("điều kiện tiếp nhận"), max_length=300, blank=True)
    contact_channel = models.CharField(_("kênh liên hệ của cơ sở"), max_length=200, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ sở cung cấp dịch vụ")
        verbose_name_plural = _("cơ sở cung cấp dịch vụ")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def editable_by(self, user):
        """An officer changes their own province's providers, an administrator any."""
        return user.role == Role.ADMIN or (
            user.role == Role.OFFICER and self.province_id == user.province_id
        )


class ReferralQuerySet(CaseEventQuerySet):
    def visible_to(self, user):
        if user is not None and user.is_authenticated and user.role == Role.PROVIDER:
            return self.not_erased().filter(provider_id=user.provider_id)
        return super().visible_to(user)

    def open(self):
        return self.filter(status__in=Referral.OPEN_STATUSES)


class Referral(VersionedModel):
    """A participant referred to a service. `status` only changes through the transition
    functions in referrals.services, each of which records a ReferralEvent."""

    class Status(models.TextChoices):
        REFERRED = "referred", _("Đã chuyển gửi")
        RECEIVED = "received", _("Đã tiếp nhận")
        COMPLETED = "completed", _("Hoàn thành")
        DECLINED = "declined", _("Từ chối")
        LOST = "lost", _("Mất dấu")

    class DeclineReason(models.TextChoices):
        NOT_ELIGIBLE = "not_eligible", _("Không đủ điều kiện tiếp nhận")
        NO_RESIDENCE = "no_residence", _("Không có hộ khẩu thường trú tại địa phương")
        NO_CAPACITY = "no_capacity", _("Cơ sở đã hết chỗ hoặc quá tải")
        SERVICE_UNAVAILABLE = "service_unavailable", _("Cơ sở không còn cung cấp dịch vụ này")
        PARTICIPANT_DECLINED = "participant_declined", _("Người tham gia không muốn nhận dịch vụ")
        NOT_REACHED = "not_reached", _("Không liên hệ được với người tham gia")
        OTHER = "other", _("Lý do khác")

    class LostReason(models.TextChoices):
        NOT_REACHED = "not_reached", _("Không liên lạc được với người tham gia")
        MOVED = "moved", _("Người tham gia đã chuyển đi nơi khác")
        MISSED = "missed", _("Không đến cơ sở sau nhiều lần hẹn")
        NO_NEWS = "no_news", _("Cơ sở không báo kết quả")
        OTHER = "other", _("Lý do khác")

    class Outcome(models.TextChoices):
        SERVICE_GIVEN = "service_given", _("Đã cung cấp đủ dịch vụ")
        PARTLY_GIVEN = "partly_given", _("Đã cung cấp một phần dịch vụ")
        REFERRED_ON = "referred_on", _("Đã chuyển tiếp đến cơ sở khác")
        ONGOING = "ongoing", _("Đã bắt đầu, còn tiếp tục theo dõi")

    OPEN_STATUSES = (Status.REFERRED, Status.RECEIVED)

    participant = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("người tham gia"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    # The participant's person, for the reports (see participants.models.Contact.person).
    person = models.ForeignKey(
        "participants.Person", on_delete=models.PROTECT, related_name="+", editable=False
    )
    date = models.DateField(_("ngày chuyển gửi"))
    site = models.ForeignKey(
        "sites.Site",
        verbose_name=_("địa bàn"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    peer_group = models.ForeignKey(
        "sites.PeerGroup",
        verbose_name=_("nhóm đồng đẳng"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    service = models.CharField(_("dịch vụ"), max_length=30, choices=Service.choices)
    provider = models.ForeignKey(
        Provider,
        verbose_name=_("cơ sở cung cấp dịch vụ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=Status.choices,
        default=Status.REFERRED,
        editable=False,
    )
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    # Chosen from fixed lists: no free text about the person is ever written here.
    decline_reason = models.CharField(
        _("lý do từ chối"), max_length=30, choices=DeclineReason.choices, blank=True
    )
    lost_reason = models.CharField(
        _("lý do mất dấu"),
        max_length=20,
        choices=LostReason.choices,
        blank=True,
        default="",
        db_default="",
    )
    outcome = models.CharField(_("kết quả"), max_length=20, choices=Outcome.choices, blank=True)
    consent_to_share = models.BooleanField(
        _("người tham gia đồng ý chia sẻ thông tin với cơ sở dịch vụ"), default=False
    )
    made_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("người chuyển gửi"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("chuyển gửi")
        verbose_name_plural = _("chuyển gửi")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "date", "site", "service"], name="referral_natural_key"
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_on__isnull=False),
                name="referral_completed_has_date",
                violation_error_message=_("Chuyển gửi đã hoàn thành phải có ngày hoàn thành."),
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=F("date")),
                name="referral_completed_after_referred",
                violation_error_message=_("Ngày hoàn thành không được trước ngày chuyển gửi."),
            ),
        ]
        indexes = [
            models.Index(fields=["date", "site", "participant"]),
            models.Index(fields=["status", "date"]),
            # The follow-up list: open referrals, oldest first, in a province's sites.
            models.Index(
                fields=["date", "id"],
                condition=Q(status__in=["referred", "received"]),
                name="referral_open_by_date",
            ),
            models.Index(
                fields=["site"],
                condition=Q(status__in=["referred", "received"]),
                name="referral_open_by_site",
            ),
            # The reports' scan of a period: everything they read of a referral.
            models.Index(fields=["date", "site", "person", "status"], name="referral_report_scan"),
        ]

    def __str__(self):
        return f"{self.participant} → {self.get_service_display()} ({self.date:%d/%m/%Y})"

    def save(self, *args, **kwargs):
        carry_person(self)
        super().save(*args, **kwargs)

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def residence_warning(self):
        """The participant has no permanent residence and the provider does not take people
        without it: in practice the referral is likely to be refused."""
        return bool(
            self.provider_id
            and not self.provider.accepts_without_residence
            and self.participant.residence != "permanent"
        )


class ReferralEvent(models.Model):
    """One status transition of a referral: the referral's history."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(
        _("từ trạng thái"), max_length=10, choices=Referral.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("sang trạng thái"), max_length=10, choices=Referral.Status.choices
    )
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    on = models.DateField(
        _("ngày hiệu lực"),
        null=True,
        blank=True,
        help_text=_("Ngày việc chuyển trạng thái diễn ra (có thể trước ngày ghi nhận)."),
    )
    by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("người thực hiện"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("lịch sử chuyển gửi")
        verbose_name_plural = _("lịch sử chuyển gửi")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.referral_id}: {self.from_status or '—'} → {self.to_status}"


# Support given to one person at one time: at most 1 billion VND (a loan is the largest kind).
MAX_SUPPORT_VND = 1_000_000_000
TOO_MUCH_SUPPORT = _("Một khoản hỗ trợ không được quá %(limit_value)s VNĐ.")


class SupportQuerySet(CaseEventQuerySet):
    has_peer_group = False


class Support(VersionedModel):
    """Support given to a participant, with its amount, for the cost analysis."""

    class Kind(models.TextChoices):
        VOCATIONAL_TRAINING_FEE = "vocational_training_fee", _("Học phí học nghề")
        LOAN = "loan", _("Vay vốn")
        HEALTH_INSURANCE_PREMIUM = "health_insurance_premium", _("Mua thẻ bảo hiểm y tế")
        OTHER = "other", _("Khác")

    participant = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("người tham gia"),
        on_delete=models.PROTECT,
        related_name="supports",
    )
    referral = models.ForeignKey(
        Referral,
        verbose_name=_("chuyển gửi"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supports",
    )
    site = models.ForeignKey(
        "sites.Site", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="supports"
    )
    date = models.DateField(_("ngày"))
    kind = models.CharField(_("loại hỗ trợ"), max_length=30, choices=Kind.choices)
    amount_vnd = models.DecimalField(
        _("số tiền (VNĐ)"),
        max_digits=15,
        decimal_places=0,
        validators=[MaxValueValidator(MAX_SUPPORT_VND, message=TOO_MUCH_SUPPORT)],
    )

    objects = SupportQuerySet.as_manager()

    class Meta:
        verbose_name = _("hỗ trợ")
        verbose_name_plural = _("hỗ trợ")
        ordering = ["-date", "-id"]
        # The list's order: its first page is read from the index instead of sorting every
        # support in scope (nationally 300 ms to 9 ms at bench scale 0.5).
        indexes = [models.Index(fields=["-date", "-id"], name="support_date_id_desc")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_vnd__gte=0),
                name="support_amount_not_negative",
                violation_error_message=_("Số tiền không được âm."),
            ),
            models.CheckConstraint(
                condition=Q(amount_vnd__lte=MAX_SUPPORT_VND),
                name="support_amount_at_most_1_billion",
                violation_error_message=_("Một khoản hỗ trợ không được quá 1.000.000.000 VNĐ."),
            ),
        ]

    def __str__(self):
        return f"{self.participant} {self.get_kind_display()} {self.date:%d/%m/%Y}"


# The national identity stays out of the history (see participants.models).
audit(Referral, exclude=["person"])
for _model in (Provider, Support):
    audit(_model)
