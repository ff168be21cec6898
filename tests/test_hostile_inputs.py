"""Four inputs that used to answer 500, each now refused clearly (issue: the period lock and
every rule hold on every writer): a version number that is not ASCII digits, an establishment
assessment dated in a locked period, deeply nested JSON sent to the offline sync, and the
provider directory sorted by name descending."""

import base64
import json
import os
import uuid

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.test import Client
from django.urls import reverse

from accounts.params import json_loads_bounded, positive_int
from offline.models import Submission
from participants.models import Contact, EstablishmentAssessment
from periods.models import ReportingPeriod
from reports import cycle, releases
from tests import factories
from tests.offline.phone import OAEP, b64, kid_of, seal, send, server_public_key

pytestmark = pytest.mark.django_db

LOCKED_MESSAGE_START = "Kỳ báo cáo Quý 1/2018 của Hà Nội đã được Bộ phê duyệt và khoá"


@pytest.fixture
def q1_2018_locked(officer_hn, ministry, hanoi):
    """Hà Nội's 2018Q1 approved (so locked) and published."""
    period = ReportingPeriod.objects.get(code="2018Q1")
    submission = cycle.submission_submit(period=period, province=hanoi, by=officer_hn)
    cycle.submission_approve(submission=submission, by=ministry)
    releases.release_publish(period=period, provinces=[hanoi], by=ministry)
    return period


# ---------------------------------------------------------------- ?version=²


@pytest.mark.parametrize("value", ["²", "١", "-1", "0", "1e3", "9" * 40, "", " 1"])
def test_positive_int_reads_only_ascii_digits(value):
    assert positive_int(value) is None


def test_positive_int_reads_a_plain_number():
    assert positive_int("1") == 1
    assert positive_int("42") == 42


@pytest.mark.parametrize("version", ["²", "٣", "99999999999999999999"])
def test_a_version_that_is_not_a_number_is_not_found(client_for, ministry, q1_2018_locked, version):
    client = Client(raise_request_exception=False)
    client.force_login(ministry)
    period = "?period=quarter&year=2018&quarter=1"
    for url in (
        reverse("reports:release_detail", args=["2018Q1"]) + f"?version={version}",
        reverse("reports:release_print", args=["2018Q1"]) + f"?version={version}",
        reverse("reports:national_export") + f"{period}&version={version}",
        reverse("reports:dashboard") + f"{period}&version={version}",
    ):
        assert client.get(url).status_code == 404, url


def test_the_published_version_still_opens(client_for, ministry, q1_2018_locked):
    client = client_for(ministry)
    url = reverse("reports:release_detail", args=["2018Q1"]) + "?version=1"
    assert client.get(url).status_code == 200


# ------------------------------------------- an establishment assessment in a locked period


def test_an_establishment_assessment_in_a_locked_period_is_refused_on_its_date(
    client_for, officer_hn, site_hn, q1_2018_locked
):
    establishment = factories.EstablishmentFactory(site=site_hn)
    response = client_for(officer_hn).post(
        reverse("participants:establishment_assessment_new"),
        {"establishment": establishment.pk, "date": "2018-02-10", "owner_commitment": "on"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["date"]
    assert errors["date"][0].startswith(LOCKED_MESSAGE_START)
    assert EstablishmentAssessment.objects.count() == 0


# ---------------------------------------------------------- nested JSON to the offline sync


def sealed_plain(plain, *, user, kind):
    """An item sealed as the phone seals one, holding `plain` (bytes) as its content."""
    client_id = uuid.uuid4()
    public_key = server_public_key()
    content_key = AESGCM.generate_key(bit_length=256)
    iv = os.urandom(12)
    aad = f"pcmd-offline/1|{client_id}|{kind}|{user.pk}".encode()
    return {
        "id": str(client_id),
        "kind": kind,
        "kid": kid_of(public_key),
        "key": b64(public_key.encrypt(content_key, OAEP)),
        "iv": b64(iv),
        "data": base64.b64encode(AESGCM(content_key).encrypt(iv, plain, aad)).decode(),
    }


@pytest.fixture
def member(site_hn, group_hn):
    participant = factories.ParticipantFactory(province=site_hn.province.current)
    factories.EnrolmentFactory(participant=participant, site=site_hn, peer_group=group_hn)
    return participant


def test_a_deeply_nested_item_is_refused_alone_and_the_others_are_recorded(
    leader, member, group_hn
):
    client = Client(raise_request_exception=False)
    client.force_login(leader)
    good = seal(
        {"participant_code": member.code, "date": "2024-05-03", "kind": "outreach"},
        user=leader,
        kind="contact",
    )
    deep = sealed_plain(b"[" * 100_000 + b"]" * 100_000, user=leader, kind="contact")
    also_good = seal(
        {"participant_code": member.code, "date": "2024-05-04", "kind": "outreach"},
        user=leader,
        kind="contact",
    )
    response = send(client, good, deep, also_good)
    assert response.status_code == 200
    answers = [(r["status"], r["errors"]) for r in response.json()["results"]]
    assert answers[0] == ("accepted", [])
    assert answers[1] == (
        "refused",
        [
            "Không đọc được mục này (dữ liệu bị hỏng hoặc được mã hoá cho tài khoản khác). "
            "Hãy nhập lại."
        ],
    )
    assert answers[2] == ("accepted", [])
    assert Contact.objects.count() == 2


def test_a_deeply_nested_batch_is_refused_whole_and_nothing_is_written(leader, member):
    client = Client(raise_request_exception=False)
    client.force_login(leader)
    good = seal(
        {"participant_code": member.code, "date": "2024-05-03", "kind": "outreach"},
        user=leader,
        kind="contact",
    )
    body = json.dumps({"items": [good, {"id": "[" * 50_000}]})
    body = body.replace('"[' + "[" * 49_999 + '"', "[" * 50_000 + "]" * 50_000)
    response = client.post(reverse("offline:sync"), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "error": "Dữ liệu gửi lên lồng nhau quá sâu: không có mục nào được ghi. Hãy gửi lại."
    }
    assert Contact.objects.count() == 0
    assert Submission.objects.count() == 0


def test_bounded_json_reads_brackets_inside_strings_as_text():
    assert json_loads_bounded('{"a": "[[[[[[[[[["}', max_depth=1) == {"a": "[[[[[[[[[["}
    assert json_loads_bounded(b'{"a": ["\\"[[[["]}', max_depth=2) == {"a": ['"[[[[']}
    with pytest.raises(ValueError):
        json_loads_bounded("[[[]]]", max_depth=2)


# ------------------------------------------------- the provider directory, name descending


def test_the_provider_directory_sorts_by_name_both_ways_for_every_role(personas, provider_hn):
    factories.ProviderFactory(name="Bệnh viện A", province=provider_hn.province)
    factories.ProviderFactory(name="Zeta", province=provider_hn.province, is_active=False)
    url = reverse("referrals:provider_list")
    for name, user in personas.items():
        if name == "outsider":
            continue
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for sort in ("name", "-name", "province", "-province", "active", "-active"):
            response = client.get(f"{url}?sort={sort}")
            assert response.status_code == 200, (name, sort, response.status_code)
    client = Client()
    client.force_login(personas["ministry"])
    names = [p.name for p in client.get(f"{url}?sort=-name").context["page"].object_list]
    # Descending: the other way round of ascending (active first, then A→Z).
    assert names == ["Zeta", "Trung tâm CTXH Hà Nội", "Bệnh viện A"]
