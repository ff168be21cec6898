"""Scoped reads of providers, referrals and support. Every function starts from the model's
`visible_to(user)` (docs/conventions.md: one scoping function per model) and then applies `filters`,
a filter form's cleaned_data (may be empty)."""

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.listing import Filters, dated, narrowed
from accounts.models import Role
from programs.services_catalog import SERVICE_BITS
from sites.models import Site

from .models import Provider, Referral, ReferralEvent, Support

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

REFERRAL_RELATED = ("participant", "site", "provider", "peer_group")


def overdue_cutoff(today: datetime.date | None = None) -> datetime.date:
    """Open referrals dated before this day are overdue (settings.REFERRAL_OVERDUE_DAYS)."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=settings.REFERRAL_OVERDUE_DAYS)


def _with_overdue(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    return queryset.annotate(
        overdue=Case(
            When(
                Q(status__in=Referral.OPEN_STATUSES) & Q(date__lt=overdue_cutoff()),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def offering(queryset: QuerySet[Provider], service: str) -> QuerySet[Provider]:
    """Providers whose services include `service`: a bit test on the mask (the `services__has`
    lookup prepares its value as a list of codes and fails on a single code)."""
    bit = ExpressionWrapper(
        F("services").bitand(SERVICE_BITS[service]), output_field=IntegerField()
    )
    return queryset.alias(service_bit=bit).filter(service_bit__gt=0)


def user_province_id(user: "User") -> int | None:
    """The (2025) province a user works in: an officer's own, a peer leader's group's site's;
    None for the others."""
    if user.role == Role.OFFICER:
        return user.province_id
    if user.role == Role.PEER_LEADER and user.peer_group_id:
        # peer_group_id is set, so peer_group is not None.
        return user.peer_group.site.province.current_id  # type: ignore[union-attr]
    return None


def providers_for_referral(
    *, user: "User", service: str | None = None, province_id: int | None = None
) -> QuerySet[Provider]:
    """Active providers a user may refer to, those of `province_id` (the user's province by
    default) first, then by name; only those giving `service` when it is given."""
    queryset = Provider.objects.visible_to(user).filter(is_active=True).select_related("province")
    if service:
        queryset = offering(queryset, service)
    if province_id is None:
        province_id = user_province_id(user)
    if province_id is not None:
        queryset = queryset.annotate(
            elsewhere=Case(When(province_id=province_id, then=Value(0)), default=Value(1))
        ).order_by("elsewhere", "name", "pk")
    else:
        queryset = queryset.order_by("name", "pk")
    return queryset


def provider_list(*, user: "User", filters: Filters | None = None) -> QuerySet[Provider]:
    filters = filters or {}
    queryset = Provider.objects.visible_to(user).select_related("province")
    if filters.get("q"):
        term = filters["q"].strip()
        queryset = queryset.filter(
            Q(name__icontains=term) | Q(location__icontains=term) | Q(eligibility__icontains=term)
        )
    if filters.get("service"):
        queryset = offering(queryset, filters["service"])
    queryset = narrowed(queryset, filters, province="province")
    if filters.get("accepts_without_residence") in ("yes", "no"):
        queryset = queryset.filter(
            accepts_without_residence=filters["accepts_without_residence"] == "yes"
        )
    if filters.get("active") in ("yes", "no"):
        queryset = queryset.filter(is_active=filters["active"] == "yes")
    return queryset.order_by("-is_active", "name", "pk")


def referral_filter_sites(*, user: "User | AnonymousUser | None") -> QuerySet[Site]:
    """The sites a referral list may be filtered by: those the user may see; a provider's staff,
    who see no site, get the sites of the referrals sent to their organisation."""
    if user is not None and user.is_authenticated and user.role == Role.PROVIDER:
        sent = Referral.objects.visible_to(user).values("site_id")
        return Site.objects.filter(pk__in=sent).order_by("code")
    return Site.objects.visible_to(user).order_by("code")


def referral_list(*, user: "User", filters: Filters | None = None) -> QuerySet[Referral]:
    filters = filters or {}
    queryset = _with_overdue(Referral.objects.visible_to(user).select_related(*REFERRAL_RELATED))
    queryset = narrowed(queryset, filters, status="status", service="service", site="site")
    queryset = dated(queryset, filters)
    if filters.get("overdue"):
        # `overdue` is the annotation added by _with_overdue (unknown to the stubs).
        queryset = queryset.filter(overdue=True)  # type: ignore[misc]
    return queryset.order_by("-date", "-pk")


def referral_followup(*, user: "User", filters: Filters | None = None) -> QuerySet[Referral]:
    """Open referrals in scope: overdue first, then the oldest first. Among open referrals the
    overdue ones are exactly those dated before the cutoff, so ordering by date alone gives the
    same order and lets the database walk the partial index of open referrals by date.
    Filters: site, service, provider, overdue_days (overdue by at least that many days),
    overdue_within (overdue by at most that many days)."""
    filters = filters or {}
    queryset = Referral.objects.visible_to(user).open().select_related(*REFERRAL_RELATED)
    queryset = narrowed(queryset, filters, site="site", service="service", provider="provider")
    if filters.get("overdue_days") is not None:
        # Overdue by at least N days (at least one: 0 asks for every overdue referral).
        days = max(filters["overdue_days"], 1)
        queryset = queryset.filter(date__lte=overdue_cutoff() - datetime.timedelta(days=days))
    if filters.get("overdue_within") is not None:
        # Overdue for at most that many days (became overdue within them).
        since = overdue_cutoff() - datetime.timedelta(days=filters["overdue_within"])
        queryset = queryset.filter(date__gte=since)
    return _with_overdue(queryset).order_by("date", "pk")


def days_overdue(referral: Referral, today: datetime.date | None = None) -> int:
    """How many days an open referral is past its follow-up deadline (0 when it is not)."""
    if not referral.is_open:
        return 0
    late = (overdue_cutoff(today) - referral.date).days
    return max(late, 0)


def referral_get(*, user: "User", pk: Any) -> Referral:
    """One referral in the user's scope, or 404."""
    queryset = _with_overdue(Referral.objects.visible_to(user).select_related(*REFERRAL_RELATED))
    return get_object_or_404(queryset, pk=pk)


def referral_history(*, referral: Referral) -> QuerySet[ReferralEvent]:
    return referral.events.select_related("by").order_by("at", "pk")


def support_list(*, user: "User", filters: Filters | None = None) -> QuerySet[Support]:
    filters = filters or {}
    queryset = Support.objects.visible_to(user).select_related("participant", "site", "referral")
    queryset = narrowed(queryset, filters, kind="kind", site="site")
    queryset = dated(queryset, filters)
    return queryset.order_by("-date", "-pk")


def support_total(queryset: QuerySet[Support]) -> int:
    return queryset.aggregate(total=Sum("amount_vnd"))["total"] or 0
