"""The impact-assessment dossier (hồ sơ đánh giá tác động xử lý dữ liệu cá nhân), read from the
running system: the tables and fields that concern a person (privacy.inventory), the roles and
how many accounts hold each, the access rules, the suppression threshold, encryption in
transit, the backup policy, retention and erasures, harvesting alerts. `dossier()` returns
plain data; the page and the `privacy_dossier` command render the same template."""

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import Role

from .inventory import (
    INTERNAL_RULES,
    INVENTORY,
    ROLE_ACCESS,
    participant_data_models,
    personal_data_models,
    retention_text,
)
from .models import ErasureRun, HarvestAlert


@dataclass
class Table:
    label: str
    db_table: str
    model: str
    fields: list
    purpose: str
    retention: str
    on_erasure: str
    about_participants: bool


# Bookkeeping columns that carry no verbose name of their own.
FIELD_LABELS = {
    "id": _lazy("khoá chính"),
    "version": _lazy("phiên bản (chống ghi đè)"),
    "created_at": _lazy("thời điểm tạo"),
    "updated_at": _lazy("thời điểm sửa gần nhất"),
}


def _field_label(field):
    """The field's own label; for a column that has none (Django made it from the name), the
    label of the model it points to or of FIELD_LABELS."""
    if field.auto_created:
        return str(FIELD_LABELS.get(field.name, ""))
    if field.verbose_name != field.name.replace("_", " "):
        return str(field.verbose_name)
    if field.is_relation:
        return str(field.related_model._meta.verbose_name)
    return str(FIELD_LABELS.get(field.name, ""))


def _table(model, participant_models):
    entry = INVENTORY.get(model._meta.label_lower)
    fields = [(field.column, _field_label(field)) for field in model._meta.concrete_fields]
    return Table(
        label=str(model._meta.verbose_name),
        db_table=model._meta.db_table,
        model=model._meta.label,
        fields=fields,
        purpose=str(entry.purpose) if entry else "",
        retention=retention_text(entry) if entry else "",
        on_erasure=str(entry.on_erasure) if entry else "",
        about_participants=model in participant_models,
    )


def data_inventory():
    """Every model that holds personal data, participant data first, in INVENTORY's order; a
    model the inventory does not describe yet comes last, with empty purpose and retention."""
    participant_models = participant_data_models()
    found = set(personal_data_models()) | {apps.get_model(label) for label in INVENTORY}
    order = {label: index for index, label in enumerate(INVENTORY)}
    models = sorted(
        found,
        key=lambda m: (
            m not in participant_models,
            order.get(m._meta.label_lower, len(order)),
            m._meta.label_lower,
        ),
    )
    return [_table(model, participant_models) for model in models]


def _accounts(province):
    """[(role label, what it may reach, active accounts nationally, in `province`)]. One or two
    queries."""
    users = get_user_model().objects.filter(is_active=True)
    national = dict(users.order_by().values_list("role").annotate(n=Count("pk")))
    local = {}
    if province is not None:
        in_province = (
            Q(role=Role.OFFICER, province=province)
            | Q(role=Role.PEER_LEADER, peer_group__site__province__current=province)
            | Q(role=Role.PROVIDER, provider__province=province)
        )
        local = dict(
            users.filter(in_province).order_by().values_list("role").annotate(n=Count("pk"))
        )
    return [
        (label, str(ROLE_ACCESS[role]), national.get(role, 0), local.get(role, 0))
        for role, label in Role.choices
    ]


def _yes(flag):
    return _("bật") if flag else _("TẮT")


def _transport():
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        sslmode = database.get("OPTIONS", {}).get("sslmode")
        database_line = (
            _("PostgreSQL, sslmode=%(mode)s") % {"mode": sslmode}
            if sslmode
            else _(
                "PostgreSQL, không đặt sslmode: chỉ dùng khi máy chủ cơ sở dữ liệu nằm cùng máy "
                "hoặc mạng nội bộ"
            )
        )
    else:
        database_line = _("SQLite: tệp trên chính máy chủ, không qua mạng")
    return [
        (_("Chuyển mọi yêu cầu HTTP sang HTTPS"), _yes(settings.SECURE_SSL_REDIRECT)),
        (
            _("HSTS (trình duyệt chỉ dùng HTTPS)"),
            _("%(seconds)s giây") % {"seconds": settings.SECURE_HSTS_SECONDS}
            if settings.SECURE_HSTS_SECONDS
            else _yes(False),
        ),
        (_("Cookie phiên và CSRF chỉ gửi qua HTTPS"), _yes(settings.SESSION_COOKIE_SECURE)),
        (_("Kết nối tới cơ sở dữ liệu"), database_line),
        (
            _("Hàng đợi trên điện thoại khi mất mạng"),
            _("mã hoá AES-GCM ngay trên máy, khoá được bọc bằng khoá công khai RSA của máy chủ"),
        ),
        (
            _("Mã UIC"),
            _("chỉ lưu mã băm HMAC-SHA256 với khoá UIC_SECRET; mã gốc không rời khỏi yêu cầu"),
        ),
    ]


def _erasures():
    runs = ErasureRun.objects.aggregate(
        retention=Sum("people", filter=Q(kind=ErasureRun.Kind.RETENTION)),
        request=Sum("people", filter=Q(kind=ErasureRun.Kind.REQUEST)),
        last=Max("at", filter=Q(kind=ErasureRun.Kind.RETENTION)),
    )
    return {
        "by_retention": runs["retention"] or 0,
        "by_request": runs["request"] or 0,
        "last_retention_run": runs["last"],
    }


def dossier(*, province=None):
    """Everything the dossier states, as of now; `province` (a 2025 Province) adds that
    province's account counts and names it as the filing unit."""
    return {
        "generated_at": timezone.localtime(),
        "province": province,
        "tables": data_inventory(),
        "accounts": _accounts(province),
        "rules": [str(rule) for rule in INTERNAL_RULES],
        "suppression_threshold": settings.SUPPRESSION_THRESHOLD,
        "transport": _transport(),
        "backup_days": settings.BACKUP_RETENTION_DAYS,
        "retention_years": settings.PARTICIPANT_RETENTION_YEARS,
        "session_minutes": settings.SESSION_COOKIE_AGE // 60,
        "erasures": _erasures(),
        "harvest": {
            "page_views": settings.HARVEST_MAX_PAGE_VIEWS_PER_HOUR,
            "uic_lookups": settings.HARVEST_MAX_UIC_LOOKUPS_PER_HOUR,
            "failed_lookups": settings.HARVEST_MAX_FAILED_LOOKUPS_PER_HOUR,
            "preview_rows": settings.HARVEST_MAX_PREVIEW_ROWS_PER_HOUR,
            "usual_hours": settings.HARVEST_USUAL_HOURS,
            "open_alerts": HarvestAlert.objects.filter(reviewed_at__isnull=True).count(),
        },
    }
