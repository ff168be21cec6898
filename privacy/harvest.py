"""Harvesting alerts: a watch over the activity log (accounts.ActivityEvent).

Every participant page view, look-up of a participant (by UIC answers or display code, found
or not: accounts.activity.record_lookup), import preview and export is an activity event. When
one is recorded, the same account's events of the hour ending then are counted, and an alert is
raised when there are more page views, UIC look-ups, failed look-ups or previewed import rows
than the HARVEST_MAX_* settings allow, or when the export falls outside HARVEST_USUAL_HOURS. A
burst makes one alert, extended while it goes on, not one per event. Alerts are for
administrators ("Cảnh báo thu thập dữ liệu", beside the audit viewer) and are mailed to
HARVEST_ALERT_EMAILS when set.
"""

import datetime
import logging
from smtplib import SMTPException

from auditlog.context import disable_auditlog
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import ActivityEvent

from .models import HarvestAlert

logger = logging.getLogger(__name__)
WINDOW = datetime.timedelta(hours=1)
Rule = HarvestAlert.Rule


def _usual_hour(at):
    start, end = settings.HARVEST_USUAL_HOURS
    return start <= timezone.localtime(at).hour < end


def observations(event):
    """[(rule, observed, threshold)] of the limits `event`'s account is over, counted over the
    hour ending at `event.at`. At most one query."""
    hour = ActivityEvent.objects.filter(
        user_id=event.user_id, at__gt=event.at - WINDOW, at__lte=event.at
    )
    if event.kind == ActivityEvent.Kind.VIEW:
        seen = hour.filter(kind=ActivityEvent.Kind.VIEW).aggregate(
            pages=Count("pk", filter=~Q(detail__has_key="lookup")),
            lookups=Count("pk", filter=Q(detail__lookup="uic")),
            failed=Count("pk", filter=Q(detail__found=False)),
        )
        checks = [
            (Rule.PAGE_VIEWS, seen["pages"], settings.HARVEST_MAX_PAGE_VIEWS_PER_HOUR),
            (Rule.UIC_LOOKUPS, seen["lookups"], settings.HARVEST_MAX_UIC_LOOKUPS_PER_HOUR),
            (Rule.FAILED_LOOKUPS, seen["failed"], settings.HARVEST_MAX_FAILED_LOOKUPS_PER_HOUR),
        ]
        return [(rule, n, limit) for rule, n, limit in checks if n > limit]
    if event.kind == ActivityEvent.Kind.IMPORT and event.detail.get("preview"):
        previews = hour.filter(kind=ActivityEvent.Kind.IMPORT, detail__preview=True)
        rows = sum(
            sum((detail.get("rows") or {}).values())
            for detail in previews.values_list("detail", flat=True)
        )
        limit = settings.HARVEST_MAX_PREVIEW_ROWS_PER_HOUR
        return [(Rule.PREVIEW_ROWS, rows, limit)] if rows > limit else []
    if event.kind == ActivityEvent.Kind.EXPORT and not _usual_hour(event.at):
        exports = hour.filter(kind=ActivityEvent.Kind.EXPORT).values_list("at", flat=True)
        return [(Rule.EXPORT_HOURS, sum(not _usual_hour(at) for at in exports), None)]
    return []


def raise_alert(*, user_id, rule, observed, threshold, at):
    """The account's open alert for `rule` from the last hour, extended to `at`; or a new one.
    Returns (alert, created). Written without an audit entry: the account being watched did not
    make it."""
    with disable_auditlog():
        alert = (
            HarvestAlert.objects.filter(
                user_id=user_id, rule=rule, reviewed_at__isnull=True, last_at__gte=at - WINDOW
            )
            .order_by("-last_at")
            .first()
        )
        if alert is not None:
            alert.last_at, alert.observed = at, max(alert.observed, observed)
            alert.save(update_fields=["last_at", "observed"])
            return alert, False
        alert = HarvestAlert.objects.create(
            user_id=user_id,
            rule=rule,
            first_at=at - WINDOW,
            last_at=at,
            observed=observed,
            threshold=threshold,
        )
    if settings.HARVEST_ALERT_EMAILS:
        transaction.on_commit(lambda: mail_alert(alert.pk))
    return alert, True


def mail_alert(alert_id):
    """Mail a new alert to HARVEST_ALERT_EMAILS (in Vietnamese). A mail server that fails is
    logged; the page the watched account asked for is not affected."""
    alert = HarvestAlert.objects.select_related("user").get(pk=alert_id)
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("[PCMD] Cảnh báo thu thập dữ liệu: %(rule)s — %(user)s") % {
            "rule": alert.get_rule_display(),
            "user": alert.user.get_username(),
        }
        body = gettext(
            "Tài khoản %(user)s: %(rule)s, %(observed)s lần trong một giờ (ngưỡng "
            "%(threshold)s), lúc %(at)s. Xem mục “Cảnh báo thu thập dữ liệu” bên cạnh nhật ký "
            "kiểm toán và làm theo quy trình xử lý sự cố 72 giờ (privacy/BREACH_RUNBOOK.md)."
        ) % {
            "user": alert.user.get_username(),
            "rule": alert.get_rule_display(),
            "observed": alert.observed,
            "threshold": alert.threshold if alert.threshold is not None else "—",
            "at": timezone.localtime(alert.last_at).strftime("%d/%m/%Y %H:%M"),
        }
    try:
        send_mail(subject, body, None, settings.HARVEST_ALERT_EMAILS)
    except (OSError, SMTPException):
        logger.exception("The harvesting alert %s could not be mailed.", alert_id)


@receiver(post_save, sender=ActivityEvent, dispatch_uid="privacy.watch_activity")
def watch_activity(sender, instance, created, raw=False, **kwargs):
    if raw or not created or instance.user_id is None:
        return
    for rule, observed, threshold in observations(instance):
        raise_alert(
            user_id=instance.user_id,
            rule=rule,
            observed=observed,
            threshold=threshold,
            at=instance.at,
        )
