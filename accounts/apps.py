from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Tài khoản và phân quyền")

    def ready(self):
        from . import (
            signals,  # noqa: F401  (login/logout events)
            twofactor,  # noqa: F401  (second factor asked after a password login)
        )
