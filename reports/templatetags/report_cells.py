"""Showing indicator values in tables: counts grouped, percentages with one decimal, money in
VND, null as "—", suppressed cells ("<5", "x") as they are."""

from django import template
from django.utils.formats import number_format

from accounts.templatetags.ui import num, pct, vnd
from reports.indicators import MONEY_CODES, PERCENTAGES

register = template.Library()

MONEY = (*MONEY_CODES, "cost_per_completed_referral_vnd", "cost_per_site_year_vnd", "budget_vnd")


def show(value, code=""):
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
