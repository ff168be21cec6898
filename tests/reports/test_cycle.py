"""The reporting cycle, walked as its users walk it: a provincial officer reviews and submits a
closed quarter, the ministry returns it with a comment, the officer submits again, the ministry
approves (the quarter is locked for that province), reopens it with a reason, approves again and
publishes; each role's home page shows what awaits it; every step is in the history."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from periods import calendar, lock
from periods import services as period_services
from periods.models import ReportingPeriod, Submission, SubmissionEvent
from reports import cycle
from sites.models import Cost, Training
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date
Q1 = "2019Q1"


@pytest.fixture
def q1():
    return ReportingPeriod.objects.get(code=Q1)


@pytest.fixture
def hanoi_data(site_hn, group_hn):
    """In Hà Nội's first quarter of 2019: three people met (two with a need, one referred)
    and a cost; a second site active in the quarter records nothing (a data-quality warning)."""
    met = [f.ContactFactory(site=site_hn, date=D(2019, 2, 1), needs=["loan"]) for _ in range(2)]
    f.ContactFactory(site=site_hn, date=D(2019, 3, 1))
    f.ReferralFactory(participant=met[0].participant, site=site_hn, date=D(2019, 2, 2))
    f.CostFactory(site=site_hn, date=D(2019, 3, 1), amount_vnd=2_000_000)
    f.SiteFactory(code="HN-EMPTY", province=f.province("01", "legacy"))
    return met


def review_url(period=Q1, province="01"):
    return reverse("reports:cycle_province", kwargs={"period": period, "province": province})


def submit(client, period=Q1, comment=""):
    return client.post(
        reverse("reports:cycle_submit", kwargs={"period": period}),
        {"comment": comment, "confirm": "on"},
    )


def decide(client, action, comment="", period=Q1, province="01"):
    return client.post(
        reverse("reports:cycle_decide", kwargs={"period": period, "province": province}),
        {"action": action, "comment": comment, "confirm": "on"},
    )


def status(province="01", period=Q1):
    return Submission.objects.get(period_id=period, province__code=province).status


def test_submit_return_resubmit_approve_reopen(
    client, officer_hn, ministry, hanoi_data, site_hn, q1
):
    # The officer's review: the indicator table, the warnings, a submit button.
    client.force_login(officer_hn)
    page = client.get(review_url()).content.decode()
    assert 'data-code="reached"' in page and 'data-testid="submit-form"' in page
    assert "HN-EMPTY" in page  # active in the quarter, no contact, no cost
    assert "Chưa trình" in page
    # The home page says the last closed quarter and year wait for a submission.
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="awaiting"' in home

    response = submit(client, comment="Số liệu đã rà soát.")
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.SUBMITTED
    # What the province stood behind: 3 reached, 2 with a need, 1 referred, 2,000,000 VND.
    assert submission.figures["reached"] == 3
    assert submission.figures["reached_with_need"] == 2
    assert submission.figures["referred"] == 1
    assert submission.figures["referred_pct"] == "50.0"
    assert submission.figures["total_cost_vnd"] == 2_000_000
    # Submitting again while it waits is refused, with a message; nothing changes.
    response = submit(client)
    assert status() == Submission.Status.SUBMITTED
    assert SubmissionEvent.objects.count() == 1

    # The ministry sees it waiting, and returns it with a comment.
    client.force_login(ministry)
    home = client.get(reverse("home")).content.decode()
    assert "1 tỉnh đã trình, chờ Bộ phê duyệt." in home
    overview = client.get(reverse("reports:cycle_period", kwargs={"period": Q1})).content.decode()
    assert 'data-testid="status-01"' in overview and "Đã trình, chờ Bộ duyệt" in overview
    response = decide(client, "return")  # a return needs a comment
    assert status() == Submission.Status.SUBMITTED
    page = client.get(review_url()).content.decode()
    assert "Hãy ghi ý kiến: tỉnh cần biết vì sao báo cáo bị trả lại." in page
    decide(client, "return", "Thiếu chi phí tháng 1.")
    assert status() == Submission.Status.RETURNED

    # The officer reads the comment on the home page, corrects, sees what changed, resubmits.
    client.force_login(officer_hn)
    home = client.get(reverse("home")).content.decode()
    assert "Bộ trả lại: Thiếu chi phí tháng 1." in home
    f.CostFactory(site=site_hn, date=D(2019, 1, 15), amount_vnd=1_000_000)
    page = client.get(review_url()).content.decode()
    # total_cost_vnd 2,000,000 -> 3,000,000; cost_per_reached_vnd 666,667 -> 1,000,000
    assert "2 chỉ số đã thay đổi so với lần trình gần nhất" in page
    submit(client, comment="Đã bổ sung chi phí.")
    assert status() == Submission.Status.SUBMITTED
    assert Submission.objects.get().figures["total_cost_vnd"] == 3_000_000

    # The ministry approves: the quarter is locked for Hà Nội.
    client.force_login(ministry)
    decide(client, "approve")
    assert status() == Submission.Status.APPROVED
    with pytest.raises(ValidationError) as refused:
        lock.check_period_open(site=site_hn, day=D(2019, 3, 31))
    assert "Quý 1/2019 của Hà Nội đã được Bộ phê duyệt và khoá" in str(refused.value)
    lock.check_period_open(site=site_hn, day=D(2019, 4, 1))  # the next quarter is open

    # Reopening needs a reason; with one, the quarter is open again.
    decide(client, "reopen")
    assert status() == Submission.Status.APPROVED
    decide(client, "reopen", "Tỉnh phát hiện trùng lặp lần tiếp cận.")
    assert status() == Submission.Status.REOPENED
    lock.check_period_open(site=site_hn, day=D(2019, 3, 31))

    # Every step, with who did it and the comments, in order.
    events = list(SubmissionEvent.objects.values_list("action", "by__username", "comment"))
    assert events == [
        ("submit", "officer_hn", "Số liệu đã rà soát."),
        ("return", "ministry", "Thiếu chi phí tháng 1."),
        ("submit", "officer_hn", "Đã bổ sung chi phí."),
        ("approve", "ministry", ""),
        ("reopen", "ministry", "Tỉnh phát hiện trùng lặp lần tiếp cận."),
    ]
    page = client.get(review_url()).content.decode()
    assert page.count('<li class="list-group-item" data-action=') == 5
    # The audit trail has each status change of the submission, with its author.
    changes = LogEntry.objects.get_for_object(Submission.objects.get()).order_by("timestamp")
    statuses = [
        entry.changes_dict["status"][1] for entry in changes if "status" in entry.changes_dict
    ]
    assert statuses == ["submitted", "returned", "submitted", "approved", "reopened"]


def test_an_open_period_cannot_be_submitted(client_for, officer_hn, site_hn):
    today = cycle.today()
    start, end = calendar.quarter_of(today)
    current = ReportingPeriod.objects.get(start=start, end=end)
    client = client_for(officer_hn)
    page = client.get(review_url(current.code)).content.decode()
    assert 'data-testid="submit-form"' not in page
    response = submit(client, current.code)
    assert response.status_code == 302
    assert not Submission.objects.exists()
    page = client.get(review_url(current.code)).content.decode()
    assert "chưa kết thúc: chỉ trình được kỳ đã kết thúc" in page


def test_approval_is_refused_when_the_figures_changed_after_submission(
    client, officer_hn, ministry, hanoi_data, site_hn
):
    client.force_login(officer_hn)
    submit(client)
    # A late contact: reached 3 -> 4, cost per person reached 666,667 -> 500,000.
    f.ContactFactory(site=site_hn, date=D(2019, 3, 30))
    client.force_login(ministry)
    page = client.get(review_url()).content.decode()
    assert "2 chỉ số đã thay đổi so với lần trình gần nhất" in page
    decide(client, "approve")
    assert status() == Submission.Status.SUBMITTED
    page = client.get(review_url()).content.decode()
    assert "Số liệu của Hà Nội đã thay đổi sau khi tỉnh trình" in page
    assert not SubmissionEvent.objects.filter(action="approve").exists()


def test_steps_from_the_wrong_status_are_refused(officer_hn, ministry, hanoi_data, q1, hanoi):
    submission = cycle.submission_submit(period=q1, province=hanoi, by=officer_hn)
    with pytest.raises(ValidationError, match="đang ở trạng thái"):
        period_services.submission_reopen(submission=submission, by=ministry, reason="Sai.")
    cycle.submission_approve(submission=submission, by=ministry)
    with pytest.raises(ValidationError, match="đang ở trạng thái"):
        cycle.submission_approve(submission=submission, by=ministry)
    with pytest.raises(ValidationError, match="đang ở trạng thái"):
        period_services.submission_return(submission=submission, by=ministry, comment="Sai.")
    with pytest.raises(ValidationError, match="đang ở trạng thái"):
        cycle.submission_submit(period=q1, province=hanoi, by=officer_hn)
    assert status() == Submission.Status.APPROVED
    assert SubmissionEvent.objects.count() == 2


def test_who_may_do_what(client, officer_hn, officer_ct, ministry, admin_user, hanoi_data):
    # Another province's review is not found; an officer cannot decide; the ministry cannot
    # submit; an administrator reads but does not decide.
    client.force_login(officer_ct)
    assert client.get(review_url()).status_code == 404
    assert decide(client, "approve").status_code == 403
    client.force_login(officer_hn)
    submit(client)
    assert decide(client, "approve").status_code == 403
    client.force_login(ministry)
    assert submit(client).status_code == 403
    assert client.get(review_url()).status_code == 200
    client.force_login(admin_user)
    assert client.get(review_url()).status_code == 200
    assert decide(client, "approve").status_code == 403
    assert status() == Submission.Status.SUBMITTED
    # An officer opening a period lands on their own province's review.
    client.force_login(officer_ct)
    response = client.get(reverse("reports:cycle_period", kwargs={"period": Q1}))
    assert response["Location"] == review_url(province="92")


# --------------------------------------------------------------------------- the lock


@pytest.fixture
def locked(officer_hn, ministry, hanoi_data, q1, hanoi):
    submission = cycle.submission_submit(period=q1, province=hanoi, by=officer_hn)
    return cycle.submission_approve(submission=submission, by=ministry)


LOCKED = "Kỳ báo cáo Quý 1/2019 của Hà Nội đã được Bộ phê duyệt và khoá"


def test_the_lock_refuses_costs_and_trainings_in_the_form(
    client_for, officer_hn, officer_ct, site_hn, site_ct, locked
):
    client = client_for(officer_hn)
    costs, trainings = Cost.objects.count(), Training.objects.count()
    response = client.post(
        reverse("sites:cost_create"),
        {"site": site_hn.pk, "date": "2019-02-15", "category": "training", "amount_vnd": "5000"},
    )
    assert response.status_code == 200 and LOCKED in response.content.decode()
    response = client.post(
        reverse("sites:training_create"),
        {"site": site_hn.pk, "date": "2019-01-31", "audience": "officials", "trainees": "12"},
    )
    assert response.status_code == 200 and LOCKED in response.content.decode()
    assert (Cost.objects.count(), Training.objects.count()) == (costs, trainings)
    # Moving a cost of the locked quarter out of it is a change too.
    cost = Cost.objects.get(site=site_hn)
    response = client.post(
        reverse("sites:cost_edit", args=[cost.pk]),
        {
            "site": site_hn.pk,
            "date": "2019-04-02",
            "category": cost.category,
            "amount_vnd": "1",
            "version": cost.version,
        },
    )
    assert LOCKED in response.content.decode()
    cost.refresh_from_db()
    assert (cost.date, cost.amount_vnd) == (D(2019, 3, 1), 2_000_000)
    # After the quarter, and in another province, nothing is locked.
    response = client.post(
        reverse("sites:cost_create"),
        {"site": site_hn.pk, "date": "2019-04-01", "category": "training", "amount_vnd": "5000"},
    )
    assert response.status_code == 302
    response = client_for(officer_ct).post(
        reverse("sites:cost_create"),
        {"site": site_ct.pk, "date": "2019-02-15", "category": "training", "amount_vnd": "5000"},
    )
    assert response.status_code == 302


def test_the_lock_refuses_referrals_and_their_status_changes(
    client_for, officer_hn, site_hn, hanoi_data, locked
):
    from referrals import services as referral_services
    from referrals.models import Referral

    referral = Referral.objects.get()
    with pytest.raises(ValidationError, match=LOCKED):
        referral_services.referral_receive(referral=referral, by=officer_hn, on=D(2019, 4, 5))
    referral.refresh_from_db()
    assert referral.status == Referral.Status.REFERRED
    with pytest.raises(ValidationError, match=LOCKED):
        referral_services.referral_create(
            participant=hanoi_data[1].participant,
            date=D(2019, 3, 3),
            site=site_hn,
            service="loan",
            consent_to_share=True,
            by=officer_hn,
        )
    assert Referral.objects.count() == 1
    # Through the page: the message, the status unchanged.
    response = client_for(officer_hn).post(
        reverse("referrals:referral_transition", args=[referral.pk, "lose"]),
        {"lost_reason": "moved"},
        follow=True,
    )
    assert LOCKED in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.REFERRED


def test_the_lock_check_is_one_query_and_the_bulk_check_none(
    site_hn, site_ct, locked, django_assert_num_queries
):
    with django_assert_num_queries(1):
        lock.check_period_open(site=site_ct, day=D(2019, 2, 1))
    with django_assert_num_queries(2):
        spans = lock.locked_spans()
    with django_assert_num_queries(0):
        for day in (D(2018, 12, 31), D(2019, 4, 1)):
            lock.check_open_in(spans, site=site_hn, day=day)
        lock.check_open_in(spans, site=site_ct, day=D(2019, 2, 1))
        with pytest.raises(ValidationError) as refused:
            lock.check_open_in(spans, site=site_hn, day=D(2019, 1, 1))
    assert refused.value.error_dict["date"][0].code == "period_locked"
    assert LOCKED in refused.value.error_dict["date"][0].message


def test_a_year_approved_locks_its_quarters_days(officer_hn, ministry, site_hn, hanoi):
    year = ReportingPeriod.objects.get(code="2019")
    submission = cycle.submission_submit(period=year, province=hanoi, by=officer_hn)
    cycle.submission_approve(submission=submission, by=ministry)
    with pytest.raises(ValidationError, match="Năm 2019 của Hà Nội"):
        lock.check_period_open(site=site_hn, day=D(2019, 11, 30))


# --------------------------------------------------------------------------- periods


def test_periods_are_data():
    assert ReportingPeriod.objects.get(code="2019Q3").start == D(2019, 7, 1)
    assert ReportingPeriod.objects.get(code="2020").end == D(2020, 12, 31)
    phase = ReportingPeriod.objects.get(code="2021-2025")
    assert (phase.kind, phase.start, phase.end) == ("phase", D(2021, 1, 1), D(2025, 12, 31))
    assert phase.label == "Giai đoạn 2021–2025"
    # Loading again adds nothing.
    count = ReportingPeriod.objects.count()
    from programs.models import Phase

    calendar.load_periods(ReportingPeriod, Phase)
    assert ReportingPeriod.objects.count() == count == (2035 - 2016 + 1) * 5 + 2


def test_last_complete_quarter():
    assert calendar.last_complete_quarter(today=D(2026, 11, 30)) == (D(2026, 7, 1), D(2026, 9, 30))
    assert calendar.last_complete_quarter(today=D(2026, 10, 1)) == (D(2026, 7, 1), D(2026, 9, 30))
    # Data ending in the middle of a quarter: the quarter it ends in, once it is over.
    assert calendar.last_complete_quarter(today=D(2026, 11, 30), latest=D(2019, 5, 3)) == (
        D(2019, 4, 1),
        D(2019, 6, 30),
    )


def test_a_province_without_sites_reviews_zeros(client_for, officer_ct, hanoi_data):
    """Cần Thơ has no site here: its review shows zeros (and no percentage), not an error."""
    page = client_for(officer_ct).get(review_url(province="92")).content.decode()
    assert '<td class="text-end" data-code="value">0</td>' in page
    figures = cycle.province_figures(
        period=ReportingPeriod.objects.get(code=Q1), province=officer_ct.province
    )
    assert figures["reached"] == 0 and figures["sites_active"] == 0
    assert figures["referred_pct"] is None


UIC = "LAHU030795F"


@pytest.fixture
def member(site_hn, hanoi):
    """A Hà Nội participant with a known UIC, enrolled at site HN-HM-PG."""
    participant = f.ParticipantFactory(uic=UIC, province=hanoi)
    f.EnrolmentFactory(participant=participant, site=site_hn)
    return participant


def test_the_lock_refuses_a_contact_in_the_form_and_in_the_import(
    client_for, officer_hn, site_hn, member, locked, tmp_path
):
    from participants.models import Contact
    from tests.exchange.conftest import run_import, write_folder

    contacts = Contact.objects.count()
    page = client_for(officer_hn).post(
        reverse("participants:contact_new"),
        {
            "participant_code": member.code,
            "site": site_hn.pk,
            "date": "2019-03-10",
            "kind": "outreach",
        },
    )
    assert page.status_code == 200 and LOCKED in page.content.decode()
    ok, _out, err = run_import(
        write_folder(tmp_path, {"contacts": [f"{UIC},2019-03-10,HN-HM-PG,,outreach,loan"]})
    )
    assert not ok and LOCKED in err
    assert Contact.objects.count() == contacts
    # The day after the quarter is open, in the form and in the import.
    ok, _out, err = run_import(
        write_folder(tmp_path / "april", {"contacts": [f"{UIC},2019-04-01,HN-HM-PG,,outreach,"]})
    )
    assert ok, err
    assert Contact.objects.count() == contacts + 1
