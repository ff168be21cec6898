"""Who sees what: a leader their group's participants and contacts, an officer their province,
the ministry nothing participant-level (403), another province 404. Lists filter, keep a flat
number of queries, and the detail page shows a scoped timeline and the audit history."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import ActivityEvent
from participants import services
from participants.models import EstablishmentAssessment, Participant, RightsAssessment
from tests import factories

pytestmark = pytest.mark.django_db

PAGES = [
    "participants:participant_list",
    "participants:enrol",
    "participants:contact_new",
    "participants:contact_list",
]


@pytest.fixture
def world(group_hn, group_ct, site_hn, site_ct):
    """One participant per group, one met by an officer at another Hà Nội site, and one in
    Cần Thơ."""
    hn_other_site = factories.SiteFactory(code="HN-OTHER")
    ours = factories.ParticipantFactory()
    factories.EnrolmentFactory(participant=ours, site=site_hn, peer_group=group_hn)
    factories.ContactFactory(
        participant=ours, site=site_hn, peer_group=group_hn, needs=["loan"], kind="counselling"
    )
    officers = factories.ParticipantFactory(category="establishment_worker")
    factories.EnrolmentFactory(participant=officers, site=hn_other_site)
    factories.ContactFactory(participant=officers, site=hn_other_site, needs=["legal_aid"])
    theirs = factories.ParticipantFactory(province=site_ct.province.current)
    factories.EnrolmentFactory(participant=theirs, site=site_ct, peer_group=group_ct)
    factories.ContactFactory(participant=theirs, site=site_ct, peer_group=group_ct)
    return {"ours": ours, "officers": officers, "theirs": theirs}


def codes(response):
    page = response.context["page"]
    return {row.code if hasattr(row, "code") else row.participant.code for row in page}


def test_leader_sees_only_their_groups_participants_and_contacts(client_for, leader, world):
    client = client_for(leader)
    assert codes(client.get(reverse("participants:participant_list"))) == {world["ours"].code}
    assert codes(client.get(reverse("participants:contact_list"))) == {world["ours"].code}
    detail = reverse("participants:participant_detail", args=[world["officers"].pk])
    assert client.get(detail).status_code == 404


def test_officer_sees_their_province(client_for, officer_hn, officer_ct, world):
    client = client_for(officer_hn)
    expected = {world["ours"].code, world["officers"].code}
    assert codes(client.get(reverse("participants:participant_list"))) == expected
    assert codes(client.get(reverse("participants:contact_list"))) == expected
    other = reverse("participants:participant_detail", args=[world["theirs"].pk])
    assert client.get(other).status_code == 404
    client = client_for(officer_ct)
    assert codes(client.get(reverse("participants:participant_list"))) == {world["theirs"].code}
    ours = reverse("participants:participant_detail", args=[world["ours"].pk])
    assert client.get(ours).status_code == 404


def test_ministry_and_provider_get_403_on_every_participant_page(
    client, ministry, provider_staff, world
):
    urls = [reverse(name) for name in PAGES] + [
        reverse("participants:participant_detail", args=[world["ours"].pk]),
        reverse("participants:participant_withdraw", args=[world["ours"].pk]),
        reverse("participants:rights_assessment_list"),
        reverse("participants:establishment_assessment_list"),
    ]
    for user in (ministry, provider_staff):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, url
            assert client.post(url).status_code == 403, url


def test_leader_has_no_assessment_pages(client_for, leader):
    client = client_for(leader)
    assert client.get(reverse("participants:rights_assessment_list")).status_code == 403
    assert client.get(reverse("participants:establishment_assessment_new")).status_code == 403


def test_participant_filters(client_for, officer_hn, world, site_hn):
    client = client_for(officer_hn)
    url = reverse("participants:participant_list")
    assert codes(client.get(url, {"site": site_hn.pk})) == {world["ours"].code}
    assert codes(client.get(url, {"category": "establishment_worker"})) == {world["officers"].code}
    assert codes(client.get(url, {"need": "legal_aid"})) == {world["officers"].code}
    assert codes(client.get(url, {"q": world["ours"].code[2:6].lower()})) == {world["ours"].code}
    assert codes(client.get(url, {"start": "2030-01-01"})) == set()
    assert codes(client.get(url, {"residence": "none"})) == set()
    # An out-of-scope site is not a choice: the filter is ignored, not widened.
    response = client.get(url, {"site": 999999})
    assert codes(response) == {world["ours"].code, world["officers"].code}


def test_contact_filters(client_for, officer_hn, world, group_hn):
    client = client_for(officer_hn)
    url = reverse("participants:contact_list")
    assert codes(client.get(url, {"kind": "counselling"})) == {world["ours"].code}
    assert codes(client.get(url, {"need": "legal_aid"})) == {world["officers"].code}
    assert codes(client.get(url, {"peer_group": group_hn.pk})) == {world["ours"].code}
    assert codes(client.get(url, {"start": "2019-02-01", "end": "2019-02-01"})) == {
        world["ours"].code,
        world["officers"].code,
    }
    body = client.get(url).content.decode()
    assert "Vay vốn" in body and "01/02/2019" in body


def test_withdrawal_hides_from_lists_but_events_remain(client_for, officer_hn, world):
    client = client_for(officer_hn)
    ours = world["ours"]
    url = reverse("participants:participant_withdraw", args=[ours.pk])
    body = client.post(url, {"withdrawn_on": "2099-01-01"}).content.decode()
    assert "không được sau ngày hôm nay" in body
    body = client.post(url, {"withdrawn_on": "2000-01-01"}).content.decode()
    assert "không được trước ngày đồng ý tham gia" in body
    response = client.post(url, {"withdrawn_on": "2024-01-01"})
    assert response.status_code == 302
    ours.refresh_from_db()
    assert ours.withdrawn_on == datetime.date(2024, 1, 1)
    assert codes(client.get(reverse("participants:participant_list"))) == {world["officers"].code}
    assert ours.contacts.count() == 1  # still there for the aggregates
    detail = client.get(reverse("participants:participant_detail", args=[ours.pk]))
    assert "Đã rút khỏi chương trình" in detail.content.decode()


def test_detail_shows_scoped_timeline_history_and_records_the_view(
    client_for, officer_hn, leader, world, site_hn, site_ct, group_hn
):
    ours = world["ours"]
    factories.ContactFactory(participant=ours, site=site_ct, date=datetime.date(2019, 3, 3))
    factories.ReferralFactory(participant=ours, site=site_hn, peer_group=group_hn)
    factories.ReferralFactory(participant=ours, site=site_ct, service="loan")
    services.contact_log(
        participant=ours,
        date=datetime.date(2020, 1, 5),
        site=site_hn,
        kind="follow_up",
        needs=["shelter"],
        peer_group=group_hn,
        by=leader,
    )
    client = client_for(officer_hn)
    response = client.get(reverse("participants:participant_detail", args=[ours.pk]))
    body = response.content.decode()
    kinds = [event["kind"] for event in response.context["timeline"]]
    assert kinds.count("contact") == 2  # not the Cần Thơ one
    assert kinds.count("referral") == 1
    assert "03/03/2019" not in body
    assert "Nơi tạm lánh" in body and "Khám sức khỏe" in body
    # The history in sentences, of the records the officer may see.
    # Written outside a request (no signed-in actor): "the system".
    assert "Hệ thống đã ghi lần tiếp cận ngày 05/01/2020." in body
    assert "03/03/2019" not in body
    assert "None →" not in body and "enrolled by" not in body
    assert "Lịch sử thay đổi" in body
    # A peer leader reads the timeline, not the change history.
    leader_page = client_for(leader).get(reverse("participants:participant_detail", args=[ours.pk]))
    assert leader_page.context["story"] is None
    assert 'data-testid="history"' not in leader_page.content.decode()
    event = ActivityEvent.objects.filter(kind=ActivityEvent.Kind.VIEW).earliest("pk")
    assert (event.user, event.what) == (officer_hn, ours.code)


def test_lists_keep_a_flat_number_of_queries(
    client_for, officer_hn, site_hn, group_hn, django_assert_max_num_queries
):
    establishment = factories.EstablishmentFactory(site=site_hn)
    for index in range(30):
        participant = factories.ParticipantFactory()
        factories.EnrolmentFactory(participant=participant, site=site_hn, peer_group=group_hn)
        factories.ContactFactory(participant=participant, site=site_hn, peer_group=group_hn)
        factories.RightsAssessmentFactory(participant=participant, establishment=establishment)
        factories.EstablishmentAssessmentFactory(
            establishment=establishment, date=datetime.date(2019, 1, 1) + datetime.timedelta(index)
        )
    client = client_for(officer_hn)
    for name in (
        "participants:participant_list",
        "participants:contact_list",
        "participants:rights_assessment_list",
        "participants:establishment_assessment_list",
    ):
        # 14, and 3 for the activity log of a list of people's records (privacy.harvest).
        with django_assert_max_num_queries(17):
            response = client.get(reverse(name))
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 30, name


# ----- assessments -----


def test_officer_creates_and_edits_a_rights_assessment(client_for, officer_hn, world, site_hn):
    establishment = factories.EstablishmentFactory(site=site_hn)
    client = client_for(officer_hn)
    url = reverse("participants:rights_assessment_new")
    data = {
        "participant_code": world["ours"].code,
        "establishment": establishment.pk,
        "date": "2024-04-01",
        "labour_contract": "on",
        "wages_paid": "on",
        "protected_at_work": "on",
        "health_care": "on",
        "counselling_access": "on",
        "free_to_change_job": "on",
        "health_insurance": "on",
    }
    assert client.post(url, data).status_code == 302
    assessment = RightsAssessment.objects.get()
    assert assessment.rights_ensured and assessment.health_insurance
    assert not assessment.social_insurance
    body = client.post(url, data).content.decode()
    assert "Đã có đánh giá của người tham gia này" in body
    edit = reverse("participants:rights_assessment_edit", args=[assessment.pk])
    response = client.post(
        edit,
        {
            "establishment": establishment.pk,
            "date": "2024-04-01",
            "version": assessment.version,
            "wages_paid": "on",
        },
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert not assessment.rights_ensured and assessment.version == 1
    listing = client.get(reverse("participants:rights_assessment_list"))
    assert codes(listing) == {world["ours"].code}
    assert codes(client.get(listing.request["PATH_INFO"], {"rights_ensured": "yes"})) == set()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"date": "2099-01-01"}, "Ngày đánh giá không được sau ngày hôm nay."),
        ({"participant_code": "P-ZZZZZZZ"}, "Không tìm thấy người tham gia này"),
        ({"establishment": "ct"}, "Cơ sở này không thuộc phạm vi của bạn."),
    ],
)
def test_bad_rights_assessment_is_refused(
    client_for, officer_hn, world, site_hn, site_ct, override, message
):
    ours = factories.EstablishmentFactory(site=site_hn)
    theirs = factories.EstablishmentFactory(site=site_ct)
    data = {"participant_code": world["ours"].code, "establishment": ours.pk, "date": "2024-01-01"}
    data.update(override)
    if data["establishment"] == "ct":
        data["establishment"] = theirs.pk
    body = (
        client_for(officer_hn)
        .post(reverse("participants:rights_assessment_new"), data)
        .content.decode()
    )
    assert message in body
    assert RightsAssessment.objects.count() == 0


def test_establishment_assessments(client_for, officer_hn, officer_ct, site_hn):
    establishment = factories.EstablishmentFactory(site=site_hn)
    client = client_for(officer_hn)
    url = reverse("participants:establishment_assessment_new")
    duties = dict.fromkeys(EstablishmentAssessment.DUTIES, "on")
    data = {"establishment": establishment.pk, "date": "2024-02-02", **duties}
    assert client.post(url, data).status_code == 302
    assessment = EstablishmentAssessment.objects.get()
    assert assessment.compliant
    assert "Đã có đánh giá của cơ sở này" in client.post(url, data).content.decode()
    body = client.post(url, {**data, "date": "2099-01-01"}).content.decode()
    assert "Ngày đánh giá không được sau ngày hôm nay." in body
    listing = client.get(reverse("participants:establishment_assessment_list"))
    assert list(listing.context["page"]) == [assessment]
    client = client_for(officer_ct)
    assert list(client.get(listing.request["PATH_INFO"]).context["page"]) == []
    edit = reverse("participants:establishment_assessment_edit", args=[assessment.pk])
    assert client.get(edit).status_code == 404
    assert EstablishmentAssessment.objects.count() == 1


def test_assessment_services_create_or_update(world, site_hn):
    establishment = factories.EstablishmentFactory(site=site_hn)
    kwargs = {
        "participant": world["ours"],
        "establishment": establishment,
        "date": datetime.date(2024, 1, 1),
    }
    first, created = services.rights_assessment_record(**kwargs, answers={"wages_paid": True})
    assert created and first.wages_paid and not first.labour_contract
    second, created = services.rights_assessment_record(**kwargs, answers={})
    assert second == first and not created and not second.wages_paid
    duties = dict.fromkeys(EstablishmentAssessment.DUTIES, True)
    assessment, created = services.establishment_assessment_record(
        establishment=establishment, date=datetime.date(2024, 1, 1), answers=duties
    )
    assert created and assessment.compliant
    assert Participant.objects.count() == 3
