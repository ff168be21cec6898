"""Referral, follow-up, provider directory and support pages, as each persona."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse

from participants.models import Participant
from referrals import services
from referrals.models import Provider, Referral, ReferralEvent, Support
from tests import factories
from tests.clock import today

S = Referral.Status


def days_ago(n):
    return today() - datetime.timedelta(days=n)


def participant_at(site, peer_group=None, **kwargs):
    kwargs.setdefault("province", site.province.current)
    participant = factories.ParticipantFactory(**kwargs)
    factories.EnrolmentFactory(participant=participant, site=site, peer_group=peer_group)
    return participant


def referral_at(site, *, age=5, peer_group=None, provider=None, participant=None, **kwargs):
    return factories.ReferralFactory(
        participant=participant or participant_at(site, peer_group),
        site=site,
        date=days_ago(age),
        peer_group=peer_group,
        provider=provider,
        **kwargs,
    )


# The follow-up list with no filter: every open referral (it opens on the recently overdue).
ALL_OPEN = {"overdue_days": "", "overdue_within": ""}


def shown_ids(response, attr="data-referral"):
    import re

    return [int(pk) for pk in re.findall(rf'{attr}="(\d+)"', response.content.decode())]


# ---- access and scope --------------------------------------------------------------------


@pytest.mark.django_db
def test_ministry_reads_the_directory_but_no_referral_pages(client_for, ministry, site_hn):
    referral = referral_at(site_hn)
    client = client_for(ministry)
    for name, args in [
        ("referrals:referral_list", []),
        ("referrals:followup", []),
        ("referrals:referral_new", []),
        ("referrals:referral_detail", [referral.pk]),
        ("referrals:support_list", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    response = client.post(reverse("referrals:referral_transition", args=[referral.pk, "lose"]))
    assert response.status_code == 403
    assert Referral.objects.get(pk=referral.pk).status == S.REFERRED
    factories.ProviderFactory(name="Trợ giúp pháp lý Hà Nội")
    page = client.get(reverse("referrals:provider_list"))
    assert page.status_code == 200
    assert "Trợ giúp pháp lý Hà Nội" in page.content.decode()


@pytest.mark.django_db
def test_officer_of_another_province_gets_404(client_for, officer_ct, site_hn, site_ct):
    mine = referral_at(site_ct)
    theirs = referral_at(site_hn)
    client = client_for(officer_ct)
    assert client.get(reverse("referrals:referral_detail", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("referrals:referral_transition", args=[theirs.pk, "receive"]))
    assert response.status_code == 404
    assert Referral.objects.get(pk=theirs.pk).status == S.REFERRED
    assert shown_ids(client.get(reverse("referrals:referral_list"))) == [mine.pk]
    assert shown_ids(client.get(reverse("referrals:followup"), ALL_OPEN)) == [mine.pk]


@pytest.mark.django_db
def test_provider_staff_see_only_their_own_referrals(
    client_for, provider_staff, provider_hn, site_hn
):
    other_provider = factories.ProviderFactory()
    own = referral_at(site_hn, provider=provider_hn)
    other = referral_at(site_hn, provider=other_provider)
    unassigned = referral_at(site_hn)
    client = client_for(provider_staff)
    assert shown_ids(client.get(reverse("referrals:referral_list"))) == [own.pk]
    assert client.get(reverse("referrals:referral_detail", args=[own.pk])).status_code == 200
    for hidden in (other, unassigned):
        url = reverse("referrals:referral_detail", args=[hidden.pk])
        assert client.get(url).status_code == 404
        url = reverse("referrals:referral_transition", args=[hidden.pk, "receive"])
        assert client.post(url).status_code == 404
    assert client.get(reverse("referrals:followup")).status_code == 403
    assert client.get(reverse("referrals:referral_new")).status_code == 403
    assert shown_ids(client.get(reverse("referrals:provider_list")), "data-provider") == [
        provider_hn.pk
    ]
    url = reverse("referrals:provider_detail", args=[other_provider.pk])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_provider_staff_mark_received_completed_declined_but_not_lost(
    client_for, provider_staff, provider_hn, site_hn
):
    referral = referral_at(site_hn, provider=provider_hn)
    client = client_for(provider_staff)
    detail = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    decline_page = reverse("referrals:referral_decline", args=[referral.pk])
    assert "/status/receive/" in detail and decline_page in detail
    assert "/status/lose/" not in detail and "/status/decline/" not in detail
    lose = reverse("referrals:referral_transition", args=[referral.pk, "lose"])
    assert client.post(lose).status_code == 403
    client.post(reverse("referrals:referral_transition", args=[referral.pk, "receive"]))
    client.post(
        reverse("referrals:referral_transition", args=[referral.pk, "complete"]),
        {"on": days_ago(1).isoformat(), "outcome": "service_given"},
    )
    referral.refresh_from_db()
    assert (referral.status, referral.completed_on, referral.outcome) == (
        S.COMPLETED,
        days_ago(1),
        "service_given",
    )
    assert list(referral.events.values_list("to_status", flat=True)) == [S.RECEIVED, S.COMPLETED]
    assert set(referral.events.values_list("by", flat=True)) == {provider_staff.pk}


@pytest.mark.django_db
def test_peer_leader_sees_their_group_only(client_for, leader, group_hn, site_hn):
    own = referral_at(site_hn, peer_group=group_hn)
    referral_at(site_hn)  # made by the officer, no peer group
    client = client_for(leader)
    assert shown_ids(client.get(reverse("referrals:referral_list"))) == [own.pk]
    assert shown_ids(client.get(reverse("referrals:followup"), ALL_OPEN)) == [own.pk]
    assert client.get(reverse("referrals:support_list")).status_code == 403


# ---- the referral form -------------------------------------------------------------------


def form_data(participant, site=None, **extra):
    data = {
        "participant": participant.code,
        "date": today().isoformat(),
        "service": "vocational_training",
        "consent_to_share": "on",
    }
    if site is not None:
        data["site"] = site.pk
    data.update(extra)
    return data


@pytest.mark.django_db
def test_officer_makes_a_referral(client_for, officer_hn, site_hn):
    participant = participant_at(site_hn)
    provider = factories.ProviderFactory(services=["vocational_training"])
    response = client_for(officer_hn).post(
        reverse("referrals:referral_new"),
        form_data(participant, site_hn, provider=provider.pk),
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:referral_detail", args=[referral.pk])
    assert (referral.participant, referral.site, referral.provider) == (
        participant,
        site_hn,
        provider,
    )
    assert (referral.status, referral.made_by, referral.peer_group) == (
        S.REFERRED,
        officer_hn,
        None,
    )
    assert referral.consent_to_share is True
    assert list(ReferralEvent.objects.values_list("from_status", "to_status")) == [("", S.REFERRED)]


@pytest.mark.django_db
def test_consent_is_required(client_for, officer_hn, site_hn):
    participant = participant_at(site_hn)
    data = form_data(participant, site_hn)
    del data["consent_to_share"]
    response = client_for(officer_hn).post(reverse("referrals:referral_new"), data)
    assert response.status_code == 200
    assert not Referral.objects.exists()
    form = response.context["form"]
    assert "trước khi lưu chuyển gửi" in form.errors["consent_to_share"][0]
    assert participant.code in response.content.decode()  # what was typed is kept


@pytest.mark.django_db
def test_peer_leader_referral_takes_their_group_and_site(client_for, leader, group_hn, site_hn):
    participant = participant_at(site_hn, peer_group=group_hn)
    response = client_for(leader).post(reverse("referrals:referral_new"), form_data(participant))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.site, referral.peer_group, referral.made_by) == (site_hn, group_hn, leader)


@pytest.mark.django_db
def test_participant_preselected_only_in_scope(client_for, officer_hn, site_hn, site_ct):
    mine = participant_at(site_hn)
    theirs = participant_at(site_ct)
    client = client_for(officer_hn)
    page = client.get(reverse("referrals:referral_new") + f"?participant={mine.pk}")
    assert page.context["form"].initial["participant"] == mine.code
    page = client.get(reverse("referrals:referral_new") + f"?participant={theirs.pk}")
    assert "participant" not in page.context["form"].initial
    assert theirs.code not in page.content.decode()
    response = client.post(reverse("referrals:referral_new"), form_data(theirs, site_hn))
    assert response.status_code == 200
    assert "Không tìm thấy người tham gia" in response.context["form"].errors["participant"][0]
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_officer_cannot_refer_at_another_provinces_site(client_for, officer_hn, site_hn, site_ct):
    participant = participant_at(site_hn)
    response = client_for(officer_hn).post(
        reverse("referrals:referral_new"), form_data(participant, site_ct)
    )
    assert response.status_code == 200
    assert "site" in response.context["form"].errors
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_provider_must_be_active_and_offer_the_service(client_for, officer_hn, site_hn):
    participant = participant_at(site_hn)
    wrong_service = factories.ProviderFactory(services=["legal_aid"])
    inactive = factories.ProviderFactory(services=["vocational_training"], is_active=False)
    client = client_for(officer_hn)
    for provider in (wrong_service, inactive):
        response = client.post(
            reverse("referrals:referral_new"),
            form_data(participant, site_hn, provider=provider.pk),
        )
        assert "provider" in response.context["form"].errors
    assert not Referral.objects.exists()
    options = client.get(reverse("referrals:referral_new")).context["form"].fields["provider"]
    assert inactive not in options.queryset


@pytest.mark.django_db
def test_residence_warning(client_for, officer_hn, site_hn):
    participant = participant_at(site_hn, residence=Participant.Residence.NONE)
    strict = factories.ProviderFactory(
        services=["vocational_training"], accepts_without_residence=False
    )
    client = client_for(officer_hn)
    page = client.get(reverse("referrals:referral_new") + f"?participant={participant.pk}")
    assert "data-non-permanent" in page.content.decode()
    assert 'data-accepts-without-residence="0"' in page.content.decode()
    response = client.post(
        reverse("referrals:referral_new"),
        form_data(participant, site_hn, provider=strict.pk),
        follow=True,
    )
    assert 'data-testid="residence-warning"' in response.content.decode()
    permanent = participant_at(site_hn, residence=Participant.Residence.PERMANENT)
    referral = referral_at(site_hn, participant=permanent, provider=strict)
    detail = client.get(reverse("referrals:referral_detail", args=[referral.pk]))
    assert 'data-testid="residence-warning"' not in detail.content.decode()


@pytest.mark.django_db
def test_duplicate_referral_refused(client_for, officer_hn, site_hn):
    participant = participant_at(site_hn)
    client = client_for(officer_hn)
    client.post(reverse("referrals:referral_new"), form_data(participant, site_hn))
    response = client.post(reverse("referrals:referral_new"), form_data(participant, site_hn))
    assert response.status_code == 200
    assert Referral.objects.count() == 1


# ---- transitions through the pages -------------------------------------------------------


@pytest.mark.django_db
def test_impossible_transition_refused_with_message(client_for, officer_hn, site_hn):
    referral = referral_at(site_hn)
    client = client_for(officer_hn)
    url = reverse("referrals:referral_transition", args=[referral.pk, "complete"])
    response = client.post(url, follow=True)
    assert "Không thể chuyển" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == S.REFERRED
    assert not referral.events.exists()
    assert client.get(url).status_code == 405
    assert (
        client.post(reverse("referrals:referral_transition", args=[referral.pk, "zz"])).status_code
        == 404
    )


@pytest.mark.django_db
def test_one_click_from_followup_returns_there(client_for, officer_hn, site_hn):
    referral = referral_at(site_hn)
    followup = reverse("referrals:followup")
    response = client_for(officer_hn).post(
        reverse("referrals:referral_transition", args=[referral.pk, "receive"]),
        {"next": followup},
    )
    assert response["Location"] == followup
    assert Referral.objects.get(pk=referral.pk).status == S.RECEIVED


@pytest.mark.django_db
def test_transition_ignores_an_offsite_next(client_for, officer_hn, site_hn):
    referral = referral_at(site_hn)
    response = client_for(officer_hn).post(
        reverse("referrals:referral_transition", args=[referral.pk, "receive"]),
        {"next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("referrals:referral_detail", args=[referral.pk])


@pytest.mark.django_db
def test_detail_shows_status_and_audit_history(client_for, officer_hn, site_hn):
    participant = participant_at(site_hn)
    client = client_for(officer_hn)
    client.post(reverse("referrals:referral_new"), form_data(participant, site_hn))
    referral = Referral.objects.get()
    client.post(reverse("referrals:referral_transition", args=[referral.pk, "receive"]))
    response = client.get(reverse("referrals:referral_detail", args=[referral.pk]))
    assert [(e.from_status, e.to_status) for e in response.context["events"]] == [
        ("", S.REFERRED),
        (S.REFERRED, S.RECEIVED),
    ]
    history = response.context["history"]
    assert len(history) == 2
    assert all(row.who == "officer_hn" for row in history)
    update = history[0]
    assert update.action == "Đã sửa"
    assert ("Trạng thái", "Đã chuyển gửi", "Đã tiếp nhận") in [
        (change.label, change.old, change.new) for change in update.changes
    ]
    assert "officer_hn" in response.content.decode()


# ---- follow-up list ----------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(REFERRAL_OVERDUE_DAYS=30)
def test_followup_overdue_first_then_oldest(client_for, officer_hn, site_hn):
    recent = referral_at(site_hn, age=3)
    older = referral_at(site_hn, age=20)
    overdue = referral_at(site_hn, age=31)
    very_overdue = referral_at(site_hn, age=90)
    received = referral_at(site_hn, age=10)
    services.referral_receive(referral=received, by=officer_hn)
    closed = referral_at(site_hn, age=100)
    services.referral_lose(referral=closed, by=officer_hn)
    response = client_for(officer_hn).get(reverse("referrals:followup"), ALL_OPEN)
    assert shown_ids(response) == [very_overdue.pk, overdue.pk, older.pk, received.pk, recent.pk]
    rows = list(response.context["page"])
    assert [r.overdue for r in rows] == [True, True, False, False, False]
    assert [a.action for a in rows[3].actions] == ["complete", "decline", "lose"]


@pytest.mark.django_db
def test_followup_query_count_is_flat(
    client_for, officer_hn, site_hn, django_assert_max_num_queries
):
    providers = [factories.ProviderFactory() for _ in range(3)]
    client = client_for(officer_hn)
    for count in (3, 40):
        for n in range(count):
            referral = referral_at(site_hn, age=n % 60, provider=providers[n % 3])
            factories.SupportFactory(
                participant=referral.participant, referral=referral, site=site_hn
            )
            factories.ProviderFactory()
        # 12, and 3 for the activity log of a list of people's records (the entry, the
        # account's and the province's hour: privacy.harvest).
        with django_assert_max_num_queries(15):
            response = client.get(reverse("referrals:followup"), ALL_OPEN)
        assert len(response.context["page"]) == Referral.objects.count()
        for name in ("referral_list", "support_list", "provider_list"):
            with django_assert_max_num_queries(15):
                assert client.get(reverse(f"referrals:{name}")).status_code == 200


@pytest.mark.django_db
def test_referral_list_filters(client_for, officer_hn, site_hn):
    old_open = referral_at(site_hn, age=60)
    new = referral_at(site_hn, age=2, service="loan")
    done = referral_at(site_hn, age=70)
    services.referral_receive(referral=done, by=officer_hn)
    services.referral_complete(referral=done, by=officer_hn)
    client = client_for(officer_hn)
    url = reverse("referrals:referral_list")
    assert shown_ids(client.get(url, {"overdue": "on"})) == [old_open.pk]
    assert shown_ids(client.get(url, {"status": "completed"})) == [done.pk]
    assert shown_ids(client.get(url, {"service": "loan"})) == [new.pk]
    assert shown_ids(client.get(url, {"start": days_ago(65).isoformat()})) == [new.pk, old_open.pk]


# ---- provider directory ------------------------------------------------------------------


@pytest.mark.django_db
def test_directory_filters_and_search(client_for, leader, hanoi, cantho):
    open_hn = factories.ProviderFactory(
        name="Trường nghề Hoàng Mai", services=["vocational_training"]
    )
    strict_ct = factories.ProviderFactory(
        name="Quỹ vay vốn Cần Thơ",
        services=["loan"],
        province=cantho,
        accepts_without_residence=False,
    )
    closed = factories.ProviderFactory(name="Phòng khám cũ", is_active=False)
    client = client_for(leader)
    url = reverse("referrals:provider_list")
    assert shown_ids(client.get(url, {"service": "loan"}), "data-provider") == [strict_ct.pk]
    assert shown_ids(client.get(url, {"province": cantho.pk}), "data-provider") == [strict_ct.pk]
    ids = shown_ids(client.get(url, {"accepts_without_residence": "no"}), "data-provider")
    assert ids == [strict_ct.pk]
    assert shown_ids(client.get(url, {"active": "no"}), "data-provider") == [closed.pk]
    assert shown_ids(client.get(url, {"q": "hoàng mai"}), "data-provider") == [open_hn.pk]


@pytest.mark.django_db
def test_officer_creates_a_provider_in_their_province_only(client_for, officer_hn, hanoi, cantho):
    client = client_for(officer_hn)
    data = {
        "name": "Trung tâm trợ giúp pháp lý",
        "services": ["legal_aid", "counselling"],
        "province": cantho.pk,
        "accepts_without_residence": "on",
    }
    response = client.post(reverse("referrals:provider_create"), data)
    assert response.status_code == 200
    assert "province" in response.context["form"].errors
    response = client.post(reverse("referrals:provider_create"), {**data, "services": []})
    assert "services" in response.context["form"].errors
    assert not Provider.objects.exists()
    client.post(reverse("referrals:provider_create"), {**data, "province": hanoi.pk})
    provider = Provider.objects.get()
    assert (provider.province, provider.services, provider.accepts_without_residence) == (
        hanoi,
        ["legal_aid", "counselling"],
        True,
    )


@pytest.mark.django_db
def test_provider_edit_and_deactivate(client_for, officer_hn, officer_ct, provider_hn):
    url = reverse("referrals:provider_edit", args=[provider_hn.pk])
    deactivate = reverse("referrals:provider_deactivate", args=[provider_hn.pk])
    assert client_for(officer_ct).get(url).status_code == 403
    assert client_for(officer_ct).post(deactivate).status_code == 403
    client = client_for(officer_hn)
    form = client.get(url).context["form"]
    data = {
        "name": "Trung tâm CTXH Hà Nội (mới)",
        "services": ["health_check"],
        "province": provider_hn.province_id,
        "version": form["version"].value(),
    }
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "name": "Bản cũ"})
    assert stale.status_code == 200
    provider_hn.refresh_from_db()
    assert provider_hn.name == "Trung tâm CTXH Hà Nội (mới)"
    assert client.post(deactivate).status_code == 302
    provider_hn.refresh_from_db()
    assert provider_hn.is_active is False
    client.post(reverse("referrals:provider_reactivate", args=[provider_hn.pk]))
    provider_hn.refresh_from_db()
    assert provider_hn.is_active is True


# ---- support -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["-1", "1.5", "abc", "", "1,5"])
def test_bad_amounts_refused(client_for, officer_hn, site_hn, amount):
    participant = participant_at(site_hn)
    response = client_for(officer_hn).post(
        reverse("referrals:support_new"),
        {
            "participant": participant.code,
            "site": site_hn.pk,
            "date": today().isoformat(),
            "kind": "loan",
            "amount_vnd": amount,
        },
    )
    assert response.status_code == 200
    assert "amount_vnd" in response.context["form"].errors
    assert not Support.objects.exists()


@pytest.mark.django_db
def test_support_recorded_linked_to_referral_and_edited(client_for, officer_hn, site_hn):
    referral = referral_at(site_hn)
    client = client_for(officer_hn)
    page = client.get(reverse("referrals:support_new") + f"?referral={referral.pk}")
    assert page.context["form"].initial["participant"] == referral.participant.code
    data = {
        "participant": referral.participant.code,
        "referral": referral.pk,
        "site": site_hn.pk,
        "date": today().isoformat(),
        "kind": "vocational_training_fee",
        "amount_vnd": "3.000.000",
    }
    assert client.post(reverse("referrals:support_new"), data).status_code == 302
    support = Support.objects.get()
    assert (support.amount_vnd, support.referral, support.participant) == (
        3_000_000,
        referral,
        referral.participant,
    )
    listing = client.get(reverse("referrals:support_list"))
    assert listing.context["total"] == 3_000_000
    assert "3.000.000 ₫" in listing.content.decode()
    edit = reverse("referrals:support_edit", args=[support.pk])
    form = client.get(edit).context["form"]
    assert form["participant"].value() == referral.participant.code
    response = client.post(edit, {**data, "amount_vnd": "4500000", "version": 0})
    assert response.status_code == 302
    support.refresh_from_db()
    assert (support.amount_vnd, support.version) == (4_500_000, 1)


@pytest.mark.django_db
def test_support_referral_must_be_the_participants(client_for, officer_hn, site_hn):
    referral = referral_at(site_hn)
    someone_else = participant_at(site_hn)
    response = client_for(officer_hn).post(
        reverse("referrals:support_new"),
        {
            "participant": someone_else.code,
            "referral": referral.pk,
            "site": site_hn.pk,
            "date": today().isoformat(),
            "kind": "loan",
            "amount_vnd": "1000000",
        },
    )
    assert "referral" in response.context["form"].errors
    assert not Support.objects.exists()


@pytest.mark.django_db
def test_support_of_another_province_is_404(client_for, officer_ct, site_hn):
    support = factories.SupportFactory(site=site_hn, participant=participant_at(site_hn))
    client = client_for(officer_ct)
    assert client.get(reverse("referrals:support_edit", args=[support.pk])).status_code == 404
    assert client.get(reverse("referrals:support_list")).context["total"] == 0
