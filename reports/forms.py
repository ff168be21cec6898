from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from programs.calendar import iso_period, period_label, quarter_range, year_range  # noqa: F401
from programs.models import InterventionModel, Phase
from sites.models import Province


def phase_label(phase):
    """ "Giai đoạn 2016–2020" in the user's language (a phase's name is stored in Vietnamese)."""
    return gettext("Giai đoạn %(start)s–%(end)s") % {
        "start": phase.start_date.year,
        "end": phase.end_date.year,
    }


class ReportPeriodForm(forms.Form):
    """The period of a dashboard (GET): a quarter, a year, a programme phase, or (unless
    `allow_custom` is False: the ministry reads fixed periods only) any closed range of dates;
    and, for the national dashboard, the unit set of the province table."""

    QUARTER, YEAR, PHASE, CUSTOM = "quarter", "year", "phase", "custom"
    PERIOD_CHOICES = [
        (QUARTER, _("Quý")),
        (YEAR, _("Năm")),
        (PHASE, _("Giai đoạn")),
        (CUSTOM, _("Tùy chọn")),
    ]
    UNIT_CHOICES = [
        ("2025", _("34 tỉnh, thành phố (từ 01/07/2025)")),
        ("legacy", _("63 tỉnh, thành phố (trước 01/07/2025)")),
    ]

    period = forms.ChoiceField(label=_("Kỳ báo cáo"), choices=PERIOD_CHOICES, required=False)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(
        label=_("Quý"),
        choices=[(q, str(q)) for q in range(1, 5)],
        coerce=int,
        required=False,
    )
    phase = forms.ModelChoiceField(
        label=_("Giai đoạn"),
        queryset=Phase.objects.order_by("start_date"),
        to_field_name="code",
        required=False,
    )
    start = forms.DateField(
        label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    units = forms.ChoiceField(
        label=_("Bảng theo tỉnh"), choices=UNIT_CHOICES, required=False, initial="2025"
    )

    def __init__(self, *args, default_year, allow_custom=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_year = default_year
        self.fields["year"].initial = default_year
        self.fields["period"].initial = self.YEAR
        self.fields["phase"].label_from_instance = phase_label
        if not allow_custom:
            self.fields["period"].choices = self.PERIOD_CHOICES[:-1]
            for name in ("start", "end"):
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("period") or self.YEAR
        year = cleaned.get("year") or self.default_year
        cleaned["period"], cleaned["year"] = kind, year
        cleaned["units"] = cleaned.get("units") or "2025"
        if kind == self.QUARTER:
            if not cleaned.get("quarter"):
                raise forms.ValidationError(_("Hãy chọn quý."), code="no_quarter")
            cleaned["start"], cleaned["end"] = quarter_range(year, cleaned["quarter"])
        elif kind == self.YEAR:
            cleaned["start"], cleaned["end"] = year_range(year)
        elif kind == self.PHASE:
            phase = cleaned.get("phase")
            if phase is None:
                raise forms.ValidationError(_("Hãy chọn giai đoạn."), code="no_phase")
            cleaned["start"], cleaned["end"] = phase.start_date, phase.end_date
        else:
            start, end = cleaned.get("start"), cleaned.get("end")
            if not start or not end:
                raise forms.ValidationError(
                    _("Hãy nhập cả ngày bắt đầu và ngày kết thúc."), code="incomplete_range"
                )
            if end < start:
                raise forms.ValidationError(
                    _("Ngày kết thúc không được trước ngày bắt đầu."), code="end_before_start"
                )
        return cleaned

    def resolved(self):
        """(start, end, units) of a valid form, or the default year's when it is not valid."""
        if self.is_bound and self.is_valid():
            data = self.cleaned_data
            return data["start"], data["end"], data["units"]
        start, end = year_range(self.default_year)
        return start, end, "2025"


def period_params(period):
    """The GET parameters of ReportPeriodForm that select a reporting period."""
    if period.kind == ReportPeriodForm.QUARTER:
        year, quarter = period.code.split("Q")
        return {"period": ReportPeriodForm.QUARTER, "year": year, "quarter": quarter}
    if period.kind == ReportPeriodForm.YEAR:
        return {"period": ReportPeriodForm.YEAR, "year": period.code}
    return {"period": ReportPeriodForm.PHASE, "phase": period.code}


class ProvinceChoiceForm(forms.Form):
    """For national users: open one 2025 province's dashboard."""

    province = forms.ModelChoiceField(
        label=_("Xem tỉnh/thành phố"),
        queryset=Province.objects.filter(unit_set=Province.UnitSet.CURRENT).order_by("name"),
        to_field_name="code",
        required=False,
        empty_label=_("Toàn quốc"),
    )


class ScaleUpForm(forms.Form):
    """The budget to bring N more district-level areas to a model (GET)."""

    areas = forms.IntegerField(
        label=_("Số đơn vị cấp huyện cần nhân rộng"), min_value=1, max_value=10_000
    )
    scale_model = forms.ModelChoiceField(
        label=_("Mô hình"), queryset=InterventionModel.objects.all(), empty_label=None
    )
    years = forms.IntegerField(label=_("Số năm triển khai"), min_value=1, max_value=10, initial=1)


# --------------------------------------------------------------------------- reporting cycle


class SubmitForm(forms.Form):
    """A province's officer submits a period to the ministry."""

    comment = forms.CharField(
        label=_("Ghi chú gửi Bộ (không bắt buộc)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(forms.Form):
    """The ministry's decision on a province's period: approve, return (with a comment) or
    reopen an approved period (with a reason). The service says what is missing."""

    ACTIONS = [
        ("approve", _("Phê duyệt")),
        ("return", _("Trả lại")),
        ("reopen", _("Mở lại")),
    ]
    action = forms.ChoiceField(label=_("Quyết định"), choices=ACTIONS)
    comment = forms.CharField(
        label=_("Ý kiến hoặc lý do"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PublishForm(forms.Form):
    """The ministry publishes a period for the provinces it chooses (all approved ones by
    default); a new version of a published period needs a reason."""

    provinces = forms.ModelMultipleChoiceField(
        label=_("Tỉnh/thành phố được công bố"),
        queryset=Province.objects.filter(unit_set=Province.UnitSet.CURRENT).order_by("name"),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Lý do đính chính (khi công bố phiên bản mới)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, approved=None, **kwargs):
        super().__init__(*args, **kwargs)
        if approved is not None:
            self.fields["provinces"].queryset = self.fields["provinces"].queryset.filter(
                pk__in=[p.pk for p in approved]
            )
            self.fields["provinces"].initial = [p.code for p in approved]
