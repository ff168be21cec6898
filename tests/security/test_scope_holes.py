"""Holes a wrong scoping rule once slipped through, each pinned by a test whose expected rows are
written by hand: the ministry reads no participant-level record; an officer's import cannot
write at another province's site nor reach another province's participant record; the need
filter of the participant list reads no contact outside the officer's scope; every change to a
contact is in the audit history."""

import datetime
import io
import zipfile

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from exchange import uploads
from exchange.reader import read_directory
from exchange.services import import_exchange
from participants.models import (
    Contact,
    Enrolment,
    EstablishmentAssessment,
    Participant,
    RightsAssessment,
)
from referrals.models import Referral, Support
from tests import factories
from tests.exchange.conftest import HEADERS, write_folder
from tests.urlsweep import one_of_each

pytestmark = pytest.mark.django_db

UIC_CT = "LAHU030795F"  # known in Cần Thơ only
UIC_NEW = "MAXX120288F"  # known nowhere
CASE_MODELS = (
    Participant,
    Enrolment,
    Contact,
    Referral,
    Support,
    RightsAssessment,
    EstablishmentAssessment,
)


@pytest.fixture
def both_provinces(site_hn, group_hn, provider_hn, site_ct, group_ct):
    one_of_each(site=site_hn, group=group_hn, provider=provider_hn)
    one_of_each(site=site_ct, group=group_ct, provider=provider_hn)


@pytest.fixture
def known_in_cantho(cantho, site_ct, group_ct):
    """A Cần Thơ participant (UIC_CT) with one contact there."""
    record = factories.ParticipantFactory(uic=UIC_CT, province=cantho)
    factories.EnrolmentFactory(participant=record, site=site_ct, peer_group=group_ct)
    factories.ContactFactory(participant=record, site=site_ct, peer_group=group_ct)
    return record


# ----- the ministry reads aggregates only -----------------------------------------------------


@pytest.mark.parametrize("model", CASE_MODELS, ids=lambda m: m.__name__)
def test_the_ministry_reads_no_participant_level_record(both_provinces, ministry, model):
    assert model.objects.count() >= 2
    assert list(model.objects.visible_to(ministry)) == []


def test_the_ministry_participant_list_is_empty(both_provinces, ministry):
    from participants.selectors import participant_list

    assert Participant.objects.count() == 2
    assert list(participant_list(user=ministry, filters={})) == []


# ----- imports stay in the officer's province ------------------------------------------------


def import_as(user, tmp_path, files):
    sources, errors = read_directory(write_folder(tmp_path / "in", files))
    return import_exchange(sources=sources, user=user, read_errors=errors)


def rows_of_every_case_model():
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in CASE_MODELS
    }


def test_participant_and_contact_rows_at_another_provinces_site_are_refused(
    officer_hn, site_hn, site_ct, known_in_cantho, tmp_path
):
    before = rows_of_every_case_model()
    result = import_as(
        officer_hn,
        tmp_path,
        {
            "participants": [
                f"{UIC_NEW},sex_worker,female,1995,temporary,2020-03-01,CT-NK-WR,2020-03-01"
            ],
            "contacts": [f"{UIC_CT},2020-04-01,CT-NK-WR,,counselling,legal_aid"],
        },
    )
    refused = {(error.file, error.line, error.column) for error in result.errors}
    assert ("participants.csv", 2, "site") in refused
    assert ("contacts.csv", 2, "site") in refused
    assert not result.ok
    assert rows_of_every_case_model() == before


def test_a_contact_row_cannot_reach_another_provinces_participant_record(
    officer_hn, site_hn, known_in_cantho, tmp_path
):
    """UIC_CT is enrolled in Cần Thơ only: for Hà Nội it is unknown, so a contact at a Hà Nội
    site is refused rather than hung on Cần Thơ's record."""
    before = rows_of_every_case_model()
    result = import_as(
        officer_hn, tmp_path, {"contacts": [f"{UIC_CT},2020-04-01,HN-HM-PG,,counselling,loan"]}
    )
    assert [(error.file, error.line, error.column) for error in result.errors] == [
        ("contacts.csv", 2, "uic")
    ]
    assert rows_of_every_case_model() == before
    assert known_in_cantho.contacts.count() == 1


def test_enrolling_a_person_known_elsewhere_leaves_the_other_provinces_record_alone(
    officer_hn, hanoi, site_hn, known_in_cantho, tmp_path
):
    result = import_as(
        officer_hn,
        tmp_path,
        {"participants": [f"{UIC_CT},other,male,1990,permanent,2020-03-01,HN-HM-PG,2020-03-01"]},
    )
    assert result.ok, [str(error) for error in result.errors]
    cantho_record = Participant.objects.get(pk=known_in_cantho.pk)
    assert (cantho_record.category, cantho_record.residence, cantho_record.birth_year) == (
        "sex_worker",
        "temporary",
        1995,
    )
    hanoi_record = Participant.objects.get(province=hanoi)
    assert (hanoi_record.category, hanoi_record.residence) == ("other", "permanent")
    assert hanoi_record.person_id == known_in_cantho.person_id
    assert hanoi_record.code != known_in_cantho.code
    assert list(
        Enrolment.objects.filter(participant=known_in_cantho).values_list("site__code")
    ) == [("CT-NK-WR",)]


def test_the_browser_import_refuses_another_provinces_site_and_keeps_nothing(
    client_for, officer_hn, site_hn, site_ct, settings, tmp_path
):
    settings.EXCHANGE_UPLOAD_DIR = str(tmp_path / "uploads")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "participants.csv",
            f"{HEADERS['participants']}\n{UIC_NEW},sex_worker,female,1995,temporary,2020-03-01,"
            "CT-NK-WR,2020-03-01\n",
        )
        archive.writestr(
            "contacts.csv", f"{HEADERS['contacts']}\n{UIC_NEW},2020-04-01,CT-NK-WR,,outreach,\n"
        )
    buffer.seek(0)
    buffer.name = "data.zip"
    client = client_for(officer_hn)
    before = rows_of_every_case_model()
    response = client.post(reverse("exchange:import"), {"file": buffer})
    assert response.status_code == 200
    shown = response.context["errors"]
    assert any(line.startswith("participants.csv:2: site:") for line in shown), shown
    assert any(line.startswith("contacts.csv:2: site:") for line in shown), shown
    assert uploads.SESSION_KEY not in client.session
    client.post(reverse("exchange:import"), {"action": "confirm"})
    assert rows_of_every_case_model() == before


# ----- the need filter reads contacts in scope only -------------------------------------------


def codes_listed(client, **query):
    response = client.get(reverse("participants:participant_list"), query)
    assert response.status_code == 200
    return sorted(participant.code for participant in response.context["page"].object_list)


def test_the_need_filter_ignores_another_provinces_contacts(
    client_for, officer_hn, officer_ct, hanoi, site_hn, site_ct, known_in_cantho
):
    """The same person is enrolled in Hà Nội and in Cần Thơ; Cần Thơ recorded a legal-aid need,
    Hà Nội a loan. Hà Nội's list filtered on legal aid is empty."""
    hanoi_record = factories.ParticipantFactory(person=known_in_cantho.person, province=hanoi)
    factories.EnrolmentFactory(participant=hanoi_record, site=site_hn)
    factories.ContactFactory(participant=hanoi_record, site=site_hn, needs=["loan"])
    factories.ContactFactory(
        participant=known_in_cantho, site=site_ct, kind="counselling", needs=["legal_aid"]
    )

    assert codes_listed(client_for(officer_hn), need="legal_aid") == []
    assert codes_listed(client_for(officer_hn), need="loan") == [hanoi_record.code]
    assert codes_listed(client_for(officer_ct), need="legal_aid") == [known_in_cantho.code]
    assert codes_listed(client_for(officer_ct), need="loan") == []


def test_the_need_filter_ignores_a_contact_recorded_at_another_provinces_site(
    client_for, officer_hn, hanoi, site_hn, site_ct
):
    """Even a Hà Nội record with a contact filed at a Cần Thơ site (a row no service writes)
    is not found by that contact's need in Hà Nội's list."""
    record = factories.ParticipantFactory(province=hanoi)
    factories.EnrolmentFactory(participant=record, site=site_hn)
    factories.ContactFactory(participant=record, site=site_hn, needs=["loan"])
    factories.ContactFactory(participant=record, site=site_ct, needs=["shelter"])

    assert codes_listed(client_for(officer_hn), need="shelter") == []
    assert codes_listed(client_for(officer_hn), need="loan") == [record.code]


# ----- every change to a contact is audited ---------------------------------------------------


def contact_history(contact):
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Contact), object_pk=str(contact.pk)
        )
        .order_by("timestamp", "pk")
        .values_list("action", "actor__username")
    )


def test_a_contact_logged_and_corrected_in_the_browser_is_audited(
    client_for, leader, officer_hn, group_hn, site_hn
):
    record = factories.ParticipantFactory(uic=UIC_NEW, province=site_hn.province.current)
    factories.EnrolmentFactory(participant=record, site=site_hn, peer_group=group_hn)
    response = client_for(leader).post(
        reverse("participants:contact_new"),
        {"participant_code": record.code, "date": "2020-05-01", "kind": "outreach"},
    )
    assert response.status_code == 302
    contact = Contact.objects.get(participant=record)
    assert contact_history(contact) == [(LogEntry.Action.CREATE, "leader")]

    edit = reverse("participants:contact_edit", args=[contact.pk])
    for user, needs in ((leader, ["loan"]), (officer_hn, ["loan", "shelter"])):
        response = client_for(user).post(
            edit, {"date": "2020-05-01", "kind": "outreach", "needs": needs}
        )
        assert response.status_code == 302
    contact.refresh_from_db()
    assert sorted(contact.needs) == ["loan", "shelter"]
    assert contact_history(contact) == [
        (LogEntry.Action.CREATE, "leader"),
        (LogEntry.Action.UPDATE, "leader"),
        (LogEntry.Action.UPDATE, "officer_hn"),
    ]


def test_contacts_created_and_changed_by_an_import_are_audited(officer_hn, site_hn, tmp_path):
    files = {
        "participants": [
            f"{UIC_NEW},sex_worker,female,1995,temporary,2020-03-01,HN-HM-PG,2020-03-01"
        ],
        "contacts": [f"{UIC_NEW},2020-04-01,HN-HM-PG,,counselling,loan"],
    }
    assert import_as(officer_hn, tmp_path / "first", files).ok
    contact = Contact.objects.get(site=site_hn, date=datetime.date(2020, 4, 1))
    assert contact_history(contact) == [(LogEntry.Action.CREATE, "officer_hn")]

    files["contacts"] = [f"{UIC_NEW},2020-04-01,HN-HM-PG,,counselling,loan;shelter"]
    assert import_as(officer_hn, tmp_path / "second", files).ok
    assert contact_history(contact) == [
        (LogEntry.Action.CREATE, "officer_hn"),
        (LogEntry.Action.UPDATE, "officer_hn"),
    ]
    # Each field before and after, as the per-record signals write them.
    update = LogEntry.objects.get_for_object(contact).get(action=LogEntry.Action.UPDATE)
    assert update.changes == {"needs": ["['loan']", "['loan', 'shelter']"]}
    assert update.object_repr == f"{Contact._meta.verbose_name} #{contact.pk}"
    created = LogEntry.objects.get_for_object(contact).get(action=LogEntry.Action.CREATE)
    assert created.changes["date"] == ["None", "2020-04-01"]
    assert created.timestamp is not None
