"""The phone flow of a peer leader: a person looked up by their answers and not found is enrolled
from the contact form with nothing typed twice, the contact is saved with them, and each need
ticked becomes a referral, pre-filled; contacts are corrected by whoever recorded them while the
period is open, audited; answers that found someone are kept on the server when another field
is wrong."""

import datetime
import re

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from accounts.models import ActivityEvent
from participants.models import Contact, Enrolment, Participant
from participants.uic import uic_hash
from periods.models import ReportingPeriod, Submission
from referrals.models import Referral
from tests import factories

from .helpers import FATHER, MOTHER, UIC, assert_no_secret

pytestmark = pytest.mark.django_db

NAMES = (MOTHER, FATHER, "Quyên", "Khôi")
DAY = "2024-05-03"


def contact_data(**extra):
    return {
        "mother_name": MOTHER,
        "father_name": FATHER,
        "birth_date": "1995-07-03",
        "sex": "female",
        "date": DAY,
        "kind": "outreach",
        "needs": ["health_check", "legal_aid"],
        "refer_now": "on",
        **extra,
    }


@pytest.fixture
def providers(hanoi, cantho):
    """Legal aid: one in Cần Thơ (alphabetically first), two in Hà Nội, of which only the
    second takes people without permanent residence. Health checks: the Hà Nội provider."""
    return {
        "ct": factories.ProviderFactory(
            name="An Giang pháp lý", province=cantho, services=["legal_aid"]
        ),
        "hn_strict": factories.ProviderFactory(
            name="Hà Nội pháp lý A",
            services=["legal_aid"],
            accepts_without_residence=False,
        ),
        "hn_open": factories.ProviderFactory(name="Hà Nội pháp lý B", services=["legal_aid"]),
        "health": factories.ProviderFactory(name="Trạm y tế", services=["health_check"]),
    }


def test_a_new_person_is_enrolled_contacted_and_referred_per_need(
    client_for, leader, group_hn, providers
):
    client = client_for(leader)
    first = client.post(reverse("participants:contact_new"), contact_data())
    assert first["Location"] == reverse("participants:contact_enrol")
    assert Participant.objects.count() == 0 and Contact.objects.count() == 0

    # The enrolment step asks only what the contact form did not, and shows no name or UIC.
    page = client.get(first["Location"]).content.decode()
    assert "Nữ · 1995" in page and "03/05/2024" in page and "Trợ giúp pháp lý" in page
    assert_no_secret(page, (*NAMES, UIC))
    for asked in ('name="category"', 'name="residence"', 'name="consent"', 'name="consent_on"'):
        assert asked in page
    for not_asked in ("mother_name", "birth_date", 'name="date"', 'name="enrolled_on"'):
        assert not_asked not in page

    done = client.post(
        first["Location"],
        {"category": "sex_worker", "residence": "none", "consent": "on", "consent_on": DAY},
    )
    participant = Participant.objects.get()
    assert participant.person.uic_hash == uic_hash(UIC)
    assert (participant.sex, participant.birth_year, participant.residence) == (
        "female",
        1995,
        "none",
    )
    enrolment = Enrolment.objects.get()
    assert (enrolment.site, enrolment.peer_group, enrolment.enrolled_on) == (
        group_hn.site,
        group_hn,
        datetime.date(2024, 5, 3),
    )
    contact = Contact.objects.get()
    assert (contact.participant, contact.kind, contact.needs, contact.recorded_by) == (
        participant,
        "outreach",
        ["health_check", "legal_aid"],
        leader,
    )
    assert done["Location"] == f"/referrals/new/contact/{contact.pk}/"

    # One block per need: the province's providers first, the first that takes a person
    # without permanent residence chosen.
    form = client.get(done["Location"]).context["form"]
    legal = list(form.fields["provider_legal_aid"].queryset)
    assert legal == [providers["hn_strict"], providers["hn_open"], providers["ct"]]
    assert form.fields["provider_legal_aid"].initial == providers["hn_open"].pk
    assert form.fields["provider_health_check"].initial == providers["health"].pk
    body = client.get(done["Location"]).content.decode()
    assert "Hà Nội pháp lý A ⚠ không nhận người không có hộ khẩu thường trú" in body
    assert "An Giang pháp lý · Cần Thơ" in body

    saved = client.post(
        done["Location"],
        {
            "refer_health_check": "on",
            "provider_health_check": providers["health"].pk,
            "refer_legal_aid": "on",
            "provider_legal_aid": providers["hn_open"].pk,
            "consent_to_share": "on",
        },
    )
    assert saved["Location"] == reverse("participants:participant_detail", args=[participant.pk])
    assert sorted(
        Referral.objects.values_list("service", "provider__name", "date", "peer_group", "site")
    ) == [
        ("health_check", "Trạm y tế", datetime.date(2024, 5, 3), group_hn.pk, group_hn.site.pk),
        ("legal_aid", "Hà Nội pháp lý B", datetime.date(2024, 5, 3), group_hn.pk, group_hn.site.pk),
    ]
    # Referred needs are shown as done when the page is opened again.
    again = client.get(done["Location"]).context["form"]
    assert [row["done"] for row in again.rows] == [True, True]


def test_referrals_per_need_are_all_or_nothing(client_for, leader, leader_ct, group_hn, providers):
    participant = factories.ParticipantFactory(residence="permanent")
    factories.EnrolmentFactory(participant=participant, site=group_hn.site, peer_group=group_hn)
    contact = factories.ContactFactory(
        participant=participant,
        site=group_hn.site,
        peer_group=group_hn,
        date=datetime.date(2024, 5, 3),
        needs=["health_check", "legal_aid"],
    )
    client = client_for(leader)
    url = reverse("referrals:referral_needs", args=[contact.pk])
    # No consent: nothing saved, the choices kept.
    response = client.post(
        url,
        {
            "refer_health_check": "on",
            "provider_health_check": providers["health"].pk,
            "refer_legal_aid": "on",
            "provider_legal_aid": providers["ct"].pk,
        },
    )
    assert "Hãy hỏi và đánh dấu sự đồng ý" in response.content.decode()
    assert Referral.objects.count() == 0
    # A provider that does not give the service: an error beside it, nothing saved.
    response = client.post(
        url,
        {
            "refer_health_check": "on",
            "provider_health_check": providers["hn_open"].pk,
            "refer_legal_aid": "on",
            "provider_legal_aid": providers["ct"].pk,
            "consent_to_share": "on",
        },
    )
    assert "Cơ sở dịch vụ này không cung cấp dịch vụ đã chọn." in response.content.decode()
    assert Referral.objects.count() == 0
    # One need left out: only the other is referred.
    client.post(
        url,
        {
            "refer_legal_aid": "on",
            "provider_legal_aid": providers["ct"].pk,
            "consent_to_share": "on",
        },
    )
    assert list(Referral.objects.values_list("service", "provider")) == [
        ("legal_aid", providers["ct"].pk)
    ]
    # Another group's leader cannot open it.
    assert client_for(leader_ct).get(url).status_code == 404


def test_the_enrolment_step_keeps_everything_on_error(client_for, leader, group_hn):
    client = client_for(leader)
    enrol = client.post(reverse("participants:contact_new"), contact_data())["Location"]
    response = client.post(enrol, {"category": "establishment_worker", "residence": "temporary"})
    body = response.content.decode()
    assert "Cần có sự đồng ý của người tham gia trước khi ghi danh." in body
    chosen = re.search(r'<input[^>]*value="establishment_worker"[^>]*>', body).group(0)
    assert "checked" in chosen, chosen
    assert_no_secret(body, (*NAMES, UIC))
    assert Participant.objects.count() == 0 and Contact.objects.count() == 0
    client.post(
        enrol,
        {
            "category": "establishment_worker",
            "residence": "temporary",
            "consent": "on",
            "consent_on": DAY,
        },
    )
    assert Participant.objects.get().category == "establishment_worker"
    assert Contact.objects.get().needs == ["health_check", "legal_aid"]
    # The step is gone once used: back to the contact form.
    assert client.get(enrol)["Location"] == reverse("participants:contact_new")


def test_right_answers_are_kept_when_another_field_is_wrong(client_for, leader, group_hn):
    member = factories.ParticipantFactory(uic=UIC)
    factories.EnrolmentFactory(participant=member, site=group_hn.site, peer_group=group_hn)
    client = client_for(leader)
    response = client.post(
        reverse("participants:contact_new"), contact_data(date="2999-01-01", refer_now="")
    )
    body = response.content.decode()
    assert "Ngày tiếp cận không được sau ngày hôm nay." in body
    assert 'data-testid="answers-kept"' in body and "Nữ, sinh năm 1995" in body
    assert_no_secret(body, (*NAMES, UIC))
    # Sent again without the answers: the kept ones find the person.
    client.post(
        reverse("participants:contact_new"),
        {"keep_answers": "1", "date": DAY, "kind": "counselling", "needs": ["loan"]},
    )
    contact = Contact.objects.get()
    assert (contact.participant, contact.kind, contact.needs) == (member, "counselling", ["loan"])
    # Once used, the kept answers are gone: `keep_answers` alone finds nobody.
    response = client.post(
        reverse("participants:contact_new"),
        {"keep_answers": "1", "date": DAY, "kind": "outreach"},
    )
    assert "Nhập mã người tham gia (P-…) hoặc trả lời các câu hỏi UIC." in response.text
    assert Contact.objects.count() == 1


def test_whoever_recorded_a_contact_corrects_it_and_it_is_audited(
    client_for, leader, officer_hn, officer_ct, group_hn
):
    member = factories.ParticipantFactory()
    factories.EnrolmentFactory(participant=member, site=group_hn.site, peer_group=group_hn)
    client = client_for(leader)
    client.post(
        reverse("participants:contact_new"),
        {"participant_code": member.code, "date": DAY, "kind": "outreach", "needs": ["loan"]},
    )
    contact = Contact.objects.get()
    url = reverse("participants:contact_edit", args=[contact.pk])
    response = client.post(
        url, {"date": "2024-05-02", "kind": "counselling", "needs": ["loan", "shelter"]}
    )
    assert response["Location"] == reverse("participants:contact_done", args=[contact.pk])
    contact.refresh_from_db()
    assert (contact.date, contact.kind, contact.needs, contact.version) == (
        datetime.date(2024, 5, 2),
        "counselling",
        ["loan", "shelter"],
        1,
    )
    change = LogEntry.objects.get_for_object(contact).filter(action=LogEntry.Action.UPDATE).get()
    assert change.actor == leader
    assert set(change.changes_dict) >= {"date", "kind", "needs"}
    # The officer of the province may correct it; another province's officer cannot see it.
    assert client_for(officer_hn).get(url).status_code == 200
    assert client_for(officer_ct).get(url).status_code == 404
    # A leader of the same group who did not record it may not.
    colleague = factories.UserFactory(username="leader2", role="peer_leader", peer_group=group_hn)
    assert client_for(colleague).get(url).status_code == 403


def test_a_correction_is_refused_once_the_period_is_approved(client_for, leader, hanoi, group_hn):
    member = factories.ParticipantFactory()
    factories.EnrolmentFactory(participant=member, site=group_hn.site, peer_group=group_hn)
    contact = factories.ContactFactory(
        participant=member,
        site=group_hn.site,
        peer_group=group_hn,
        date=datetime.date(2024, 2, 10),
        recorded_by=leader,
    )
    Submission.objects.create(
        period=ReportingPeriod.objects.get(code="2024Q1"),
        province=hanoi,
        status=Submission.Status.APPROVED,
    )
    response = client_for(leader).post(
        reverse("participants:contact_edit", args=[contact.pk]),
        {"date": "2024-02-10", "kind": "counselling", "needs": []},
    )
    assert "đã được Bộ phê duyệt và khoá" in response.content.decode()
    contact.refresh_from_db()
    assert (contact.kind, contact.version) == ("outreach", 0)
    # Nor can a contact of an open period be moved into the approved one.
    later = factories.ContactFactory(
        participant=member,
        site=group_hn.site,
        peer_group=group_hn,
        date=datetime.date(2024, 4, 10),
        recorded_by=leader,
    )
    response = client_for(leader).post(
        reverse("participants:contact_edit", args=[later.pk]),
        {"date": "2024-03-30", "kind": "outreach", "needs": []},
    )
    assert "đã được Bộ phê duyệt và khoá" in response.content.decode()
    later.refresh_from_db()
    assert (later.date, later.version) == (datetime.date(2024, 4, 10), 0)


def lookups(user):
    return ActivityEvent.objects.filter(user=user, detail__lookup="uic").count()


def test_the_contact_form_asks_whether_the_answers_find_anyone(client_for, leader, group_hn):
    client = client_for(leader)
    url = reverse("participants:contact_lookup")
    assert client.get(url).status_code == 405
    # Nothing to look up yet, or a display code typed: not a new person.
    assert client.post(url, {}).json() == {"new": False}
    assert client.post(url, contact_data(participant_code="P-1234567")).json() == {"new": False}
    # Answers that find nobody in the leader's list: new; the reply says nothing else.
    response = client.post(url, contact_data())
    assert response.json() == {"new": True}
    assert_no_secret(response.content.decode(), (*NAMES, UIC))
    assert lookups(leader) == 1
    # Someone with these answers in the group: not new.
    participant = factories.ParticipantFactory(uic=UIC)
    factories.EnrolmentFactory(participant=participant, site=group_hn.site, peer_group=group_hn)
    assert client.post(url, contact_data()).json() == {"new": False}
    assert lookups(leader) == 2
    assert Participant.objects.count() == 1 and Contact.objects.count() == 0


def test_a_new_person_is_enrolled_from_the_contact_form_itself(client_for, leader, group_hn):
    client = client_for(leader)
    assert client.post(reverse("participants:contact_lookup"), contact_data()).json() == {
        "new": True
    }
    enrolment = {
        "new_person": "1",
        "category": "sex_worker",
        "residence": "none",
        "consent": "on",
        "consent_on": DAY,
    }
    saved = client.post(reverse("participants:contact_new"), contact_data(**enrolment))
    participant = Participant.objects.get()
    assert participant.person.uic_hash == uic_hash(UIC)
    assert (participant.residence, participant.enrolments.get().peer_group) == ("none", group_hn)
    contact = Contact.objects.get()
    assert (contact.participant, contact.needs) == (participant, ["health_check", "legal_aid"])
    assert saved["Location"] == f"/referrals/new/contact/{contact.pk}/"
    # The look-up of the page and the saving are one look-up in the activity log.
    assert lookups(leader) == 1


def test_the_contact_forms_enrolment_questions_keep_what_was_chosen_on_error(
    client_for, leader, group_hn
):
    client = client_for(leader)
    # Asked on the page but not answered (no consent, no residence): the next step asks them.
    skipped = client.post(
        reverse("participants:contact_new"),
        contact_data(new_person="1", category="sex_worker", consent_on=DAY),
    )
    assert skipped["Location"] == reverse("participants:contact_enrol")
    # Answered in part: the new-person step with the error beside the box and the choice kept;
    # it posts to the step's own address, where the contact waits.
    response = client.post(
        reverse("participants:contact_new"),
        contact_data(new_person="1", category="sex_worker", residence="temporary"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Cần có sự đồng ý của người tham gia trước khi ghi danh." in body
    assert f'action="{reverse("participants:contact_enrol")}"' in body
    chosen = re.search(r'<input[^>]*value="temporary"[^>]*>', body).group(0)
    assert "checked" in chosen, chosen
    assert_no_secret(body, (*NAMES, UIC))
    assert Participant.objects.count() == 0 and Contact.objects.count() == 0
    client.post(
        reverse("participants:contact_enrol"),
        {"category": "sex_worker", "residence": "temporary", "consent": "on", "consent_on": DAY},
    )
    assert Participant.objects.get().residence == "temporary"
    assert Contact.objects.count() == 1


def test_pages_are_compressed_for_slow_phones(client_for, leader, group_hn):
    response = client_for(leader).get(
        reverse("participants:contact_new"), HTTP_ACCEPT_ENCODING="gzip"
    )
    assert response["Content-Encoding"] == "gzip"
