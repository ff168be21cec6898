"""Paging of every list page: 50 rows a page and a capped row count.

An exact COUNT over a national list (140,000 participants of one province) costs half a second
on PostgreSQL whatever the page shows, so the count stops at CAP rows: past that the page says
"more than 10,000" and the user narrows the filters."""

from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Paginator

PAGE_SIZE = 50
CAP = 10_000


class CappedPaginator(Paginator):
    cap = CAP

    @cached_property
    def _counted(self):
        # Order does not change a count; dropping it lets the database stop at cap + 1 rows.
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self):
        return min(self._counted, self.cap)

    @property
    def capped(self):
        return self._counted > self.cap


def page_of(request, queryset, per_page=PAGE_SIZE):
    """The page of `queryset` the request asks for (?page=N; a bad N gives the nearest page),
    with `numbers`: the page numbers to offer (the first, the last and those around this one;
    None where some are left out)."""
    paginator = CappedPaginator(queryset, per_page)
    page = paginator.get_page(request.GET.get("page"))
    page.numbers = [
        None if number == paginator.ELLIPSIS else number
        for number in paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    ]
    return page


@dataclass(frozen=True)
class Sorting:
    """How a list is sorted: `key` (a column's name), `descending`, and the list's sortable
    columns (templates/includes/sort_header.html draws their headers)."""

    key: str
    descending: bool
    columns: tuple

    def param(self, key):
        """The ?sort= value that a click on column `key` asks for: ascending first, then the
        other way round."""
        if key == self.key and not self.descending:
            return f"-{key}"
        return key


def _reverse(name):
    return name.removeprefix("-") if name.startswith("-") else f"-{name}"


def sort_by(request, queryset, columns, default):
    """`queryset` ordered by the column the request asks for (?sort=name or ?sort=-name, one of
    `columns`: {name: (field, …)}), else by `default` (such a value). The primary key breaks
    ties, so pages do not overlap. Returns (queryset, Sorting)."""
    wanted = request.GET.get("sort", "") or default
    descending = wanted.startswith("-")
    key = wanted.removeprefix("-")
    if key not in columns:
        descending = default.startswith("-")
        key = default.removeprefix("-")
    # A column may itself sort a field descending ("-is_active"): the other way round flips
    # it ("--is_active" is no field).
    fields = [_reverse(name) if descending else name for name in columns[key]]
    tie = "-pk" if descending else "pk"
    ordered = queryset.order_by(*fields, tie)
    return ordered, Sorting(key=key, descending=descending, columns=tuple(columns))
