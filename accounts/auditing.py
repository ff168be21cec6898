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
