"""The navigation bar: which pages each role is offered. An app adds its pages here."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .access import EVERY_ROLE
from .models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset


NAV_ITEMS = [
    NavItem(_("Trang chủ"), "home", EVERY_ROLE),
]


def items_for(user):
    if not user.is_authenticated or user.role not in Role.values:
        return []
    return [item for item in NAV_ITEMS if user.role in item.roles]
