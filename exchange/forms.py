from django import forms
from django.utils.translation import gettext_lazy as _

from .uploads import max_upload_bytes


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp dữ liệu"),
        max_length=255,
        help_text=_(
            "Một tệp CSV (UTF-8) hoặc Excel (.xlsx) đặt tên như trong mẫu (ví dụ contacts.csv), "
            "một tệp Excel có các trang tính đặt tên như các tệp, hoặc một tệp .zip chứa các tệp "
            "đó."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.zip"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".zip")):
            raise forms.ValidationError(_("Chỉ nhận tệp .csv, .xlsx hoặc .zip."))
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(
                _("Tệp quá lớn (tối đa %(limit)s MB).")
                % {"limit": max_upload_bytes() // (1024 * 1024)}
            )
        return upload
