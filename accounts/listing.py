"""What the list pages' selectors share: narrowing a queryset by the filters of the page's filter
form (its `cleaned_data`, possibly empty). A filter left empty narrows nothing."""

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)
Filters = Mapping[str, Any]


def narrowed(queryset: QuerySet[M], filters: Filters | None, **paths: str) -> QuerySet[M]:
    """`queryset` kept to the records matching each filter that is given: `paths` maps a
    filter's name to the field it compares with (`site="establishment__site"`)."""
    filters = filters or {}
    for name, path in paths.items():
        value = filters.get(name)
        if value:
            queryset = queryset.filter(**{path: value})
    return queryset


def dated(queryset: QuerySet[M], filters: Filters | None, field: str = "date") -> QuerySet[M]:
    """`queryset` kept to the records whose `field` is within the filters' [start, end] (either
    end may be open)."""
    return narrowed(queryset, filters, start=f"{field}__gte", end=f"{field}__lte")
