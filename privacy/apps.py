from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Bảo vệ dữ liệu cá nhân")

    def ready(self):
        # Connects the watch over the activity log (harvesting alerts).
        from . import harvest  # noqa: F401
