import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.auditing import audit
from accounts.models import Role, VersionedModel

# On this day Vietnam's 63 provinces became 34 and the district level was abolished.
MERGER_DATE = datetime.date(2025, 7, 1)

# Upper bounds of the numbers people type or import: far above any real group, establishment,
# class or cost line, and far below what overflows the database or makes a national total
# meaningless (a count of 10^23 once made the cost list fail). Forms and the importer both
# take their message from these validators; CheckConstraints hold the same bounds in the
# database.
MAX_PEOPLE = 100_000
# One cost line: at most 100 billion VND (a province's whole yearly programme costs less).
MAX_COST_VND = 100_000_000_000
TOO_MANY_PEOPLE = _("Không được quá %(limit_value)s người.")
TOO_MUCH_MONEY = _("Một khoản chi không được quá %(limit_value)s VNĐ.")


def _with_limit(message, limit):
    """`message` with its limit filled in, translated when it is shown."""
    return lazy(lambda: message % {"limit_value": limit}, str)()


def _people():
    return [MaxValueValidator(MAX_PEOPLE, message=TOO_MANY_PEOPLE)]


def _people_at_most(field):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__lte": MAX_PEOPLE}),
        name=f"%(class)s_{field}_at_most_{MAX_PEOPLE}",
        violation_error_message=_with_limit(TOO_MANY_PEOPLE, MAX_PEOPLE),
    )


class Region(models.Model):
    code = models.CharField(_("mã"), max_length=30, primary_key=True)
    name = models.CharField(_("tên"), max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("vùng")
        verbose_name_plural = _("vùng")
        ordering = ["order"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        """The name in the user's language (names are stored in Vietnamese)."""
        return gettext(self.name)


class Province(models.Model):
    """A province as one of two unit sets: the 63 before 1 July 2025 ("legacy") or the 34 from
    then on ("2025"). Every row points to the 2025 province it is or became (`current`), so any
    record can be rolled up onto today's units."""

    class UnitSet(models.TextChoices):
        LEGACY = "legacy", _("63 tỉnh (trước 01/07/2025)")
        CURRENT = "2025", _("34 tỉnh (từ 01/07/2025)")

    unit_set = models.CharField(_("bộ đơn vị"), max_length=10, choices=UnitSet.choices)
    code = models.CharField(_("mã GSO"), max_length=2)
    name = models.CharField(_("tên"), max_length=100)
    region = models.ForeignKey(Region, verbose_name=_("vùng"), on_delete=models.PROTECT)
    current = models.ForeignKey(
        "self",
        verbose_name=_("tỉnh từ 01/07/2025"),
        on_delete=models.PROTECT,
        related_name="predecessors",
        # Never empty once loaded; nullable only so a 2025 province can be inserted before it
        # points at itself (sites.reference.load_reference).
        null=True,
    )
    # Number of district-level areas (legacy) or communes/wards (2025) in the province: the
    # denominator of the coverage indicator. Empty where not known.
    locality_count = models.PositiveIntegerField(_("số đơn vị cấp dưới"), null=True, blank=True)

    class Meta:
        verbose_name = _("tỉnh/thành phố")
        verbose_name_plural = _("tỉnh/thành phố")
        ordering = ["unit_set", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit_set", "code"], name="province_code_per_set")
        ]

    def __str__(self):
        if self.unit_set == self.UnitSet.LEGACY:
            return f"{self.name} ({_('cũ')})"
        return self.name

    def existed_on(self, day):
        if self.unit_set == self.UnitSet.LEGACY:
            return day < MERGER_DATE
        return day >= MERGER_DATE


class ProvinceScopedQuerySet(models.QuerySet):
    """The one scoping rule for programme-structure records (docs/conventions.md, "Access"):
    administrators and the ministry read all, an officer their 2025 province (which takes in
    the pre-2025 provinces merged into it), a peer leader what `for_peer_group` allows (nothing,
    unless a subclass says so), anyone else nothing. `site_path` is the path to the site."""

    site_path = "site__"

    def visible_to(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        if user.role in (Role.ADMIN, Role.MINISTRY):
            return self.all()
        if user.role == Role.OFFICER:
            return self.filter(**{f"{self.site_path}province__current_id": user.province_id})
        if user.role == Role.PEER_LEADER:
            return self.for_peer_group(user.peer_group_id)
        return self.none()

    def for_peer_group(self, peer_group_id):
        return self.none()


class SiteQuerySet(ProvinceScopedQuerySet):
    site_path = ""

    def for_peer_group(self, peer_group_id):
        return self.filter(peer_groups=peer_group_id)

    def active_between(self, start, end):
        """Sites whose [start_date, end_date or open] overlaps [start, end]."""
        return self.filter(start_date__lte=end).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=start)
        )


class Site(VersionedModel):
    """Where one intervention model is implemented (địa bàn)."""

    class SiteRole(models.TextChoices):
        PILOT = "pilot", _("Thí điểm")
        CONTROL = "control", _("Đối chứng")
        SCALE_UP = "scale_up", _("Nhân rộng")

    code = models.CharField(_("mã địa bàn"), max_length=30, unique=True)
    name = models.CharField(_("tên địa bàn"), max_length=200)
    province = models.ForeignKey(
        Province,
        verbose_name=_("tỉnh/thành phố"),
        on_delete=models.PROTECT,
        related_name="sites",
        help_text=_(
            "Tỉnh/thành phố tại ngày bắt đầu: 63 tỉnh cũ trước 01/07/2025, 34 tỉnh mới từ đó."
        ),
    )
    locality = models.CharField(_("quận/huyện hoặc phường/xã"), max_length=200)
    model = models.ForeignKey(
        "programs.InterventionModel",
        verbose_name=_("mô hình"),
        on_delete=models.PROTECT,
        related_name="sites",
    )
    role = models.CharField(_("vai trò"), max_length=10, choices=SiteRole.choices)
    phase = models.ForeignKey(
        "programs.Phase",
        verbose_name=_("giai đoạn"),
        on_delete=models.PROTECT,
        related_name="sites",
        null=True,
        blank=True,
    )
    start_date = models.DateField(_("ngày bắt đầu"))
    end_date = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("địa bàn")
        verbose_name_plural = _("địa bàn")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="site_end_after_start",
                violation_error_message=_("Ngày kết thúc phải sau ngày bắt đầu."),
            )
        ]
        indexes = [models.Index(fields=["province", "model", "role"])]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @staticmethod
    def option_labels(queryset):
        """(pk, label as __str__ writes it) of each site of `queryset`, for long choice lists
        (accounts.forms.RecordChoiceField): two columns, no instances."""
        return [
            (pk, f"{name} ({code})")
            for pk, name, code in queryset.values_list("pk", "name", "code")
        ]

    def clean(self):
        super().clean()
        if self.start_date and self.province_id and not self.province.existed_on(self.start_date):
            raise ValidationError(
                {
                    "province": _(
                        "Tỉnh/thành phố này không tồn tại vào ngày bắt đầu %(day)s: trước "
                        "01/07/2025 hãy chọn trong 63 tỉnh cũ, từ ngày đó trong 34 tỉnh mới."
                    )
                    % {"day": self.start_date.strftime("%d/%m/%Y")}
                }
            )


class Establishment(VersionedModel):
    """A service establishment (cơ sở kinh doanh dịch vụ) of the worker-rights model. Only what
    the programme needs: no owner names, no address."""

    class Kind(models.TextChoices):
        KARAOKE = "karaoke", _("Karaoke")
        MASSAGE = "massage", _("Xoa bóp")
        GUESTHOUSE = "guesthouse", _("Nhà nghỉ")
        BAR = "bar", _("Quán bar")
        CAFE = "cafe", _("Cà phê")
        OTHER = "other", _("Khác")

    code = models.CharField(_("mã cơ sở"), max_length=30, unique=True)
    site = models.ForeignKey(
        Site, verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="establishments"
    )
    kind = models.CharField(_("loại hình"), max_length=20, choices=Kind.choices)
    workers = models.PositiveIntegerField(_("số người lao động"), default=0, validators=_people())
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    objects = ProvinceScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ sở kinh doanh dịch vụ")
        verbose_name_plural = _("cơ sở kinh doanh dịch vụ")
        ordering = ["code"]
        constraints = [_people_at_most("workers")]

    def __str__(self):
        return f"{self.code} · {self.get_kind_display()}"

    @classmethod
    def option_labels(cls, queryset):
        """(pk, label as __str__ writes it) of each establishment of `queryset`, for long choice
        lists (accounts.forms.RecordChoiceField): each kind translated once, not once a row."""
        kinds = {value: str(label) for value, label in cls.Kind.choices}
        return [
            (pk, f"{code} · {kinds.get(kind, kind)}")
            for pk, code, kind in queryset.values_list("pk", "code", "kind")
        ]


class PeerGroupQuerySet(ProvinceScopedQuerySet):
    def for_peer_group(self, peer_group_id):
        return self.filter(pk=peer_group_id)


class PeerGroup(VersionedModel):
    """A peer group, self-help group or club of sex workers, led by peer leaders (users)."""

    class Kind(models.TextChoices):
        PEER_GROUP = "peer_group", _("Nhóm đồng đẳng")
        SELF_HELP_GROUP = "self_help_group", _("Nhóm tự lực")
        CLUB = "club", _("Câu lạc bộ")

    code = models.CharField(_("mã nhóm"), max_length=30, unique=True)
    name = models.CharField(_("tên nhóm"), max_length=200)
    site = models.ForeignKey(
        Site, verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="peer_groups"
    )
    kind = models.CharField(_("loại nhóm"), max_length=20, choices=Kind.choices)
    founded_on = models.DateField(_("ngày thành lập"))
    members = models.PositiveIntegerField(_("số thành viên"), default=0, validators=_people())
    board_members = models.PositiveIntegerField(
        _("số thành viên ban chủ nhiệm"), default=0, validators=_people()
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    objects = PeerGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhóm đồng đẳng")
        verbose_name_plural = _("nhóm đồng đẳng")
        ordering = ["name"]
        constraints = [_people_at_most("members"), _people_at_most("board_members")]

    def __str__(self):
        return self.name

    @staticmethod
    def option_labels(queryset):
        """(pk, name) of each group of `queryset`, for long choice lists
        (accounts.forms.RecordChoiceField)."""
        return list(queryset.values_list("pk", "name"))


class Cost(VersionedModel):
    class Category(models.TextChoices):
        STAFF = "staff", _("Nhân sự")
        TRAINING = "training", _("Tập huấn")
        COMMUNICATION = "communication", _("Truyền thông")
        SUPPORT = "support", _("Hỗ trợ trực tiếp")
        OTHER = "other", _("Khác")

    site = models.ForeignKey(
        Site, verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="costs"
    )
    date = models.DateField(_("ngày"))
    category = models.CharField(_("hạng mục"), max_length=20, choices=Category.choices)
    amount_vnd = models.DecimalField(
        _("số tiền (VNĐ)"),
        max_digits=15,
        decimal_places=0,
        validators=[MaxValueValidator(MAX_COST_VND, message=TOO_MUCH_MONEY)],
    )

    objects = ProvinceScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("chi phí")
        verbose_name_plural = _("chi phí")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["site", "date", "category"], name="cost_natural_key"),
            models.CheckConstraint(
                condition=Q(amount_vnd__gte=0),
                name="cost_amount_not_negative",
                violation_error_message=_("Số tiền không được âm."),
            ),
            models.CheckConstraint(
                condition=Q(amount_vnd__lte=MAX_COST_VND),
                name="cost_amount_at_most_100_billion",
                violation_error_message=_with_limit(TOO_MUCH_MONEY, MAX_COST_VND),
            ),
        ]
        indexes = [models.Index(fields=["date", "site"])]

    def __str__(self):
        return f"{self.site.code} {self.date:%d/%m/%Y} {self.get_category_display()}"


class Training(VersionedModel):
    class Audience(models.TextChoices):
        SEX_WORKERS = "sex_workers", _("Người bán dâm")
        PEER_LEADERS = "peer_leaders", _("Trưởng nhóm đồng đẳng")
        OFFICIALS = "officials", _("Cán bộ")
        OWNERS = "owners", _("Chủ cơ sở")

    site = models.ForeignKey(
        Site, verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="trainings"
    )
    date = models.DateField(_("ngày"))
    audience = models.CharField(_("đối tượng"), max_length=20, choices=Audience.choices)
    trainees = models.PositiveIntegerField(_("số học viên"), validators=_people())

    objects = ProvinceScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lớp tập huấn")
        verbose_name_plural = _("lớp tập huấn")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "date", "audience"], name="training_natural_key"
            ),
            _people_at_most("trainees"),
        ]
        indexes = [models.Index(fields=["date", "site"])]

    def __str__(self):
        return f"{self.site.code} {self.date:%d/%m/%Y} {self.get_audience_display()}"


for _model in (Site, Establishment, PeerGroup, Cost, Training):
    audit(_model)
