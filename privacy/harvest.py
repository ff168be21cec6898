"""Harvesting alerts: a watch over the activity log (accounts.ActivityEvent).

Every participant page view, look-up of a participant (by UIC answers or display code, on any
form, found or not: accounts.activity.record_lookup), participant-level list page (with how
many rows it showed: accounts.activity.record_listing), import preview and export (with how many
rows) is an activity event. When one is recorded, the same account's events of the hour ending
then are counted, and an alert is raised when there are more page views, UIC look-ups, look-ups
by code, failed look-ups, rows listed, rows exported or previewed import rows than the
HARVEST_MAX_* settings allow, or when the export falls outside HARVEST_USUAL_HOURS. The events
of every account of the same province (officers, and peer leaders through their group) are
summed too: pages opened plus look-ups, and rows listed plus exported, so that several accounts
each staying under their own limits are seen together. A burst makes one alert (one per
province for the province rules), extended while it goes on, not one per event. Alerts are for
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
from django.db.models import Count, DateTimeField, IntegerField, Q, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Greatest
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


ROWS = Cast(KT("detail__rows"), IntegerField())
# A participant page or a look-up (not a list page).
ONE_RECORD = Q(kind=ActivityEvent.Kind.VIEW) & ~Q(detail__has_key="listed")
ROWS_SHOWN = Q(kind=ActivityEvent.Kind.VIEW, detail__has_key="listed") | Q(
    kind=ActivityEvent.Kind.EXPORT, detail__has_key="rows"
)


def province_of(user):
    """The (2025) province id of an officer or a peer leader (through their group's site); None
    for national roles and provider staff. At most one query (a peer leader's group)."""
    if user is None:
        return None
    if user.province_id:
        return user.province_id
    if user.peer_group_id:
        from sites.models import PeerGroup

        return (
            PeerGroup.objects.filter(pk=user.peer_group_id)
            .values_list("site__province__current_id", flat=True)
            .first()
        )
    return None


def of_province(province_id):
    """The accounts of one province, as a filter on a model with a `user` foreign key."""
    return Q(user__province_id=province_id) | Q(
        user__peer_group__site__province__current_id=province_id
    )


def _over(checks):
    return [(rule, n, limit) for rule, n, limit in checks if n > limit]


def province_observations(event):
    """[(rule, observed, threshold)] of the province limits the province of `event`'s account is
    over, summed over every account of the province in the hour ending at `event.at`. At most
    two queries; none for an event that is not a page, a look-up, a list or an export."""
    if event.kind not in (ActivityEvent.Kind.VIEW, ActivityEvent.Kind.EXPORT):
        return []
    province_id = province_of(event.user)
    if province_id is None:
        return []
    seen = (
        ActivityEvent.objects.filter(at__gt=event.at - WINDOW, at__lte=event.at)
        .filter(of_province(province_id))
        .aggregate(views=Count("pk", filter=ONE_RECORD), rows=Sum(ROWS, filter=ROWS_SHOWN))
    )
    return _over(
        [
            (Rule.PROVINCE_VIEWS, seen["views"], settings.HARVEST_MAX_PROVINCE_VIEWS_PER_HOUR),
            (Rule.PROVINCE_ROWS, seen["rows"] or 0, settings.HARVEST_MAX_PROVINCE_ROWS_PER_HOUR),
        ]
    )


def observations(event):
    """[(rule, observed, threshold)] of the limits `event`'s account is over, counted over the
    hour ending at `event.at`. At most one query."""
    hour = ActivityEvent.objects.filter(
        user_id=event.user_id, at__gt=event.at - WINDOW, at__lte=event.at
    )
    if event.kind == ActivityEvent.Kind.VIEW and "listed" in event.detail:
        rows = hour.filter(ROWS_SHOWN, kind=ActivityEvent.Kind.VIEW).aggregate(rows=Sum(ROWS))
        return _over(
            [(Rule.ROWS_LISTED, rows["rows"] or 0, settings.HARVEST_MAX_LISTED_ROWS_PER_HOUR)]
        )
    if event.kind == ActivityEvent.Kind.VIEW:
        seen = hour.filter(ONE_RECORD).aggregate(
            pages=Count("pk", filter=~Q(detail__has_key="lookup")),
            lookups=Count("pk", filter=Q(detail__lookup="uic")),
            codes=Count("pk", filter=Q(detail__lookup="code")),
            failed=Count("pk", filter=Q(detail__found=False)),
        )
        return _over(
            [
                (Rule.PAGE_VIEWS, seen["pages"], settings.HARVEST_MAX_PAGE_VIEWS_PER_HOUR),
                (Rule.UIC_LOOKUPS, seen["lookups"], settings.HARVEST_MAX_UIC_LOOKUPS_PER_HOUR),
                (Rule.CODE_LOOKUPS, seen["codes"], settings.HARVEST_MAX_CODE_LOOKUPS_PER_HOUR),
                (
                    Rule.FAILED_LOOKUPS,
                    seen["failed"],
                    settings.HARVEST_MAX_FAILED_LOOKUPS_PER_HOUR,
                ),
            ]
        )
    if event.kind == ActivityEvent.Kind.IMPORT and event.detail.get("preview"):
        previews = hour.filter(kind=ActivityEvent.Kind.IMPORT, detail__preview=True)
        rows = sum(
            sum((detail.get("rows") or {}).values())
            for detail in previews.values_list("detail", flat=True)
        )
        limit = settings.HARVEST_MAX_PREVIEW_ROWS_PER_HOUR
        return [(Rule.PREVIEW_ROWS, rows, limit)] if rows > limit else []
    if event.kind == ActivityEvent.Kind.EXPORT:
        exports = list(hour.filter(kind=ActivityEvent.Kind.EXPORT).values_list("at", "detail"))
        rows = sum(detail.get("rows") or 0 for _at, detail in exports)
        found = _over([(Rule.ROWS_EXPORTED, rows, settings.HARVEST_MAX_EXPORTED_ROWS_PER_HOUR)])
        if not _usual_hour(event.at):
            odd = sum(not _usual_hour(at) for at, _detail in exports)
            found.append((Rule.EXPORT_HOURS, odd, None))
        return found
    return []


def raise_alert(*, user_id, rule, observed, threshold, at, province_id=None):
    """The account's open alert for `rule` from the last hour (for a province rule: the open
    alert of any account of `province_id`), extended to `at`; or a new one. Returns (alert,
    created). Written without an audit entry: the account being watched did not make it."""
    same = of_province(province_id) if province_id is not None else Q(user_id=user_id)
    with disable_auditlog():
        alert = (
            HarvestAlert.objects.filter(
                same, rule=rule, reviewed_at__isnull=True, last_at__gte=at - WINDOW
            )
            .order_by("-last_at")
            .first()
        )
        if alert is not None:
            # Extended in the database, each column to the greater of the stored and the new
            # value: a review saved, or another page's extension written, since the alert was
            # read is kept (saving the row read would undo it).
            HarvestAlert.objects.filter(pk=alert.pk).update(
                last_at=Greatest("last_at", Value(at, output_field=DateTimeField())),
                observed=Greatest("observed", Value(observed, output_field=IntegerField())),
            )
            alert.last_at, alert.observed = max(alert.last_at, at), max(alert.observed, observed)
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
    found = province_observations(instance)
    if found:
        province_id = province_of(instance.user)
        for rule, observed, threshold in found:
            raise_alert(
                user_id=instance.user_id,
                rule=rule,
                observed=observed,
                threshold=threshold,
                at=instance.at,
                province_id=province_id,
            )
