"""The endpoint a phone's queue sends to: each item is opened with the server's private key and
handed to the same form and service as its page, recorded once by the id the phone made, and
answered with the first result when sent again; refusals come back with their reasons; nothing
the phone encrypted is kept or logged."""

import datetime
import hashlib
import hmac
import json
import logging
import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.views.debug import ExceptionReporter

from offline.models import Submission
from participants import services as participant_services
from participants.models import Contact, Participant
from referrals.models import Referral
from tests import factories
from tests.participants.helpers import FATHER, MOTHER, UIC, assert_no_secret

from .phone import results, seal, send, server_public_key

pytestmark = pytest.mark.django_db

CONTACT = {"date": "2024-05-03", "kind": "outreach", "needs": ["health_check", "loan"]}
ANSWERS = {
    "mother_name": MOTHER,
    "father_name": FATHER,
    "birth_date": "1995-07-03",
    "sex": "female",
}
ENROLMENT = {
    **ANSWERS,
    "step": "answers",
    "category": "sex_worker",
    "residence": "temporary",
    "enrolled_on": "2024-05-02",
    "consent": "on",
    "consent_on": "2024-05-02",
}


def enrolled(site, group):
    participant = factories.ParticipantFactory(province=site.province.current)
    factories.EnrolmentFactory(participant=participant, site=site, peer_group=group)
    return participant


def test_a_contact_is_recorded_as_the_contact_form_records_it(client_for, leader, member, group_hn):
    item = seal({**CONTACT, "participant_code": member.code}, user=leader, kind="contact")
    response = send(client_for(leader), item)
    assert response.json() == {
        "results": [
            {
                "id": item["id"],
                "status": "accepted",
                "errors": [],
                "person": member.code,
                "retry": False,
            }
        ]
    }
    contact = Contact.objects.get()
    assert (contact.participant, contact.date, contact.site, contact.peer_group) == (
        member,
        datetime.date(2024, 5, 3),
        group_hn.site,
        group_hn,
    )
    assert (contact.kind, contact.needs, contact.recorded_by) == (
        "outreach",
        ["health_check", "loan"],
        leader,
    )
    submission = Submission.objects.get()
    assert (submission.client_id, submission.user, submission.kind, submission.status) == (
        uuid.UUID(item["id"]),
        leader,
        "contact",
        "accepted",
    )
    assert (submission.object_id, submission.code, submission.errors) == (
        contact.pk,
        member.code,
        [],
    )


def test_an_item_sent_again_gets_its_first_result_and_writes_nothing(
    client_for, leader, member, site_hn, group_hn
):
    client = client_for(leader)
    item = seal({**CONTACT, "participant_code": member.code}, user=leader, kind="contact")
    first = send(client, item).json()
    # The answer was lost on the way: the phone sends the same item again, with a new one.
    other = enrolled(site_hn, group_hn)
    new = seal({**CONTACT, "participant_code": other.code}, user=leader, kind="contact")
    again = send(client, item, new).json()
    assert again["results"][0] == first["results"][0]
    assert again["results"][1] == {
        "id": new["id"],
        "status": "accepted",
        "errors": [],
        "person": other.code,
        "retry": False,
    }
    assert sorted(Contact.objects.values_list("participant__code", flat=True)) == sorted(
        [member.code, other.code]
    )
    assert Submission.objects.count() == 2


def test_an_enrolment_then_a_contact_by_the_same_answers(client_for, leader, group_hn):
    enrolment = seal(ENROLMENT, user=leader, kind="enrolment")
    contact = seal({**ANSWERS, **CONTACT}, user=leader, kind="contact")
    assert results(send(client_for(leader), enrolment, contact)) == [
        ("accepted", []),
        ("accepted", []),
    ]
    participant = Participant.objects.get()
    digest = hmac.new(settings.UIC_SECRET.encode(), UIC.encode(), hashlib.sha256).hexdigest()
    assert participant.person.uic_hash == digest
    assert (participant.category, participant.sex, participant.birth_year) == (
        "sex_worker",
        "female",
        1995,
    )
    assert (participant.residence, participant.consent_on) == (
        "temporary",
        datetime.date(2024, 5, 2),
    )
    enrolment_row = participant.enrolments.get()
    assert (enrolment_row.site, enrolment_row.peer_group, enrolment_row.enrolled_by) == (
        group_hn.site,
        group_hn,
        leader,
    )
    assert Contact.objects.get().participant == participant
    assert set(Submission.objects.values_list("code", flat=True)) == {participant.code}
    kept = json.dumps(list(Submission.objects.values()), default=str, ensure_ascii=False)
    assert_no_secret(kept)
    assert "1995-07-03" not in kept


NEW_PERSON = {"category": "sex_worker", "residence": "none", "consent": "on"}


def test_a_new_person_through_the_contact_form_is_enrolled_with_the_contact(
    client_for, leader, site_hn, group_hn
):
    """Offline, the contact form asks the new-person step's questions too: the server enrols
    the person at the contact's site on the contact's day, and logs the contact, once."""
    client = client_for(leader)
    first = seal(
        {**ANSWERS, **CONTACT, **NEW_PERSON, "consent_on": "2024-05-03"},
        user=leader,
        kind="contact",
    )
    # Met again the next day, the same answers and questions: the person is found, not enrolled
    # a second time.
    again = seal(
        {**ANSWERS, **CONTACT, **NEW_PERSON, "date": "2024-05-04", "consent_on": "2024-05-04"},
        user=leader,
        kind="contact",
    )
    answer = send(client, first, again).json()["results"]
    participant = Participant.objects.get()
    assert [(r["status"], r["errors"], r["person"]) for r in answer] == [
        ("accepted", [], participant.code),
        ("accepted", [], participant.code),
    ]
    assert (participant.category, participant.residence, participant.sex) == (
        "sex_worker",
        "none",
        "female",
    )
    assert (participant.birth_year, participant.consent_on) == (1995, datetime.date(2024, 5, 3))
    enrolment = participant.enrolments.get()
    assert (enrolment.site, enrolment.peer_group, enrolment.enrolled_on) == (
        site_hn,
        group_hn,
        datetime.date(2024, 5, 3),
    )
    assert sorted(participant.contacts.values_list("date", flat=True)) == [
        datetime.date(2024, 5, 3),
        datetime.date(2024, 5, 4),
    ]
    assert list(Submission.objects.values_list("code", flat=True)) == [participant.code] * 2
    # Sent again (the answer was lost): the first result, nothing written twice.
    assert send(client, first).json()["results"][0]["status"] == "accepted"
    assert (Participant.objects.count(), Contact.objects.count()) == (1, 2)


def test_a_new_person_without_the_enrolment_is_refused_naming_the_answers_code(client_for, leader):
    """The answers find nobody and the item has no enrolment (a page from before): refused,
    the phone told whom it is about (the code the answers make) and what to do; it may be sent
    again once the person is enrolled. The code goes back to the phone only."""
    item = seal({**ANSWERS, **CONTACT}, user=leader, kind="contact")
    answer = send(client_for(leader), item).json()["results"][0]
    assert (answer["status"], answer["person"], answer["retry"]) == ("refused", UIC, True)
    assert answer["errors"] == [
        "Không có ai với các câu trả lời này trong danh sách của bạn, và mục này không có phần "
        "ghi danh người mới (chưa đánh dấu người tham gia đồng ý). Hãy ghi danh người này (trang "
        "Ghi danh), rồi bấm “Gửi lại”."
    ]
    assert (Participant.objects.count(), Contact.objects.count()) == (0, 0)
    submission = Submission.objects.get()
    assert UIC not in json.dumps([submission.code, submission.errors])


def test_a_refusal_nothing_can_lift_is_not_offered_again(client_for, leader, member, site_hn):
    factories.ContactFactory(participant=member, date=datetime.date(2024, 5, 3), site=site_hn)
    twice = seal({**CONTACT, "participant_code": member.code}, user=leader, kind="contact")
    consent_later = seal(
        {**ANSWERS, **CONTACT, **NEW_PERSON, "consent_on": "2024-05-09"},
        user=leader,
        kind="contact",
    )
    unreadable = {**seal(CONTACT, user=leader, kind="contact"), "iv": "AAAAAAAAAAAAAAAA"}
    answer = send(client_for(leader), twice, consent_later, unreadable).json()["results"]
    assert [(r["status"], r["person"], r["retry"]) for r in answer] == [
        ("refused", member.code, False),
        ("refused", UIC, False),
        ("refused", "", False),
    ]
    assert answer[1]["errors"] == [
        "Ngày đồng ý tham gia: Ngày đồng ý tham gia không được sau ngày ghi danh."
    ]
    assert Participant.objects.count() == 1


def test_the_same_answers_enrolled_twice_give_one_participant(client_for, leader):
    client = client_for(leader)
    first = seal(ENROLMENT, user=leader, kind="enrolment")
    second = seal(ENROLMENT, user=leader, kind="enrolment")
    assert results(send(client, first, second)) == [("accepted", []), ("accepted", [])]
    assert Participant.objects.count() == 1
    assert set(Submission.objects.values_list("object_id", flat=True)) == {
        Participant.objects.get().pk
    }


def test_conflicts_come_back_with_their_reasons_and_the_rest_is_recorded(
    client_for, leader, member, site_hn, group_hn, site_ct
):
    withdrawn = enrolled(site_hn, group_hn)
    Participant.objects.filter(pk=withdrawn.pk).update(withdrawn_on=datetime.date(2024, 5, 1))
    factories.ContactFactory(
        participant=member, date=datetime.date(2024, 5, 3), site=site_hn, peer_group=group_hn
    )
    stranger = enrolled(site_ct, None)
    items = [
        seal({**CONTACT, "participant_code": code}, user=leader, kind="contact")
        for code in (withdrawn.code, member.code, stranger.code)
    ]
    items.append(
        seal(
            {**CONTACT, "kind": "counselling", "participant_code": member.code},
            user=leader,
            kind="contact",
        )
    )
    outcome = results(send(client_for(leader), *items))
    assert [status for status, _errors in outcome] == ["refused", "refused", "refused", "accepted"]
    assert "đã rút khỏi chương trình" in outcome[0][1][0]
    assert outcome[0][1][0].startswith("Mã người tham gia: ")
    assert "đã được ghi nhận trước đó" in outcome[1][1][0]
    assert "Không tìm thấy người tham gia này" in outcome[2][1][0]
    assert member.contacts.filter(kind="counselling").count() == 1
    assert Contact.objects.count() == 2  # the one made before, and the counselling
    refused = {s.client_id: s for s in Submission.objects.filter(status="refused")}
    # The leader is told whom a refusal is about, when it is someone they may see.
    assert [refused[uuid.UUID(item["id"])].code for item in items[:3]] == [
        withdrawn.code,
        member.code,
        "",
    ]
    assert all(s.object_id is None and s.errors for s in refused.values())


def test_a_refused_item_sent_again_is_tried_again(client_for, leader, site_hn, group_hn):
    client = client_for(leader)
    newcomer = factories.ParticipantFactory(province=site_hn.province.current)
    item = seal({**CONTACT, "participant_code": newcomer.code}, user=leader, kind="contact")
    assert results(send(client, item))[0][0] == "refused"
    # Put right meanwhile: the group enrols the person.
    factories.EnrolmentFactory(participant=newcomer, site=site_hn, peer_group=group_hn)
    assert results(send(client, item)) == [("accepted", [])]
    submission = Submission.objects.get()
    assert (submission.status, submission.object_id, submission.errors) == (
        "accepted",
        Contact.objects.get().pk,
        [],
    )


def test_an_item_whose_writes_keep_colliding_gets_its_stored_result(
    client_for, leader, site_hn, monkeypatch
):
    """Two requests writing the same item at the same moment: after two collisions the answer
    is the result stored for the id (here its earlier refusal, with its reasons; a refusal's
    record keeps no display code, so this answer names nobody), and nothing more is written."""
    from django.db import IntegrityError

    client = client_for(leader)
    newcomer = factories.ParticipantFactory(province=site_hn.province.current)
    item = seal({**CONTACT, "participant_code": newcomer.code}, user=leader, kind="contact")
    first = send(client, item).json()["results"][0]
    assert (first["status"], first["person"]) == ("refused", newcomer.code)

    def collides(**kwargs):
        raise IntegrityError("duplicate key")

    monkeypatch.setattr("offline.services._record", collides)
    again = send(client, item).json()["results"][0]
    assert again == {**first, "person": "", "retry": False}
    assert (Submission.objects.get().status, Contact.objects.count()) == ("refused", 0)


def test_an_officers_item_names_the_site_in_their_province(
    client_for, officer_hn, member, site_hn, site_ct
):
    client = client_for(officer_hn)
    here = seal(
        {**CONTACT, "participant_code": member.code, "site": site_hn.pk},
        user=officer_hn,
        kind="contact",
    )
    there = seal(
        {**CONTACT, "participant_code": member.code, "site": site_ct.pk},
        user=officer_hn,
        kind="contact",
    )
    outcome = results(send(client, here, there))
    assert outcome[0] == ("accepted", [])
    assert outcome[1][0] == "refused"
    assert Contact.objects.get().site == site_hn


def test_a_referral_is_recorded_as_the_referral_form_records_it(
    client_for, leader, member, group_hn, provider_hn
):
    fields = {
        "participant": member.code,
        "date": "2024-05-04",
        "service": "health_check",
        "provider": str(provider_hn.pk),
    }
    client = client_for(leader)
    without_consent = seal(fields, user=leader, kind="referral")
    with_consent = seal({**fields, "consent_to_share": "on"}, user=leader, kind="referral")
    outcome = results(send(client, without_consent, with_consent))
    assert outcome[0][0] == "refused" and "đồng ý" in outcome[0][1][0]
    assert outcome[1] == ("accepted", [])
    referral = Referral.objects.get()
    assert (referral.participant, referral.date, referral.service, referral.provider) == (
        member,
        datetime.date(2024, 5, 4),
        "health_check",
        provider_hn,
    )
    assert (referral.site, referral.peer_group, referral.made_by) == (
        group_hn.site,
        group_hn,
        leader,
    )


def test_an_item_sealed_for_another_user_cannot_be_opened(client_for, leader, officer_hn, member):
    item = seal(
        {**CONTACT, "participant_code": member.code},
        user=leader,
        kind="contact",
        aad_user=officer_hn,
    )
    outcome = results(send(client_for(leader), item))
    assert outcome[0][0] == "refused" and "Không đọc được mục này" in outcome[0][1][0]
    assert Contact.objects.count() == 0


def test_an_id_another_user_sent_is_refused_without_their_result(
    client_for, leader, officer_hn, member, site_hn
):
    item = seal({**CONTACT, "participant_code": member.code}, user=leader, kind="contact")
    assert results(send(client_for(leader), item)) == [("accepted", [])]
    copy = seal(
        {**CONTACT, "kind": "counselling", "participant_code": member.code, "site": site_hn.pk},
        user=officer_hn,
        kind="contact",
        client_id=uuid.UUID(item["id"]),
    )
    outcome = results(send(client_for(officer_hn), copy))
    assert outcome[0][0] == "refused" and "đã được dùng" in outcome[0][1][0]
    assert Contact.objects.get().kind == "outreach"
    assert Submission.objects.get().user == leader


@pytest.mark.parametrize("part", ["data", "key", "iv"])
def test_a_tampered_item_is_refused(client_for, leader, member, part):
    item = seal({**CONTACT, "participant_code": member.code}, user=leader, kind="contact")
    value = item[part]
    item[part] = ("B" if value[0] == "A" else "A") + value[1:]
    outcome = results(send(client_for(leader), item))
    assert outcome[0][0] == "refused" and "Không đọc được mục này" in outcome[0][1][0]
    assert Contact.objects.count() == 0


def test_items_sealed_before_a_change_of_key_still_open_while_the_old_key_is_kept(
    client_for, leader, member, settings
):
    old_pem = settings.OFFLINE_PRIVATE_KEY
    item = seal({**CONTACT, "participant_code": member.code}, user=leader, kind="contact")
    new_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    new_pem = new_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    client = client_for(leader)

    settings.OFFLINE_PRIVATE_KEY = new_pem
    outcome = results(send(client, item))
    assert outcome[0][0] == "refused" and "khoá máy chủ không còn dùng" in outcome[0][1][0]

    settings.OFFLINE_PRIVATE_KEY = new_pem + "\n" + old_pem
    assert results(send(client, item)) == [("accepted", [])]
    # New items are sealed with the new key: the pages hand it out.
    page = client.get(reverse("participants:contact_new")).content.decode()
    der = new_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert f'data-key="{__import__("base64").b64encode(der).decode()}"' in page
    assert server_public_key(new_pem).public_numbers() == new_key.public_key().public_numbers()


# Named cases, and the same in every process: pytest-xdist's workers must collect the same ids
# (random UUIDs in a case's id made each worker's different).
@pytest.mark.parametrize(
    "body",
    [
        pytest.param("not json", id="not-json"),
        pytest.param("{}", id="no-items"),
        pytest.param('{"items": []}', id="empty"),
        pytest.param('{"items": "x"}', id="not-a-list"),
        pytest.param('{"items": [{"id": "not-a-uuid"}]}', id="not-a-uuid"),
        pytest.param(
            json.dumps({"items": [{"id": "9b7b3e1e-6f1e-4a43-9d55-0b8f7a1c2d3e"}] * 2}),
            id="same-id-twice",
        ),
        pytest.param(
            json.dumps({"items": [{"id": str(uuid.UUID(int=n))} for n in range(1, 52)]}),
            id="51-items",
        ),
    ],
)
def test_what_is_not_a_batch_of_items_is_refused_whole(client_for, leader, body):
    response = client_for(leader).post(
        reverse("offline:sync"), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]
    assert Submission.objects.count() == 0


def test_an_item_of_an_unknown_kind_is_refused(client_for, leader, member):
    item = seal({**CONTACT, "participant_code": member.code}, user=leader, kind="support")
    assert results(send(client_for(leader), item)) == [("refused", ["Loại mục không hợp lệ."])]
    assert Submission.objects.count() == 0 and Contact.objects.count() == 0


def test_sending_needs_the_csrf_token_that_the_get_hands_out(leader, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(leader)
    item = seal({**CONTACT, "participant_code": member.code}, user=leader, kind="contact")
    assert send(client, item).status_code == 403
    session = client.get(reverse("offline:sync")).json()
    assert session["user"] == leader.pk
    response = client.post(
        reverse("offline:sync"),
        json.dumps({"items": [item]}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=session["csrf"],
    )
    assert results(response) == [("accepted", [])]


def test_a_phone_whose_session_ended_is_sent_to_sign_in(client, leader, member):
    item = seal({**CONTACT, "participant_code": member.code}, user=leader, kind="contact")
    for response in (client.get(reverse("offline:sync")), send(client, item)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert Contact.objects.count() == 0


def test_a_crash_while_recording_leaks_no_answer(client, leader, group_hn, monkeypatch, caplog):
    client.force_login(leader)
    item = seal(ENROLMENT, user=leader, kind="enrolment")

    def boom(peer_group, site):
        raise RuntimeError("database went away")

    monkeypatch.setattr(participant_services, "check_peer_group", boom)
    client.raise_request_exception = False
    caplog.set_level(logging.DEBUG)
    response = send(client, item)
    assert response.status_code == 500
    assert_no_secret(response.content.decode())
    assert_no_secret(caplog.text)
    record = next(r for r in caplog.records if r.exc_info)
    report = ExceptionReporter(record.request, *record.exc_info).get_traceback_text()
    assert "database went away" in report
    assert_no_secret(report)
    assert "1995-07-03" not in report
    assert Participant.objects.count() == 0 and Submission.objects.count() == 0


def test_queries_per_item_do_not_grow_with_the_batch(
    client_for, leader, site_hn, group_hn, django_assert_max_num_queries
):
    client = client_for(leader)
    people = [enrolled(site_hn, group_hn) for _ in range(6)]

    def batch(group):
        return [
            seal({**CONTACT, "participant_code": p.code}, user=leader, kind="contact")
            for p in group
        ]

    one, five = batch(people[:1]), batch(people[1:])
    with django_assert_max_num_queries(40) as captured:
        send(client, *one)
    per_item = len(captured)
    with django_assert_max_num_queries(5 * per_item):
        send(client, *five)
    assert Contact.objects.count() == 6
