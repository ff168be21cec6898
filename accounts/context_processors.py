from django.urls import reverse

from .navigation import items_for


def navigation(request):
    """The header's menu for this user: top-level links and drop-down groups, in NAV_ITEMS
    order. A group with a single item for this role is shown as a plain link."""
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_entries": []}
    entries, groups = [], {}
    for item in items_for(user):
        url = reverse(item.url_name)
        link = {"label": item.label, "url": url, "active": request.path == url}
        if item.group is None:
            entries.append(link)
        elif item.group in groups:
            groups[item.group]["children"].append(link)
        else:
            groups[item.group] = {"label": item.group, "children": [link]}
            entries.append(groups[item.group])
    for entry in entries:
        children = entry.get("children")
        if children is not None:
            entry["active"] = any(child["active"] for child in children)
            if len(children) == 1:
                entry.update(children[0], children=None)
    return {"nav_entries": entries}
