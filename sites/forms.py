from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from accounts.forms import RecordChoiceField, VersionedModelForm
from accounts.models import Role
from programs.models import InterventionModel, Phase

from .models import Cost, Establishment, PeerGroup, Province, Site, Training
from .services import (
    check_cost_amount,
    check_dated_record_open,
    check_peer_group_counts,
    check_people_count,
)

WHOLE_AMOUNT = _("Nhập số tiền là số nguyên (VNĐ), không có phần lẻ.")
END_BEFORE_START = _("Ngày kết thúc không được trước ngày bắt đầu.")


def bound_by(field, check):
    """`field`'s bounds are the rule `check` of the services (its one message), in place of
    the min/max validators the field was built with."""
    field.validators = [
        validator
        for validator in field.validators
        if not isinstance(validator, (MinValueValidator, MaxValueValidator))
    ] + [check]


def _date_widget():
    # type="date" needs ISO values, whatever the display format of dates is.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def provinces_for(user):
    """Provinces a user may pick: an officer their 2025 province and the pre-2025 provinces
    merged into it; an administrator (or no user, as in exports) every province."""
    queryset = Province.objects.select_related("current").order_by("unit_set", "name")
    if user is not None and getattr(user, "role", None) == Role.OFFICER:
        return queryset.filter(current_id=user.province_id)
    return queryset


def sites_for(user, *, include=None):
    """Active sites a user may attach a record to (plus the record's current site)."""
    queryset = Site.objects.visible_to(user).filter(is_active=True)
    if include is not None:
        queryset = Site.objects.visible_to(user).filter(
            pk__in=list(queryset.values_list("pk", flat=True)) + [include]
        )
    return queryset.select_related("province").order_by("code")


# --------------------------------------------------------------------------- filter forms


class _FilterForm(forms.Form):
    """Shared filters of the list pages (GET). `user` narrows the choices to what the user may
    see; the selector applies the scope either way."""

    q = forms.CharField(
        label=_("Tìm kiếm"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Mã, tên hoặc địa phương")}),
    )
    model = forms.ModelChoiceField(
        label=_("Mô hình"),
        queryset=InterventionModel.objects.order_by("order"),
        required=False,
        empty_label=_("Tất cả mô hình"),
    )
    role = forms.ChoiceField(
        label=_("Vai trò địa bàn"),
        choices=[("", _("Tất cả vai trò"))] + list(Site.SiteRole.choices),
        required=False,
    )
    province = forms.ModelChoiceField(
        label=_("Tỉnh/thành phố"),
        queryset=Province.objects.none(),
        required=False,
        empty_label=_("Tất cả tỉnh/thành phố"),
        help_text=_("Một tỉnh mới (từ 01/07/2025) gồm cả các tỉnh cũ đã sáp nhập vào nó."),
    )
    start = forms.DateField(label=_("Từ ngày"), required=False, widget=_date_widget())
    end = forms.DateField(label=_("Đến ngày"), required=False, widget=_date_widget())

    def __init__(self, data=None, *, user=None, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["province"].queryset = provinces_for(user)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", END_BEFORE_START)
        return cleaned

    @property
    def filters(self):
        """The cleaned filters, or {} when the form is unbound or invalid."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}


STATUS_CHOICES = [
    ("", _("Tất cả")),
    ("active", _("Đang hoạt động")),
    ("inactive", _("Đã ngừng hoạt động")),
]


class _SiteChoiceMixin(forms.Form):
    site = RecordChoiceField(
        label=_("Địa bàn"),
        queryset=Site.objects.none(),
        required=False,
        empty_label=_("Tất cả địa bàn"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sites = Site.objects.all() if self.user is None else Site.objects.visible_to(self.user)
        self.fields["site"].queryset = sites.order_by("code")


class SiteFilterForm(_FilterForm):
    phase = forms.ModelChoiceField(
        label=_("Giai đoạn"),
        queryset=Phase.objects.order_by("start_date"),
        required=False,
        empty_label=_("Tất cả giai đoạn"),
    )
    status = forms.ChoiceField(label=_("Trạng thái"), choices=STATUS_CHOICES, required=False)

    field_order = ["q", "model", "role", "province", "phase", "start", "end", "status"]


class EstablishmentFilterForm(_SiteChoiceMixin, _FilterForm):
    kind = forms.ChoiceField(
        label=_("Loại hình"),
        choices=[("", _("Tất cả loại hình"))] + list(Establishment.Kind.choices),
        required=False,
    )
    status = forms.ChoiceField(label=_("Trạng thái"), choices=STATUS_CHOICES, required=False)

    field_order = ["q", "kind", "site", "model", "role", "province", "start", "end", "status"]


class PeerGroupFilterForm(_SiteChoiceMixin, _FilterForm):
    kind = forms.ChoiceField(
        label=_("Loại nhóm"),
        choices=[("", _("Tất cả loại nhóm"))] + list(PeerGroup.Kind.choices),
        required=False,
    )
    status = forms.ChoiceField(label=_("Trạng thái"), choices=STATUS_CHOICES, required=False)

    field_order = ["q", "kind", "site", "model", "role", "province", "start", "end", "status"]


class CostFilterForm(_SiteChoiceMixin, _FilterForm):
    category = forms.ChoiceField(
        label=_("Hạng mục"),
        choices=[("", _("Tất cả hạng mục"))] + list(Cost.Category.choices),
        required=False,
    )

    field_order = ["q", "category", "site", "model", "role", "province", "start", "end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Mã, tên hoặc địa phương của địa bàn")


class TrainingFilterForm(_SiteChoiceMixin, _FilterForm):
    audience = forms.ChoiceField(
        label=_("Đối tượng"),
        choices=[("", _("Tất cả đối tượng"))] + list(Training.Audience.choices),
        required=False,
    )

    field_order = ["q", "audience", "site", "model", "role", "province", "start", "end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Mã, tên hoặc địa phương của địa bàn")


# --------------------------------------------------------------------------- edit forms


class _ScopedForm(VersionedModelForm):
    """An edit form that knows its user, so choice fields offer only what they may use."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "site" in self.fields:
            self.fields["site"].queryset = sites_for(user, include=self.instance.site_id)


class SiteForm(_ScopedForm):
    class Meta:
        model = Site
        fields = [
            "code",
            "name",
            "province",
            "locality",
            "model",
            "role",
            "phase",
            "start_date",
            "end_date",
        ]
        widgets = {"start_date": _date_widget(), "end_date": _date_widget()}
        error_messages = {
            "code": {"unique": _("Mã địa bàn này đã được dùng. Hãy chọn một mã khác.")},
        }
        help_texts = {
            "phase": _("Để trống để tự chọn giai đoạn chứa ngày bắt đầu."),
            "locality": _("Một quận/huyện hoặc phường/xã có thể triển khai nhiều mô hình."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces_for(self.user)
        self.fields["phase"].queryset = Phase.objects.order_by("start_date")
        self.fields["model"].queryset = InterventionModel.objects.order_by("order")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", END_BEFORE_START)
        phase = cleaned.get("phase")
        if start:
            if phase is None:
                covering = Phase.objects.filter(start_date__lte=start, end_date__gte=start)
                found = covering.order_by("start_date").first()
                if found is not None:
                    cleaned["phase"] = found
            elif not (phase.start_date <= start <= phase.end_date):
                self.add_error(
                    "phase",
                    _("Ngày bắt đầu %(day)s không thuộc giai đoạn %(phase)s (%(start)s – %(end)s).")
                    % {
                        "day": start.strftime("%d/%m/%Y"),
                        "phase": phase.code,
                        "start": phase.start_date.strftime("%d/%m/%Y"),
                        "end": phase.end_date.strftime("%d/%m/%Y"),
                    },
                )
        return cleaned


class EstablishmentForm(_ScopedForm):
    class Meta:
        model = Establishment
        fields = ["code", "site", "kind", "workers"]
        field_classes = {"site": RecordChoiceField}
        error_messages = {
            "code": {"unique": _("Mã cơ sở này đã được dùng. Hãy chọn một mã khác.")},
        }
        help_texts = {
            "code": _("Chỉ mã của chương trình: không ghi tên chủ cơ sở hay địa chỉ."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_by(self.fields["workers"], check_people_count)


class PeerGroupForm(_ScopedForm):
    class Meta:
        model = PeerGroup
        fields = ["code", "name", "site", "kind", "founded_on", "members", "board_members"]
        field_classes = {"site": RecordChoiceField}
        widgets = {"founded_on": _date_widget()}
        error_messages = {
            "code": {"unique": _("Mã nhóm này đã được dùng. Hãy chọn một mã khác.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_by(self.fields["members"], check_people_count)
        bound_by(self.fields["board_members"], check_people_count)

    def clean(self):
        cleaned = super().clean()
        try:
            check_peer_group_counts(
                members=cleaned.get("members"), board_members=cleaned.get("board_members")
            )
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class _DatedRecordForm(_ScopedForm):
    """Costs and trainings: refused in a period the ministry approved for the province."""

    def clean(self):
        cleaned = super().clean()
        try:
            check_dated_record_open(
                record=self.instance, site=cleaned.get("site"), day=cleaned.get("date")
            )
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class CostForm(_DatedRecordForm):
    amount_vnd = forms.IntegerField(
        label=_("Số tiền (VNĐ)"),
        min_value=0,
        # Bounded by the rule of the services (sites.services.check_cost_amount).
        error_messages={"invalid": WHOLE_AMOUNT},
    )

    class Meta:
        model = Cost
        fields = ["site", "date", "category", "amount_vnd"]
        field_classes = {"site": RecordChoiceField}
        widgets = {"date": _date_widget()}
        error_messages = {
            NON_FIELD_ERRORS: {
                "unique_together": _(
                    "Địa bàn này đã có một khoản chi cùng hạng mục vào ngày này. Hãy sửa khoản "
                    "đó thay vì thêm mới."
                )
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_by(self.fields["amount_vnd"], check_cost_amount)


class TrainingForm(_DatedRecordForm):
    class Meta:
        model = Training
        fields = ["site", "date", "audience", "trainees"]
        field_classes = {"site": RecordChoiceField}
        widgets = {"date": _date_widget()}
        error_messages = {
            NON_FIELD_ERRORS: {
                "unique_together": _(
                    "Địa bàn này đã có một lớp tập huấn cho cùng đối tượng vào ngày này. Hãy sửa "
                    "lớp đó thay vì thêm mới."
                )
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_by(self.fields["trainees"], check_people_count)
