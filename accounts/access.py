"""Who may use a view. Deny by default: `DenyByDefaultMiddleware` refuses any view that does
not carry an access rule set by `allow()` or `public()`.

Scoping of records (which rows a user sees) is not here but on each model's queryset as
`visible_to(user)`; this module only answers "may this role open this page at all".
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .models import Role

PUBLIC = "public"
EVERY_ROLE = frozenset(Role.values)
# Roles that may see participant-level records (the ministry sees aggregates only).
CASE_ROLES = frozenset({Role.OFFICER, Role.PEER_LEADER, Role.ADMIN})


def allow(*roles):
    """Let signed-in users with one of `roles` use the view; others get 403, anonymous users
    the login page."""
    allowed = frozenset(roles)
    unknown = allowed - EVERY_ROLE
    if unknown:
        raise ValueError(f"Unknown role(s): {sorted(unknown)}")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.user.role not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access_rule = allowed
        return wrapped

    return decorator


def public(view):
    """Mark a view anyone may open, signed in or not (login page, language switch)."""
    view.access_rule = PUBLIC
    return view


def can_edit(user):
    """Roles that change programme records in their scope (the ministry only reads)."""
    return user.is_authenticated and user.role in (Role.OFFICER, Role.ADMIN)
