"""Referral status transitions: every allowed one, every forbidden one."""

import datetime
import functools

import pytest
from django.core.exceptions import ValidationError

from referrals import services
from referrals.models import Referral, ReferralEvent
from tests import factories
from tests.clock import today

S = Referral.Status
FUNCTIONS = {
    "receive": services.referral_receive,
    "complete": services.referral_complete,
    "decline": functools.partial(services.referral_decline, reason="no_capacity"),
    "lose": services.referral_lose,
}
TARGET = {"receive": S.RECEIVED, "complete": S.COMPLETED, "decline": S.DECLINED, "lose": S.LOST}
ALLOWED = {
    (S.REFERRED, "receive"),
    (S.RECEIVED, "complete"),
    (S.REFERRED, "decline"),
    (S.RECEIVED, "decline"),
    (S.REFERRED, "lose"),
    (S.RECEIVED, "lose"),
}
PATHS = {
    S.REFERRED: [],
    S.RECEIVED: ["receive"],
    S.COMPLETED: ["receive", "complete"],
    S.DECLINED: ["decline"],
    S.LOST: ["lose"],
}


def make_referral(site, by, **kwargs):
    participant = factories.ParticipantFactory()
    factories.EnrolmentFactory(participant=participant, site=site)
    return services.referral_create(
        participant=participant,
        date=kwargs.pop("date", today() - datetime.timedelta(days=10)),
        site=site,
        service="health_check",
        consent_to_share=True,
        by=by,
        **kwargs,
    )


def walk_to(referral, status, by):
    for action in PATHS[status]:
        FUNCTIONS[action](referral=referral, by=by)
    referral.refresh_from_db()
    assert referral.status == status
    return referral


@pytest.mark.django_db
def test_create_writes_the_first_event(site_hn, officer_hn):
    referral = make_referral(site_hn, officer_hn)
    assert referral.status == S.REFERRED
    events = list(referral.events.values_list("from_status", "to_status", "by", "on"))
    assert events == [("", S.REFERRED, officer_hn.pk, referral.date)]


@pytest.mark.django_db
def test_full_walk_referred_received_completed(site_hn, officer_hn, provider_staff):
    referral = make_referral(site_hn, officer_hn)
    services.referral_receive(referral=referral, by=provider_staff)
    done_on = today() - datetime.timedelta(days=2)
    services.referral_complete(referral=referral, by=provider_staff, on=done_on)
    referral.refresh_from_db()
    assert referral.status == S.COMPLETED
    assert referral.completed_on == done_on
    assert referral.version == 2
    events = list(referral.events.values_list("from_status", "to_status", "by"))
    assert events == [
        ("", S.REFERRED, officer_hn.pk),
        (S.REFERRED, S.RECEIVED, provider_staff.pk),
        (S.RECEIVED, S.COMPLETED, provider_staff.pk),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("start", list(S))
@pytest.mark.parametrize("action", list(FUNCTIONS))
def test_every_transition(site_hn, officer_hn, start, action):
    referral = walk_to(make_referral(site_hn, officer_hn), start, officer_hn)
    events_before = ReferralEvent.objects.filter(referral=referral).count()
    if (start, action) in ALLOWED:
        FUNCTIONS[action](referral=referral, by=officer_hn)
        referral.refresh_from_db()
        assert referral.status == TARGET[action]
        last = referral.events.last()
        assert (last.from_status, last.to_status, last.by) == (start, TARGET[action], officer_hn)
        assert referral.events.count() == events_before + 1
    else:
        with pytest.raises(services.ReferralTransitionError) as refused:
            FUNCTIONS[action](referral=referral, by=officer_hn)
        assert "Không thể chuyển" in refused.value.messages[0]
        referral.refresh_from_db()
        assert referral.status == start
        assert referral.events.count() == events_before


@pytest.mark.django_db
def test_terminal_states_have_no_exits(site_hn, officer_hn):
    for status in (S.COMPLETED, S.DECLINED, S.LOST):
        referral = walk_to(make_referral(site_hn, officer_hn), status, officer_hn)
        assert services.next_actions(referral) == []


@pytest.mark.django_db
def test_refusal_checks_the_stored_status_not_a_stale_object(site_hn, officer_hn):
    referral = make_referral(site_hn, officer_hn)
    stale = Referral.objects.get(pk=referral.pk)
    services.referral_decline(referral=referral, by=officer_hn, reason="not_eligible")
    with pytest.raises(services.ReferralTransitionError):
        services.referral_receive(referral=stale, by=officer_hn)
    assert Referral.objects.get(pk=referral.pk).status == S.DECLINED


@pytest.mark.django_db
def test_completion_date_must_not_be_before_the_referral(site_hn, officer_hn):
    referral = walk_to(make_referral(site_hn, officer_hn), S.RECEIVED, officer_hn)
    with pytest.raises(ValidationError) as refused:
        services.referral_complete(
            referral=referral, by=officer_hn, on=referral.date - datetime.timedelta(days=1)
        )
    assert "không được trước ngày chuyển gửi" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        services.referral_complete(
            referral=referral, by=officer_hn, on=today() + datetime.timedelta(days=1)
        )
    referral.refresh_from_db()
    assert (referral.status, referral.completed_on) == (S.RECEIVED, None)
    assert referral.events.count() == 2


@pytest.mark.django_db
def test_create_refuses_without_consent(site_hn, officer_hn):
    participant = factories.ParticipantFactory()
    with pytest.raises(ValidationError):
        services.referral_create(
            participant=participant,
            date=today(),
            site=site_hn,
            service="loan",
            consent_to_share=False,
            by=officer_hn,
        )
    assert not Referral.objects.exists()
    assert not ReferralEvent.objects.exists()


@pytest.mark.django_db
def test_create_refuses_a_provider_that_does_not_offer_the_service(site_hn, officer_hn):
    provider = factories.ProviderFactory(services=["legal_aid"])
    with pytest.raises(ValidationError):
        make_referral(site_hn, officer_hn, provider=provider)
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_declining_needs_a_reason_from_the_list(site_hn, officer_hn):
    referral = make_referral(site_hn, officer_hn)
    for reason in ("", "she was rude"):
        with pytest.raises(ValidationError) as error:
            services.referral_decline(referral=referral, by=officer_hn, reason=reason)
        assert "decline_reason" in error.value.error_dict
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == (S.REFERRED, "")
    services.referral_decline(referral=referral, by=officer_hn, reason="no_residence")
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == (S.DECLINED, "no_residence")
    assert referral.events.last().to_status == S.DECLINED


@pytest.mark.django_db
def test_completion_keeps_an_outcome_from_the_list(site_hn, officer_hn, provider_staff):
    referral = make_referral(site_hn, officer_hn)
    services.referral_receive(referral=referral, by=provider_staff)
    with pytest.raises(ValidationError):
        services.referral_complete(referral=referral, by=provider_staff, outcome="cured")
    referral.refresh_from_db()
    assert referral.status == S.RECEIVED
    services.referral_complete(referral=referral, by=provider_staff, outcome="partly_given")
    referral.refresh_from_db()
    assert (referral.status, referral.outcome, referral.completed_on) == (
        S.COMPLETED,
        "partly_given",
        today(),
    )
