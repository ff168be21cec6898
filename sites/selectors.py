"""Reads of the programme structure. Every list starts from `Model.objects.visible_to(user)` (the
one scoping rule) and applies `filters`: a filter form's cleaned_data, or {} for everything the
user may see. The exchange export reuses these functions."""

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from accounts.listing import Filters, M, dated, narrowed
from accounts.models import Role

from .models import Cost, Establishment, PeerGroup, Province, Site, Training

if TYPE_CHECKING:
    from accounts.models import User


def _province(value: Province | str | int | None) -> Province | None:
    if value in (None, ""):
        return None
    if isinstance(value, Province):
        return value
    return Province.objects.filter(pk=value).first()


def _site_filters(queryset: QuerySet[M], filters: Filters, prefix: str) -> QuerySet[M]:
    """Filters every list shares, on the record's site (`prefix` is the path to it)."""
    if filters.get("model"):
        queryset = queryset.filter(**{f"{prefix}model": filters["model"]})
    if filters.get("role"):
        queryset = queryset.filter(**{f"{prefix}role": filters["role"]})
    province = _province(filters.get("province"))
    if province is not None:
        if province.unit_set == Province.UnitSet.CURRENT:
            # A 2025 province takes in the pre-2025 provinces merged into it.
            queryset = queryset.filter(**{f"{prefix}province__current": province})
        else:
            queryset = queryset.filter(**{f"{prefix}province": province})
    if filters.get("site"):
        queryset = queryset.filter(**{prefix.rstrip("_") or "pk": filters["site"]})
    return queryset


def _active_in_period(queryset: QuerySet[M], filters: Filters, prefix: str) -> QuerySet[M]:
    """Records whose site ran at some time in [start, end] (either end may be open)."""
    start, end = filters.get("start"), filters.get("end")
    if end:
        queryset = queryset.filter(**{f"{prefix}start_date__lte": end})
    if start:
        queryset = queryset.filter(
            Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": start})
        )
    return queryset


def _status(queryset: QuerySet[M], filters: Filters) -> QuerySet[M]:
    status = filters.get("status")
    if status == "active":
        return queryset.filter(is_active=True)
    if status == "inactive":
        return queryset.filter(is_active=False)
    return queryset


def _search(queryset: QuerySet[M], filters: Filters, *fields: str) -> QuerySet[M]:
    text = (filters.get("q") or "").strip()
    if not text:
        return queryset
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": text})
    return queryset.filter(condition)


def site_list(*, user: "User", filters: Filters | None = None) -> QuerySet[Site]:
    filters = filters or {}
    queryset = Site.objects.visible_to(user).select_related(
        "province", "province__current", "model", "phase"
    )
    queryset = _site_filters(queryset, filters, "")
    queryset = narrowed(queryset, filters, phase="phase")
    queryset = _active_in_period(queryset, filters, "")
    queryset = _status(queryset, filters)
    queryset = _search(queryset, filters, "code", "name", "locality")
    return queryset.order_by("code")


def establishment_list(*, user: "User", filters: Filters | None = None) -> QuerySet[Establishment]:
    filters = filters or {}
    queryset = Establishment.objects.visible_to(user).select_related(
        "site", "site__province", "site__model"
    )
    queryset = _site_filters(queryset, filters, "site__")
    queryset = narrowed(queryset, filters, kind="kind")
    queryset = _active_in_period(queryset, filters, "site__")
    queryset = _status(queryset, filters)
    queryset = _search(queryset, filters, "code", "site__code", "site__name", "site__locality")
    return queryset.order_by("code")


def peergroup_list(*, user: "User", filters: Filters | None = None) -> QuerySet[PeerGroup]:
    filters = filters or {}
    queryset = PeerGroup.objects.visible_to(user).select_related(
        "site", "site__province", "site__model"
    )
    queryset = _site_filters(queryset, filters, "site__")
    queryset = narrowed(queryset, filters, kind="kind")
    queryset = _active_in_period(queryset, filters, "site__")
    if filters.get("end"):
        queryset = queryset.filter(founded_on__lte=filters["end"])
    queryset = _status(queryset, filters)
    queryset = _search(
        queryset, filters, "code", "name", "site__code", "site__name", "site__locality"
    )
    return queryset.order_by("name", "code")


def with_leaders(queryset: QuerySet[PeerGroup]) -> QuerySet[PeerGroup]:
    """Prefetch each group's leader accounts (one query for the whole page)."""
    leaders = get_user_model().objects.filter(role=Role.PEER_LEADER).order_by("username")
    return queryset.prefetch_related(Prefetch("leaders", queryset=leaders))


def cost_list(*, user: "User", filters: Filters | None = None) -> QuerySet[Cost]:
    filters = filters or {}
    queryset = Cost.objects.visible_to(user).select_related("site", "site__province", "site__model")
    queryset = _site_filters(queryset, filters, "site__")
    queryset = narrowed(queryset, filters, category="category")
    queryset = dated(queryset, filters)
    queryset = _search(queryset, filters, "site__code", "site__name", "site__locality")
    return queryset.order_by("-date", "site__code", "category")


def training_list(*, user: "User", filters: Filters | None = None) -> QuerySet[Training]:
    filters = filters or {}
    queryset = Training.objects.visible_to(user).select_related(
        "site", "site__province", "site__model"
    )
    queryset = _site_filters(queryset, filters, "site__")
    queryset = narrowed(queryset, filters, audience="audience")
    queryset = dated(queryset, filters)
    queryset = _search(queryset, filters, "site__code", "site__name", "site__locality")
    return queryset.order_by("-date", "site__code", "audience")


def cost_total(queryset: QuerySet[Cost]) -> int:
    return queryset.aggregate(total=Sum("amount_vnd"))["total"] or 0


def trainee_total(queryset: QuerySet[Training]) -> int:
    return queryset.aggregate(total=Sum("trainees"))["total"] or 0


def site_summary(*, user: "User", site: Site) -> dict[str, Any]:
    """What the site page shows about the records under a site, each scoped on its own."""
    groups = with_leaders(PeerGroup.objects.visible_to(user).filter(site=site).order_by("name"))
    establishments = Establishment.objects.visible_to(user).filter(site=site)
    costs = Cost.objects.visible_to(user).filter(site=site)
    trainings = Training.objects.visible_to(user).filter(site=site)
    return {
        "groups": list(groups),
        "establishments": establishments.aggregate(count=Count("pk"), workers=Sum("workers")),
        "costs": costs.aggregate(count=Count("pk"), total=Sum("amount_vnd")),
        "trainings": trainings.aggregate(count=Count("pk"), trainees=Sum("trainees")),
    }
