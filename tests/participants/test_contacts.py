"""The peer leader's contact form and contact_log: find by display code or UIC answers, tick
needs, save in one tap; bad input refused with nothing saved."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from participants import services
from participants.models import Contact
from tests import factories

from .helpers import FATHER, MOTHER, UIC, assert_no_secret

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(group_hn):
    """A participant enrolled by the Hà Nội group, with the helpers' UIC."""
    participant = factories.ParticipantFactory(uic=UIC)
    factories.EnrolmentFactory(participant=participant, site=group_hn.site, peer_group=group_hn)
    return participant


def post_contact(client, **data):
    payload = {"date": "2024-05-03", "kind": "outreach", **data}
    return client.post(reverse("participants:contact_new"), payload)


def test_leader_logs_a_contact_by_display_code(client_for, leader, member, group_hn):
    client = client_for(leader)
    page = client.get(reverse("participants:contact_new")).content.decode()
    assert 'name="site"' not in page  # the leader's site is their group's
    assert timezone.localdate().isoformat() in page  # date defaults to today
    response = post_contact(
        client,
        participant_code=member.code.lower().replace("p-", ""),
        needs=["health_check", "loan"],
    )
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("participants:contact_done", args=[contact.pk])
    assert (contact.participant, contact.site, contact.peer_group) == (
        member,
        group_hn.site,
        group_hn,
    )
    assert contact.needs == ["health_check", "loan"] and contact.recorded_by == leader
    done = client.get(response["Location"]).content.decode()
    assert "Đã lưu lần tiếp cận" in done and member.code in done
    assert reverse("participants:contact_new") in done  # the "next contact" button
    assert f"/referrals/new/?participant={member.pk}" in done


def test_leader_finds_a_participant_by_uic_answers(client_for, leader, member):
    response = post_contact(
        client_for(leader),
        mother_name=MOTHER,
        father_name=FATHER,
        birth_date="1995-07-03",
        sex="female",
        kind="counselling",
    )
    assert response.status_code == 302
    assert Contact.objects.get().participant == member


def test_refer_now_goes_to_the_referral_form(client_for, leader, member):
    response = post_contact(client_for(leader), participant_code=member.code, refer_now="on")
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/new/?participant={member.pk}"
    assert Contact.objects.count() == 1


def test_officer_chooses_a_site_and_optionally_a_group(
    client_for, officer_hn, member, site_hn, group_hn
):
    client = client_for(officer_hn)
    assert 'name="site"' in client.get(reverse("participants:contact_new")).content.decode()
    response = post_contact(
        client, participant_code=member.code, site=site_hn.pk, peer_group=group_hn.pk
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.site, contact.peer_group) == (site_hn, group_hn)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "2099-01-01"}, "Ngày tiếp cận không được sau ngày hôm nay."),
        ({"participant_code": "P-ZZZZZZZ"}, "Không tìm thấy người tham gia này"),
        ({"participant_code": ""}, "Nhập mã người tham gia (P-…) hoặc trả lời các câu hỏi UIC."),
        ({"kind": "party"}, "Lựa chọn không hợp lệ."),
    ],
)
def test_bad_contact_input_is_refused(client_for, leader, member, data, message):
    payload = {"participant_code": member.code, "needs": ["loan"], **data}
    response = post_contact(client_for(leader), **payload)
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert Contact.objects.count() == 0
    # The form keeps what was typed.
    assert 'value="loan"' in body and "checked" in body


def test_answers_that_find_nobody_lead_to_enrolment_without_echo_or_saving(
    client_for, leader, member
):
    client = client_for(leader)
    response = post_contact(
        client,
        mother_name=MOTHER,
        father_name="Lê Văn Khôi",
        birth_date="1995-07-04",
        sex="female",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("participants:contact_enrol")
    body = client.get(response["Location"]).content.decode()
    assert "Người mới: ghi danh" in body
    assert_no_secret(body, (MOTHER, "Lê Văn Khôi", UIC, "QUKH040795F", "Khôi"))
    assert Contact.objects.count() == 0


def test_contact_for_a_withdrawn_participant_is_refused(client_for, leader, member):
    services.participant_withdraw(participant=member, on=datetime.date(2024, 1, 1))
    body = post_contact(client_for(leader), participant_code=member.code).content.decode()
    assert "đã rút khỏi chương trình" in body
    assert Contact.objects.count() == 0


def test_site_outside_scope_and_group_of_another_site_are_refused(
    client_for, officer_hn, member, site_hn, site_ct, group_ct
):
    client = client_for(officer_hn)
    body = post_contact(client, participant_code=member.code, site=site_ct.pk).content.decode()
    assert "Địa bàn này không thuộc phạm vi của bạn." in body
    other_group = factories.PeerGroupFactory(site=factories.SiteFactory())
    body = post_contact(
        client, participant_code=member.code, site=site_hn.pk, peer_group=other_group.pk
    ).content.decode()
    assert "Nhóm đồng đẳng không thuộc địa bàn đã chọn." in body
    assert Contact.objects.count() == 0


def test_a_participant_of_another_group_cannot_be_found(client_for, leader_ct, member):
    body = post_contact(client_for(leader_ct), participant_code=member.code).content.decode()
    assert "Không tìm thấy người tham gia này" in body
    assert Contact.objects.count() == 0


def test_a_same_day_repeat_opens_the_existing_contact(client_for, leader, member):
    client = client_for(leader)
    post_contact(client, participant_code=member.code, needs=["loan"])
    contact = Contact.objects.get()
    response = post_contact(client, participant_code=member.code, needs=["loan", "legal_aid"])
    edit = reverse("participants:contact_edit", args=[contact.pk])
    assert response["Location"] == f"{edit}?needs=legal_aid"
    page = client.get(response["Location"]).content.decode()
    assert "đã được ghi nhận trước đó. Đây là lần đã ghi" in page
    # The need just ticked is offered, ticked, with the one recorded.
    assert page.count("checked") == 3  # kind outreach, loan, legal_aid
    assert Contact.objects.count() == 1


def test_contact_log_service_checks(member, site_hn, group_ct):
    base = {
        "participant": member,
        "date": datetime.date(2024, 1, 1),
        "site": site_hn,
        "kind": "outreach",
        "needs": ["loan"],
    }
    with pytest.raises(ValidationError):
        services.contact_log(**{**base, "date": datetime.date(2999, 1, 1)})
    with pytest.raises(ValidationError):
        services.contact_log(**{**base, "peer_group": group_ct})
    contact = services.contact_log(**base)
    assert contact.needs == ["loan"]
    services.participant_withdraw(participant=member, on=datetime.date(2024, 2, 1))
    with pytest.raises(ValidationError):
        services.contact_log(**{**base, "date": datetime.date(2024, 3, 1)})
    assert Contact.objects.count() == 1
