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

# The one vocabulary of who may do what (docs/design.md, "Roles and scope"). Views declare one of
# these with `allow(*SET)`; templates and selectors test `user.role in SET`. Which records a
# user reaches within a page is each model's `visible_to(user)`, not this.
EVERY_ROLE = frozenset(Role.values)
# Participant-level pages: people, contacts, referrals made (the ministry sees aggregates only).
CASE_ROLES = frozenset({Role.OFFICER, Role.PEER_LEADER, Role.ADMIN})
# Change programme records in their scope, assess, import (the ministry only reads; leaders
# log contacts, enrol and refer through the case pages).
EDITORS = frozenset({Role.OFFICER, Role.ADMIN})
# Read the programme structure (sites, establishments, groups, costs, trainings) as a whole.
STRUCTURE_READERS = frozenset({Role.OFFICER, Role.MINISTRY, Role.ADMIN})
# Referral pages: case roles, and provider staff for the referrals sent to their organisation.
REFERRAL_ROLES = CASE_ROLES | {Role.PROVIDER}
# Change a referral's status: the programme's editors, and provider staff for the referrals
# sent to their organisation (a peer leader's part is making the referral).
REFERRAL_STATUS_ROLES = EDITORS | {Role.PROVIDER}
# Dashboards and exports of their scope's figures (provider staff have none).
REPORT_ROLES = EVERY_ROLE - {Role.PROVIDER}
# National figures and the reporting cycle's national steps.
NATIONAL_ROLES = frozenset({Role.MINISTRY, Role.ADMIN})
# Accounts that may (and should) turn on a second factor.
OTP_ROLES = frozenset({Role.MINISTRY, Role.ADMIN})


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
