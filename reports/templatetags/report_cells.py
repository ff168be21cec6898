"""Showing indicator values in tables: counts grouped, percentages with one decimal, money in
VND, null as "—", suppressed cells ("<5", "x") as they are."""

from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django import template
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reports.catalogue import ALL_MONEY_CODES, PERCENTAGES
from reports.disclosure import UNAPPROVED, approved_note

register = template.Library()

MONEY = ALL_MONEY_CODES  # the cost tables' and the scale-up estimate's included


def separators():
    """The active language's (decimal separator, grouping, thousand separator), read once for
    a whole row or table: `number_format` reads them again for every number, which made the
    formatting of a big table cost more than its figures."""
    lang = get_language()
    return tuple(
        get_format(name, lang)
        for name in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")
    )


def _number(value, decimal_pos, seps, force_grouping=False):
    """django.utils.formats.number_format with the separators given."""
    decimal_sep, grouping, thousand_sep = seps
    if type(value) is int and not decimal_pos and force_grouping and grouping == 3:
        # The common case, a count or an amount grouped by thousands: what numberformat
        # writes, without its loop over each digit (a province's table has two thousand).
        grouped = f"{abs(value):,}".replace(",", thousand_sep)
        return f"-{grouped}" if value < 0 else grouped
    return numberformat.format(
        value, decimal_sep, decimal_pos, grouping, thousand_sep, force_grouping, True
    )


def show(value, code="", seps=None):
    """A value as a table shows it: counts grouped ("12.345"), percentages with one decimal
    ("12,5 %"), money in VND ("45.000.000 ₫"), None as "—", suppressed marks as they are."""
    if value == UNAPPROVED:
        return _("chưa phê duyệt")
    if isinstance(value, str):
        return value
    if value is None:
        return "—"
    seps = seps or separators()
    if code in PERCENTAGES or code.endswith("_pct") or code == "pct":
        return f"{_number(Decimal(value), 1, seps)} %"
    if code in MONEY:
        whole = Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        if not whole.is_signed():
            whole = int(whole)
        return f"{_number(whole, 0, seps, force_grouping=True)} ₫"
    if code == "site_years":
        return _number(value, 2, seps)
    return _number(value, 0, seps, force_grouping=True)


@register.simple_tag
def cells(values, columns, css="text-end", data_code=True):
    """{% cells row.values columns %}: a row's cells, one <td> per (code, label) of `columns`,
    as `<td class="text-end" data-code="CODE">{{ values|cell:code }}</td>` would render them —
    in one call (a table of a province's sites has some two thousand cells)."""
    seps = separators()
    css = escape(css)
    out = []
    for code, _label in columns:
        attribute = f' data-code="{escape(code)}"' if data_code else ""
        shown_value = show(values.get(code), code, seps)
        if not isinstance(shown_value, SafeData):
            shown_value = escape(shown_value)
        out.append(f'<td class="{css}"{attribute}>{shown_value}</td>')
    return mark_safe("".join(out))  # noqa: S308 -- every part escaped above (html.escape, as Django's)


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
