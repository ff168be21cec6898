"""A `next` parameter is followed only to a path on this site (issue 14): a line break, another
host, a scheme or a view name sends the user to the page's default instead, never a 500 (a
referral status change with a line break in `next` used to answer 500)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts.redirects import safe_next
from referrals.models import Referral
from tests import factories

pytestmark = pytest.mark.django_db

UNSAFE = [
    "\n",
    "a\nb",
    "/referrals/\n",
    "/referrals/\r\nSet-Cookie: x=1",
    "\t/referrals/",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example",
    "http://evil.example/referrals/",
    "javascript:alert(1)",
    "referrals:referral_list",
    "followup",
    "",
]


@pytest.mark.parametrize("target", UNSAFE)
def test_an_unsafe_next_is_never_followed(target):
    request = RequestFactory().post("/", {"next": target})
    assert safe_next(request) == ""


@pytest.mark.parametrize("target", ["/referrals/", "/referrals/followup/?page=2&site=3"])
def test_a_local_path_is_followed(target):
    assert safe_next(RequestFactory().post("/", {"next": target})) == target
    assert safe_next(RequestFactory().get("/", {"next": target})) == target


@pytest.fixture
def referral(site_hn, provider_hn):
    participant = factories.ParticipantFactory()
    factories.EnrolmentFactory(participant=participant, site=site_hn)
    return factories.ReferralFactory(participant=participant, site=site_hn, provider=provider_hn)


@pytest.mark.parametrize("target", UNSAFE)
def test_a_referral_status_change_goes_back_to_the_referral(
    client_for, officer_hn, referral, target
):
    url = reverse("referrals:referral_transition", args=[referral.pk, "receive"])
    response = client_for(officer_hn).post(url, {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:referral_detail", args=[referral.pk])
    referral.refresh_from_db()
    assert referral.status == Referral.Status.RECEIVED


def test_a_referral_status_change_follows_a_local_next(client_for, officer_hn, referral):
    url = reverse("referrals:referral_transition", args=[referral.pk, "receive"])
    back = reverse("referrals:followup") + "?site=3"
    response = client_for(officer_hn).post(url, {"next": back})
    assert response["Location"] == back


@pytest.mark.parametrize("target", UNSAFE)
def test_the_second_sign_in_step_goes_home(client_for, officer_hn, target):
    response = client_for(officer_hn).get(reverse("otp_verify"), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("target", UNSAFE)
def test_signing_in_and_switching_language_stay_on_this_site(client, officer_hn, target):
    """Django's own views that take `next` (sign-in, language switch): no 500, no other host."""
    officer_hn.set_password("Mat-khau-thu-nghiem-2025")
    officer_hn.save()
    response = client.post(
        reverse("login"),
        {"username": officer_hn.username, "password": "Mat-khau-thu-nghiem-2025", "next": target},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert not response["Location"].startswith("javascript")
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
