from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfflineConfig(AppConfig):
    name = "offline"
    verbose_name = _("Làm việc khi mất mạng")

    def ready(self):
        from . import checks  # noqa: F401  (registers the key check)
