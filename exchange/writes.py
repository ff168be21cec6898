"""The import's writes (the second half of `exchange.services.ImportContext`): upserts on
natural keys, in bulk, with their audit history; a dry run writes nothing and keeps, by natural
key, what the writes would create or change (`pending`), where the look-ups find it."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from accounts.auditing import audit_bulk
from accounts.models import User
from reports import livecache

from .contract import FileCounts, FileState, Prepared, assign
from .spec import FileSpec

BATCH = 1000
# This many new rows of a table, written by one import since its planner statistics were last
# refreshed, and as many as it had then, refresh them.
ANALYZE_AFTER = 5000


def _twice(duplicate: Any, line: int) -> str:
    """The refusal of a key seen before at `line` of the same file."""
    reason = _("trùng khóa với dòng %(line)s.") % {"line": line}
    return f"{duplicate} ({reason})" if duplicate else reason


class Writes:
    """Needs what ImportContext sets (declared here) and `error` (exchange.lookups)."""

    user: User | None
    dry_run: bool
    now: Any
    pending: dict[type[Model], dict[Any, Any]]
    stand_in: int
    file: FileState
    inserted: dict[type[Model], int]
    analysed: dict[type[Model], int]

    def error(self, label: str, line: int | None, column: str, reason: Any) -> None:
        raise NotImplementedError  # exchange.lookups.Lookups.error

    def upsert(
        self,
        spec: FileSpec,
        label: str,
        model: Any,
        prepared: Iterable[Prepared],
        existing: Mapping[tuple[Any, ...], Any],
        *,
        fields: Sequence[str],
        extra: dict[str, Any] | None = None,
        duplicate: Any = None,
        on_insert: Callable[[list[Any]], None] | None = None,
    ) -> tuple[FileCounts, list[Any], list[Any]]:
        """Create the rows whose key is new, update those whose values differ; returns
        (FileCounts, created objects, updated objects). A key already in the database is
        updated (a re-import changes nothing); the same key twice in one file (in the same
        chunk or any two: `self.file.seen`) is refused, with `duplicate` (the message of the
        forms' rule of one record per key) when there is one."""
        counts = FileCounts()
        seen = self.file.seen
        new: list[Any] = []
        changed: list[Any] = []
        diffs: list[tuple[Any, dict[str, tuple[Any, Any]]]] = []
        written = {}
        for item in prepared:
            if item.key in seen:
                self.error(
                    label,
                    item.line,
                    ", ".join(spec.key),
                    _twice(duplicate, seen[item.key]),
                )
                continue
            seen[item.key] = item.line
            obj = existing.get(item.key)
            if obj is None:
                obj = model(**item.values, **item.create_only, **(extra or {}))
                new.append(obj)
                written[item.key] = obj
                counts.new += 1
            elif diff := assign(obj, item.values):
                changed.append(obj)
                diffs.append((obj, diff))
                written[item.key] = obj
                counts.updated += 1
            else:
                counts.unchanged += 1
        versioned = hasattr(model, "version")
        if versioned:
            for obj in changed:
                obj.version += 1
                obj.updated_at = self.now
        extra_fields = ["version", "updated_at"] if versioned else []
        self.save(
            model,
            new=new,
            changed=diffs,
            fields=[*fields, *extra_fields],
            keys=written,
            on_insert=on_insert,
        )
        return counts, new, changed

    def save(
        self,
        model: Any,
        *,
        new: Sequence[Any] = (),
        changed: Sequence[tuple[Any, dict[str, tuple[Any, Any]]]] = (),
        fields: Sequence[str] = (),
        keys: Mapping[Any, Any] | None = None,
        on_insert: Callable[[Any], None] | None = None,
    ) -> None:
        """Every write of the import: create `new`, update `changed` ((record, {field: (before,
        after)}) pairs) on `fields`, in bulk, with their audit history (bulk writes skip the
        audit signals). A dry run writes nothing: each new record gets a stand-in id (negative,
        never a real one) and `keys` ({natural key: record}, the records later files may look
        up, as the writes would leave them) goes to `pending`, where `by_code` and the loaders'
        own look-ups find them. `on_insert(new)` runs just before a real insert."""
        if self.dry_run:
            for obj in new:
                self.stand_in -= 1
                obj.pk = self.stand_in
            self.pending[model].update(keys or {})
            return
        if on_insert is not None:
            on_insert(new)  # e.g. participants.models.carry_persons: the person reports count
        model.objects.bulk_create(new, batch_size=BATCH)
        if changed:
            model.objects.bulk_update([obj for obj, _diff in changed], fields, batch_size=BATCH)
        audit_bulk(model, created=new, changed=changed, actor=self.user)
        livecache.bump()  # bulk writes send no signal: every live figure is computed anew
        transaction.on_commit(livecache.bump)  # and again once committed (livecache.on_write)
        self._analyse(model, len(new))

    def _analyse(self, model: Any, added: int) -> None:
        """Refresh a table's planner statistics once this import has inserted ANALYZE_AFTER rows
        into it, and again each time it has inserted as many as it had then (a file's chunks:
        a few ANALYZEs per file, however long). The rows are not committed yet, so autovacuum
        cannot count them: without fresh statistics the next chunks' and files' look-ups are
        planned as if the table were empty (a first import into a new installation took
        minutes on one query; SQLite, with no statistics, scanned a chunk's sites' every
        contact for its participants' few)."""
        self.inserted[model] += added
        due = max(ANALYZE_AFTER, self.analysed[model])
        if self.inserted[model] < due:
            return
        self.analysed[model] += self.inserted[model]
        self.inserted[model] = 0
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    def write(self, write: Callable[..., Any], **kwargs: Any) -> None:
        """A write that keeps derived records in step and that no later row depends on
        (`participants.services.enrol_where_met`): done now, left out of a dry run."""
        if not self.dry_run:
            write(**kwargs)
