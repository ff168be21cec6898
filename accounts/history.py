"""A record's audit history (django-auditlog) made readable: field names in the user's language,
choices by their label, related records by name, dates dd/mm/yyyy, money in VND."""

import datetime
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.templatetags.ui import vnd

EMPTY = "—"
MONEY_FIELDS = {"amount_vnd"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryRow:
    when: datetime.datetime
    who: str
    action: str
    changes: list = field(default_factory=list)


def _action_label(action):
    return {
        LogEntry.Action.CREATE: _("Đã tạo"),
        LogEntry.Action.UPDATE: _("Đã sửa"),
        LogEntry.Action.DELETE: _("Đã xóa"),
    }.get(action, _("Khác"))


def _raw(value):
    if value is None or value == "None" or value == "":
        return None
    return value


def _readable(model_field, value, related):
    value = _raw(value)
    if value is None:
        return EMPTY
    if model_field is None:
        return str(value)
    if isinstance(model_field, models.BooleanField):
        return _("Có") if str(value) in ("True", "1", "true") else _("Không")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        target = related.get((model_field.related_model, str(value)))
        return str(target) if target is not None else str(value)
    if isinstance(model_field, models.DateField) and not isinstance(
        model_field, models.DateTimeField
    ):
        try:
            return datetime.date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if model_field.name in MONEY_FIELDS:
        try:
            return vnd(value)
        except (ArithmeticError, ValueError, TypeError):
            return str(value)
    return str(value)


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _shown(model, name):
    """Changes worth showing: the record's own fields, not its id or reverse relations (which
    auditlog lists, empty, on creation)."""
    model_field = _field(model, name)
    if model_field is None:
        return True
    return getattr(model_field, "concrete", False) and not model_field.primary_key


def related_records(changes):
    """{(model, pk as text): record} of the related records the audited changes name, with one
    query per related model. `changes`: (model, changes_dict) pairs."""
    wanted = {}
    for model, changes_dict in changes:
        for name, values in (changes_dict or {}).items():
            model_field = _field(model, name)
            if isinstance(model_field, models.ForeignKey):
                for value in values:
                    if _raw(value) is not None:
                        wanted.setdefault(model_field.related_model, set()).add(str(value))
    related = {}
    for related_model, keys in wanted.items():
        pk_field = related_model._meta.pk
        pks = []
        for key in keys:
            try:
                pks.append(pk_field.to_python(key))
            except Exception:  # noqa: BLE001, S112 - a malformed old value is shown as stored
                continue
        for obj in related_model._default_manager.filter(pk__in=pks):
            related[(related_model, str(obj.pk))] = obj
    return related


def history_for(instance):
    """The audit rows of `instance`, newest first. Related records named in the changes are
    fetched with one query per related model."""
    model = type(instance)
    entries = list(
        LogEntry.objects.get_for_object(instance).select_related("actor").order_by("-timestamp")
    )
    related = related_records((model, entry.changes_dict) for entry in entries)
    order = {f.name: i for i, f in enumerate(model._meta.fields)}
    rows = []
    for entry in entries:
        changes = []
        items = sorted((entry.changes_dict or {}).items(), key=lambda kv: order.get(kv[0], 999))
        for name, values in items:
            if not _shown(model, name):
                continue
            model_field = _field(model, name)
            label = str(model_field.verbose_name) if model_field is not None else name
            old, new = (list(values) + [None, None])[:2]
            changes.append(
                Change(
                    label=label[:1].upper() + label[1:],
                    old=_readable(model_field, old, related),
                    new=_readable(model_field, new, related),
                )
            )
        who = EMPTY
        if entry.actor is not None:
            full_name = entry.actor.get_full_name()
            who = f"{entry.actor.get_username()}" + (f" ({full_name})" if full_name else "")
        else:
            who = _("Hệ thống")
        rows.append(
            HistoryRow(
                when=timezone.localtime(entry.timestamp),
                who=who,
                action=_action_label(entry.action),
                changes=changes,
            )
        )
    return rows


def describe_change(model, name, old, new, related=None):
    """One audited change of `model`'s field `name` in the user's language, or None for what
    is not worth showing. A related record is named from `related` (`related_records`), by its
    id when it is not there."""
    if not _shown(model, name):
        return None
    model_field = _field(model, name)
    label = str(model_field.verbose_name) if model_field is not None else name
    related = related or {}
    return Change(
        label=label[:1].upper() + label[1:],
        old=_readable(model_field, old, related),
        new=_readable(model_field, new, related),
    )
