import html

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
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


class OptionsSelect(forms.Select):
    """A <select> that writes its options in one pass instead of one template per option.

    A national user's filters list every visible site (a thousand) and establishment (2,500 at
    bench scale 0.5); Django's Select renders two templates per option (about 0.1 ms each), a
    quarter of a second per list. The HTML is the same as Django's: values and labels escaped
    (a label already marked safe is kept as is), `selected` on the first option whose value is
    the field's. Grouped choices and multiple selection go to Django's templates."""

    def render(self, name, value, attrs=None, renderer=None):
        if self.allow_multiple_selected:
            return super().render(name, value, attrs, renderer)
        chosen = set(self.format_value(value))
        options = []
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                return super().render(name, value, attrs, renderer)
            option_value = "" if option_value is None else str(option_value)
            selected = option_value in chosen
            if selected:
                chosen = set()  # one option selected, as Django's Select does
            if not isinstance(label, SafeData):
                label = html.escape(str(label))
            options.append(
                f'\n  <option value="{html.escape(option_value)}"'
                f"{' selected' if selected else ''}>{label}</option>"
            )
        final_attrs = self.build_attrs(self.attrs, attrs)
        # The name, every value and label are escaped (html.escape, as Django's escape, without
        # its lazy-string wrapper: it costs more than the rest of an option); attributes by flatatt.
        return mark_safe(  # noqa: S308
            f'<select name="{conditional_escape(name)}"{flatatt(final_attrs)}>'
            + "".join(options)
            + "\n</select>"
        )


class RecordOptions(ModelChoiceIterator):
    """The options of a RecordChoiceField: (pk, label) pairs from the model's
    `option_labels(queryset)` (a few columns, no model instances; it labels each record as its
    __str__ does), or Django's options from the instances when the model has none or the field
    is keyed by another column than the pk."""

    def __iter__(self):
        model = self.queryset.model
        option_labels = getattr(model, "option_labels", None)
        # A model form's foreign key names its target's pk as `to_field_name`.
        if option_labels is None or self.field.to_field_name not in (None, model._meta.pk.name):
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from option_labels(self.queryset)


class RecordChoiceField(forms.ModelChoiceField):
    """A choice of one record among a scope's (its queryset: what `visible_to` or a selector
    gives; this field only renders and checks against it), for lists that may hold thousands of
    rows. Cleans to the instance like ModelChoiceField."""

    widget = OptionsSelect
    iterator = RecordOptions
