"""The audit trail as one timeline: record changes (django-auditlog's LogEntry: who changed what,
with each field's before and after) and activity events (logins, failed logins, exports,
imports, views of a participant's page). Read-only: nothing here writes a row."""

import csv
import json

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.db.models import Case, CharField, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ActivityEvent
from .spreadsheets import csv_row

CHANGE_KINDS = {
    "create": (LogEntry.Action.CREATE, _("Tạo bản ghi")),
    "update": (LogEntry.Action.UPDATE, _("Sửa bản ghi")),
    "delete": (LogEntry.Action.DELETE, _("Xoá bản ghi")),
    "access": (LogEntry.Action.ACCESS, _("Truy cập bản ghi")),
}
KIND_LABELS = {
    **{code: label for code, (_action, label) in CHANGE_KINDS.items()},
    **dict(ActivityEvent.Kind.choices),
}

CSV_HEADER = [
    _("Thời điểm"),
    _("Người dùng"),
    _("Loại"),
    _("Loại bản ghi"),
    _("Đối tượng"),
    _("Chi tiết"),
]


def audited_models():
    """(key, label) of every model whose changes are audited, key = "app_label.model"."""
    models = sorted(auditlog.get_models(), key=lambda m: str(m._meta.verbose_name))
    return [(m._meta.label_lower, m._meta.verbose_name) for m in models]


def _change_rows(filters):
    rows = LogEntry.objects.all()
    kind, user, model = filters.get("kind"), filters.get("user"), filters.get("model")
    if kind:
        rows = rows.filter(action=CHANGE_KINDS[kind][0]) if kind in CHANGE_KINDS else rows.none()
    if user:
        rows = rows.filter(actor=user)
    if model:
        app_label, _sep, model_name = model.partition(".")
        rows = rows.filter(content_type__app_label=app_label, content_type__model=model_name)
    if filters.get("start"):
        rows = rows.filter(timestamp__date__gte=filters["start"])
    if filters.get("end"):
        rows = rows.filter(timestamp__date__lte=filters["end"])
    if filters.get("q"):
        rows = rows.filter(object_repr__icontains=filters["q"])
    action_code = Case(
        *(When(action=action, then=Value(code)) for code, (action, _label) in CHANGE_KINDS.items()),
        default=Value(""),
        output_field=CharField(),
    )
    return rows.order_by().values(
        a_id=F("id"),
        a_at=F("timestamp"),
        a_user=F("actor__username"),
        a_kind=action_code,
        a_app=F("content_type__app_label"),
        a_model=F("content_type__model"),
        a_object=F("object_repr"),
        a_detail=F("changes"),
    )


def _activity_rows(filters):
    rows = ActivityEvent.objects.all()
    kind, user = filters.get("kind"), filters.get("user")
    if kind:
        rows = rows.filter(kind=kind) if kind in ActivityEvent.Kind.values else rows.none()
    if filters.get("model"):
        rows = rows.none()
    if user:
        rows = rows.filter(user=user)
    if filters.get("start"):
        rows = rows.filter(at__date__gte=filters["start"])
    if filters.get("end"):
        rows = rows.filter(at__date__lte=filters["end"])
    if filters.get("q"):
        rows = rows.filter(what__icontains=filters["q"])
    return rows.order_by().values(
        a_id=F("id"),
        a_at=F("at"),
        a_user=F("user__username"),
        a_kind=F("kind"),
        a_app=Value("", output_field=CharField()),
        a_model=Value("", output_field=CharField()),
        a_object=F("what"),
        a_detail=F("detail"),
    )


def audit_list(*, filters):
    """Both sources filtered by `filters` (an AuditFilterForm's cleaned_data, may be {}), newest
    first, as one query (UNION ALL) of plain dicts."""
    return _change_rows(filters).union(_activity_rows(filters), all=True).order_by("-a_at", "-a_id")


def describe(row):
    """Add display fields to a row of audit_list: kind label, model label, detail lines."""
    row = dict(row)
    row["kind_label"] = KIND_LABELS.get(row["a_kind"], row["a_kind"])
    row["is_change"] = row["a_kind"] in CHANGE_KINDS
    row["model_label"] = ""
    if row["a_app"]:
        try:
            row["model_label"] = apps.get_model(row["a_app"], row["a_model"])._meta.verbose_name
        except LookupError:
            row["model_label"] = row["a_model"]
    detail = row["a_detail"]
    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except ValueError:
            detail = {"": detail}
    lines = []
    for key, value in (detail or {}).items():
        if row["is_change"] and isinstance(value, list) and len(value) == 2:
            lines.append((key, value[0], value[1]))
        else:
            lines.append((key, None, value))
    row["lines"] = lines
    return row


def write_csv(out, rows):
    writer = csv.writer(out)
    writer.writerow(csv_row(CSV_HEADER))
    for raw in rows:
        row = describe(raw)
        at = timezone.localtime(row["a_at"]).strftime("%d/%m/%Y %H:%M:%S")
        if row["is_change"]:
            detail = "; ".join(f"{key}: {old} → {new}" for key, old, new in row["lines"])
        else:
            detail = "; ".join(f"{key}: {value}" for key, _old, value in row["lines"])
        writer.writerow(
            csv_row(
                (
                    at,
                    row["a_user"] or "",
                    row["kind_label"],
                    row["model_label"],
                    row["a_object"],
                    detail,
                )
            )
        )
