"""Contacts and referrals carry their participant's person (the reports count people by it,
without joining every event to its participant record): whichever way an event is written —
the form, an import, the offline sync, a bulk write —, its `person` is its participant's."""

import datetime

import pytest
from django.urls import reverse

from participants import services
from participants.models import Contact, carry_persons
from referrals.models import Referral
from tests import factories
from tests.exchange.conftest import reference, run_import, valid_files, write_folder  # noqa: F401
from tests.offline.phone import results, seal, send

pytestmark = pytest.mark.django_db


def mismatches():
    """(table, id) of every event whose person is not its participant's."""
    wrong = []
    for model in (Contact, Referral):
        rows = model.objects.values_list("pk", "person_id", "participant__person_id")
        wrong += [(model.__name__, pk) for pk, own, theirs in rows if own != theirs]
    return wrong


@pytest.fixture
def member(site_hn, group_hn):
    participant = factories.ParticipantFactory(province=site_hn.province.current)
    factories.EnrolmentFactory(participant=participant, site=site_hn, peer_group=group_hn)
    return participant


def test_the_contact_form_sets_the_person(client_for, officer_hn, site_hn, member):
    response = client_for(officer_hn).post(
        reverse("participants:contact_new"),
        {
            "participant_code": member.code,
            "date": "2024-05-02",
            "kind": "outreach",
            "site": str(site_hn.pk),
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.person_id == member.person_id
    assert mismatches() == []


def test_the_offline_sync_sets_the_person(client_for, leader, member, provider_hn):
    contact = seal(
        {"date": "2024-05-03", "kind": "outreach", "participant_code": member.code},
        user=leader,
        kind="contact",
    )
    referral = seal(
        {
            "participant": member.code,
            "date": "2024-05-04",
            "service": "health_check",
            "provider": str(provider_hn.pk),
            "consent_to_share": "on",
        },
        user=leader,
        kind="referral",
    )
    assert results(send(client_for(leader), contact, referral)) == [
        ("accepted", []),
        ("accepted", []),
    ]
    assert Contact.objects.get().person_id == member.person_id
    assert Referral.objects.get().person_id == member.person_id
    assert mismatches() == []


@pytest.mark.usefixtures("reference")
def test_an_import_sets_the_person(tmp_path):
    ok, _out, err = run_import(write_folder(tmp_path, valid_files()))
    assert ok, err
    assert Contact.objects.count() == 3
    assert Referral.objects.count() == 2
    assert mismatches() == []
    # The same person known in two provinces' records is one person on their events.
    assert Contact.objects.values("person").distinct().count() == 2


def test_the_services_and_bulk_writes_set_the_person(site_hn, member):
    referral_participant = factories.ParticipantFactory(province=site_hn.province.current)
    factories.EnrolmentFactory(participant=referral_participant, site=site_hn)
    services.contact_log(
        participant=member, date=datetime.date(2024, 5, 2), site=site_hn, kind="outreach", needs=[]
    )
    events = [
        Contact(
            participant_id=referral_participant.pk,
            date=datetime.date(2024, 5, 3),
            site=site_hn,
            kind="outreach",
        )
    ]
    carry_persons(events)
    Contact.objects.bulk_create(events)
    assert mismatches() == []
    assert Contact.objects.get(participant=referral_participant).person_id == (
        referral_participant.person_id
    )
