from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Chuyển gửi")

    def ready(self):
        from exchange.contract import register_loaders

        from .loaders import LOADERS

        register_loaders(self.label, LOADERS)
