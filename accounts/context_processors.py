from django.urls import reverse

from .navigation import items_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": []}
    current = request.path
    items = []
    for item in items_for(user):
        url = reverse(item.url_name)
        items.append({"label": item.label, "url": url, "active": current == url})
    return {"nav_items": items}
