"""Paging of every list page: 50 rows a page and a capped row count.

An exact COUNT over a national list (140,000 participants of one province) costs half a second
on PostgreSQL whatever the page shows, so the count stops at CAP rows: past that the page says
"more than 10,000" and the user narrows the filters."""

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
    """The page of `queryset` the request asks for (?page=N; a bad N gives the nearest page)."""
    return CappedPaginator(queryset, per_page).get_page(request.GET.get("page"))
