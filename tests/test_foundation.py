import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import ActivityEvent
from programs.models import InterventionModel, Phase
from sites.models import Province, Region


@pytest.mark.django_db
def test_reference_data_has_both_province_sets_and_the_mapping():
    assert Province.objects.filter(unit_set="legacy").count() == 63
    assert Province.objects.filter(unit_set="2025").count() == 34
    assert Region.objects.count() == 8
    quang_binh = Province.objects.get(unit_set="legacy", code="44")
    assert quang_binh.current.name == "Quảng Trị"
    hcm = Province.objects.get(unit_set="2025", code="79")
    assert hcm.current == hcm
    legacy = hcm.predecessors.filter(unit_set="legacy")
    assert set(legacy.values_list("name", flat=True)) == {
        "Bình Dương",
        "Bà Rịa - Vũng Tàu",
        "Hồ Chí Minh",
    }
    assert sorted(InterventionModel.objects.values_list("code", flat=True)) == [
        "community",
        "peer_groups",
        "worker_rights",
    ]
    assert Phase.objects.get(code="2021-2025").decision.startswith("Quyết định số 1629/QĐ-TTg")
    # Coverage denominators: 696 district-level areas before the merger, 3,321 communes after.
    legacy_counts = Province.objects.filter(unit_set="legacy").values_list(
        "locality_count", flat=True
    )
    assert sum(legacy_counts) == 696 and None not in legacy_counts
    assert Province.objects.get(unit_set="legacy", code="01").locality_count == 30
    assert Province.objects.get(unit_set="2025", code="79").locality_count == 168


@pytest.mark.django_db
def test_login_page_is_vietnamese_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Đăng nhập" in response.content.decode()
    assert '<html lang="vi">' in response.content.decode()


@pytest.mark.django_db
def test_vietnamese_even_for_an_english_browser(client):
    content = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in content


@pytest.mark.django_db
def test_language_switch_to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    content = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in content
    assert "Sign in" in content


@pytest.mark.django_db
def test_each_role_lands_on_a_home_page_naming_role_and_scope(client, officer_hn, leader):
    client.force_login(officer_hn)
    content = client.get(reverse("home")).content.decode()
    assert "Cán bộ tỉnh" in content and "Hà Nội" in content
    client.force_login(leader)
    content = client.get(reverse("home")).content.decode()
    assert "Trưởng nhóm đồng đẳng" in content and "Sao đêm" in content


@pytest.mark.django_db
def test_login_and_failed_login_are_logged(client, officer_hn):
    assert not client.login(username="officer_hn", password="wrong")
    assert client.login(username="officer_hn", password="Mat-khau-thu-nghiem-2025")
    kinds = list(ActivityEvent.objects.order_by("at", "id").values_list("kind", flat=True))
    assert kinds == ["login_failed", "login"]


@pytest.mark.django_db
def test_user_without_role_is_refused(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("home")).status_code == 403


def test_production_start_without_secrets_stops_with_a_clear_message():
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "false", "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "UIC_SECRET" in result.stderr


def test_numbers_are_grouped_only_where_asked():
    """Ids and years render plain (a grouped id breaks every data-/value= attribute once the
    table passes 999 rows); counts and money are grouped by the `num` and `vnd` filters."""
    from django.template import Context, Template
    from django.utils import translation

    template = Template("{% load ui %}{{ pk }} {{ year }} {{ count|num }} {{ money|vnd }}")
    with translation.override("vi"):
        rendered = template.render(
            Context({"pk": 18082, "year": 1995, "count": 11240, "money": 45000000})
        )
    assert rendered == "18082 1995 11.240 45.000.000 ₫"
