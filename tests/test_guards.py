"""Guards that protect published figures and people, each with a test of its own: who can be
published, what erasure closes, and what each role's filters offer. Tables again: a new status,
role or filter is one new row, with the expected answer written by hand."""

import datetime
import uuid
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import ActivityEvent
from offline.models import Submission as OfflineSubmission
from offline.services import submission_resolve
from participants import forms as participant_forms
from participants import services as participant_services
from participants.models import Contact
from periods import services as period_services
from periods.models import ReportingPeriod, Submission, SubmissionEvent
from privacy import harvest
from privacy.models import ErasureRun, HarvestAlert
from privacy.selectors import answers_predate_erasure, records_of
from privacy.services import person_erase
from referrals import forms as referral_forms
from referrals import selectors as referral_selectors
from referrals import services as referral_services
from referrals.models import Referral, ReferralEvent
from referrals.services import (
    check_provider,
    check_status_change,
    next_actions,
    provider_set_active,
)
from reports import cycle, releases
from reports.models import Release
from sites import forms as site_forms
from sites import services as site_services
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date
SECOND = datetime.timedelta(seconds=1)
Status = Referral.Status


def rows(*table):
    return [pytest.param(*values, id=label) for label, *values in table]


# ----------------------------------------------------------------------------- publication
# Only provinces whose period the ministry has approved can be published.


def bring_to(status, *, period, province, officer, ministry):
    """Walk Hà Nội's submission of `period` through the cycle's services to `status`."""
    if status is None:
        return
    submission = cycle.submission_submit(period=period, province=province, by=officer)
    if status == "returned":
        period_services.submission_return(
            submission=submission, by=ministry, comment="Thiếu chi phí."
        )
    elif status in ("approved", "reopened"):
        cycle.submission_approve(submission=submission, by=ministry)
        if status == "reopened":
            period_services.submission_reopen(
                submission=submission, by=ministry, reason="Sửa số liệu."
            )


@pytest.mark.parametrize(
    ("status", "published"),
    rows(
        ("never-submitted", None, False),
        ("submitted", "submitted", False),
        ("returned", "returned", False),
        ("approved", "approved", True),
        ("reopened-after-approval", "reopened", False),
    ),
)
def test_only_an_approved_province_is_published(
    officer_hn, ministry, hanoi, site_hn, status, published
):
    f.ContactFactory(site=site_hn, date=D(2019, 2, 1))
    q1 = ReportingPeriod.objects.get(code="2019Q1")
    bring_to(status, period=q1, province=hanoi, officer=officer_hn, ministry=ministry)
    if published:
        release = releases.release_publish(period=q1, provinces=[hanoi], by=ministry)
        assert release.provinces == ["01"]
    else:
        with pytest.raises(ValidationError) as refused:
            releases.release_publish(period=q1, provinces=[hanoi], by=ministry)
        assert "chưa được phê duyệt" in str(refused.value)
        assert "Hà Nội" in str(refused.value)
        assert not Release.objects.exists()


# Each step of the cycle from each status: the status it leads to (version one higher, one event
# more with its comment) or the refusal, written out, that leaves everything as it was.
STEP_NAMES = {"submit": "trình Bộ", "return": "trả lại", "approve": "phê duyệt", "reopen": "mở lại"}
STATUS_LABELS = {
    "submitted": "Đã trình, chờ Bộ duyệt",
    "returned": "Bộ trả lại",
    "approved": "Đã phê duyệt (khoá)",
    "reopened": "Bộ đã mở lại",
}


@pytest.mark.parametrize(
    ("status", "step", "expected"),
    rows(
        ("submit-first", None, "submit", "submitted"),
        ("submit-again-while-submitted", "submitted", "submit", None),
        ("submit-after-return", "returned", "submit", "submitted"),
        ("submit-while-approved", "approved", "submit", None),
        ("submit-after-reopening", "reopened", "submit", "submitted"),
        ("return-submitted", "submitted", "return", "returned"),
        ("return-returned", "returned", "return", None),
        ("return-approved", "approved", "return", None),
        ("approve-submitted", "submitted", "approve", "approved"),
        ("approve-returned", "returned", "approve", None),
        ("approve-approved", "approved", "approve", None),
        ("approve-reopened", "reopened", "approve", None),
        ("reopen-approved", "approved", "reopen", "reopened"),
        ("reopen-submitted", "submitted", "reopen", None),
        ("reopen-reopened", "reopened", "reopen", None),
    ),
)
def test_the_steps_of_the_reporting_cycle(officer_hn, ministry, hanoi, status, step, expected):
    q1 = ReportingPeriod.objects.get(code="2019Q1")
    bring_to(status, period=q1, province=hanoi, officer=officer_hn, ministry=ministry)
    before = Submission.objects.filter(period=q1, province=hanoi).first()
    version = before.version if before else 0
    events = SubmissionEvent.objects.count()

    def take():
        if step == "submit":
            return cycle.submission_submit(
                period=q1, province=hanoi, by=officer_hn, comment=" Đã rà soát. "
            )
        if step == "approve":
            return cycle.submission_approve(submission=before, by=ministry, comment=" Đạt. ")
        call = {"return": period_services.submission_return}
        call["reopen"] = period_services.submission_reopen
        text = {"return": {"comment": " Thiếu. "}, "reopen": {"reason": " Sửa. "}}[step]
        return call[step](submission=before, by=ministry, **text)

    if expected is None:
        with pytest.raises(ValidationError) as refused:
            take()
        assert refused.value.code == "invalid_transition"
        assert refused.value.messages == [
            f"Không thể {STEP_NAMES[step]}: báo cáo Quý 1/2019 của Hà Nội đang ở trạng thái "
            f"“{STATUS_LABELS[status]}”."
        ]
        stored = Submission.objects.get(pk=before.pk)
        assert (stored.status, stored.version) == (status, version)
        assert SubmissionEvent.objects.count() == events
        return
    comment = {"submit": "Đã rà soát.", "approve": "Đạt.", "return": "Thiếu.", "reopen": "Sửa."}
    taken = take()
    stored = Submission.objects.get(pk=taken.pk)
    assert (stored.status, stored.version, stored.comment) == (
        expected,
        version + 1,
        comment[step],
    )
    event = SubmissionEvent.objects.order_by("pk").last()
    assert SubmissionEvent.objects.count() == events + 1
    assert (event.submission_id, event.action, event.by, event.comment) == (
        stored.pk,
        step,
        officer_hn if step == "submit" else ministry,
        comment[step],
    )
    # Only a submission records figures; the event keeps the ones the province submitted.
    assert bool(event.figures) is (step == "submit")
    if step == "submit":
        assert stored.figures == event.figures


def test_one_province_not_approved_stops_the_whole_release(
    officer_hn, officer_ct, ministry, hanoi, cantho
):
    q1 = ReportingPeriod.objects.get(code="2019Q1")
    bring_to("approved", period=q1, province=hanoi, officer=officer_hn, ministry=ministry)
    bring_to("submitted", period=q1, province=cantho, officer=officer_ct, ministry=ministry)
    with pytest.raises(ValidationError) as refused:
        releases.release_publish(period=q1, provinces=[hanoi, cantho], by=ministry)
    assert "Cần Thơ" in str(refused.value) and "Hà Nội" not in str(refused.value)
    assert not Release.objects.exists()


def test_an_approval_of_another_period_does_not_publish_this_one(officer_hn, ministry, hanoi):
    q1, q2 = (ReportingPeriod.objects.get(code=code) for code in ("2019Q1", "2019Q2"))
    bring_to("approved", period=q1, province=hanoi, officer=officer_hn, ministry=ministry)
    with pytest.raises(ValidationError):
        releases.release_publish(period=q2, provinces=[hanoi], by=ministry)
    assert not Release.objects.exists()


# ----------------------------------------------------------------------------- erasure
# Erasing a person closes every referral still open (referred or received) as lost; closed ones
# keep their outcome.


@pytest.mark.parametrize(
    ("status", "completed_on", "after"),
    rows(
        ("referred-is-closed", Status.REFERRED, None, Status.LOST),
        ("received-is-closed", Status.RECEIVED, None, Status.LOST),
        ("completed-stays", Status.COMPLETED, D(2019, 3, 1), Status.COMPLETED),
        ("declined-stays", Status.DECLINED, None, Status.DECLINED),
        ("lost-stays", Status.LOST, None, Status.LOST),
    ),
)
def test_erasure_closes_every_open_referral(
    admin_user, site_hn, hanoi, provider_hn, status, completed_on, after
):
    person = f.ParticipantFactory(province=hanoi)
    referral = f.ReferralFactory(
        participant=person,
        site=site_hn,
        provider=provider_hn,
        status=status,
        completed_on=completed_on,
    )
    person_erase(person=person.person, by=admin_user)
    referral.refresh_from_db()
    assert referral.status == after
    assert referral.status not in Referral.OPEN_STATUSES


def test_erasure_closes_open_referrals_in_every_province(admin_user, site_hn, site_ct, cantho):
    person = f.ParticipantFactory()
    elsewhere = f.record_in(person, site_ct)
    open_ = [
        f.ReferralFactory(participant=person, site=site_hn, status=Status.RECEIVED),
        f.ReferralFactory(participant=elsewhere, site=site_ct, status=Status.REFERRED),
    ]
    other = f.ReferralFactory(site=site_hn, status=Status.RECEIVED)  # someone else's
    person_erase(person=person.person, by=admin_user)
    assert {r.status for r in Referral.objects.filter(pk__in=[r.pk for r in open_])} == {
        Status.LOST
    }
    other.refresh_from_db()
    assert other.status == Status.RECEIVED
    assert not ReferralEvent.objects.filter(referral__in=open_, by__isnull=False).exists()


# ----------------------------------------------------------------------------- filters
# What each role's list filters offer. Sites: HN-HM-PG (Hà Nội), CT-NK-WR (Cần Thơ), HG-VT
# (pre-2025 Hậu Giang, now part of Cần Thơ), HN-BD (Hà Nội, no group of the leader, no referral
# to the Hà Nội provider).


@pytest.fixture
def world(site_hn, site_ct, group_hn, group_ct, provider_hn):
    hau_giang = f.SiteFactory(code="HG-VT", province=f.province("93", "legacy"))
    f.SiteFactory(code="HN-BD")
    other_provider = f.ProviderFactory(name="Cơ sở khác")
    # Referrals to the Hà Nội provider from Hà Nội and from Hậu Giang (a person who moved).
    f.ReferralFactory(site=site_hn, provider=provider_hn)
    f.ReferralFactory(
        site=hau_giang,
        provider=provider_hn,
        participant=f.ParticipantFactory(province=f.province("92")),
    )
    f.ReferralFactory(site=site_ct, provider=other_provider)
    f.EstablishmentFactory(code="E-HN", site=site_hn)
    f.EstablishmentFactory(code="E-CT", site=site_ct)


ALL_SITES = ["CT-NK-WR", "HG-VT", "HN-BD", "HN-HM-PG"]
FILTERS = [
    ("participants", participant_forms.ParticipantFilterForm, "site"),
    ("contacts", participant_forms.ContactFilterForm, "site"),
    ("rights", participant_forms.RightsAssessmentFilterForm, "site"),
    ("establishment-assessments", participant_forms.EstablishmentAssessmentFilterForm, "site"),
    ("referrals", referral_forms.ReferralFilterForm, "site"),
    ("followup", referral_forms.FollowupFilterForm, "site"),
    ("supports", referral_forms.SupportFilterForm, "site"),
    ("establishments", site_forms.EstablishmentFilterForm, "site"),
    ("peer-groups", site_forms.PeerGroupFilterForm, "site"),
    ("costs", site_forms.CostFilterForm, "site"),
    ("trainings", site_forms.TrainingFilterForm, "site"),
]
SITES_BY_ROLE = {
    "officer_hn": ["HN-BD", "HN-HM-PG"],
    "officer_ct": ["CT-NK-WR", "HG-VT"],
    "leader": ["HN-HM-PG"],
    "ministry": ALL_SITES,
    "admin": ALL_SITES,
    "outsider": [],
    "provider_staff": [],
}


def offered(form, field):
    return sorted(
        getattr(choice, "code", None) or str(choice) for choice in form.fields[field].queryset
    )


@pytest.mark.parametrize(("persona", "expected"), SITES_BY_ROLE.items())
@pytest.mark.parametrize(("name", "form_class", "field"), FILTERS, ids=[n for n, *_ in FILTERS])
def test_site_filters_offer_only_the_sites_in_scope(
    personas, world, name, form_class, field, persona, expected
):
    if name == "referrals" and persona == "provider_staff":
        expected = ["HG-VT", "HN-HM-PG"]  # the sites its referrals came from, nothing else
    assert offered(form_class(user=personas[persona]), field) == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    rows(
        ("officer-hn", "officer_hn", ["E-HN"]),
        ("officer-ct", "officer_ct", ["E-CT"]),
        ("ministry", "ministry", ["E-CT", "E-HN"]),
        ("outsider", "outsider", []),
    ),
)
def test_establishment_filters_offer_only_those_in_scope(personas, world, persona, expected):
    for form_class in (
        participant_forms.RightsAssessmentFilterForm,
        participant_forms.EstablishmentAssessmentFilterForm,
    ):
        assert offered(form_class(user=personas[persona]), "establishment") == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    rows(
        ("officer-hn", "officer_hn", ["01", "01"]),
        ("officer-ct", "officer_ct", ["92", "92", "93", "94"]),
    ),
)
def test_an_officers_province_filter_offers_only_their_province(personas, persona, expected):
    form = site_forms.SiteFilterForm(user=personas[persona])
    assert sorted(p.code for p in form.fields["province"].queryset) == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    rows(
        ("officer-hn", "officer_hn", ["SAO-DEM"]),
        ("leader", "leader", ["SAO-DEM"]),
        ("officer-ct", "officer_ct", ["ANH-DUONG"]),
        ("outsider", "outsider", []),
    ),
)
def test_peer_group_filters_offer_only_groups_in_scope(personas, world, persona, expected):
    form = participant_forms.ContactFilterForm(user=personas[persona])
    assert offered(form, "peer_group") == expected


def test_a_provider_filtering_by_a_site_of_another_provider_gets_an_error(personas, world):
    other_site = f.SiteFactory(code="HN-OTHER")
    f.ReferralFactory(site=other_site, provider=f.ProviderFactory())
    form = referral_forms.ReferralFilterForm(
        {"site": other_site.pk}, user=personas["provider_staff"]
    )
    assert not form.is_valid() and list(form.errors) == ["site"]


# ----------------------------------------------------------------------------- referral rules
# What a referral's status may become from outside the transition functions (an imported file),
# which actions each role is offered, and which providers can take a new referral.


@pytest.mark.parametrize(
    ("current", "target", "completed_on", "new_completed_on", "allowed"),
    rows(
        ("referred-stays", Status.REFERRED, Status.REFERRED, None, None, True),
        ("referred-to-received", Status.REFERRED, Status.RECEIVED, None, None, True),
        ("referred-skips-to-completed", Status.REFERRED, Status.COMPLETED, None, None, True),
        ("referred-to-declined", Status.REFERRED, Status.DECLINED, None, None, True),
        ("referred-to-lost", Status.REFERRED, Status.LOST, None, None, True),
        ("received-back-to-referred", Status.RECEIVED, Status.REFERRED, None, None, False),
        ("received-stays", Status.RECEIVED, Status.RECEIVED, None, None, True),
        ("received-to-completed", Status.RECEIVED, Status.COMPLETED, None, None, True),
        ("received-to-lost", Status.RECEIVED, Status.LOST, None, None, True),
        (
            "completed-stays-same-day",
            Status.COMPLETED,
            Status.COMPLETED,
            D(2019, 5, 2),
            D(2019, 5, 2),
            True,
        ),
        (
            "completed-stays-a-day-later",
            Status.COMPLETED,
            Status.COMPLETED,
            D(2019, 5, 2),
            D(2019, 5, 3),
            False,
        ),
        (
            "completed-stays-a-day-earlier",
            Status.COMPLETED,
            Status.COMPLETED,
            D(2019, 5, 2),
            D(2019, 5, 1),
            False,
        ),
        ("completed-to-declined", Status.COMPLETED, Status.DECLINED, None, None, False),
        ("declined-stays", Status.DECLINED, Status.DECLINED, None, None, True),
        ("declined-to-received", Status.DECLINED, Status.RECEIVED, None, None, False),
        ("lost-to-completed", Status.LOST, Status.COMPLETED, None, None, False),
    ),
)
def test_an_imported_status_moves_only_forward(
    current, target, completed_on, new_completed_on, allowed
):
    try:
        check_status_change(
            current=current,
            target=target,
            completed_on=completed_on,
            new_completed_on=new_completed_on,
        )
    except ValidationError as error:
        assert error.code == "invalid_transition"
        assert not allowed
    else:
        assert allowed


@pytest.mark.parametrize(
    ("status", "persona", "expected"),
    rows(
        ("referred-officer", Status.REFERRED, "officer_hn", ["receive", "decline", "lose"]),
        ("referred-no-user", Status.REFERRED, None, ["receive", "decline", "lose"]),
        ("referred-provider", Status.REFERRED, "provider_staff", ["receive", "decline"]),
        ("received-officer", Status.RECEIVED, "officer_hn", ["complete", "decline", "lose"]),
        ("received-provider", Status.RECEIVED, "provider_staff", ["complete", "decline"]),
        ("completed-officer", Status.COMPLETED, "officer_hn", []),
        ("lost-provider", Status.LOST, "provider_staff", []),
    ),
)
def test_the_actions_each_role_is_offered(personas, status, persona, expected):
    user = personas[persona] if persona else None
    assert next_actions(Referral(status=status), user) == expected


@pytest.mark.parametrize(
    ("active", "service", "code"),
    rows(
        ("active-offers-it", True, "health_check", None),
        ("active-does-not-offer-it", True, "legal_aid", "service"),
        ("inactive-offers-it", False, "health_check", "inactive"),
    ),
)
def test_which_provider_takes_a_new_referral(hanoi, active, service, code):
    provider = f.ProviderFactory(services=["health_check"], is_active=active)
    messages = {
        "service": ["Cơ sở dịch vụ này không cung cấp dịch vụ đã chọn."],
        "inactive": ["Cơ sở dịch vụ này đã ngừng hoạt động."],
    }
    try:
        check_provider(provider=provider, service=service)
    except ValidationError as error:
        assert (error.code, error.messages) == (code, messages[code])
    else:
        assert code is None


@pytest.mark.parametrize(
    ("active_before", "active", "offered"),
    rows(
        ("deactivated", True, False, False),
        ("reactivated", False, True, True),
        ("deactivated-again-stays-inactive", False, False, False),
    ),
)
def test_a_deactivated_provider_is_kept_but_not_offered(hanoi, active_before, active, offered):
    provider = f.ProviderFactory(services=["health_check"], is_active=active_before, version=3)
    provider_set_active(provider=provider, active=active)
    stored = type(provider).objects.get(pk=provider.pk)
    assert stored.is_active is offered
    assert stored.version == 4
    answer = None
    try:
        check_provider(provider=stored, service="health_check")
    except ValidationError as error:
        answer = error.code
    assert answer == (None if offered else "inactive")


def test_deactivating_a_provider_keeps_an_edit_saved_since_it_was_read(hanoi):
    """Another officer renamed the provider after this page read it: deactivating writes its
    own columns only, so the new name and services stay."""
    provider = f.ProviderFactory(name="Trạm y tế A", services=["health_check"], version=3)
    type(provider).objects.filter(pk=provider.pk).update(
        name="Trạm y tế phường A", services=["health_check", "hiv_sti"]
    )
    provider_set_active(provider=provider, active=False)
    stored = type(provider).objects.get(pk=provider.pk)
    assert (stored.name, stored.services, stored.is_active, stored.version) == (
        "Trạm y tế phường A",
        ["health_check", "hiv_sti"],
        False,
        4,
    )


# ----------------------------------------------------------------------------- people's records
# Who may correct a contact: whoever recorded it, and the officers and administrators.


@pytest.mark.parametrize(
    ("persona", "allowed"),
    rows(
        ("nobody", None, False),
        ("the-leader-who-recorded-it", "leader", True),
        ("another-leader", "leader_ct", False),
        ("officer", "officer_hn", True),
        ("admin", "admin", True),
        ("ministry", "ministry", False),
        ("provider-staff", "provider_staff", False),
    ),
)
def test_who_may_correct_a_contact(personas, leader_ct, site_hn, persona, allowed):
    users = {**personas, "leader_ct": leader_ct}
    contact = f.ContactFactory(site=site_hn, recorded_by=personas["leader"])
    user = users[persona] if persona else None
    assert participant_services.may_correct(contact, user) is allowed


def test_a_signed_out_visitor_may_not_correct_a_contact(site_hn):
    contact = f.ContactFactory(site=site_hn, recorded_by=None)
    assert participant_services.may_correct(contact, AnonymousUser()) is False


# Withdrawn on 15/06/2020; a day not given (a record's own change) counts as after it.
@pytest.mark.parametrize(
    ("withdrawn_on", "day", "code"),
    rows(
        ("not-withdrawn-any-day", None, D(2020, 6, 16), None),
        ("not-withdrawn-no-day", None, None, None),
        ("withdrawn-no-day", D(2020, 6, 15), None, "withdrawn"),
        ("withdrawn-on-the-day", D(2020, 6, 15), D(2020, 6, 15), None),
        ("withdrawn-the-day-after", D(2020, 6, 15), D(2020, 6, 16), "withdrawn"),
    ),
)
def test_activity_of_a_withdrawn_participant(hanoi, withdrawn_on, day, code):
    person = f.ParticipantFactory(
        province=hanoi, consent_on=D(2020, 1, 1), withdrawn_on=withdrawn_on
    )
    try:
        participant_services.check_active(person, "who", day)
    except ValidationError as error:
        assert list(error.error_dict) == ["who"]
        assert error.error_dict["who"][0].code == code
    else:
        assert code is None


@pytest.mark.parametrize(
    ("group", "site", "code"),
    rows(
        ("group-of-the-site", "group_hn", "site_hn", None),
        ("group-of-another-site", "group_ct", "site_hn", "peer_group_site"),
        ("no-group", None, "site_hn", None),
        ("no-site-yet", "group_ct", None, None),
    ),
)
def test_a_peer_group_belongs_to_the_contacts_site(request, group, site, code):
    peer_group = request.getfixturevalue(group) if group else None
    chosen = request.getfixturevalue(site) if site else None
    try:
        participant_services.check_peer_group(peer_group, chosen, "group")
    except ValidationError as error:
        assert error.message_dict == {"group": ["Nhóm đồng đẳng không thuộc địa bàn đã chọn."]}
        assert error.error_dict["group"][0].code == code
    else:
        assert code is None


# A step's reason is one of a fixed list (no free text about the person); a completion's
# outcome and a loss's reason may be left out (an imported status), a decline's may not.
@pytest.mark.parametrize(
    ("action", "reason", "field", "message"),
    rows(
        ("decline-listed-reason", "decline", "not_eligible", None, None),
        ("decline-other", "decline", "other", None, None),
        (
            "decline-no-reason",
            "decline",
            "",
            "decline_reason",
            "Chọn lý do từ chối trong danh sách.",
        ),
        (
            "decline-free-text",
            "decline",
            "nhà xa",
            "decline_reason",
            "Chọn lý do từ chối trong danh sách.",
        ),
        ("complete-listed-outcome", "complete", "service_given", None, None),
        ("complete-no-outcome", "complete", "", None, None),
        ("complete-free-text", "complete", "xong", "outcome", "Chọn kết quả trong danh sách."),
        ("lose-listed-reason", "lose", "not_reached", None, None),
        ("lose-no-reason", "lose", "", None, None),
        ("lose-free-text", "lose", "đi xa", "lost_reason", "Chọn lý do mất dấu trong danh sách."),
    ),
)
def test_the_reason_of_a_referral_step(officer_hn, site_hn, action, reason, field, message):
    referral = f.ReferralFactory(site=site_hn, status=Status.RECEIVED)
    step = {
        "decline": lambda: referral_services.referral_decline(
            referral=referral, by=officer_hn, reason=reason
        ),
        "complete": lambda: referral_services.referral_complete(
            referral=referral, by=officer_hn, outcome=reason
        ),
        "lose": lambda: referral_services.referral_lose(
            referral=referral, by=officer_hn, reason=reason
        ),
    }[action]
    try:
        step()
    except ValidationError as error:
        assert error.message_dict == {field: [message]}
        assert error.error_dict[field][0].code == field
    else:
        assert field is None
    stored = Referral.objects.get(pk=referral.pk)
    moved = {"decline": Status.DECLINED, "complete": Status.COMPLETED, "lose": Status.LOST}
    assert stored.status == (Status.RECEIVED if field else moved[action])
    kept = {"decline": "decline_reason", "complete": "outcome", "lose": "lost_reason"}[action]
    assert getattr(stored, kept) == ("" if field else reason)


# The records of one person (by UIC hash) that a user may see, province first, in one query
# (the province's name included).
@pytest.mark.parametrize(
    ("persona", "expected"),
    rows(
        ("admin-sees-both-provinces", "admin", ["Cần Thơ", "Hà Nội"]),
        ("hanoi-officer-sees-hanoi", "officer_hn", ["Hà Nội"]),
        ("cantho-officer-sees-cantho", "officer_ct", ["Cần Thơ"]),
    ),
)
def test_the_records_of_a_person_each_user_may_see(
    personas, hanoi, cantho, persona, expected, django_assert_num_queries
):
    person = f.PersonFactory()
    for province in (hanoi, cantho):
        f.ParticipantFactory(person=person, province=province)
    f.ParticipantFactory(province=hanoi)  # someone else
    with django_assert_num_queries(1):
        found = records_of(user=personas[persona], digest=person.uic_hash)
        assert [record.province.name for record in found] == expected


# Enrolment answers kept in a session are refused when anyone was erased on or after the moment
# they were typed (an erased person is never enrolled again from answers typed before).
TYPED = datetime.datetime(2026, 6, 15, 3, 0, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("pending", "erased_at", "refused"),
    rows(
        ("erasure-a-second-before-typing", {"at": TYPED.timestamp()}, TYPED - SECOND, False),
        ("erasure-at-the-moment-of-typing", {"at": TYPED.timestamp()}, TYPED, True),
        ("erasure-a-second-after-typing", {"at": TYPED.timestamp()}, TYPED + SECOND, True),
        ("no-erasure", {"at": TYPED.timestamp()}, None, False),
        ("no-time-kept", {"digest": "0" * 64}, None, True),
        ("time-not-a-number", {"at": "2026-06-15"}, None, True),
        ("answers-not-a-mapping", ["at", TYPED.timestamp()], None, True),
        ("answers-a-string", "at", None, True),
    ),
)
def test_answers_typed_before_an_erasure_are_refused(pending, erased_at, refused):
    if erased_at is not None:
        run = ErasureRun.objects.create(kind=ErasureRun.Kind.REQUEST, by=None, people=1, counts={})
        ErasureRun.objects.filter(pk=run.pk).update(at=erased_at)
    assert answers_predate_erasure(pending) is refused


# A phone's refused item is marked as dealt with once (the first time is kept); an accepted one
# needs nothing and is refused with its own code.
@pytest.mark.parametrize(
    ("status", "resolved_before", "code", "resolved_after"),
    rows(
        ("refused-not-dealt-with", "refused", None, None, "now"),
        ("refused-dealt-with-before", "refused", "before", None, "before"),
        ("accepted", "accepted", None, "not_refused", None),
    ),
)
def test_marking_a_phones_item_as_dealt_with(leader, status, resolved_before, code, resolved_after):
    before = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.UTC)
    now = datetime.datetime(2026, 6, 15, 8, 0, tzinfo=datetime.UTC)
    item = OfflineSubmission.objects.create(
        client_id=uuid.uuid4(),
        user=leader,
        kind="contact",
        status=status,
        object_id=1 if status == "accepted" else None,
        resolved_at=before if resolved_before else None,
    )
    with mock.patch("django.utils.timezone.now", return_value=now):
        try:
            submission_resolve(submission=item)
        except ValidationError as error:
            assert (error.code, error.messages) == (
                code,
                ["Chỉ mục bị từ chối mới cần đánh dấu đã xử lý."],
            )
        else:
            assert code is None
    stored = OfflineSubmission.objects.get(pk=item.pk).resolved_at
    assert stored == {"now": now, "before": before, None: None}[resolved_after]


def test_marking_an_item_dealt_with_keeps_the_phones_resend_accepted_meanwhile(leader):
    """The leader's list was read while the item was refused; the phone sent it again and it was
    accepted before the leader pressed the button: marking it writes only the time it was dealt
    with, and the item stays accepted with its record."""
    item = OfflineSubmission.objects.create(
        client_id=uuid.uuid4(), user=leader, kind="contact", status="refused"
    )
    OfflineSubmission.objects.filter(pk=item.pk).update(status="accepted", object_id=42)
    submission_resolve(submission=item)
    stored = OfflineSubmission.objects.get(pk=item.pk)
    assert (stored.status, stored.object_id) == ("accepted", 42)


# The accounts of a province, whose activity the province limits of the harvesting alert add
# up: its officers and the peer leaders of groups at its sites; nobody else's.
@pytest.mark.parametrize(
    ("persona", "counted"),
    rows(
        ("hanoi-officer", "officer_hn", True),
        ("hanoi-peer-leader", "leader", True),
        ("cantho-officer", "officer_ct", False),
        ("cantho-peer-leader", "leader_ct", False),
        ("ministry", "ministry", False),
        ("provider-staff", "provider_staff", False),
    ),
)
def test_the_accounts_of_a_province(personas, leader_ct, hanoi, persona, counted):
    user = {**personas, "leader_ct": leader_ct}[persona]
    event = ActivityEvent.objects.create(user=user, kind=ActivityEvent.Kind.EXPORT, what="x.csv")
    assert ActivityEvent.objects.filter(harvest.of_province(hanoi.pk), pk=event.pk).exists() is (
        counted
    )
    assert (harvest.province_of(user) == hanoi.pk) is counted


# ----------------------------------------------------------------------------- rows of the sample
# Guards that the 2026-12-07 mutation sample found without a test of their own (docs/mutation.md).


@pytest.mark.parametrize(
    ("model", "make"),
    rows(
        ("site", "site", lambda: f.SiteFactory()),
        ("establishment", "establishment", lambda: f.EstablishmentFactory()),
        ("peer-group", "peer group", lambda: f.PeerGroupFactory()),
    ),
)
def test_deactivating_a_record_keeps_it_and_bumps_its_version(model, make):
    record = make()
    assert (record.is_active, record.version) == (True, 0)
    same = site_services.set_active(record=record, active=True)
    assert same.version == 0  # already active: nothing written
    site_services.set_active(record=record, active=False)
    stored = type(record).objects.get(pk=record.pk)
    assert (stored.is_active, stored.version) == (False, 1)
    assert record.version == 1
    site_services.set_active(record=record, active=False)
    assert type(record).objects.get(pk=record.pk).version == 1
    site_services.set_active(record=record, active=True)
    stored = type(record).objects.get(pk=record.pk)
    assert (stored.is_active, stored.version) == (True, 2)


@pytest.mark.parametrize(
    ("service", "expected"),
    rows(
        ("legal-aid", "legal_aid", ["Cơ sở B (pháp lý)", "Cơ sở C (cả hai)"]),
        ("shelter", "shelter", ["Cơ sở A (tạm lánh)", "Cơ sở C (cả hai)"]),
        ("loan", "loan", []),
        ("any-service", None, ["Cơ sở A (tạm lánh)", "Cơ sở B (pháp lý)", "Cơ sở C (cả hai)"]),
    ),
)
def test_the_providers_offered_for_a_service(officer_hn, hanoi, service, expected):
    f.ProviderFactory(name="Cơ sở A (tạm lánh)", services=["shelter"], province=hanoi)
    f.ProviderFactory(name="Cơ sở B (pháp lý)", services=["legal_aid"], province=hanoi)
    f.ProviderFactory(name="Cơ sở C (cả hai)", services=["shelter", "legal_aid"], province=hanoi)
    found = referral_selectors.providers_for_referral(user=officer_hn, service=service)
    assert [p.name for p in found] == expected


def test_a_province_rule_extends_the_open_alert_of_any_account_of_the_province(
    officer_hn, leader, officer_ct
):
    """A province rule (PROVINCE_VIEWS) counts the views of every account of the province: a
    second account of Hà Nội crossing it within the hour extends Hà Nội's open alert; an
    account of Cần Thơ gets one of its own, and so does an account rule."""
    at = timezone.now()
    first, created = harvest.raise_alert(
        user_id=officer_hn.pk,
        rule=harvest.Rule.PROVINCE_VIEWS,
        observed=5,
        threshold=4,
        at=at,
        province_id=officer_hn.province_id,
    )
    assert created
    again, created = harvest.raise_alert(
        user_id=leader.pk,
        rule=harvest.Rule.PROVINCE_VIEWS,
        observed=7,
        threshold=4,
        at=at + SECOND,
        province_id=officer_hn.province_id,
    )
    assert (again.pk, created, again.observed, again.last_at) == (first.pk, False, 7, at + SECOND)
    other, created = harvest.raise_alert(
        user_id=officer_ct.pk,
        rule=harvest.Rule.PROVINCE_VIEWS,
        observed=5,
        threshold=4,
        at=at + SECOND,
        province_id=officer_ct.province_id,
    )
    assert created and other.pk != first.pk
    own, created = harvest.raise_alert(
        user_id=leader.pk, rule=harvest.Rule.PAGE_VIEWS, observed=9, threshold=8, at=at
    )
    assert created and own.pk not in {first.pk, other.pk}


# An alert extended while an administrator reviews it, or while another page extends it: what
# was written between this page's read and its write is kept (the review, the greater count,
# the later time).
@pytest.mark.parametrize(
    ("meanwhile", "kept"),
    rows(
        ("reviewed", "reviewed", {"reviewed": True, "observed": 7, "last": 1}),
        ("extended-further", "extended-further", {"reviewed": False, "observed": 9, "last": 2}),
        ("nothing", "nothing", {"reviewed": False, "observed": 7, "last": 1}),
    ),
)
def test_an_alert_extended_keeps_what_was_written_meanwhile(
    officer_hn, admin_user, meanwhile, kept
):
    from django.db.models.query import QuerySet

    at = timezone.now()
    first, _created = harvest.raise_alert(
        user_id=officer_hn.pk, rule=harvest.Rule.PAGE_VIEWS, observed=5, threshold=4, at=at
    )
    real_first = QuerySet.first

    def read_then_meanwhile(queryset):
        found = real_first(queryset)
        if queryset.model is HarvestAlert and found is not None:
            stored = HarvestAlert.objects.filter(pk=found.pk)
            if meanwhile == "reviewed":
                stored.update(reviewed_at=at, reviewed_by=admin_user, note="Đã hỏi cán bộ.")
            elif meanwhile == "extended-further":
                stored.update(observed=9, last_at=at + 2 * SECOND)
        return found

    with mock.patch.object(QuerySet, "first", read_then_meanwhile):
        harvest.raise_alert(
            user_id=officer_hn.pk,
            rule=harvest.Rule.PAGE_VIEWS,
            observed=7,
            threshold=4,
            at=at + SECOND,
        )
    alert = HarvestAlert.objects.get()
    assert (alert.reviewed_at is not None, alert.observed, alert.last_at) == (
        kept["reviewed"],
        kept["observed"],
        at + kept["last"] * SECOND,
    )
    if kept["reviewed"]:
        assert (alert.reviewed_by, alert.note) == (admin_user, "Đã hỏi cán bộ.")


def test_the_latest_release_with_who_published_it_is_one_query(
    officer_hn, ministry, hanoi, site_hn, django_assert_num_queries
):
    f.ContactFactory(site=site_hn, date=D(2019, 2, 1))
    q1 = ReportingPeriod.objects.get(code="2019Q1")
    bring_to("approved", period=q1, province=hanoi, officer=officer_hn, ministry=ministry)
    assert releases.latest_release(q1) is None
    first = releases.release_publish(period=q1, provinces=[hanoi], by=ministry)
    assert releases.latest_release(None) is None
    with django_assert_num_queries(1):
        latest = releases.latest_release(q1)
        assert (latest.pk, latest.version) == (first.pk, 1)
        assert (latest.period.code, latest.published_by.username) == ("2019Q1", "ministry")


def test_erasure_blanks_the_audit_history_of_the_persons_records(admin_user, hanoi, officer_hn):
    """Who changed what kind of record when stays; which row it was and what it held goes."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from participants.models import Participant

    person = f.ParticipantFactory(province=hanoi)
    other = f.ParticipantFactory(province=hanoi)
    kind = ContentType.objects.get_for_model(Participant)
    entries = LogEntry.objects.filter(content_type=kind, object_id=person.pk)
    assert entries.exists()
    before = list(entries.values_list("pk", "action", "timestamp"))
    person_erase(person=person.person, by=admin_user)
    blanked = LogEntry.objects.filter(pk__in=[pk for pk, _action, _at in before]).order_by("pk")
    assert list(blanked.values_list("pk", "action", "timestamp")) == before
    for entry in blanked:
        assert (entry.object_pk, entry.object_id, entry.object_repr) == ("", None, "—")
        assert (entry.changes, entry.changes_text) == (None, "")
        assert (entry.serialized_data, entry.additional_data) == (None, None)
    kept = LogEntry.objects.filter(content_type=kind, object_id=other.pk)
    assert kept.exists()
    assert {entry.object_pk for entry in kept} == {str(other.pk)}


@pytest.mark.parametrize(
    ("period", "expected"),
    rows(
        # A quarter nests in its year and in its phase; never with the quarter before it.
        ("a-quarter", "2019Q2", [("2016-2020", 1), ("2019", 2)]),
        ("a-year", "2019", [("2016-2020", 1), ("2019Q1", 1), ("2019Q2", 1)]),
        ("a-phase", "2016-2020", [("2018Q4", 1), ("2019", 2), ("2019Q1", 1), ("2019Q2", 1)]),
        ("a-year-outside-the-phase", "2021", [("2021Q1", 1)]),
    ),
)
def test_the_releases_that_constrain_a_new_one(ministry, period, expected):
    """The latest release of each period that contains the period or lies within it."""
    published = [
        ("2018Q4", 1),
        ("2019Q1", 1),
        ("2019Q2", 1),
        ("2019", 1),
        ("2019", 2),
        ("2016-2020", 1),
        ("2021Q1", 1),
    ]
    for code, version in published:
        Release.objects.create(
            period=ReportingPeriod.objects.get(code=code),
            version=version,
            published_by=ministry,
            tables={},
        )
    found = releases.nesting_releases(ReportingPeriod.objects.get(code=period))
    assert sorted((r.period.code, r.version) for r in found) == expected


@pytest.mark.parametrize(
    ("kind", "refusal"),
    rows(
        ("outreach", "outreach", None),
        (
            "a-kind-that-does-not-exist",
            "visit",
            ("kind", "kind", "Hình thức tiếp cận không hợp lệ."),
        ),
        ("empty", "", ("kind", "kind", "Hình thức tiếp cận không hợp lệ.")),
    ),
)
def test_the_kind_of_a_contact(hanoi, site_hn, kind, refusal):
    person = f.ParticipantFactory(province=hanoi, consent_on=D(2020, 1, 1))
    check = lambda: participant_services.check_contact(  # noqa: E731
        participant=person, date=D(2020, 2, 1), site=site_hn, kind=kind
    )
    if refusal is None:
        check()
        return
    field, code, message = refusal
    with pytest.raises(ValidationError) as refused:
        check()
    (error,) = refused.value.error_dict[field]
    assert (error.code, error.messages) == (code, [message])


@pytest.mark.parametrize(
    ("on", "refusal"),
    rows(
        ("today", D(2026, 6, 15), None),
        (
            "tomorrow",
            D(2026, 6, 16),
            ("future", "Ngày rút khỏi chương trình không được sau ngày hôm nay."),
        ),
        (
            "before-consent",
            D(2019, 12, 31),
            (
                "withdrawn_before_consent",
                "Ngày rút khỏi chương trình không được trước ngày đồng ý tham gia.",
            ),
        ),
    ),
)
def test_a_withdrawal_refused_on_its_field(on, refusal):
    with mock.patch("participants.services.today", return_value=D(2026, 6, 15)):
        check = lambda: participant_services.check_withdrawal(  # noqa: E731
            on=on, consent_on=D(2020, 1, 1)
        )
        if refusal is None:
            check()
            return
        with pytest.raises(ValidationError) as refused:
            check()
    assert list(refused.value.error_dict) == ["withdrawn_on"]
    (error,) = refused.value.error_dict["withdrawn_on"]
    assert (error.code, error.messages) == (refusal[0], [refusal[1]])


def test_the_figures_that_changed_since_a_submission():
    """In the indicators' order, with both values as shown (percentages as numbers, a
    suppression marker as it is); an indicator missing on one side counts as changed."""
    before = {"sites_active": 3, "sites_active_pilot": 2, "referred_pct": "12.5", "x": 1}
    after = {"sites_active": 4, "sites_active_pilot": 2, "referred_pct": "<5"}
    changes = cycle.figure_changes(before, after)
    assert [(c.code, str(c.label), c.before, c.after) for c in changes] == [
        ("sites_active", "Địa bàn đang hoạt động", 3, 4),
        ("referred_pct", str(cycle.INDICATOR_LABELS["referred_pct"]), Decimal("12.5"), "<5"),
    ]
    assert cycle.figure_changes(after, after) == []
    (added,) = cycle.figure_changes({}, {"sites_active_pilot": 1})
    assert (added.code, added.before, added.after) == ("sites_active_pilot", None, 1)


@pytest.mark.parametrize(
    ("published", "expected"),
    rows(
        ("nothing-published", [], None),
        ("one-quarter", ["2019Q1"], "2019Q1"),
        ("the-later-quarter", ["2019Q1", "2019Q3"], "2019Q3"),
        ("a-year-and-its-last-quarter-the-longer", ["2019Q4", "2019"], "2019"),
        ("a-phase-ending-the-same-day-the-longest", ["2020", "2016-2020", "2020Q4"], "2016-2020"),
        ("a-later-quarter-over-an-earlier-year", ["2019", "2020Q1"], "2020Q1"),
    ),
)
def test_the_period_the_ministrys_dashboard_opens_on(ministry, published, expected):
    for code in published:
        Release.objects.create(
            period=ReportingPeriod.objects.get(code=code),
            version=1,
            published_by=ministry,
            tables={},
        )
    found = releases.latest_published_period()
    assert (found.code if found else None) == expected


@pytest.mark.parametrize(
    ("user", "expected"),
    rows(
        # Hà Nội's officer: Hà Nội's providers first, then the others, each by name.
        ("officer", "officer_hn", ["B Hà Nội", "D Hà Nội", "A Cần Thơ", "C Cần Thơ"]),
        # The ministry works in no province: every active provider by name.
        ("ministry", "ministry", ["A Cần Thơ", "B Hà Nội", "C Cần Thơ", "D Hà Nội"]),
    ),
)
def test_the_providers_a_user_may_refer_to_and_their_order(
    request, hanoi, cantho, django_assert_num_queries, user, expected
):
    for name, province in (
        ("D Hà Nội", hanoi),
        ("C Cần Thơ", cantho),
        ("B Hà Nội", hanoi),
        ("A Cần Thơ", cantho),
    ):
        f.ProviderFactory(name=name, province=province)
    f.ProviderFactory(name="E Hà Nội (ngừng)", province=hanoi, is_active=False)
    who = request.getfixturevalue(user)
    with django_assert_num_queries(1):
        found = list(referral_selectors.providers_for_referral(user=who))
        assert [(p.name, p.province.code) for p in found] == [
            (name, "01" if "Hà Nội" in name else "92") for name in expected
        ]


def test_what_a_reviewer_is_warned_of_before_approving_a_period(hanoi, site_ct):
    """reports.cycle.data_quality, for Hà Nội's second quarter of 2019 seen on 30/06/2019: the
    province's sites active in the quarter with no contact or no cost in it (counted, the first
    ten codes shown), and its referrals of the quarter still open after 30 days."""
    q2 = ReportingPeriod.objects.get(code="2019Q2")
    complete = f.SiteFactory(code="HN-A")
    f.ContactFactory(site=complete, date=D(2019, 4, 1))
    f.CostFactory(site=complete, date=D(2019, 6, 30))
    unpaid = f.SiteFactory(code="HN-C")
    f.ContactFactory(site=unpaid, date=D(2019, 6, 30))
    f.CostFactory(site=unpaid, date=D(2019, 3, 31))  # the quarter before
    for n in range(11):  # eleven sites with costs and no contact
        f.CostFactory(site=f.SiteFactory(code=f"HN-Q{n:02d}"), date=D(2019, 4, 1))
    f.SiteFactory(code="HN-D", start_date=D(2019, 7, 1))  # starts after the quarter
    f.SiteFactory(code="HN-E", end_date=D(2019, 3, 31))  # closed before it
    f.ReferralFactory(site=complete, date=D(2019, 5, 30))  # open for 31 days
    f.ReferralFactory(site=complete, date=D(2019, 5, 31))  # open for 30 days: not yet
    f.ReferralFactory(
        site=complete,
        date=D(2019, 4, 1),
        status=Referral.Status.COMPLETED,
        completed_on=D(2019, 4, 2),
    )
    f.ReferralFactory(site=site_ct, date=D(2019, 4, 1))  # Cần Thơ's, and site_ct is empty
    with mock.patch("reports.cycle.today", return_value=D(2019, 6, 30)):
        warnings = cycle.data_quality(period=q2, province=hanoi)
    assert [(w.code, w.count, w.examples) for w in warnings] == [
        ("no_contacts", 11, [f"HN-Q{n:02d}" for n in range(10)]),
        ("no_costs", 1, ["HN-C"]),
        ("open_referrals", 1, []),
    ]
    # What the reviewer reads (REFERRAL_OVERDUE_DAYS = 30).
    assert [str(w.message) for w in warnings] == [
        "Địa bàn hoạt động trong kỳ nhưng không có lần tiếp cận nào",
        "Địa bàn hoạt động trong kỳ nhưng chưa nhập chi phí",
        "Chuyển gửi trong kỳ vẫn chưa kết thúc sau hơn 30 ngày: khi kỳ được phê duyệt, trạng "
        "thái của chúng không cập nhật được nữa",
    ]


def test_the_releases_that_constrain_a_new_one_come_in_calendar_order(ministry):
    """Published out of order, the releases inside the 2016–2020 phase are given by start, the
    shorter period first (the disclosure check numbers them in this order)."""
    for code, version in [("2019", 1), ("2019Q2", 1), ("2019", 2), ("2019Q1", 1), ("2018Q4", 1)]:
        Release.objects.create(
            period=ReportingPeriod.objects.get(code=code),
            version=version,
            published_by=ministry,
            tables={},
        )
    found = releases.nesting_releases(ReportingPeriod.objects.get(code="2016-2020"))
    assert [(r.period.code, r.version) for r in found] == [
        ("2018Q4", 1),
        ("2019Q1", 1),
        ("2019", 2),
        ("2019Q2", 1),
    ]


@pytest.mark.parametrize(
    ("change", "refused"),
    rows(
        ("the-same-key", {}, True),
        ("another-day", {"date": D(2019, 2, 3)}, False),
        ("another-service", {"service": "counselling"}, False),
        ("another-site", {"site": "other"}, False),
    ),
)
def test_one_referral_per_person_day_site_and_service(site_hn, change, refused):
    stored = f.ReferralFactory(site=site_hn, date=D(2019, 2, 2), service="health_check")
    key = {
        "participant": stored.participant,
        "date": stored.date,
        "site": stored.site,
        "service": stored.service,
    }
    key.update(change)
    if key["site"] == "other":
        key["site"] = f.SiteFactory(code="HN-OTHER")
    if not refused:
        referral_services.check_referral_key(**key)
        return
    with pytest.raises(ValidationError) as refusal:
        referral_services.check_referral_key(**key)
    assert [(e.code, e.message) for e in refusal.value.error_list] == [
        (
            "duplicate",
            "Người tham gia này đã được chuyển gửi dịch vụ này tại địa bàn này trong ngày đã chọn.",
        )
    ]


# The ministry's decisions by name (the review page posts the name): each leads where its own
# step does; a name that is not a decision is a programming error and changes nothing.
@pytest.mark.parametrize(
    ("status", "action", "expected"),
    rows(
        ("approve", "submitted", "approve", "approved"),
        ("return", "submitted", "return", "returned"),
        ("reopen", "approved", "reopen", "reopened"),
        ("not-a-decision", "submitted", "publish", "unknown decision 'publish'"),
        ("the-step-of-the-province", "submitted", "submit", "unknown decision 'submit'"),
    ),
)
def test_the_ministrys_decisions_by_name(officer_hn, ministry, hanoi, status, action, expected):
    q1 = ReportingPeriod.objects.get(code="2019Q1")
    bring_to(status, period=q1, province=hanoi, officer=officer_hn, ministry=ministry)
    before = Submission.objects.get(period=q1, province=hanoi)

    def decide():
        return cycle.submission_decide(submission=before, action=action, by=ministry, comment="Ok.")

    if expected.startswith("unknown"):
        with pytest.raises(ValueError) as wrong:
            decide()
        assert str(wrong.value) == expected
        stored = Submission.objects.get(pk=before.pk)
        assert (stored.status, stored.version) == (status, before.version)
        return
    assert decide().status == expected
    stored = Submission.objects.get(pk=before.pk)
    assert (stored.status, stored.version) == (expected, before.version + 1)


# A contact corrected by someone who may not: refused with its own code and words, unchanged.
@pytest.mark.parametrize(
    ("persona", "refused"),
    rows(
        ("the-leader-who-recorded-it", "leader", False),
        ("another-leader", "leader_ct", True),
        ("the-ministry", "ministry", True),
    ),
)
def test_a_contact_corrected_only_by_who_may(personas, leader_ct, site_hn, persona, refused):
    users = {**personas, "leader_ct": leader_ct}
    contact = f.ContactFactory(
        site=site_hn, recorded_by=personas["leader"], date=D(2024, 5, 2), kind="outreach"
    )

    def correct():
        return participant_services.contact_correct(
            contact=contact, by=users[persona], date=D(2024, 5, 3), kind="outreach", needs=[]
        )

    if not refused:
        correct()
        assert Contact.objects.get(pk=contact.pk).date == D(2024, 5, 3)
        return
    with pytest.raises(ValidationError) as wrong:
        correct()
    assert (wrong.value.code, wrong.value.messages) == (
        "not_recorder",
        ["Chỉ người đã ghi nhận lần tiếp cận này (hoặc cán bộ của tỉnh) mới được sửa nó."],
    )
    assert Contact.objects.get(pk=contact.pk).date == D(2024, 5, 2)


def test_a_person_is_erased_once(admin_user, hanoi):
    person = f.ParticipantFactory(province=hanoi).person
    person_erase(person=person, by=admin_user)
    with pytest.raises(ValidationError) as again:
        person_erase(person=person, by=admin_user)
    assert (again.value.code, again.value.messages) == (
        "already_erased",
        ["Người này đã được xoá."],
    )
    assert ErasureRun.objects.count() == 1


# What the ministry must write for a step, and the province it must choose: refused on the
# field, in these words, with nothing changed.
@pytest.mark.parametrize(
    ("step", "status", "field", "message"),
    rows(
        (
            "return-without-a-comment",
            "return",
            "submitted",
            "comment",
            "Hãy ghi ý kiến: tỉnh cần biết vì sao báo cáo bị trả lại.",
        ),
        (
            "reopen-without-a-reason",
            "reopen",
            "approved",
            "comment",
            "Hãy ghi lý do mở lại kỳ báo cáo.",
        ),
        (
            "publish-no-province",
            "publish-none",
            "approved",
            "provinces",
            "Hãy chọn ít nhất một tỉnh đã được phê duyệt để công bố.",
        ),
        (
            "correct-a-release-without-a-reason",
            "publish-again",
            "approved",
            "reason",
            "Kỳ này đã được công bố (phiên bản 1): hãy ghi lý do đính chính để công bố phiên bản "
            "mới.",
        ),
    ),
)
def test_what_a_step_of_the_ministry_needs(
    officer_hn, ministry, hanoi, site_hn, step, status, field, message
):
    f.ContactFactory(site=site_hn, date=D(2019, 2, 1))
    q1 = ReportingPeriod.objects.get(code="2019Q1")
    bring_to(status, period=q1, province=hanoi, officer=officer_hn, ministry=ministry)
    submission = Submission.objects.get(period=q1, province=hanoi)
    if step == "publish-again":
        releases.release_publish(period=q1, provinces=[hanoi], by=ministry)
    releases_before = Release.objects.count()
    call = {
        "return": lambda: period_services.submission_return(
            submission=submission, by=ministry, comment="  "
        ),
        "reopen": lambda: period_services.submission_reopen(
            submission=submission, by=ministry, reason=""
        ),
        "publish-none": lambda: releases.release_publish(period=q1, provinces=[], by=ministry),
        "publish-again": lambda: releases.release_publish(
            period=q1, provinces=[hanoi], by=ministry, reason=" "
        ),
    }[step]
    with pytest.raises(ValidationError) as refused:
        call()
    assert refused.value.message_dict == {field: [message]}
    stored = Submission.objects.get(pk=submission.pk)
    assert (stored.status, stored.version) == (status, submission.version)
    assert Release.objects.count() == releases_before
