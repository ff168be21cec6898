"""The import's writes (the second half of `exchange.services.ImportContext`): upserts on
natural keys, in bulk, with their audit history; a dry run writes nothing and keeps, by natural
key, what the writes would create or change (`pending`), where the look-ups find it."""

from django.db import connection, transaction
from django.utils.translation import gettext as _

from accounts.auditing import audit_bulk
from reports import livecache

from .contract import FileCounts, assign

BATCH = 1000
# A bulk write of this many new rows refreshes the table's planner statistics (PostgreSQL).
ANALYZE_AFTER = 5000


def _twice(duplicate, line):
    """The refusal of a key seen before at `line` of the same file."""
    reason = _("trùng khóa với dòng %(line)s.") % {"line": line}
    return f"{duplicate} ({reason})" if duplicate else reason


class Writes:
    """Needs `user`, `dry_run`, `now`, `pending`, `stand_in` and `error` (ImportContext)."""

    def upsert(
        self,
        spec,
        label,
        model,
        prepared,
        existing,
        *,
        fields,
        extra=None,
        duplicate=None,
        on_insert=None,
    ):
        """Create the rows whose key is new, update those whose values differ; returns
        (FileCounts, created objects, updated objects). A key already in the database is
        updated (a re-import changes nothing); the same key twice in one file is refused, with
        `duplicate` (the message of the forms' rule of one record per key) when there is one."""
        counts = FileCounts()
        seen = {}
        new, changed, diffs = [], [], []
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

    def save(self, model, *, new=(), changed=(), fields=(), keys=None, on_insert=None):
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
        if len(new) >= ANALYZE_AFTER and connection.vendor == "postgresql":
            # The rows are not committed yet, so autovacuum cannot count them: without fresh
            # statistics the next files' look-ups are planned as if the table were empty (a
            # first import into a new installation took minutes on one query).
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    def write(self, write, **kwargs):
        """A write that keeps derived records in step and that no later row depends on
        (`participants.services.enrol_where_met`): done now, left out of a dry run."""
        if not self.dry_run:
            write(**kwargs)
