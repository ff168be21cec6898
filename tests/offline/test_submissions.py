"""What a phone sent, listed for its user: refusals not yet dealt with first, with their reasons
and whom they are about, a way to record the item again, and a mark once dealt with."""

import uuid

import pytest
from django.urls import reverse

from offline.models import Submission
from tests import factories

pytestmark = pytest.mark.django_db


def submission(user, **fields):
    values = {"client_id": uuid.uuid4(), "user": user, "kind": "contact", "status": "accepted"}
    values.update(fields)
    if values["status"] == "accepted":
        values.setdefault("object_id", 1)
    return Submission.objects.create(**values)


def test_the_list_shows_refusals_first_with_reasons_and_a_way_to_redo(
    client_for, leader, officer_hn, member
):
    accepted = submission(leader, code=member.code, object_id=5)
    refused = submission(
        leader,
        status="refused",
        code=member.code,
        errors=["Người tham gia này đã rút khỏi chương trình."],
    )
    submission(officer_hn, status="refused", errors=["Không phải của trưởng nhóm."])
    page = client_for(leader).get(reverse("offline:submission_list")).content.decode()
    assert page.index("đã rút khỏi chương trình") < page.index("Đã ghi nhận")
    assert "Không phải của trưởng nhóm" not in page
    assert page.count('data-testid="submission"') == 2
    detail = reverse("participants:participant_detail", args=[member.pk])
    assert page.count(f'href="{detail}"') == 2
    assert f"{reverse('participants:contact_new')}?participant={member.code}" in page
    assert f'name="submission" value="{refused.pk}"' in page
    assert f'name="submission" value="{accepted.pk}"' not in page


def test_a_code_outside_the_users_scope_is_shown_but_not_linked(client_for, leader, site_ct):
    stranger = factories.ParticipantFactory(province=site_ct.province.current)
    submission(leader, status="refused", code=stranger.code, errors=["…"])
    page = client_for(leader).get(reverse("offline:submission_list")).content.decode()
    assert stranger.code in page
    assert reverse("participants:participant_detail", args=[stranger.pk]) not in page


def test_marking_a_refusal_dealt_with(client_for, leader, officer_hn):
    refused = submission(leader, status="refused", errors=["…"])
    someone_elses = submission(officer_hn, status="refused", errors=["…"])
    accepted = submission(leader)
    client = client_for(leader)
    url = reverse("offline:submission_resolve")

    response = client.post(url, {"submission": refused.pk}, follow=True)
    refused.refresh_from_db()
    assert refused.resolved_at is not None
    assert "Đã đánh dấu là đã xử lý." in response.content.decode()

    response = client.post(url, {"submission": someone_elses.pk}, follow=True)
    someone_elses.refresh_from_db()
    assert someone_elses.resolved_at is None
    assert "Không tìm thấy mục này" in response.content.decode()

    response = client.post(url, {"submission": accepted.pk}, follow=True)
    accepted.refresh_from_db()
    assert accepted.resolved_at is None
    assert "Chỉ mục bị từ chối mới cần đánh dấu đã xử lý." in response.content.decode()

    for bad in ("", "abc", "²", "9" * 30):
        assert client.post(url, {"submission": bad}).status_code == 302


def test_the_list_costs_the_same_queries_for_3_and_30_items(
    client_for, leader, member, django_assert_max_num_queries
):
    client = client_for(leader)
    for _ in range(3):
        submission(leader, code=member.code)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("offline:submission_list"))
    for _ in range(27):
        submission(leader, status="refused", code=member.code, errors=["x"])
    with django_assert_max_num_queries(len(small)):
        client.get(reverse("offline:submission_list"))
