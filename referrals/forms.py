import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.forms import PeriodForm, RecordChoiceField, VersionedModelForm, apply_errors
from accounts.models import Role
from participants.forms import normalize_code, scoped_sites
from participants.models import Participant
from participants.services import check_event, check_not_future
from programs.services_catalog import Service
from sites.models import Province, Site

from .models import Provider, Referral, Support
from .selectors import providers_for_referral, referral_filter_sites, user_province_id
from .services import (
    SUPPORT_DATE,
    check_provider,
    check_referral_key,
    check_support,
    check_support_amount,
    today,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO_ANY = [("", _("Tất cả")), ("yes", _("Có")), ("no", _("Không"))]
PARTICIPANT_NOT_FOUND = _(
    "Không tìm thấy người tham gia có mã này trong phạm vi của bạn (hoặc người này đã rút khỏi "
    "chương trình)."
)

NO_NON_RESIDENTS = _("không nhận người không có hộ khẩu thường trú")


def participants_for(user):
    return Participant.objects.visible_to(user).not_withdrawn()


class ParticipantCodeField(forms.CharField):
    """A participant picked by their display code (e.g. P-7K3M9QX), looked up in the user's
    scope. Gives back the Participant."""

    def __init__(self, *, queryset, **kwargs):
        self.queryset = queryset
        # Who looks up, and on which form: every look-up goes to the activity log (harvesting
        # alerts, privacy.harvest). Set by the form (`watch`); the look-up made is noted in
        # `looked_up` and logged by the caller (accounts.activity.record_lookups).
        self.user = None
        self.purpose = ""
        self.looked_up = None
        kwargs.setdefault("label", _("Mã người tham gia"))
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("help_text", _("Mã hiển thị, ví dụ P-7K3M9QX."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Participant):
            return value.code
        return value

    def watch(self, *, user, queryset, purpose):
        self.user, self.queryset, self.purpose = user, queryset, purpose

    def clean(self, value):
        code = normalize_code(super().clean(value) or "")
        if not code:
            return None
        participant = self.queryset.filter(code=code).first()
        if self.user is not None:
            self.looked_up = {
                "by": "code",
                "found": participant is not None,
                "purpose": self.purpose,
            }
        if participant is None:
            raise ValidationError(PARTICIPANT_NOT_FOUND, code="not_found")
        return participant


class VNDField(forms.IntegerField):
    """A whole, non-negative amount of đồng. Accepts Vietnamese digit grouping (3.000.000)."""

    GROUPED = re.compile(r"^\d{1,3}([. ,]\d{3})+$")

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 10**15 - 1)
        super().__init__(**kwargs)
        message = _("Số tiền phải là số nguyên không âm, tính bằng đồng (ví dụ 3000000).")
        self.error_messages.update(invalid=message)
        for validator in self.validators:
            if getattr(validator, "code", "") == "min_value":
                validator.message = message
            if getattr(validator, "code", "") == "max_value":
                validator.message = _("Số tiền quá lớn.")

    def bounded_by(self, check):
        """Bounds from the rule `check` of the services (its one message) instead."""
        self.validators = [
            validator
            for validator in self.validators
            if getattr(validator, "code", "") not in ("min_value", "max_value")
        ] + [check]
        return self

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removesuffix("₫").removesuffix("đ").strip()
            if self.GROUPED.match(value):
                value = re.sub(r"[. ,]", "", value)
            elif value and not re.fullmatch(r"-?\d+", value):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class ProviderSelect(forms.Select):
    """Provider options carry the services they offer and whether they take people without
    permanent residence, so static/js/referral_form.js can filter them by the chosen service."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        provider = getattr(value, "instance", None)
        if provider is not None:
            option["attrs"]["data-services"] = " ".join(provider.services)
            option["attrs"]["data-accepts-without-residence"] = (
                "1" if provider.accepts_without_residence else "0"
            )
        return option


# ---- providers --------------------------------------------------------------------------


class ProviderFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)
    service = forms.ChoiceField(
        label=_("Dịch vụ"), choices=[("", _("Tất cả"))] + Service.choices, required=False
    )
    province = forms.ModelChoiceField(
        label=_("Tỉnh/thành phố"),
        queryset=Province.objects.filter(unit_set=Province.UnitSet.CURRENT),
        required=False,
        empty_label=_("Tất cả"),
    )
    accepts_without_residence = forms.ChoiceField(
        label=_("Nhận người không có hộ khẩu thường trú"), choices=YES_NO_ANY, required=False
    )
    active = forms.ChoiceField(label=_("Đang hoạt động"), choices=YES_NO_ANY, required=False)

    def __init__(self, *args, user=None, **kwargs):
        # `user` is accepted like the other filter forms; the directory's choices are the same
        # for every role.
        super().__init__(*args, **kwargs)


class ProviderForm(VersionedModelForm):
    class Meta:
        model = Provider
        fields = [
            "name",
            "services",
            "province",
            "location",
            "accepts_without_residence",
            "eligibility",
            "contact_channel",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = Province.objects.filter(unit_set=Province.UnitSet.CURRENT)
        if user.role == Role.OFFICER:
            provinces = provinces.filter(pk=user.province_id)
            self.fields["province"].initial = user.province_id
        self.fields["province"].queryset = provinces
        self.fields["services"].required = True
        self.fields["services"].error_messages["required"] = _(
            "Chọn ít nhất một dịch vụ cơ sở cung cấp."
        )
        self.fields["contact_channel"].help_text = _(
            "Số điện thoại, email hoặc địa chỉ của cơ sở (không ghi thông tin của người tham gia)."
        )


# ---- referrals ---------------------------------------------------------------------------


class ReferralFilterForm(PeriodForm):
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        choices=[("", _("Tất cả"))] + Referral.Status.choices,
        required=False,
    )
    service = forms.ChoiceField(
        label=_("Dịch vụ"), choices=[("", _("Tất cả"))] + Service.choices, required=False
    )
    site = RecordChoiceField(
        label=_("Địa bàn"), queryset=Site.objects.none(), required=False, empty_label=_("Tất cả")
    )
    overdue = forms.BooleanField(label=_("Chỉ chuyển gửi quá hạn"), required=False)

    field_order = ["status", "service", "site", "start", "end", "overdue"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = referral_filter_sites(user=user)


class FollowupFilterForm(forms.Form):
    site = RecordChoiceField(
        label=_("Địa bàn"), queryset=Site.objects.none(), required=False, empty_label=_("Tất cả")
    )
    service = forms.ChoiceField(
        label=_("Dịch vụ"), choices=[("", _("Tất cả"))] + Service.choices, required=False
    )
    provider = forms.ModelChoiceField(
        label=_("Cơ sở dịch vụ"),
        queryset=Provider.objects.none(),
        required=False,
        empty_label=_("Tất cả"),
    )
    overdue_days = forms.IntegerField(
        label=_("Quá hạn ít nhất (ngày)"),
        min_value=0,
        max_value=3650,
        required=False,
        help_text=_("0: mọi chuyển gửi quá hạn; để trống: cả chưa quá hạn."),
    )
    overdue_within = forms.IntegerField(
        label=_("Quá hạn trong vòng (ngày)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Để trống: quá hạn từ bao lâu cũng được."),
    )

    # What the list shows when opened: what became overdue in the last 90 days (older ones are
    # a matter for a review, not for today's follow-up).
    DEFAULTS = {"overdue_days": "0", "overdue_within": "90"}

    @classmethod
    def data_from(cls, query):
        """The query's filters, or the defaults when it names none (paging and sorting kept)."""
        if any(name in query for name in cls.base_fields):
            return query
        data = query.copy()
        data.update(cls.DEFAULTS)
        return data

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = scoped_sites(user)
        home = user_province_id(user)
        self.fields["provider"].queryset = providers_for_referral(user=user)
        self.fields["provider"].label_from_instance = lambda provider: provider_label(
            provider, home_province_id=home
        )


class ReferralForm(forms.Form):
    participant = ParticipantCodeField(queryset=Participant.objects.none())
    date = forms.DateField(label=_("Ngày chuyển gửi"), widget=DATE_INPUT)
    site = RecordChoiceField(label=_("Địa bàn"), queryset=Site.objects.none())
    service = forms.ChoiceField(
        label=_("Dịch vụ"), choices=[("", _("— Chọn dịch vụ —")), *Service.choices]
    )
    provider = forms.ModelChoiceField(
        label=_("Cơ sở cung cấp dịch vụ"),
        queryset=Provider.objects.none(),
        required=False,
        empty_label=_("— Chưa chọn cơ sở —"),
        widget=ProviderSelect(attrs={"data-provider-select": ""}),
    )
    consent_to_share = forms.BooleanField(
        label=_("Người tham gia đồng ý chia sẻ thông tin với cơ sở dịch vụ"),
        required=False,
        help_text=_("Bắt buộc: hỏi và ghi nhận sự đồng ý trước khi chuyển gửi."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["participant"].watch(
            user=user, queryset=participants_for(user), purpose="referral"
        )
        self.fields["date"].initial = today()
        self.fields["provider"].queryset = providers_for_referral(user=user)
        home = user_province_id(user)
        self.fields["provider"].label_from_instance = lambda provider: provider_label(
            provider, home_province_id=home
        )
        self.home_province_id = home
        if user.role == Role.PEER_LEADER:
            # A peer leader refers from their own group's site.
            del self.fields["site"]
        else:
            self.fields["site"].queryset = scoped_sites(user)

    def mark_providers_refusing_non_residents(self):
        """For a participant without permanent residence: flag the providers that will not
        take them (the same warning the page script shows as a badge)."""

        self.fields["provider"].label_from_instance = lambda provider: provider_label(
            provider, non_permanent=True, home_province_id=self.home_province_id
        )

    @property
    def referral_site(self):
        if self.user.role == Role.PEER_LEADER:
            return self.user.peer_group.site
        return self.cleaned_data.get("site")

    @property
    def referral_peer_group(self):
        return self.user.peer_group if self.user.role == Role.PEER_LEADER else None

    def clean_consent_to_share(self):
        if not self.cleaned_data.get("consent_to_share"):
            raise ValidationError(
                _(
                    "Hãy hỏi và đánh dấu sự đồng ý của người tham gia cho chia sẻ thông tin với "
                    "cơ sở dịch vụ trước khi lưu chuyển gửi."
                ),
                code="consent",
            )
        return True

    def clean(self):
        cleaned = super().clean()
        provider, service = cleaned.get("provider"), cleaned.get("service")
        if provider is not None and service:
            try:
                check_provider(provider=provider, service=service)
            except ValidationError as error:
                self.add_error("provider", error)
        participant, date = cleaned.get("participant"), cleaned.get("date")
        site = self.referral_site
        if participant and date and site:
            try:
                check_event(
                    participant=participant, site=site, day=date, date_label=_("Ngày chuyển gửi")
                )
            except ValidationError as error:
                apply_errors(self, error)
        if participant and date and site and service:
            check_referral_key(participant=participant, date=date, site=site, service=service)
        return cleaned


def provider_label(provider, non_permanent=False, home_province_id=None):
    """A provider as offered on a referral form: its name, its province when it is not
    `home_province_id`, and, for a participant without permanent residence, whether it takes
    them."""
    label = provider.name
    if provider.province_id != home_province_id:
        label = f"{label} · {provider.province.name}"
    if non_permanent and not provider.accepts_without_residence:
        return f"{label} ⚠ {NO_NON_RESIDENTS}"
    return label


class NeedsReferralForm(forms.Form):
    """One referral per need ticked at a contact, on one screen: for each need not yet referred
    that day, whether to refer it and to which provider (those that give the service, the
    contact's province first, the first suitable one chosen). One consent covers them all."""

    consent_to_share = forms.BooleanField(
        label=_("Người tham gia đồng ý chia sẻ thông tin với cơ sở dịch vụ"),
        required=False,
        help_text=_("Bắt buộc: hỏi và ghi nhận sự đồng ý trước khi chuyển gửi."),
    )

    def __init__(self, *args, contact, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact = contact
        self.user = user
        participant = contact.participant
        self.non_permanent = participant.residence != Participant.Residence.PERMANENT
        referred = set(
            Referral.objects.filter(
                participant=participant, date=contact.date, site=contact.site
            ).values_list("service", flat=True)
        )
        province_id = contact.site.province.current_id
        self.rows = []
        for need in contact.needs:
            if need in referred:
                self.rows.append({"need": need, "label": Service(need).label, "done": True})
                continue
            providers = list(
                providers_for_referral(user=user, service=need, province_id=province_id)
            )
            refer = f"refer_{need}"
            provider = f"provider_{need}"
            self.fields[refer] = forms.BooleanField(
                label=_("Chuyển gửi: %(service)s") % {"service": Service(need).label},
                required=False,
                initial=True,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            field = forms.ModelChoiceField(
                label=_("Cơ sở cung cấp dịch vụ"),
                queryset=providers_for_referral(user=user, service=need, province_id=province_id),
                required=False,
                empty_label=_("— Chưa chọn cơ sở —"),
                initial=self._suggested(providers, province_id),
                error_messages={
                    "invalid_choice": _("Cơ sở dịch vụ này không cung cấp dịch vụ đã chọn.")
                },
            )
            field.label_from_instance = lambda p: provider_label(
                p, self.non_permanent, home_province_id=province_id
            )
            self.fields[provider] = field
            self.rows.append(
                {
                    "need": need,
                    "label": Service(need).label,
                    "done": False,
                    "refer": refer,
                    "provider": provider,
                    "none_here": not any(p.province_id == province_id for p in providers),
                }
            )

    def _suggested(self, providers, province_id):
        """The first provider of the contact's province that would take the participant."""
        for provider in providers:
            if provider.province_id != province_id:
                return None
            if provider.accepts_without_residence or not self.non_permanent:
                return provider.pk
        return None

    def chosen(self):
        """[(service, provider or None)] of the needs to refer."""
        return [
            (row["need"], self.cleaned_data.get(row["provider"]))
            for row in self.rows
            if not row["done"] and self.cleaned_data.get(row["refer"])
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.chosen():
            raise ValidationError(_("Chọn ít nhất một nhu cầu để chuyển gửi."), code="none")
        if not cleaned.get("consent_to_share"):
            self.add_error(
                "consent_to_share",
                ValidationError(
                    _(
                        "Hãy hỏi và đánh dấu sự đồng ý của người tham gia cho chia sẻ thông tin "
                        "với cơ sở dịch vụ trước khi lưu chuyển gửi."
                    ),
                    code="consent",
                ),
            )
        for service, provider in self.chosen():
            if provider is not None:
                try:
                    check_provider(provider=provider, service=service)
                except ValidationError as error:
                    self.add_error(f"provider_{service}", error)
        return cleaned


# ---- support -----------------------------------------------------------------------------


class SupportFilterForm(PeriodForm):
    kind = forms.ChoiceField(
        label=_("Loại hỗ trợ"), choices=[("", _("Tất cả"))] + Support.Kind.choices, required=False
    )
    site = RecordChoiceField(
        label=_("Địa bàn"), queryset=Site.objects.none(), required=False, empty_label=_("Tất cả")
    )

    field_order = ["kind", "site", "start", "end"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = scoped_sites(user)


class SupportForm(VersionedModelForm):
    participant = ParticipantCodeField(queryset=Participant.objects.none())
    referral = forms.ModelChoiceField(
        label=_("Số chuyển gửi liên quan (nếu có)"),
        queryset=Referral.objects.none(),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1}),
        help_text=_("Số của chuyển gửi (hiện trên trang chi tiết chuyển gửi)."),
        error_messages={
            "invalid_choice": _("Không tìm thấy chuyển gửi có số này trong phạm vi của bạn.")
        },
    )
    amount_vnd = VNDField(label=_("Số tiền (VNĐ)")).bounded_by(check_support_amount)

    class Meta:
        model = Support
        fields = ["participant", "referral", "site", "date", "kind", "amount_vnd"]
        field_classes = {"site": RecordChoiceField}
        widgets = {"date": DATE_INPUT}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].watch(
            user=user, queryset=participants_for(user), purpose="support"
        )
        self.fields["referral"].queryset = Referral.objects.visible_to(user)
        self.fields["site"].queryset = scoped_sites(user)
        self.fields["amount_vnd"].widget.attrs.update(inputmode="numeric")
        if not self.instance.pk:
            self.fields["date"].initial = today()
        else:
            self.initial["participant"] = self.instance.participant.code
            self.initial["amount_vnd"] = int(self.instance.amount_vnd)

    def clean_date(self):
        date = self.cleaned_data["date"]
        check_not_future(date, SUPPORT_DATE)
        return date

    def clean(self):
        cleaned = super().clean()
        participant, referral = cleaned.get("participant"), cleaned.get("referral")
        site, day = cleaned.get("site"), cleaned.get("date")
        if participant and referral and referral.participant_id != participant.pk:
            self.add_error(
                "referral", _("Chuyển gửi này không phải của người tham gia đã nhập mã.")
            )
        if participant and site and day:
            try:
                check_support(record=self.instance, participant=participant, site=site, day=day)
            except ValidationError as error:
                apply_errors(self, error)
        return cleaned
