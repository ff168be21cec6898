"""The reporting cycle on other apps' pages: what awaits the signed-in user (home page cards)."""

from django import template

from reports.cycle import awaiting

register = template.Library()


@register.inclusion_tag("reports/_awaiting.html")
def awaiting_cards(user):
    """{% awaiting_cards user %}: an officer's periods to submit or correct, the ministry's
    submissions to decide and periods to publish."""
    return {"items": awaiting(user), "role": user.role}
