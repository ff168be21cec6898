from django import forms
from django.utils.translation import gettext_lazy as _

STALE_EDIT_MESSAGE = _(
    "Bản ghi này vừa được người khác sửa trong lúc bạn đang sửa. Hãy tải lại trang để xem bản "
    "mới nhất rồi nhập lại thay đổi của bạn."
)


def apply_errors(form, error, aliases=None):
    """Show a service's ValidationError on the form: each message on the field it names (through
    `aliases` when the form calls it otherwise), on the form as a whole when the field is not
    shown (absent or hidden) or the error names none."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    aliases = aliases or {}
    for name, errors in error.error_dict.items():
        field = aliases.get(name, name)
        visible = field in form.fields and not form.fields[field].widget.is_hidden
        for item in errors:
            form.add_error(field if visible else None, item)


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
