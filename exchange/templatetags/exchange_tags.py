from django import template
from django.urls import reverse

from exchange.selectors import may_export

register = template.Library()


@register.simple_tag(takes_context=True)
def export_urls(context, kind):
    """{"csv": url, "xlsx": url} of the export of `kind` with the page's current filters, or
    None when the user may not export it."""
    request = context.get("request")
    if request is None or not may_export(request.user, kind):
        return None
    query = request.GET.copy()
    query.pop("page", None)
    base = reverse("exchange:export", args=[kind])
    urls = {}
    for fmt in ("csv", "xlsx"):
        query["format"] = fmt
        urls[fmt] = f"{base}?{query.urlencode()}"
    return urls
