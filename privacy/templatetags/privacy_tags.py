from django import template

from privacy.selectors import open_alert_count

register = template.Library()


@register.inclusion_tag("privacy/_alerts_notice.html")
def harvest_alerts_notice():
    """The administrators' notice beside the audit viewer: how many harvesting alerts wait."""
    return {"open_alerts": open_alert_count()}
