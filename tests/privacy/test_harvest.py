"""Harvesting alerts: more participant pages, UIC look-ups, failed look-ups or previewed import
rows in an hour than the thresholds, or an export at night, raise an alert for administrators
(one per burst, extended while it lasts); a normal working day raises none."""

import datetime
import io
from smtplib import SMTPException
from unittest import mock

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import ActivityEvent
from privacy.harvest import raise_alert
from privacy.models import HarvestAlert
from tests import factories as f

pytestmark = pytest.mark.django_db
Rule = HarvestAlert.Rule
LOCAL = timezone.get_fixed_timezone(7 * 60)


def at_local(hour, minute=0):
    """A moment of 30/11/2026 in Việt Nam's time."""
    return datetime.datetime(2026, 11, 30, hour, minute, tzinfo=LOCAL)


@pytest.fixture
def record(site_hn, group_hn, hanoi):
    participant = f.ParticipantFactory(province=hanoi)
    f.EnrolmentFactory(participant=participant, site=site_hn, peer_group=group_hn)
    return participant


def open_page(client, record, times=1):
    for _ in range(times):
        page = client.get(reverse("participants:participant_detail", args=[record.pk]))
        assert page.status_code == 200


def look_up_someone_unknown(client, n):
    """n contact forms with UIC answers that find nobody (a new birth date each time)."""
    for day in range(1, n + 1):
        client.post(
            reverse("participants:contact_new"),
            {
                "mother_name": "Lan",
                "father_name": "Hùng",
                "birth_date": f"1990-01-{day:02d}",
                "sex": "female",
                "date": "2026-11-01",
                "kind": "outreach",
            },
        )


def preview(client, rows):
    lines = [f"LAHU{day:02d}0190F,2026-11-01,HN-HM-PG,,outreach," for day in range(1, rows + 1)]
    data = io.BytesIO("\n".join(["uic,date,site,peer_group,kind,needs", *lines, ""]).encode())
    data.name = "contacts.csv"
    return client.post(reverse("exchange:import"), {"file": data})


@override_settings(HARVEST_MAX_PAGE_VIEWS_PER_HOUR=5)
def test_many_participant_pages_in_an_hour_raise_one_alert(client_for, officer_hn, record):
    client = client_for(officer_hn)
    open_page(client, record, 5)
    assert not HarvestAlert.objects.exists()
    open_page(client, record)
    alert = HarvestAlert.objects.get()
    assert (alert.user, alert.rule, alert.observed, alert.threshold) == (
        officer_hn,
        Rule.PAGE_VIEWS,
        6,
        5,
    )
    open_page(client, record, 3)
    alert = HarvestAlert.objects.get()
    assert alert.observed == 9 and alert.is_open
    # Raised by the watch, not by the watched account: no history entry in their name.
    assert not LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(HarvestAlert)
    ).exists()


@override_settings(HARVEST_MAX_PAGE_VIEWS_PER_HOUR=5)
def test_pages_of_an_hour_ago_do_not_count(client_for, officer_hn, record):
    client = client_for(officer_hn)
    open_page(client, record, 5)
    ActivityEvent.objects.update(at=timezone.now() - datetime.timedelta(minutes=61))
    open_page(client, record, 5)
    assert not HarvestAlert.objects.exists()


@override_settings(HARVEST_MAX_UIC_LOOKUPS_PER_HOUR=4, HARVEST_MAX_FAILED_LOOKUPS_PER_HOUR=3)
def test_many_look_ups_that_find_nobody_raise_alerts(client_for, leader, group_hn):
    look_up_someone_unknown(client_for(leader), 5)
    assert {alert.rule: alert.observed for alert in HarvestAlert.objects.all()} == {
        Rule.UIC_LOOKUPS: 5,
        Rule.FAILED_LOOKUPS: 5,
    }


@override_settings(HARVEST_MAX_PREVIEW_ROWS_PER_HOUR=5)
def test_previewing_many_import_rows_raises_an_alert(client_for, officer_hn, site_hn):
    client = client_for(officer_hn)
    assert preview(client, 3).status_code == 200
    assert not HarvestAlert.objects.exists()
    preview(client, 3)
    alert = HarvestAlert.objects.get()
    assert (alert.rule, alert.observed, alert.threshold) == (Rule.PREVIEW_ROWS, 6, 5)


def test_an_export_at_night_raises_an_alert(client_for, officer_hn, site_hn):
    client = client_for(officer_hn)
    url = reverse("exchange:export", args=["participants"]) + "?format=csv"
    with mock.patch("django.utils.timezone.now", return_value=at_local(10)):
        assert client.get(url).status_code == 200
    assert not HarvestAlert.objects.exists()
    with mock.patch("django.utils.timezone.now", return_value=at_local(2, 15)):
        assert client.get(url).status_code == 200
    alert = HarvestAlert.objects.get()
    assert (alert.user, alert.rule, alert.observed, alert.threshold) == (
        officer_hn,
        Rule.EXPORT_HOURS,
        1,
        None,
    )


def test_a_normal_working_day_raises_no_alert(client_for, officer_hn, record, site_hn, hanoi):
    """With the default thresholds: 20 participant pages, 10 contacts found by code and 3
    people not found by their answers, an import preview, two exports in office hours."""
    others = [f.ParticipantFactory(province=hanoi) for _ in range(9)]
    for other in others:
        f.EnrolmentFactory(participant=other, site=site_hn)
    client = client_for(officer_hn)
    with mock.patch("django.utils.timezone.now", return_value=at_local(9)):
        for participant in [record, *others] * 2:
            open_page(client, participant)
        for participant in [record, *others]:
            client.post(
                reverse("participants:contact_new"),
                {
                    "participant_code": participant.code,
                    "date": "2026-11-01",
                    "kind": "outreach",
                    "site": str(site_hn.pk),
                },
            )
        look_up_someone_unknown(client, 3)
        preview(client, 40)
    with mock.patch("django.utils.timezone.now", return_value=at_local(9, 20)):
        for kind in ("participants", "contacts"):
            client.get(reverse("exchange:export", args=[kind]) + "?format=csv")
    lookups = ActivityEvent.objects.filter(user=officer_hn, detail__has_key="lookup")
    assert lookups.count() == 13
    assert ActivityEvent.objects.filter(kind="export").count() == 2
    assert ActivityEvent.objects.get(kind="import").detail["rows"] == {"contacts.csv": 40}
    assert not HarvestAlert.objects.exists()


@override_settings(HARVEST_MAX_PAGE_VIEWS_PER_HOUR=1, HARVEST_ALERT_EMAILS=["bvdl@example.gov.vn"])
def test_a_new_alert_is_mailed_once(
    client_for, officer_hn, record, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(officer_hn)
    with django_capture_on_commit_callbacks(execute=True):
        open_page(client, record, 4)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["bvdl@example.gov.vn"]
    assert (
        "officer_hn" in message.subject and "Mở nhiều trang hồ sơ người tham gia" in message.subject
    )
    assert "72 giờ" in message.body


@override_settings(HARVEST_MAX_PAGE_VIEWS_PER_HOUR=1, HARVEST_ALERT_EMAILS=["bvdl@example.gov.vn"])
def test_a_mail_server_that_fails_does_not_break_the_page(
    client_for, officer_hn, record, django_capture_on_commit_callbacks, caplog
):
    client = client_for(officer_hn)
    failing = mock.patch("privacy.harvest.send_mail", side_effect=SMTPException("down"))
    with failing, django_capture_on_commit_callbacks(execute=True):
        open_page(client, record, 2)
    assert HarvestAlert.objects.count() == 1
    assert "could not be mailed" in caplog.text


def test_administrators_review_alerts_beside_the_audit_viewer(client_for, admin_user, officer_hn):
    alert, _created = raise_alert(
        user_id=officer_hn.pk,
        rule=Rule.FAILED_LOOKUPS,
        observed=14,
        threshold=10,
        at=timezone.now(),
    )
    client = client_for(admin_user)
    audit = client.get(reverse("audit_log")).content.decode()
    assert "1 cảnh báo thu thập dữ liệu chưa xem." in audit
    page = client.get(reverse("privacy:alert_list")).content.decode()
    assert "officer_hn" in page and "Nhiều lần tra cứu không thấy" in page and "14 / 10" in page

    refused = client.post(reverse("privacy:alert_list"), {"note": "?"})
    assert refused.status_code == 200
    assert "Hãy chọn ít nhất một cảnh báo." in refused.content.decode()
    assert HarvestAlert.objects.get().is_open

    done = client.post(
        reverse("privacy:alert_list"), {"alerts": [alert.pk], "note": "Đã hỏi: nhập nhầm ngày sinh"}
    )
    assert done.status_code == 302
    alert.refresh_from_db()
    assert (alert.reviewed_by, alert.note) == (admin_user, "Đã hỏi: nhập nhầm ngày sinh")
    entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(HarvestAlert))
    assert entry.actor == admin_user
    assert (
        "Không có cảnh báo thu thập dữ liệu nào chưa xem."
        in client.get(reverse("audit_log")).content.decode()
    )


@pytest.mark.parametrize(
    "value",
    [
        "9223372036854775808",  # one above the largest id a database holds
        "-9223372036854775809",  # one below the smallest
        "99999999999999999999",
    ],
)
def test_an_alert_id_beyond_any_database_integer_is_an_unknown_alert(
    client_for, admin_user, officer_hn, value
):
    """Such an id made SQLite raise OverflowError (a 500, found by the fuzz test): it is refused
    like any alert that is not there, and the open alert stays open."""
    raise_alert(
        user_id=officer_hn.pk,
        rule=Rule.FAILED_LOOKUPS,
        observed=14,
        threshold=10,
        at=timezone.now(),
    )
    answer = client_for(admin_user).post(
        reverse("privacy:alert_list"), {"alerts": [value], "note": "?"}
    )
    assert answer.status_code == 200
    assert "Cảnh báo này đã được xem hoặc không còn." in answer.content.decode()
    assert HarvestAlert.objects.get().is_open


def test_the_largest_id_a_database_holds_is_only_an_unknown_alert(client_for, admin_user):
    answer = client_for(admin_user).post(
        reverse("privacy:alert_list"), {"alerts": ["9223372036854775807"], "note": "?"}
    )
    assert answer.status_code == 200
    assert "Cảnh báo này đã được xem hoặc không còn." in answer.content.decode()
