from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()

EMPTY = "—"


@register.filter
def vnd(amount):
    """45000000 -> '45.000.000 ₫' (Vietnamese grouping); None -> '—'."""
    if amount is None or amount == "":
        return EMPTY
    whole = Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{number_format(whole, decimal_pos=0, force_grouping=True)} ₫"


@register.filter
def pct(value):
    """A percentage with one decimal; None (zero denominator) -> '—', never 0."""
    if value is None or value == "":
        return EMPTY
    return f"{number_format(Decimal(value), decimal_pos=1)} %"


@register.filter
def num(value):
    """An integer count with thousands grouping; None -> '—'; strings (e.g. '<5') as they are."""
    if value is None:
        return EMPTY
    if isinstance(value, str):
        return value
    return number_format(value, decimal_pos=0, force_grouping=True)


@register.filter
def sort_param(sorting, key):
    """The ?sort= value a click on column `key` asks for (accounts.pagination.Sorting)."""
    return sorting.param(key)
