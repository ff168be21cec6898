"""Walk every URL pattern of the project (outside the Django admin) with placeholder arguments."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Placeholder values for path converters: ids that exist nowhere, so an allowed role gets 404.
PLACEHOLDERS = {
    "int": "999999",
    "str": "zz",
    "slug": "zz",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "path": "zz",
}
CONVERTER_RE = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


@dataclass
class Route:
    path: str
    name: str
    callback: object

    @property
    def rule(self):
        return getattr(self.callback, "access_rule", None)


def _fill(route):
    return CONVERTER_RE.sub(lambda m: PLACEHOLDERS.get(m.group("conv") or "str", "zz"), route)


def walk(urlconf=None, patterns=None, prefix="", namespace=""):
    """Yield a Route for every view reachable from urlconf, skipping the admin site (it checks
    is_staff itself)."""
    if patterns is None:
        patterns = get_resolver(urlconf).url_patterns
    for pattern in patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            ns = pattern.namespace or namespace
            yield from walk(patterns=pattern.url_patterns, prefix=prefix + route, namespace=ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
            yield Route("/" + _fill(prefix + route).lstrip("^").rstrip("$"), name, pattern.callback)


def undeclared(urlconf=None):
    """Routes whose view declares no access rule: the middleware refuses them all."""
    return [route for route in walk(urlconf) if route.rule is None]
