from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Người tham gia")

    def ready(self):
        from exchange.contract import register_loaders

        from . import profiles
        from .loaders import LOADERS

        register_loaders(self.label, LOADERS)
        profiles.connect()
