from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitesConfig(AppConfig):
    name = "sites"
    label = "sites"
    verbose_name = _("Địa bàn và mô hình")

    def ready(self):
        from exchange.contract import register_loaders

        from .loaders import LOADERS

        register_loaders(self.label, LOADERS)
