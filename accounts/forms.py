from django import forms
from django.utils.translation import gettext_lazy as _

STALE_EDIT_MESSAGE = _(
    "Bản ghi này vừa được người khác sửa trong lúc bạn đang sửa. Hãy tải lại trang để xem bản "
    "mới nhất rồi nhập lại thay đổi của bạn."
)


class VersionedModelForm(forms.ModelForm):
    """A model form that refuses to overwrite a change saved by someone else after this form was
    opened. The model must extend accounts.models.VersionedModel."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            current = (
                type(self.instance)
                .objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if cleaned.get("version") != current:
                raise forms.ValidationError(STALE_EDIT_MESSAGE, code="stale")
        return cleaned

    def save(self, commit=True):
        if self.instance.pk:
            self.instance.version += 1
        return super().save(commit=commit)


class PeriodForm(forms.Form):
    """A closed date range [start, end], used by lists and reports."""

    start = forms.DateField(
        label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise forms.ValidationError(
                _("Ngày kết thúc không được trước ngày bắt đầu."),
                code="end_before_start",
            )
        return cleaned
