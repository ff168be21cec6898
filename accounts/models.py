from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .auditing import audit


class Role(models.TextChoices):
    MINISTRY = "ministry", _("Cán bộ Bộ")
    OFFICER = "officer", _("Cán bộ tỉnh")
    PEER_LEADER = "peer_leader", _("Trưởng nhóm đồng đẳng")
    PROVIDER = "provider", _("Nhân viên cơ sở dịch vụ")
    ADMIN = "admin", _("Quản trị hệ thống")


class User(AbstractUser):
    """A person who uses the system. Their role and the one unit it is tied to make their scope."""

    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices, blank=True)
    province = models.ForeignKey(
        "sites.Province",
        verbose_name=_("tỉnh/thành phố"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"unit_set": "2025"},
        help_text=_("Tỉnh/thành phố (theo đơn vị hành chính từ 01/07/2025) của cán bộ tỉnh."),
    )
    peer_group = models.ForeignKey(
        "sites.PeerGroup",
        verbose_name=_("nhóm đồng đẳng"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leaders",
    )
    provider = models.ForeignKey(
        "referrals.Provider",
        verbose_name=_("cơ sở cung cấp dịch vụ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="officer") | Q(province__isnull=False),
                name="officer_has_province",
                violation_error_message=_("Cán bộ tỉnh phải gắn với một tỉnh/thành phố."),
            ),
            models.CheckConstraint(
                condition=~Q(role="peer_leader") | Q(peer_group__isnull=False),
                name="peer_leader_has_group",
                violation_error_message=_("Trưởng nhóm phải gắn với một nhóm đồng đẳng."),
            ),
            models.CheckConstraint(
                condition=~Q(role="provider") | Q(provider__isnull=False),
                name="provider_staff_has_provider",
                violation_error_message=_("Nhân viên cơ sở dịch vụ phải gắn với một cơ sở."),
            ),
        ]

    @property
    def scope_label(self):
        """What the header shows next to the role: the unit this user's scope is tied to."""
        if self.role == Role.OFFICER and self.province_id:
            return self.province.name
        if self.role == Role.PEER_LEADER and self.peer_group_id:
            return self.peer_group.name
        if self.role == Role.PROVIDER and self.provider_id:
            return self.provider.name
        if self.role in (Role.MINISTRY, Role.ADMIN):
            return _("Toàn quốc")
        return ""


class ActivityEvent(models.Model):
    """Things worth auditing that are not edits of a record: logins, exports, imports, views of
    a participant's page. Rows are only ever added; nothing in the app edits or deletes them."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Đăng nhập")
        LOGIN_FAILED = "login_failed", _("Đăng nhập thất bại")
        LOGOUT = "logout", _("Đăng xuất")
        EXPORT = "export", _("Xuất dữ liệu")
        IMPORT = "import", _("Nhập dữ liệu")
        VIEW = "view", _("Xem hồ sơ")

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User, verbose_name=_("người dùng"), on_delete=models.PROTECT, null=True, blank=True
    )
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    what = models.CharField(_("nội dung"), max_length=200)
    detail = models.JSONField(_("chi tiết"), default=dict, blank=True)

    class Meta:
        verbose_name = _("nhật ký hoạt động")
        verbose_name_plural = _("nhật ký hoạt động")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.get_kind_display()} {self.what}"


class VersionedModel(models.Model):
    """Base of every record users edit in forms: `version` lets a form refuse a save made on top
    of someone else's (optimistic concurrency, see accounts.forms.VersionedModelForm)."""

    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


audit(User, exclude=["password", "last_login"])
