from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = _("Trao đổi dữ liệu")

    def ready(self):
        from . import uploads  # noqa: F401  (discards a preview at sign-out)
