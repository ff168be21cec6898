"""The audit viewer: administrators see who changed what (before/after), who signed in or
failed to, who exported or imported what, who viewed which participant's page; filter, page,
export to CSV (the export is itself logged); nothing can edit or delete an audit row."""

import csv
import datetime
import io

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from accounts.activity import record_activity
from accounts.models import ActivityEvent
from tests import factories


@pytest.fixture
def trail(db, officer_hn, site_hn):
    """A change made by the Hà Nội officer, a failed login, an export, an import, a view."""
    from auditlog.context import set_actor

    with set_actor(officer_hn):
        site_hn.name = "Hoàng Mai mới"
        site_hn.save()
    ActivityEvent.objects.create(kind=ActivityEvent.Kind.LOGIN_FAILED, what="officer_ct")
    record_activity(user=officer_hn, kind=ActivityEvent.Kind.EXPORT, what="sites.csv", rows=3)
    record_activity(user=officer_hn, kind=ActivityEvent.Kind.IMPORT, what="contacts.csv", rows=9)
    record_activity(user=officer_hn, kind=ActivityEvent.Kind.VIEW, what="P-7QX2", participant=1)
    return site_hn


def rows_of(response):
    return response.context["rows"]


@pytest.mark.django_db
def test_admin_sees_changes_with_before_and_after_and_activity(client, admin_user, trail):
    client.force_login(admin_user)
    response = client.get(reverse("audit_log"))
    assert response.status_code == 200
    rows = rows_of(response)
    kinds = [row["a_kind"] for row in rows]
    assert {"update", "login_failed", "export", "import", "view"} <= set(kinds)
    update = next(row for row in rows if row["a_kind"] == "update" and row["a_model"] == "site")
    assert update["a_user"] == "officer_hn"
    assert ("name", "Hoàng Mai", "Hoàng Mai mới") in update["lines"]
    content = response.content.decode()
    assert "Hoàng Mai mới" in content and "Xuất dữ liệu" in content and "P-7QX2" in content
    # Newest first.
    stamps = [row["a_at"] for row in rows]
    assert stamps == sorted(stamps, reverse=True)


@pytest.mark.django_db
def test_filters_by_kind_user_model_dates_and_text(client, admin_user, officer_hn, trail):
    client.force_login(admin_user)
    url = reverse("audit_log")

    def kinds(**params):
        return sorted({row["a_kind"] for row in rows_of(client.get(url, params))})

    assert kinds(kind="export") == ["export"]
    assert kinds(kind="update", model="sites.site") == ["update"]
    assert kinds(model="sites.site") == ["create", "update"]
    assert "login_failed" not in kinds(user=officer_hn.pk)
    assert kinds(kind="login_failed") == ["login_failed"]
    assert kinds(q="P-7QX2") == ["view"]
    today = timezone.localdate()
    assert kinds(start=today + datetime.timedelta(days=1)) == []
    assert "export" in kinds(start=today, end=today)
    # A bad filter value is an error message on the form, not a crash.
    response = client.get(url, {"start": "31/31/2025", "kind": "nonsense"})
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.django_db
def test_the_list_is_paginated_with_a_flat_number_of_queries(
    client, admin_user, django_assert_max_num_queries
):
    for n in range(120):
        ActivityEvent.objects.create(kind=ActivityEvent.Kind.LOGIN_FAILED, what=f"u{n}")
    factories.SiteFactory.create_batch(30)
    client.force_login(admin_user)
    # 11: the page also counts the harvesting alerts waiting (privacy_tags).
    with django_assert_max_num_queries(11):
        response = client.get(reverse("audit_log"))
    assert len(response.context["rows"]) == 50
    assert response.context["page"].paginator.count >= 150
    with django_assert_max_num_queries(11):
        last = client.get(reverse("audit_log"), {"page": 4})
    assert 0 < len(last.context["rows"]) <= 50


@pytest.mark.django_db
def test_export_is_csv_with_the_filters_applied_and_is_logged(client, admin_user, trail):
    client.force_login(admin_user)
    response = client.get(reverse("audit_export"), {"model": "sites.site", "kind": "update"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["Thời điểm", "Người dùng", "Loại", "Loại bản ghi", "Đối tượng", "Chi tiết"]
    assert len(table) == 2
    assert table[1][1] == "officer_hn" and table[1][2] == "Sửa bản ghi"
    assert "Hoàng Mai → Hoàng Mai mới" in table[1][5]
    logged = ActivityEvent.objects.get(kind="export", what="audit_log.csv")
    assert logged.user == admin_user
    assert logged.detail["filters"] == {"model": "sites.site", "kind": "update"}


@pytest.mark.django_db
def test_exported_cells_cannot_run_as_formulas(client, admin_user):
    ActivityEvent.objects.create(kind=ActivityEvent.Kind.LOGIN_FAILED, what="=HYPERLINK(1)")
    client.force_login(admin_user)
    text = client.get(reverse("audit_export")).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


@pytest.mark.django_db
def test_only_administrators_open_the_audit(client, personas):
    for label, user in personas.items():
        client.force_login(user)
        for name in ("audit_log", "audit_export"):
            status = client.get(reverse(name)).status_code
            assert status == (200 if label == "admin" else 403), (label, name)


@pytest.mark.django_db
def test_audit_rows_cannot_be_changed_or_deleted_through_the_app(client, admin_user, trail):
    client.force_login(admin_user)
    entries = LogEntry.objects.count()
    events = ActivityEvent.objects.count()
    entry = LogEntry.objects.first()
    event = ActivityEvent.objects.exclude(kind="login").first()
    # The audit pages answer GET only.
    for name in ("audit_log", "audit_export"):
        assert client.post(reverse(name), {"kind": "export"}).status_code == 405
        assert client.delete(reverse(name)).status_code == 405
        assert client.put(reverse(name)).status_code == 405
    # The admin shows them read-only: no change, no delete, no add, no bulk delete.
    admin_urls = {
        "auditlog/logentry": entry.pk,
        "accounts/activityevent": event.pk,
    }
    for model, pk in admin_urls.items():
        assert client.post(f"/admin/{model}/{pk}/delete/", {"post": "yes"}).status_code == 403
        assert client.post(f"/admin/{model}/{pk}/change/", {"what": "x"}).status_code == 403
        assert client.post(f"/admin/{model}/add/", {"what": "x"}).status_code == 403
        response = client.post(
            f"/admin/{model}/",
            {"action": "delete_selected", "_selected_action": [pk], "post": "yes"},
        )
        assert response.status_code in (200, 302, 403)
    assert LogEntry.objects.count() == entries
    assert ActivityEvent.objects.count() >= events
    assert ActivityEvent.objects.filter(pk=event.pk, what=event.what).exists()
    assert LogEntry.objects.filter(pk=entry.pk).exists()
