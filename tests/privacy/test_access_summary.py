"""The access summary: an officer prints, for the person in front of them, what is held about
them, found by their UIC answers and limited to the officer's province. A province sees nothing
of another's record, and a person known only elsewhere looks exactly like one known nowhere."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import ActivityEvent
from tests import factories as f
from tests.participants.helpers import assert_no_secret
from tests.privacy.conftest import ANSWERS, SECRETS, UIC, database_text

pytestmark = pytest.mark.django_db
URL = reverse("privacy:access_summary")
D = datetime.date


@pytest.fixture
def known_in_both(site_hn, site_ct, group_hn, provider_hn, hanoi, cantho):
    """One person (UIC of ANSWERS): Hà Nội knows her as a sex worker met twice at HN-HM-PG and
    referred to its provider; Cần Thơ as an establishment worker met once at CT-NK-WR and given
    a loan."""
    hn = f.ParticipantFactory(uic=UIC, province=hanoi, residence="temporary")
    f.EnrolmentFactory(participant=hn, site=site_hn, peer_group=group_hn, enrolled_on=D(2024, 1, 5))
    f.ContactFactory(participant=hn, site=site_hn, date=D(2024, 1, 5), needs=["health_check"])
    f.ContactFactory(participant=hn, site=site_hn, date=D(2024, 3, 1), kind="counselling")
    f.ReferralFactory(participant=hn, site=site_hn, date=D(2024, 1, 6), provider=provider_hn)
    ct = f.ParticipantFactory(
        person=hn.person,
        province=cantho,
        category="establishment_worker",
        residence="none",
        consent_on=D(2025, 8, 1),
    )
    f.EnrolmentFactory(participant=ct, site=site_ct, enrolled_on=D(2025, 8, 1))
    f.ContactFactory(participant=ct, site=site_ct, date=D(2025, 8, 2), needs=["loan"])
    f.SupportFactory(participant=ct, site=site_ct, date=D(2025, 9, 1), kind="loan")
    return hn, ct


def test_each_province_prints_only_its_own_record(
    client_for, officer_hn, officer_ct, known_in_both, provider_hn
):
    hn, ct = known_in_both

    ct_page = client_for(officer_ct).post(URL, ANSWERS)
    text = ct_page.content.decode()
    assert ct_page.status_code == 200
    assert ct_page.templates[0].name == "privacy/access_summary.html"
    assert ct.code in text and "CT-NK-WR" in text and "Vay vốn" in text
    assert "Người lao động tại cơ sở" in text and "Không đăng ký cư trú" in text
    for elsewhere in (
        hn.code,
        "HN-HM-PG",
        "Hoàng Mai",
        provider_hn.name,
        "Khám sức khỏe",
        "Hà Nội",
    ):
        assert elsewhere not in text
    # Kept until five years after the last event there (the support of 01/09/2025).
    assert "lưu đến hết ngày 01/09/2030" in text

    hn_page = client_for(officer_hn).post(URL, ANSWERS)
    text = hn_page.content.decode()
    assert hn.code in text and "HN-HM-PG" in text and provider_hn.name in text
    assert "Khám sức khỏe" in text and "Sao đêm" in text
    for elsewhere in (ct.code, "CT-NK-WR", "Ninh Kiều", "Vay vốn", "Cần Thơ"):
        assert elsewhere not in text
    assert_no_secret(text, SECRETS)


def test_an_administrator_prints_every_record(client_for, admin_user, known_in_both):
    hn, ct = known_in_both
    text = client_for(admin_user).post(URL, ANSWERS).content.decode()
    assert hn.code in text and ct.code in text


def test_a_person_known_only_elsewhere_looks_like_one_known_nowhere(
    client_for, officer_ct, site_hn, hanoi
):
    client = client_for(officer_ct)
    nowhere = client.post(URL, ANSWERS).content.decode()
    f.ParticipantFactory(uic=UIC, province=hanoi)
    elsewhere = client.post(URL, ANSWERS).content.decode()
    assert elsewhere == nowhere.replace(*_tokens(nowhere, elsewhere))
    assert "Không tìm thấy ai với các câu trả lời này trong phạm vi của bạn" in elsewhere
    lookups = ActivityEvent.objects.filter(user=officer_ct, detail__lookup="uic")
    assert [event.detail for event in lookups.order_by("id")] == [
        {"lookup": "uic", "found": False, "purpose": "access"}
    ] * 2


def _tokens(first, second):
    """The CSRF tokens of two renderings of the same form (the one thing allowed to differ)."""
    import re

    pattern = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    return pattern.search(first).group(1), pattern.search(second).group(1)


def test_the_answers_are_not_kept_and_every_look_up_is_logged(
    client_for, officer_hn, known_in_both
):
    client_for(officer_hn).post(URL, ANSWERS)
    assert_no_secret(database_text(), SECRETS)
    event = ActivityEvent.objects.get(detail__lookup="uic")
    assert (event.user, event.kind, event.detail["found"]) == (officer_hn, "view", True)


def test_bad_input_shows_errors_and_looks_nobody_up(client_for, officer_hn):
    response = client_for(officer_hn).post(URL, {"mother_unknown": "on"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Nhập tên của cha hoặc đánh dấu" in text
    assert "Trường này là bắt buộc." in text
    assert not ActivityEvent.objects.filter(detail__has_key="lookup").exists()


def test_the_summary_costs_the_same_queries_for_many_events(
    client_for, officer_hn, site_hn, known_in_both, django_assert_max_num_queries
):
    hn, _ct = known_in_both
    client = client_for(officer_hn)
    with django_assert_max_num_queries(40) as few:
        client.post(URL, ANSWERS)
    for day in range(1, 29):
        f.ContactFactory(participant=hn, site=site_hn, date=D(2024, 2, day), needs=["loan"])
        f.SupportFactory(participant=hn, site=site_hn, date=D(2024, 2, day))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.post(URL, ANSWERS)
    assert "<td>30</td>" in response.content.decode()
