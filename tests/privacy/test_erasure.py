"""Erasure on request: an administrator finds the person by their UIC answers, sees what will be
removed, confirms, and prints a certificate that identifies nobody. Afterwards the person is
found nowhere (page, list, export, look-up), the same answers enrol a new person, and every
indicator stays as it was."""

import uuid

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import ActivityEvent
from offline.models import Submission as OfflineSubmission
from participants.models import Contact, Participant, Person
from participants.uic import uic_hash
from privacy import services
from privacy.models import ErasureRun
from referrals.models import Referral
from tests.participants.helpers import answers, assert_no_secret, enrol
from tests.privacy.conftest import (
    ANSWERS,
    SECRETS,
    TODAY,
    UIC,
    database_text,
    indicator_snapshot,
    visible_codes,
)

pytestmark = pytest.mark.django_db
URL = reverse("privacy:erasure")


def test_an_administrator_erases_a_person_found_by_their_answers(
    client_for, admin_user, officer_hn, world, leader
):
    anna_codes = [world.anna_hn.code, world.anna_ct.code]
    digest = world.anna_hn.person.uic_hash
    client = client_for(officer_hn)
    assert (
        client.get(reverse("participants:participant_detail", args=[world.anna_hn.pk])).status_code
        == 200
    )
    OfflineSubmission.objects.create(
        client_id=uuid.uuid4(),
        user=leader,
        kind=OfflineSubmission.Kind.CONTACT,
        status=OfflineSubmission.Status.ACCEPTED,
        object_id=Contact.objects.filter(participant=world.anna_hn).first().pk,
        code=world.anna_hn.code,
    )
    client = client_for(admin_user)

    first = client.post(URL, {"step": "answers", **ANSWERS})
    page = first.content.decode()
    assert first.templates[0].name == "privacy/erasure_confirm.html"
    holdings = first.context["holdings"]
    assert holdings.provinces == ["Cần Thơ", "Hà Nội"]
    assert holdings.counts == {
        "records": 2,
        "enrolments": 2,
        "contacts": 3,
        "rights_assessments": 1,
        "referrals": 2,
        "supports": 1,
    }
    assert holdings.last_activity.isoformat() == "2019-03-20"
    assert_no_secret(page, SECRETS)

    unconfirmed = client.post(URL, {"step": "confirm"})
    assert unconfirmed.status_code == 200
    assert "Hãy xác nhận yêu cầu xoá của người tham gia." in unconfirmed.content.decode()
    assert not ErasureRun.objects.exists()
    assert Person.objects.filter(uic_hash=digest).exists()

    done = client.post(URL, {"step": "confirm", "confirm": "on"})
    run = ErasureRun.objects.get()
    assert done["Location"] == reverse("privacy:erasure_certificate", args=[run.pk])
    assert (run.kind, run.by, run.people) == (ErasureRun.Kind.REQUEST, admin_user, 1)
    assert run.counts == {
        "records": 2,
        "enrolments": 2,
        "contacts": 3,
        "rights_assessments": 1,
        "referrals": 2,
        "referral_events": 0,
        "supports": 1,
        # The history of the 2 records, 2 enrolments, 3 contacts, 1 assessment, 2 referrals,
        # 1 support and the phone's submission (each created once).
        "log_entries": 12,
        "activity_events": 1,
        "offline_submissions": 1,
        "session_entries": 0,
        "import_previews": 0,
    }

    certificate = client.get(done["Location"])
    text = certificate.content.decode()
    assert certificate.status_code == 200
    assert run.reference in text
    assert "GIẤY XÁC NHẬN ĐÃ XOÁ DỮ LIỆU CÁ NHÂN" in text
    assert '<th scope="row">Lần tiếp cận</th><td>3</td>' in text
    for identifying in (*anna_codes, digest, "Hà Nội", "Cần Thơ", "HN-HM-PG", "CT-NK-WR"):
        assert identifying not in text
    assert_no_secret(text, SECRETS)

    everything = database_text()
    assert not [code for code in anna_codes if code in everything]
    assert digest not in everything
    assert_no_secret(everything, SECRETS)


def test_the_erased_person_is_found_nowhere(
    client_for, world, admin_user, officer_hn, officer_ct, leader, provider_staff, site_hn
):
    codes = [world.anna_hn.code, world.anna_ct.code]
    services.person_erase(person=world.anna_hn.person, by=admin_user)

    for user in (admin_user, officer_hn, officer_ct, leader):
        assert not visible_codes(user) & set(codes)
    for user in (admin_user, officer_hn):
        client = client_for(user)
        detail = reverse("participants:participant_detail", args=[world.anna_hn.pk])
        assert client.get(detail).status_code == 404
        for name in ("participants:participant_list", "participants:contact_list"):
            content = client.get(reverse(name)).content.decode()
            assert not [code for code in codes if code in content]
        for kind in ("participants", "contacts", "referrals", "rights_assessments"):
            export = client.get(reverse("exchange:export", args=[kind]) + "?format=csv")
            content = b"".join(export).decode()
            assert export.status_code == 200
            assert not [code for code in codes if code in content]
            assert f"h:{world.anna_hn.person.uic_hash}" not in content
    hn_contacts = Contact.objects.visible_to(officer_hn).count()
    assert hn_contacts == Contact.objects.filter(site=site_hn).count() - 2
    assert (
        not Referral.objects.visible_to(provider_staff)
        .filter(participant__in=[world.anna_hn, world.anna_ct])
        .exists()
    )
    codes_page = client_for(leader).get(reverse("offline:codes")).content.decode()
    assert not [code for code in codes if code in codes_page]

    # The answers find nobody: not the contact form, not the summary, not the erasure.
    client = client_for(officer_hn)
    client.post(
        reverse("participants:contact_new"),
        {**ANSWERS, "date": "2026-11-01", "kind": "outreach", "site": str(site_hn.pk)},
    )
    lookup = ActivityEvent.objects.filter(detail__lookup="uic").latest("id")
    assert (lookup.user, lookup.detail["found"]) == (officer_hn, False)
    summary = client.post(reverse("privacy:access_summary"), ANSWERS)
    assert summary.templates[0].name == "privacy/access_form.html"
    again = client_for(admin_user).post(URL, {"step": "answers", **ANSWERS})
    assert again.templates[0].name == "privacy/erasure_form.html"
    assert "Không tìm thấy ai với các câu trả lời này" in again.content.decode()


def test_the_erased_persons_answers_enrol_a_new_person(
    client_for, world, admin_user, officer_hn, site_hn
):
    tombstone = world.anna_hn.person
    services.person_erase(person=tombstone, by=admin_user)

    _confirmation, final = enrol(client_for(officer_hn), answers(site_hn))

    record = final.context["participant"]
    assert record.person != tombstone
    assert record.person.uic_hash == uic_hash(UIC)
    assert record.code not in (world.anna_hn.code, world.anna_ct.code)
    assert record.enrolments.count() == 1 and not record.contacts.exists()
    assert Participant.objects.filter(person=tombstone).count() == 2
    assert Person.objects.filter(uic_hash=uic_hash(UIC)).count() == 1


def test_erasure_on_request_keeps_every_indicator(world, published, admin_user, group_hn):
    before = indicator_snapshot(group_hn)
    services.person_erase(person=world.anna_hn.person, by=admin_user)
    after = indicator_snapshot(group_hn)
    assert [key for key in before if before[key] != after[key]] == []


def test_tombstones_keep_only_what_the_indicators_read(world, admin_user):
    anna = world.anna_hn
    services.person_erase(person=anna.person, by=admin_user)
    tombstone = Participant.objects.get(pk=anna.pk)
    assert (tombstone.sex, tombstone.birth_year, tombstone.category, tombstone.residence) == (
        anna.sex,
        anna.birth_year,
        anna.category,
        anna.residence,
    )
    # Its code names nothing but the row: "X" and its number (the same on both databases).
    assert tombstone.code == f"X{anna.pk}" and tombstone.code != anna.code
    # Its first enrolment date stands for the consent and withdrawal dates.
    assert (tombstone.consent_on.isoformat(), tombstone.withdrawn_on.isoformat()) == (
        "2019-01-10",
        "2019-01-10",
    )
    assert not anna.enrolments.exclude(enrolled_by=None).exists()
    assert not anna.contacts.exclude(recorded_by=None).exists()
    assert (
        not Referral.objects.filter(participant__person=anna.person).exclude(made_by=None).exists()
    )
    # The open referral in Cần Thơ can no longer be followed: it is closed as lost.
    assert list(
        Referral.objects.filter(participant=world.anna_ct).values_list("status", flat=True)
    ) == ["lost"]
    assert not LogEntry.objects.filter(object_repr__contains=anna.code).exists()


def test_erasing_twice_or_without_a_pending_person_is_refused(client_for, world, admin_user):
    services.person_erase(person=world.anna_hn.person, by=admin_user)
    with pytest.raises(ValidationError):
        services.person_erase(person=world.anna_hn.person, by=admin_user)
    client = client_for(admin_user)
    expired = client.post(URL, {"step": "confirm", "confirm": "on"})
    assert expired.status_code == 200
    assert "Phiên xoá đã hết hạn" in expired.content.decode()
    assert ErasureRun.objects.count() == 1


def test_bad_answers_are_refused_without_echo(client_for, admin_user, world):
    response = client_for(admin_user).post(
        URL, {"step": "answers", "mother_name": "Quyên", "birth_date": "2999-01-01"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Nhập tên của cha hoặc đánh dấu" in content
    assert "không được sau ngày hôm nay" in content
    assert "Quyên" not in content
    assert not ActivityEvent.objects.filter(detail__lookup="uic").exists()


def test_a_retention_run_has_no_certificate(client_for, admin_user, world):
    run = services.erase_expired(today=TODAY)
    client = client_for(admin_user)
    assert client.get(reverse("privacy:erasure_certificate", args=[run.pk])).status_code == 404
    register = client.get(reverse("privacy:erasure_list")).content.decode()
    assert "Hết thời hạn lưu trữ" in register and "26" in register
