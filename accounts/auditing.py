"""Which models keep an audit history (django-auditlog: who, when, each field before and after)."""

from auditlog.registry import auditlog

# Bookkeeping that changes on every save and says nothing about the record.
NOT_AUDITED = {"id", "version", "created_at", "updated_at"}


def audit(model, *, exclude=()):
    """Keep an audit history of `model`'s own columns. Listing the columns (rather than letting
    auditlog take every field) leaves out reverse relations, which it would log as
    "None → <Model>.None", and the bookkeeping fields."""
    skipped = NOT_AUDITED | set(exclude)
    auditlog.register(
        model,
        include_fields=[f.name for f in model._meta.concrete_fields if f.name not in skipped],
    )


def _text(value):
    return "None" if value is None else str(value)


def audit_bulk(model, *, created=(), changed=(), actor=None):
    """The audit history of records written in bulk (the exchange import), as the per-record
    signals would have written it: one entry per created record with its audited fields, one
    per changed record with each changed field before and after. `changed` holds (record,
    {field: (before, after)}) pairs. A few INSERTs per thousand records, not one per record."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    if not auditlog.contains(model):
        return
    fields = set(auditlog.get_model_fields(model)["include_fields"])
    content_type = ContentType.objects.get_for_model(model)
    name = str(model._meta.verbose_name)  # once, not once per entry

    def entry(obj, action, changes):
        return {
            "object_pk": str(obj.pk),
            "object_id": obj.pk,
            "object_repr": f"{name} #{obj.pk}",
            "action": action,
            "changes": changes,
        }

    audited_fields = [field for field in model._meta.concrete_fields if field.name in fields]
    entries = [
        entry(
            obj,
            LogEntry.Action.CREATE,
            {field.name: ["None", _text(getattr(obj, field.attname))] for field in audited_fields},
        )
        for obj in created
    ]
    for obj, diff in changed:
        audited = {
            model._meta.get_field(attname).name: [_text(before), _text(after)]
            for attname, (before, after) in diff.items()
            if model._meta.get_field(attname).name in fields
        }
        if audited:
            entries.append(entry(obj, LogEntry.Action.UPDATE, audited))
    _insert(LogEntry, {"content_type": content_type, "actor": actor}, entries)


def _insert(model, common, rows):
    """INSERT one record per dict of `rows` (field name: value), each with the values of
    `common`; no id is needed back. On PostgreSQL through COPY, the common values prepared once:
    an import's tens of thousands of entries go in a fraction of bulk_create's time (which would
    build a model instance per entry and quote their JSON element by element into arrays);
    elsewhere bulk_create."""
    from django.db import connection

    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**common, **row) for row in rows], batch_size=1000)
        return
    template = model(**common)  # the defaults (the timestamp: now), as bulk_create would
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    values = [
        field.get_db_prep_save(field.pre_save(template, add=True), connection) for field in fields
    ]
    varying = [(i, field) for i, field in enumerate(fields) if field.name in rows[0]]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            for i, field in varying:
                values[i] = field.get_db_prep_save(row[field.name], connection)
            copy.write_row(values)
