"""The import's look-ups (the first half of `exchange.services.ImportContext`): records the
importer may see, by code or by natural key, as this import leaves them (a dry run's unwritten
records, `pending`, included), and each row held to a rule, its errors collected per file, line
and column. Nothing here writes."""

import datetime
from collections.abc import Callable, Iterable, Sequence
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from periods.lock import check_open_in, locked_spans
from sites.models import Establishment, Site

from .contract import FileState, Prepared, Row, chunks
from .reader import RowError
from .spec import FileSpec


class Lookups:
    """Needs what ImportContext sets (declared here)."""

    user: User | None
    errors: list[RowError]
    dry_run: bool
    pending: dict[type[Model], dict[Any, Any]]
    spans: Any
    file: FileState

    def error(self, label: str, line: int | None, column: str, reason: Any) -> None:
        self.errors.append(RowError(label, line, column, reason))

    def scoped(self, model: Any) -> QuerySet[Any]:
        """`model`'s records the importer may see (all of them for the server's command)."""
        if self.user is None:
            return model.objects.all()
        return model.objects.visible_to(self.user)

    def by_code(self, model: Any, codes: Iterable[str], scoped: bool = True) -> dict[str, Any]:
        """{code: object} of the given codes, among what the user may see, as this import
        leaves them (a dry run's unwritten ones included)."""
        codes = set(codes)
        queryset = self.scoped(model) if scoped else model.objects.all()
        if model is Establishment:
            queryset = queryset.select_related("site")
        found: dict[str, Any] = {}
        for chunk in chunks(codes):
            found.update({obj.code: obj for obj in queryset.filter(code__in=chunk)})
        found.update({key[0]: obj for key, obj in self.pending[model].items() if key[0] in codes})
        if model is Establishment and self.dry_run:
            # Each establishment's site as the writes would leave it.
            sites = {site.pk: site for site in self.pending[Site].values()}
            unloaded = {
                obj.site_id
                for obj in found.values()
                if obj.site_id not in sites and not Establishment.site.is_cached(obj)
            }
            sites.update(Site.objects.in_bulk(unloaded))
            for obj in found.values():
                if obj.site_id in sites:
                    obj.site = sites[obj.site_id]
        return found

    def check_open(
        self,
        label: str,
        line: int,
        *,
        day: datetime.date | None,
        site: Site | None = None,
        province: int | None = None,
        column: str = "date",
    ) -> bool:
        """The period lock (periods.lock) for one row, reported on `column`: the approved
        periods are loaded once per import, then each row is checked without a query."""
        if self.spans is None:
            self.spans = locked_spans()
        return self.check(
            label,
            line,
            lambda: check_open_in(self.spans, site=site, province=province, day=day),
            columns={"date": column},
        )

    def check(
        self,
        label: str,
        line: int,
        rule: Callable[..., Any],
        columns: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> bool:
        """Apply one of the services' rules (participants.services) to a row: each message it
        raises becomes an error of the row, on the column the rule names (through `columns`
        when the file calls it otherwise). Returns True when the row passes."""
        try:
            rule(**kwargs)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                column = (columns or {}).get(field, field)
                for message in messages:
                    self.error(label, line, "" if column == NON_FIELD_ERRORS else column, message)
            return False
        return True

    def site_ref(
        self, label: str, line: int, sites: dict[str, Site], code: str, column: str = "site"
    ) -> Site | None:
        site = sites.get(code)
        if site is None:
            self.error(
                label,
                line,
                column,
                _("không có địa bàn mã này (hoặc địa bàn nằm ngoài phạm vi của bạn)."),
            )
        return site

    def establishment_ref(
        self, label: str, line: int, establishments: dict[str, Establishment], code: str
    ) -> Establishment | None:
        establishment = establishments.get(code)
        if establishment is None:
            self.error(
                label,
                line,
                "establishment",
                _("không có cơ sở mã này (hoặc cơ sở nằm ngoài phạm vi của bạn)."),
            )
        return establishment

    def refuse_out_of_scope(
        self,
        spec: FileSpec,
        label: str,
        prepared_rows: list[Prepared],
        model: Any,
        column: str = "code",
    ) -> list[Prepared]:
        """Codes already used by a record the user may not see cannot be taken over."""
        codes = {item.key[0]: item.line for item in prepared_rows}
        if self.user is None or not codes:
            return prepared_rows
        everywhere: set[str] = set()
        visible: set[str] = set()
        for chunk in chunks(codes):
            everywhere.update(model.objects.filter(code__in=chunk).values_list("code", flat=True))
            visible.update(self.scoped(model).filter(code__in=chunk).values_list("code", flat=True))
        taken = everywhere - visible
        kept = []
        for item in prepared_rows:
            if item.key[0] in taken:
                self.error(
                    label, item.line, column, _("mã này đã được dùng ngoài phạm vi của bạn.")
                )
            else:
                kept.append(item)
        return kept

    def existing_events(
        self,
        model: Any,
        prepared: Sequence[Prepared],
        key_of: Callable[[Any], tuple[Any, ...]],
        only: Sequence[str],
        site_field: str = "site_id",
    ) -> dict[tuple[Any, ...], Any]:
        """Existing records of the sites and dates in `prepared`, by natural key; of the rows'
        participants only, when the records are a participant's (a chunk's rows look up their
        own records, not every record of their sites). A record an earlier chunk of the file
        wrote is left out, not even built: its key is refused as a duplicate (`file.seen`)."""
        if not prepared:
            return {}
        ids = {item.create_only[site_field] for item in prepared}
        dates = [item.create_only["date"] for item in prepared]
        people = {item.create_only.get("participant_id") for item in prepared}
        of_people = None not in people
        # The columns in the model's order, as Model.from_db takes them.
        names = [f.attname for f in model._meta.concrete_fields if f.attname in only]
        existing = {}
        for chunk in chunks(ids):
            for part in chunks(people) if of_people else [None]:
                narrow = {
                    f"{site_field}__in": chunk,
                    "date__gte": min(dates),
                    "date__lte": max(dates),
                }
                if of_people:
                    narrow["participant_id__in"] = part
                rows = model.objects.filter(**narrow).order_by().values_list(*names)
                for values in rows:
                    key = key_of(SimpleNamespace(**dict(zip(names, values, strict=True))))
                    if key not in self.file.seen:
                        existing[key] = model.from_db(rows.db, names, values)
        return existing

    @staticmethod
    def date_range(
        rows: list[Row], column: str = "date"
    ) -> tuple[datetime.date | None, datetime.date | None]:
        dates = [values[column] for _line, values in rows]
        return (min(dates), max(dates)) if dates else (None, None)
