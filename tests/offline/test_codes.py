"""Look-up by code on the phone: a leader's phone gets the display codes of the participants
their group enrolled or met, still in the programme — codes only, nothing else about them."""

import datetime

import pytest
from django.urls import reverse

from participants.models import Participant
from tests import factories

pytestmark = pytest.mark.django_db


def enrolled(site, group):
    participant = factories.ParticipantFactory(province=site.province.current)
    factories.EnrolmentFactory(participant=participant, site=site, peer_group=group)
    return participant


def test_a_leader_gets_the_codes_of_whom_their_group_enrolled_or_met(
    client_for, leader, member, site_hn, group_hn, site_ct
):
    met = factories.ParticipantFactory(province=site_hn.province.current)
    factories.ContactFactory(participant=met, site=site_hn, peer_group=group_hn)
    withdrawn = enrolled(site_hn, group_hn)
    Participant.objects.filter(pk=withdrawn.pk).update(withdrawn_on=datetime.date(2024, 1, 1))
    other_group = factories.PeerGroupFactory(site=site_hn)
    enrolled(site_hn, other_group)
    enrolled(site_ct, None)
    response = client_for(leader).get(reverse("offline:codes"))
    assert response.json() == {"codes": sorted([member.code, met.code])}
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_codes_cost_the_same_queries_for_a_small_and_a_large_group(
    client_for, leader, site_hn, group_hn, django_assert_num_queries
):
    client = client_for(leader)
    for _ in range(2):
        enrolled(site_hn, group_hn)
    # The session and the user; the codes, in the request's savepoint; the session saved, in
    # its own savepoint.
    with django_assert_num_queries(8):
        small = client.get(reverse("offline:codes")).json()["codes"]
    for _ in range(25):
        enrolled(site_hn, group_hn)
    with django_assert_num_queries(8):
        large = client.get(reverse("offline:codes")).json()["codes"]
    assert (len(small), len(large)) == (2, 27)
