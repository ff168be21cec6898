from django import forms
from django.utils.translation import gettext_lazy as _

from .audit import KIND_LABELS, audited_models
from .forms import PeriodForm
from .models import User


class AuditFilterForm(PeriodForm):
    kind = forms.ChoiceField(label=_("Loại"), required=False)
    user = forms.ModelChoiceField(
        label=_("Người dùng"),
        queryset=User.objects.order_by("username"),
        required=False,
        empty_label=_("Tất cả"),
    )
    model = forms.ChoiceField(label=_("Loại bản ghi"), required=False)
    q = forms.CharField(label=_("Đối tượng chứa"), required=False, max_length=100)

    field_order = ["kind", "user", "model", "start", "end", "q"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Tất cả")), *KIND_LABELS.items()]
        self.fields["model"].choices = [("", _("Tất cả")), *audited_models()]


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Mã xác thực (6 chữ số)"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )

    def __init__(self, *args, device=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("Mã xác thực chỉ gồm chữ số."), code="digits")
        if self.device is None:
            raise forms.ValidationError(_("Chưa có thiết bị xác thực."), code="no_device")
        allowed, _detail = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                _("Nhập sai quá nhiều lần. Hãy chờ một lát rồi thử lại."), code="throttled"
            )
        if not self.device.verify_token(token):
            raise forms.ValidationError(
                _("Mã xác thực không đúng hoặc đã hết hạn."), code="invalid"
            )
        return token
