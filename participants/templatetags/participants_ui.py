from django import template

from programs.services_catalog import Service

register = template.Library()

_LABELS = dict(Service.choices)


@register.filter
def service_labels(codes):
    """['loan', 'legal_aid'] -> their labels in the user's language."""
    return [str(_LABELS.get(code, code)) for code in codes or []]


@register.filter
def yes_no_icon(value):
    """True -> '✓', False -> '✗' (the cell also carries a text label for screen readers)."""
    return "✓" if value else "✗"
