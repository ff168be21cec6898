"""Showing indicator values in tables: counts grouped, percentages with one decimal, money in
VND, null as "—", suppressed cells ("<5", "x") as they are."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.templatetags.ui import num, pct, vnd
from reports.catalogue import ALL_MONEY_CODES, PERCENTAGES
from reports.disclosure import UNAPPROVED, approved_note

register = template.Library()

MONEY = ALL_MONEY_CODES  # the cost tables' and the scale-up estimate's included


def show(value, code=""):
    if value == UNAPPROVED:
        return _("chưa phê duyệt")
    if isinstance(value, str):
        return value
    if value is None:
        return "—"
    if code in PERCENTAGES or code.endswith("_pct") or code == "pct":
        return pct(value)
    if code in MONEY:
        return vnd(value)
    if code == "site_years":
        return number_format(value, decimal_pos=2)
    return num(value)


@register.filter
def cell(values, code):
    """{{ row.values|cell:"referred_pct" }}"""
    return show(values.get(code), code)


@register.filter
def shown(value, code=""):
    """{{ value|shown }} or {{ value|shown:"pct" }}"""
    return show(value, code)


@register.filter
def partial_release(release):
    """{{ release|partial_release }}: "12/34 tỉnh đã phê duyệt" when the release covers only part
    of the provinces (its national and regional rows count those only), else ""."""
    tables = getattr(release, "tables", None)
    if not tables:
        return ""
    return approved_note(tables) or ""
