"""Forms of the privacy app. The UIC answers are the participants app's own questions
(`UICAnswersMixin`): nothing typed is sent back to the browser, stored or logged."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from participants.forms import UICAnswersMixin
from participants.uic import uic_hash

from .models import HarvestAlert

NOT_FOUND = _(
    "Không tìm thấy ai với các câu trả lời này trong phạm vi của bạn. Hãy kiểm tra lại với người "
    "tham gia (tên cha, mẹ, ngày sinh) và nhập lại."
)


class UICLookupForm(UICAnswersMixin, forms.Form):
    """The four UIC questions, to find the person in front of the officer. `digest` is the keyed
    hash of their UIC once the form is valid."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_uic_fields()
        self.digest = None

    @sensitive_variables()
    def clean(self):
        cleaned = super().clean()
        uic = self.compute_uic()
        if uic is not None:
            self.digest = uic_hash(uic)
        return cleaned

    def not_found(self):
        self.add_error(None, ValidationError(NOT_FOUND, code="not_found"))


class ErasureConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "Người tham gia đã yêu cầu xoá, và đã được giải thích rằng việc xoá không thể hoàn "
            "tác: các hồ sơ, mã hiển thị và liên kết định danh của họ sẽ mất."
        ),
        error_messages={"required": _("Hãy xác nhận yêu cầu xoá của người tham gia.")},
    )


class _AlertChoices(forms.ModelMultipleChoiceField):
    """An id outside the database's integer range is an invalid choice like any unknown id
    (SQLite raises OverflowError on such a value in `pk__in`: a 500, found by the fuzz test)."""

    def _check_values(self, value):
        low, high = connection.ops.integer_field_range(
            self.queryset.model._meta.pk.get_internal_type()
        )
        for pk in value or ():
            try:
                number = int(str(pk).strip())
            except ValueError:
                continue  # Django's own check gives the message.
            if not (low is None or low <= number) or not (high is None or number <= high):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class AlertReviewForm(forms.Form):
    alerts = _AlertChoices(
        label=_("Cảnh báo đã xem"),
        queryset=HarvestAlert.objects.filter(reviewed_at__isnull=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Hãy chọn ít nhất một cảnh báo."),
            "invalid_choice": _("Cảnh báo này đã được xem hoặc không còn."),
            "invalid_pk_value": _("Cảnh báo này đã được xem hoặc không còn."),
        },
    )
    note = forms.CharField(
        label=_("Kết quả xem xét"),
        help_text=_(
            "Ví dụ: đã hỏi cán bộ, là công việc bình thường; hoặc: đã khoá tài khoản, mở quy trình "
            "xử lý sự cố."
        ),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
