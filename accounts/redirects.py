"""Following a `next` parameter (where to go back to after a form), safely.

A `next` is followed only when it is a path on this site: Django's
`url_has_allowed_host_and_scheme` must accept it (no other host, no `javascript:`), it must
start with one "/" (not a view name, which `redirect()` would try to reverse, nor a URL
relative to the current page) and it must hold no control character (a line break in it made
`redirect()` fail with a 500). Anything else falls back to the page's default.
"""

import unicodedata

from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request):
    """The request's `next` (POST first, then GET) if it is a safe local path, else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not any(unicodedata.category(char) == "Cc" for char in target)
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return ""


def redirect_next(request, *default, **default_kwargs):
    """A redirect to the safe `next`, else to `default` (what `redirect()` takes: a view
    name with its arguments, a model or a URL)."""
    target = safe_next(request)
    if target:
        return HttpResponseRedirect(target)
    return redirect(*default, **default_kwargs)
