"""The impact-assessment dossier, generated from the running system by a command and a page: it
names every table that holds participant data — found here by walking the installed models'
relations, not from the inventory under test — with its purpose and retention, and states the
roles and their accounts, the suppression threshold, encryption in transit, the backup policy
and the date."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from accounts.models import Role
from participants.models import Participant, Person
from privacy import dossier, inventory, services
from tests import factories as f

pytestmark = pytest.mark.django_db


def models_holding_participant_data():
    """Every installed model with a relation, direct or through another such model, to a
    participant record or to the national identity behind it."""
    found = {Person, Participant}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model in found:
                continue
            if any(
                field.is_relation and field.concrete and field.related_model in found
                for field in model._meta.get_fields()
            ):
                found.add(model)
                grew = True
    return found


def test_every_model_holding_participant_data_is_described_and_handled_by_erasure():
    found = models_holding_participant_data()
    labels = {model._meta.label_lower for model in found}
    # The tables of today, written out by hand: a new one must be added to the inventory.
    assert labels == {
        "participants.person",
        "participants.personprofile",
        "participants.participant",
        "participants.enrolment",
        "participants.contact",
        "participants.rightsassessment",
        "referrals.referral",
        "referrals.referralevent",
        "referrals.support",
        "privacy.erasedrecord",
    }
    undescribed = [label for label in labels if not inventory.INVENTORY.get(label)]
    assert undescribed == []
    assert set(services.HANDLED) == found


def test_the_command_names_every_table_of_participant_data(tmp_path, officer_hn, hanoi):
    out = tmp_path / "ho-so.html"
    call_command("privacy_dossier", "--province", "01", "--output", str(out))
    html = out.read_text(encoding="utf-8")
    assert "HỒ SƠ ĐÁNH GIÁ TÁC ĐỘNG XỬ LÝ DỮ LIỆU CÁ NHÂN" in html
    assert "Đơn vị lập: Hà Nội" in html
    for model in models_holding_participant_data():
        assert model._meta.db_table in html, model
        assert capfirst(str(model._meta.verbose_name)) in html, model
        for field in model._meta.concrete_fields:
            assert f"<code>{field.column}</code>" in html, (model, field)
    assert "CHƯA MÔ TẢ" not in html


@override_settings(SUPPRESSION_THRESHOLD=7, BACKUP_RETENTION_DAYS=21, PARTICIPANT_RETENTION_YEARS=4)
def test_the_page_states_roles_accounts_and_settings_as_they_run(
    client_for, officer_hn, officer_ct, leader, provider_staff, ministry, admin_user
):
    f.UserFactory(
        username="retired", role=Role.OFFICER, province=officer_hn.province, is_active=False
    )
    response = client_for(officer_hn).get(reverse("privacy:dossier"))
    html = response.content.decode()
    assert response.status_code == 200
    for model in models_holding_participant_data():
        assert model._meta.db_table in html
    rows = {str(row[0]): row[2:] for row in response.context["accounts"]}
    # Active accounts, nationally and in Hà Nội (the leader's group and the provider are there).
    assert rows["Cán bộ tỉnh"] == (2, 1)
    assert rows["Trưởng nhóm đồng đẳng"] == (1, 1)
    assert rows["Nhân viên cơ sở dịch vụ"] == (1, 1)
    assert rows["Cán bộ Bộ"] == (1, 0)
    assert rows["Quản trị hệ thống"] == (1, 0)
    assert "Ngưỡng ẩn ô nhỏ: 7." in html
    assert "được giữ 21 ngày" in html
    assert "được lưu 4 năm sau lần hoạt động cuối cùng" in html
    assert "Chuyển mọi yêu cầu HTTP sang HTTPS" in html
    assert timezone.localdate().strftime("%d/%m/%Y") in html
    assert "Đơn vị lập: Hà Nội" in html


def test_a_model_the_inventory_does_not_describe_is_still_named_and_flagged(monkeypatch):
    described = dict(inventory.INVENTORY)
    del described["referrals.support"]
    monkeypatch.setattr(inventory, "INVENTORY", described)
    monkeypatch.setattr(dossier, "INVENTORY", described)
    tables = {table.db_table: table for table in dossier.data_inventory()}
    assert tables["referrals_support"].purpose == ""
    html = dossier_html()
    assert "referrals_support" in html and "CHƯA MÔ TẢ" in html


def dossier_html():
    from django.template.loader import render_to_string

    return render_to_string("privacy/dossier_file.html", dossier.dossier())


def test_every_role_has_its_access_rule_stated():
    assert set(inventory.ROLE_ACCESS) == set(Role.values)
