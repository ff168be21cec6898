from django import template

from programs.services_catalog import Service

register = template.Library()

STATUS_CLASSES = {
    "referred": "text-bg-primary",
    "received": "text-bg-info",
    "completed": "text-bg-success",
    "declined": "text-bg-secondary",
    "lost": "text-bg-dark",
}


@register.filter
def service_labels(codes):
    """['loan', 'legal_aid'] -> their labels, in the catalogue's order."""
    return [Service(code).label for code in codes or []]


@register.filter
def status_class(status):
    return STATUS_CLASSES.get(status, "text-bg-light")
