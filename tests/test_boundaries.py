"""Boundary tables: every rule with a date, an age, a count or a threshold, tried just below, on
and just above its edge, with the answer written by hand.

One table per rule family; a new rule, or a new edge of an old one, is one new row. Each row is
(input …, expected) and its test id says which side of the edge it stands on. The expected
answers are never computed by the code under test."""

import datetime
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from accounts.activity import record_activity
from accounts.models import ActivityEvent, Role
from participants import services as participant_services
from periods import calendar, lock
from periods import services as period_services
from periods.models import ReportingPeriod
from privacy import harvest
from privacy.models import HarvestAlert
from privacy.selectors import expired_people
from referrals import selectors as referral_selectors
from referrals import services as referral_services
from referrals.models import Referral
from reports import cycle, disclosure, indicators, suppression
from sites import services as site_services
from sites.forms import PeerGroupForm
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date
OPEN = "open"
OK, REFUSED = "ok", "refused"


def rows(*table):
    """pytest.param for each (id, *values) row of a table."""
    return [pytest.param(*values, id=label) for label, *values in table]


def outcome(call):
    """OK when `call()` passes, else the codes of the ValidationError it raised."""
    try:
        call()
    except ValidationError as error:
        return REFUSED, sorted(e.code for errors in error.error_dict.values() for e in errors)
    return OK, []


# ----------------------------------------------------------------------------- the period lock
# Hà Nội has 2019Q1 (a quarter) and 2020 (a year) approved; Cần Thơ nothing.

Q1, Y2020 = "Quý 1/2019", "Năm 2020"
LOCK_TABLE = rows(
    ("day-before-approved-quarter", D(2018, 12, 31), OPEN),
    ("first-day-of-approved-quarter", D(2019, 1, 1), Q1),
    ("second-day-of-approved-quarter", D(2019, 1, 2), Q1),
    ("last-but-one-day-of-approved-quarter", D(2019, 3, 30), Q1),
    ("last-day-of-approved-quarter", D(2019, 3, 31), Q1),
    ("first-day-after-approved-quarter", D(2019, 4, 1), OPEN),
    ("end-of-next-quarter-not-approved", D(2019, 6, 30), OPEN),
    ("day-before-approved-year", D(2019, 12, 31), OPEN),
    ("first-day-of-approved-year", D(2020, 1, 1), Y2020),
    ("mid-year-quarter-end-of-approved-year", D(2020, 6, 30), Y2020),
    ("last-day-of-approved-year", D(2020, 12, 31), Y2020),
    ("first-day-after-approved-year", D(2021, 1, 1), OPEN),
)


@pytest.fixture
def approved_hanoi(officer_hn, ministry, hanoi):
    for code in ("2019Q1", "2020"):
        period = ReportingPeriod.objects.get(code=code)
        submission = cycle.submission_submit(period=period, province=hanoi, by=officer_hn)
        cycle.submission_approve(submission=submission, by=ministry)


def lock_answer(call):
    """OPEN, or the label of the locked period that the refusal names."""
    try:
        call()
    except ValidationError as error:
        refusal = error.error_dict["date"][0]
        assert refusal.code == "period_locked"
        return refusal.message.split("Kỳ báo cáo ")[1].split(" của ")[0]
    return OPEN


def lock_message(label, day):
    return (
        f"Kỳ báo cáo {label} của Hà Nội đã được Bộ phê duyệt và khoá: không thể thêm, sửa hay "
        f"nhập số liệu ngày {day:%d/%m/%Y}. Nếu cần sửa, hãy đề nghị Bộ mở lại kỳ báo cáo."
    )


@pytest.mark.parametrize(("day", "expected"), LOCK_TABLE)
def test_the_lock_one_record(
    approved_hanoi, site_hn, site_ct, day, expected, django_assert_num_queries
):
    assert lock_answer(lambda: lock.check_period_open(site=site_hn, day=day)) == expected
    # Another province's approval never locks Cần Thơ.
    assert lock_answer(lambda: lock.check_period_open(site=site_ct, day=day)) == OPEN
    if expected != OPEN:
        # One query, the refusal's period and province included.
        with django_assert_num_queries(1), pytest.raises(ValidationError) as refused:
            lock.check_period_open(site=site_hn, day=day)
        assert refused.value.error_dict["date"][0].message == lock_message(expected, day)


@pytest.mark.parametrize(("day", "expected"), LOCK_TABLE)
def test_the_lock_bulk_check_of_imports(approved_hanoi, site_hn, site_ct, day, expected):
    spans = lock.locked_spans()
    assert lock_answer(lambda: lock.check_open_in(spans, site=site_hn, day=day)) == expected
    assert lock_answer(lambda: lock.check_open_in(spans, site=site_ct, day=day)) == OPEN
    if expected != OPEN:
        with pytest.raises(ValidationError) as refused:
            lock.check_open_in(spans, site=site_hn, day=day)
        assert refused.value.error_dict["date"][0].message == lock_message(expected, day)


@pytest.mark.parametrize(
    ("known_site", "day"),
    rows(
        ("no-site", False, D(2019, 1, 1)),
        ("no-day", True, None),
        ("neither", False, None),
    ),
)
def test_the_lock_checks_nothing_while_the_site_or_day_is_unknown(
    approved_hanoi, site_hn, known_site, day, django_assert_num_queries
):
    site = site_hn if known_site else None
    spans = lock.locked_spans()
    with django_assert_num_queries(0):
        lock.check_period_open(site=site, day=day)
        lock.check_open_in(spans, site=site, day=day)


@pytest.mark.parametrize(
    ("as_id", "day", "expected"),
    rows(
        ("province-row-last-locked-day", False, D(2019, 3, 31), Q1),
        ("province-row-first-open-day", False, D(2019, 4, 1), OPEN),
        ("province-id-last-locked-day", True, D(2019, 3, 31), Q1),
        ("province-id-first-open-day", True, D(2019, 4, 1), OPEN),
    ),
)
def test_the_lock_on_a_province_level_event(approved_hanoi, hanoi, cantho, as_id, day, expected):
    # A withdrawal has a province, no site: given as the row or as its id, both checks agree.
    spans = lock.locked_spans()
    for province, answer in ((hanoi, expected), (cantho, OPEN)):
        given = province.pk if as_id else province
        assert lock_answer(lambda p=given: lock.check_period_open(province=p, day=day)) == answer
        assert lock_answer(lambda p=given: lock.check_open_in(spans, province=p, day=day)) == answer


@pytest.mark.parametrize(
    ("day", "expected"),
    rows(
        ("new-record-open-day", D(2019, 4, 1), OPEN),
        ("new-record-locked-day", D(2019, 3, 31), Q1),
    ),
)
def test_the_lock_on_a_record_not_stored_yet(approved_hanoi, site_hn, day, expected):
    # No stored record at all (None): only the new day counts.
    answer = lock_answer(lambda: lock.check_change_open(record=None, site=site_hn, day=day))
    assert answer == expected


@pytest.mark.parametrize(
    ("stored_on", "new_day", "expected"),
    rows(
        ("stored-on-last-locked-day-moved-out", D(2019, 3, 31), D(2019, 4, 1), Q1),
        ("stored-on-first-open-day-moved-on", D(2019, 4, 1), D(2019, 4, 2), OPEN),
    ),
)
def test_the_lock_on_a_stored_record_of_an_establishment(
    approved_hanoi, site_hn, stored_on, new_day, expected
):
    # An assessment has no site of its own: the lock finds it through its establishment.
    stored = f.EstablishmentAssessmentFactory(
        establishment=f.EstablishmentFactory(site=site_hn), date=stored_on
    )
    site = stored.establishment.site
    answer = lock_answer(lambda: lock.check_change_open(record=stored, site=site, day=new_day))
    assert answer == expected


def test_nothing_approved_nothing_locked(site_hn, django_assert_num_queries):
    with django_assert_num_queries(1):
        spans = lock.locked_spans()
    assert spans.by_province == {} and spans.current == {}
    with django_assert_num_queries(0):
        lock.check_open_in(spans, site=site_hn, day=D(2019, 1, 1))


@pytest.mark.parametrize(("day", "expected"), LOCK_TABLE)
def test_the_lock_on_a_contact_logged(approved_hanoi, site_hn, hanoi, day, expected):
    person = f.ParticipantFactory(province=hanoi, consent_on=D(2018, 1, 1))

    def log():
        participant_services.contact_log(
            participant=person, date=day, site=site_hn, kind="outreach", needs=[]
        )

    assert lock_answer(log) == expected


UIC = "LAHU030795F"


@pytest.mark.parametrize(("day", "expected"), LOCK_TABLE)
def test_the_lock_on_an_imported_contact(approved_hanoi, site_hn, hanoi, tmp_path, day, expected):
    f.ParticipantFactory(uic=UIC, province=hanoi, consent_on=D(2018, 1, 1))
    (tmp_path / "contacts.csv").write_text(
        f"uic,date,site,peer_group,kind,needs\n{UIC},{day.isoformat()},HN-HM-PG,,outreach,\n",
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_exchange", str(tmp_path), stdout=out, stderr=err)
    except CommandError as error:
        err.write(str(error))
        assert lock_message(expected, day) in err.getvalue()
    else:
        assert expected == OPEN
    assert site_hn.contacts.filter(date=day).count() == (1 if expected == OPEN else 0)


@pytest.mark.parametrize(
    ("start", "end", "code"),
    rows(
        ("exactly-a-quarter", D(2019, 1, 1), D(2019, 3, 31), "2019Q1"),
        ("a-quarter-less-its-last-day", D(2019, 1, 1), D(2019, 3, 30), None),
        ("a-quarter-and-a-day", D(2019, 1, 1), D(2019, 4, 1), None),
        ("exactly-a-year", D(2019, 1, 1), D(2019, 12, 31), "2019"),
        ("a-quarter-less-its-first-day", D(2019, 1, 2), D(2019, 3, 31), None),
        ("a-day-and-a-quarter", D(2018, 12, 31), D(2019, 3, 31), None),
    ),
)
def test_the_period_of_exact_dates(start, end, code):
    found = calendar.period_for(start, end)
    assert (found.code if found else None) == code


# Where the dashboards open: the last quarter ended before today, not after the latest data.
@pytest.mark.parametrize(
    ("today", "latest", "quarter"),
    rows(
        ("last-but-one-day-of-q1", D(2019, 3, 30), None, (D(2018, 10, 1), D(2018, 12, 31))),
        ("last-day-of-q1-not-ended", D(2019, 3, 31), None, (D(2018, 10, 1), D(2018, 12, 31))),
        ("first-day-after-q1", D(2019, 4, 1), None, (D(2019, 1, 1), D(2019, 3, 31))),
        ("second-day-after-q1", D(2019, 4, 2), None, (D(2019, 1, 1), D(2019, 3, 31))),
        ("latest-data-in-q4", D(2019, 4, 1), D(2018, 12, 31), (D(2018, 10, 1), D(2018, 12, 31))),
        (
            "latest-data-first-day-of-q1",
            D(2019, 4, 1),
            D(2019, 1, 1),
            (D(2019, 1, 1), D(2019, 3, 31)),
        ),
        ("latest-data-after-today", D(2019, 4, 1), D(2019, 5, 1), (D(2019, 1, 1), D(2019, 3, 31))),
    ),
)
def test_the_last_complete_quarter(today, latest, quarter):
    assert calendar.last_complete_quarter(today=today, latest=latest) == quarter


# A province submits a period only once it has ended: 2019Q1 from 01/04/2019.
@pytest.mark.parametrize(
    ("today", "expected"),
    rows(
        ("last-day-of-the-quarter", D(2019, 3, 31), (REFUSED, ["open_period"])),
        ("first-day-after-the-quarter", D(2019, 4, 1), (OK, [])),
        ("second-day-after-the-quarter", D(2019, 4, 2), (OK, [])),
        ("first-day-of-the-quarter", D(2019, 1, 1), (REFUSED, ["open_period"])),
    ),
)
def test_a_period_is_submitted_once_it_has_ended(today, expected):
    period = ReportingPeriod.objects.get(code="2019Q1")
    with mock.patch("periods.services.today", return_value=today):
        try:
            period_services.check_period_closed(period)
        except ValidationError as error:
            assert error.messages == [
                "Kỳ Quý 1/2019 chưa kết thúc: chỉ trình được kỳ đã kết thúc (sau ngày 31/03/2019)."
            ]
            answer = (REFUSED, [error.code])
        else:
            answer = (OK, [])
    assert answer == expected


class _Phase:
    code, start_date, end_date = "GD3", D(2021, 1, 1), D(2025, 12, 31)


def test_the_periods_of_one_year_and_a_phase():
    # The first and the last year of the range are both in it; the year comes before its
    # quarters, and a phase is one period of its own dates.
    assert calendar.period_rows([_Phase], first_year=2019, last_year=2020) == [
        {"code": "2019", "kind": "year", "start": D(2019, 1, 1), "end": D(2019, 12, 31)},
        {"code": "2019Q1", "kind": "quarter", "start": D(2019, 1, 1), "end": D(2019, 3, 31)},
        {"code": "2019Q2", "kind": "quarter", "start": D(2019, 4, 1), "end": D(2019, 6, 30)},
        {"code": "2019Q3", "kind": "quarter", "start": D(2019, 7, 1), "end": D(2019, 9, 30)},
        {"code": "2019Q4", "kind": "quarter", "start": D(2019, 10, 1), "end": D(2019, 12, 31)},
        {"code": "2020", "kind": "year", "start": D(2020, 1, 1), "end": D(2020, 12, 31)},
        {"code": "2020Q1", "kind": "quarter", "start": D(2020, 1, 1), "end": D(2020, 3, 31)},
        {"code": "2020Q2", "kind": "quarter", "start": D(2020, 4, 1), "end": D(2020, 6, 30)},
        {"code": "2020Q3", "kind": "quarter", "start": D(2020, 7, 1), "end": D(2020, 9, 30)},
        {"code": "2020Q4", "kind": "quarter", "start": D(2020, 10, 1), "end": D(2020, 12, 31)},
        {"code": "GD3", "kind": "phase", "start": D(2021, 1, 1), "end": D(2025, 12, 31)},
    ]


# ----------------------------------------------------------------------------- rounding


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    rows(
        ("6.24-below-half", 156, 2500, Decimal("6.2")),
        ("6.25-half-rounds-up", 1, 16, Decimal("6.3")),
        ("6.26-above-half", 313, 5000, Decimal("6.3")),
        ("18.75-half-rounds-up-odd", 3, 16, Decimal("18.8")),
        ("0.05-half-rounds-up-from-zero", 1, 2000, Decimal("0.1")),
        ("0.04-rounds-down-to-zero", 1, 2500, Decimal("0.0")),
        ("12.5-exact", 1, 8, Decimal("12.5")),
        ("100-all", 7, 7, Decimal("100.0")),
        ("0-of-some", 0, 3, Decimal("0.0")),
        ("denominator-0-is-null", 0, 0, None),
        ("denominator-0-numerator-set-is-null", 3, 0, None),
    ),
)
def test_percentages_round_half_up_to_one_decimal(numerator, denominator, expected):
    assert indicators.percentage(numerator, denominator) == expected


@pytest.mark.parametrize(
    ("amount", "count", "expected"),
    rows(
        ("2.4-below-half", 12, 5, 2),
        ("2.5-half-rounds-up", 5, 2, 3),
        ("3.5-half-rounds-up", 7, 2, 4),
        ("2.6-above-half", 13, 5, 3),
        ("count-0-is-null", 10, 0, None),
        ("count-unknown-is-null", 10, None, None),
        ("amount-unknown-is-null", None, 4, None),
        ("nothing-spent-is-0", 0, 4, 0),
    ),
)
def test_money_per_person_rounds_half_up_to_whole_vnd(amount, count, expected):
    assert indicators.divide_vnd(amount, count) == expected


# The scale-up estimate: cost per site-year x areas x years, half-up to whole VND.
@pytest.mark.parametrize(
    ("cost", "areas", "years", "expected"),
    rows(
        ("1000.4-below-half", Decimal("500.2"), 2, 1, 1000),
        ("1000.5-half-rounds-up", Decimal("200.1"), 5, 1, 1001),
        ("1000.6-above-half", Decimal("500.3"), 2, 1, 1001),
        ("two-years-doubles", Decimal("500.3"), 2, 2, 2001),
        ("one-year-by-default", 1000, 3, None, 3000),
        ("no-area-is-0", 1000, 0, 1, 0),
        ("cost-unknown-is-null", None, 3, 1, None),
    ),
)
def test_the_scale_up_budget_rounds_half_up_to_whole_vnd(cost, areas, years, expected):
    asked = {"cost_per_site_year": cost, "areas": areas}
    if years is not None:
        asked["years"] = years
    assert indicators.scale_up_budget(**asked) == expected


@pytest.mark.parametrize(
    ("referrals", "completed", "expected"),
    rows(
        ("1-of-16-is-6.3", 16, 1, Decimal("6.3")),
        ("3-of-16-is-18.8", 16, 3, Decimal("18.8")),
        ("none-made-is-null", 0, 0, None),
    ),
)
def test_the_completion_percentage_of_a_report_rounds_half_up(
    site_hn, referrals, completed, expected
):
    for n in range(referrals):
        done = n < completed
        f.ReferralFactory(
            site=site_hn,
            date=D(2019, 2, 2),
            status=Referral.Status.COMPLETED if done else Referral.Status.REFERRED,
            completed_on=D(2019, 3, 1) if done else None,
        )
    values = indicators.compute_indicators(start=D(2019, 1, 1), end=D(2019, 3, 31))
    assert values["referral_completion_pct"] == expected


# ----------------------------------------------------------------------------- periods of reports
# A report of 2019Q1 = [01/01/2019, 31/03/2019], both days included.

Q1_2019 = {"start": D(2019, 1, 1), "end": D(2019, 3, 31)}


@pytest.mark.parametrize(
    ("day", "counted"),
    rows(
        ("contact-the-day-before-the-period", D(2018, 12, 31), 0),
        ("contact-on-the-first-day", D(2019, 1, 1), 1),
        ("contact-on-the-last-day", D(2019, 3, 31), 1),
        ("contact-the-day-after-the-period", D(2019, 4, 1), 0),
    ),
)
def test_a_contact_is_in_the_period_of_its_date(site_hn, day, counted):
    f.ContactFactory(site=site_hn, date=day)
    assert indicators.compute_indicators(**Q1_2019)["reached"] == counted


@pytest.mark.parametrize(
    ("start_date", "end_date", "active"),
    rows(
        ("ended-the-day-before-the-period", D(2016, 6, 1), D(2018, 12, 31), 0),
        ("ended-on-the-first-day", D(2016, 6, 1), D(2019, 1, 1), 1),
        ("started-on-the-last-day", D(2019, 3, 31), None, 1),
        ("started-the-day-after-the-period", D(2019, 4, 1), None, 0),
        ("open-ended-started-before", D(2016, 6, 1), None, 1),
    ),
)
def test_a_site_is_active_when_its_dates_overlap_the_period(db, start_date, end_date, active):
    f.SiteFactory(code="EDGE", start_date=start_date, end_date=end_date)
    assert indicators.compute_indicators(**Q1_2019, site="EDGE")["sites_active"] == active


# ----------------------------------------------------------------------------- people's dates


@pytest.mark.parametrize(
    ("consent_on", "enrolled_on", "expected"),
    rows(
        ("no-consent", None, D(2020, 3, 10), (REFUSED, ["consent"])),
        ("consent-the-day-before-enrolment", D(2020, 3, 9), D(2020, 3, 10), (OK, [])),
        ("consent-on-the-enrolment-day", D(2020, 3, 10), D(2020, 3, 10), (OK, [])),
        (
            "consent-the-day-after-enrolment",
            D(2020, 3, 11),
            D(2020, 3, 10),
            (REFUSED, ["consent_after"]),
        ),
    ),
)
def test_consent_and_enrolment_days(consent_on, enrolled_on, expected):
    check = participant_services.check_enrolment
    assert outcome(lambda: check(enrolled_on=enrolled_on, consent_on=consent_on)) == expected


@pytest.mark.parametrize(
    ("withdrawn_on", "expected"),
    rows(
        (
            "withdrawal-the-day-before-consent",
            D(2020, 3, 9),
            (REFUSED, ["withdrawn_before_consent"]),
        ),
        ("withdrawal-on-the-consent-day", D(2020, 3, 10), (OK, [])),
        ("withdrawal-the-day-after-consent", D(2020, 3, 11), (OK, [])),
    ),
)
def test_withdrawal_and_consent_days(hanoi, withdrawn_on, expected):
    person = f.ParticipantFactory(province=hanoi, consent_on=D(2020, 3, 10))
    answer = outcome(
        lambda: participant_services.participant_withdraw(participant=person, on=withdrawn_on)
    )
    assert answer == expected
    person.refresh_from_db()
    assert person.withdrawn_on == (withdrawn_on if expected[0] == OK else None)


@pytest.mark.parametrize(
    ("day", "expected"),
    rows(
        ("activity-the-day-before-withdrawal", D(2020, 6, 14), (OK, [])),
        ("activity-on-the-withdrawal-day", D(2020, 6, 15), (OK, [])),
        ("activity-the-day-after-withdrawal", D(2020, 6, 16), (REFUSED, ["withdrawn"])),
    ),
)
def test_activity_and_withdrawal_days(site_hn, hanoi, day, expected):
    person = f.ParticipantFactory(
        province=hanoi, consent_on=D(2020, 1, 1), withdrawn_on=D(2020, 6, 15)
    )

    def log():
        participant_services.contact_log(
            participant=person, date=day, site=site_hn, kind="outreach", needs=[]
        )

    assert outcome(log) == expected
    assert person.contacts.count() == (1 if expected[0] == OK else 0)


@pytest.mark.parametrize(
    ("offset", "expected"),
    rows(
        ("yesterday", -1, (OK, [])),
        ("today", 0, (OK, [])),
        ("tomorrow", 1, (REFUSED, ["future"])),
    ),
)
def test_no_date_after_today(offset, expected):
    day = timezone.localdate() + datetime.timedelta(days=offset)
    check = participant_services.check_not_future
    assert outcome(lambda: check(day, "Ngày", "date")) == expected


@pytest.mark.parametrize(
    ("offset", "expected"),
    rows(
        ("yesterday", -1, (OK, [])),
        ("today", 0, (OK, [])),
        ("tomorrow", 1, (REFUSED, ["future"])),
    ),
)
def test_no_establishment_assessment_after_today(site_hn, offset, expected):
    """The refusal names the form's date field, so the form shows it next to the date."""
    establishment = f.EstablishmentFactory(site=site_hn)
    day = timezone.localdate() + datetime.timedelta(days=offset)

    def record():
        participant_services.establishment_assessment_record(
            establishment=establishment, date=day, answers={}
        )

    assert outcome(record) == expected
    assert establishment.assessments.filter(date=day).count() == (1 if expected[0] == OK else 0)
    if expected[0] == REFUSED:
        with pytest.raises(ValidationError) as refused:
            record()
        assert refused.value.message_dict == {
            "date": ["Ngày đánh giá không được sau ngày hôm nay."]
        }


# Enrolled on 30/06/2025: the age is 2025 minus the birth year, from 10 to 90.
@pytest.mark.parametrize(
    ("birth_year", "expected"),
    rows(
        ("age-9-below-minimum", 2016, (REFUSED, ["age"])),
        ("age-10-minimum", 2015, (OK, [])),
        ("age-11-above-minimum", 2014, (OK, [])),
        ("age-89-below-maximum", 1936, (OK, [])),
        ("age-90-maximum", 1935, (OK, [])),
        ("age-91-above-maximum", 1934, (REFUSED, ["age"])),
    ),
)
def test_age_at_enrolment(birth_year, expected):
    def enrol():
        participant_services.check_enrolment(
            enrolled_on=D(2025, 6, 30), consent_on=D(2025, 6, 30), birth_year=birth_year
        )

    assert outcome(enrol) == expected


@pytest.mark.parametrize(
    ("birth_year", "on", "field", "refused"),
    rows(
        ("age-9-on-the-form-field", 2016, D(2025, 6, 30), "birth_year", True),
        ("age-10-on-the-form-field", 2015, D(2025, 6, 30), "birth_year", False),
        ("age-91-on-the-importers-column", 1934, D(2025, 1, 1), "nam_sinh", True),
        ("age-90-on-the-importers-column", 1935, D(2025, 12, 31), "nam_sinh", False),
    ),
)
def test_the_age_refusal_names_its_field_and_the_range(birth_year, on, field, refused):
    try:
        participant_services.check_birth_year(birth_year, on, field)
    except ValidationError as error:
        assert error.message_dict == {
            field: ["Năm sinh không hợp lệ: tuổi của người tham gia phải từ 10 đến 90."]
        }
        assert error.error_dict[field][0].code == "age"
        assert refused
    else:
        assert not refused


# Age groups of `reached`, at the period's end (31/12/2019) from the birth year.
@pytest.mark.parametrize(
    ("birth_year", "group"),
    rows(
        ("age-17", 2002, "<18"),
        ("age-18", 2001, "18-24"),
        ("age-24", 1995, "18-24"),
        ("age-25", 1994, "25-34"),
        ("age-34", 1985, "25-34"),
        ("age-35", 1984, "35-49"),
        ("age-49", 1970, "35-49"),
        ("age-50", 1969, "50+"),
    ),
)
def test_age_groups_of_people_reached(site_hn, hanoi, birth_year, group):
    person = f.ParticipantFactory(province=hanoi, birth_year=birth_year)
    f.ContactFactory(participant=person, site=site_hn, date=D(2019, 2, 1))
    groups = indicators.reached_breakdown("age_group", start=D(2019, 1, 1), end=D(2019, 12, 31))
    assert groups == {group: 1}


# ----------------------------------------------------------------------------- retention
# PARTICIPANT_RETENTION_YEARS = 5: kept while any date is on or after today minus 5 years.


@pytest.mark.parametrize(
    ("today", "consent_on", "withdrawn_on", "expired"),
    rows(
        ("last-date-a-day-before-the-cutoff", D(2026, 6, 15), D(2021, 6, 14), None, True),
        ("last-date-on-the-cutoff", D(2026, 6, 15), D(2021, 6, 15), None, False),
        ("last-date-a-day-after-the-cutoff", D(2026, 6, 15), D(2021, 6, 16), None, False),
        ("29-feb-cutoff-is-28-feb-before", D(2028, 2, 29), D(2023, 2, 27), None, True),
        ("29-feb-cutoff-is-28-feb-on", D(2028, 2, 29), D(2023, 2, 28), None, False),
        ("withdrawal-a-day-before-the-cutoff", D(2026, 6, 15), D(2015, 1, 1), D(2021, 6, 14), True),
        ("withdrawal-on-the-cutoff", D(2026, 6, 15), D(2015, 1, 1), D(2021, 6, 15), False),
    ),
)
def test_retention_years(hanoi, today, consent_on, withdrawn_on, expired):
    record = f.ParticipantFactory(province=hanoi, consent_on=consent_on, withdrawn_on=withdrawn_on)
    assert (record.person in expired_people(today=today)) is expired


@override_settings(PARTICIPANT_RETENTION_YEARS=2)
def test_retention_years_follow_the_setting(hanoi):
    record = f.ParticipantFactory(province=hanoi, consent_on=D(2024, 6, 14))
    assert record.person in expired_people(today=D(2026, 6, 15))
    assert record.person not in expired_people(today=D(2026, 6, 14))


# ----------------------------------------------------------------------------- referrals
# REFERRAL_OVERDUE_DAYS = 30; "today" is 30/06/2019, so the cutoff is 31/05/2019.

TODAY = D(2019, 6, 30)


@pytest.mark.parametrize(
    ("date", "status", "overdue", "days_late"),
    rows(
        ("open-29-days", D(2019, 6, 1), Referral.Status.REFERRED, False, 0),
        ("open-30-days", D(2019, 5, 31), Referral.Status.REFERRED, False, 0),
        ("open-31-days", D(2019, 5, 30), Referral.Status.REFERRED, True, 1),
        ("received-31-days", D(2019, 5, 30), Referral.Status.RECEIVED, True, 1),
        ("completed-31-days", D(2019, 5, 30), Referral.Status.COMPLETED, False, 0),
        ("declined-31-days", D(2019, 5, 30), Referral.Status.DECLINED, False, 0),
    ),
)
def test_referral_overdue_days(officer_hn, site_hn, date, status, overdue, days_late):
    completed_on = TODAY if status == Referral.Status.COMPLETED else None
    referral = f.ReferralFactory(site=site_hn, date=date, status=status, completed_on=completed_on)
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        listed = referral_selectors.referral_list(user=officer_hn).get(pk=referral.pk)
        flagged = list(referral_selectors.referral_list(user=officer_hn, filters={"overdue": "1"}))
    assert listed.overdue is overdue
    assert (referral in flagged) is overdue
    assert referral_selectors.days_overdue(referral, TODAY) == days_late
    with mock.patch("reports.cycle.today", return_value=TODAY):
        quality = cycle.data_quality(
            period=ReportingPeriod.objects.get(code="2019Q2"), province=officer_hn.province
        )
    counted = {w.code: w.count for w in quality}.get("open_referrals", 0)
    assert counted == (1 if overdue else 0)


@pytest.mark.parametrize(
    ("date", "listed"),
    rows(
        ("overdue-by-0-days", D(2019, 5, 31), False),
        ("overdue-by-1-day", D(2019, 5, 30), True),
        ("overdue-by-2-days", D(2019, 5, 29), True),
    ),
)
def test_followup_overdue_by_at_least_one_day(officer_hn, site_hn, date, listed):
    referral = f.ReferralFactory(site=site_hn, date=date)
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        found = referral_selectors.referral_followup(user=officer_hn, filters={"overdue_days": 1})
        assert (referral in list(found)) is listed


# Referred on 10/06/2019, today 30/06/2019: a step is dated from the referral's day to today.
@pytest.mark.parametrize(
    ("action", "day", "expected"),
    rows(
        ("complete-the-day-before-the-referral", "complete", D(2019, 6, 9), "before_referral"),
        ("complete-on-the-referral-day", "complete", D(2019, 6, 10), None),
        ("complete-the-day-after-the-referral", "complete", D(2019, 6, 11), None),
        ("complete-today", "complete", D(2019, 6, 30), None),
        ("complete-tomorrow", "complete", D(2019, 7, 1), "future"),
        ("decline-the-day-before-the-referral", "decline", D(2019, 6, 9), "before_referral"),
        ("decline-on-the-referral-day", "decline", D(2019, 6, 10), None),
        ("decline-today", "decline", D(2019, 6, 30), None),
        ("decline-tomorrow", "decline", D(2019, 7, 1), "future"),
    ),
)
def test_the_day_of_a_referral_step(officer_hn, site_hn, action, day, expected):
    referral = f.ReferralFactory(site=site_hn, date=D(2019, 6, 10), status=Referral.Status.RECEIVED)
    label = "Ngày hoàn thành" if action == "complete" else "Ngày chuyển trạng thái"
    messages = {
        "before_referral": f"{label} không được trước ngày chuyển gửi (10/06/2019).",
        "future": f"{label} không được sau ngày hôm nay.",
    }
    step = {
        "complete": lambda: referral_services.referral_complete(
            referral=referral, by=officer_hn, on=day
        ),
        "decline": lambda: referral_services.referral_decline(
            referral=referral, by=officer_hn, on=day, reason="not_eligible"
        ),
    }[action]
    with mock.patch("referrals.services.today", return_value=TODAY):
        try:
            step()
        except ValidationError as error:
            assert (error.code, error.messages) == (expected, [messages[expected]])
        else:
            assert expected is None
    referral.refresh_from_db()
    moved = {"complete": Referral.Status.COMPLETED, "decline": Referral.Status.DECLINED}
    assert referral.status == (Referral.Status.RECEIVED if expected else moved[action])
    assert referral.completed_on == (day if action == "complete" and not expected else None)


# ----------------------------------------------------------------------------- thresholds


@pytest.mark.parametrize(
    ("threshold", "value", "shown"),
    rows(
        ("zero-shown", 5, 0, 0),
        ("one-suppressed", 5, 1, "<5"),
        ("4-below-threshold", 5, 4, "<5"),
        ("5-on-threshold", 5, 5, 5),
        ("6-above-threshold", 5, 6, 6),
        ("unknown-stays-unknown", 5, None, None),
        ("threshold-10-9-below", 10, 9, "<10"),
        ("threshold-10-10-on", 10, 10, 10),
        ("already-suppressed-stays-as-it-is", 5, "<5", "<5"),
    ),
)
def test_small_cell_suppression_threshold(threshold, value, shown):
    with override_settings(SUPPRESSION_THRESHOLD=threshold):
        assert suppression.suppress_count(value) == shown


# An interval of possible values [low, high] (as solved, with float noise) is wide enough when it
# holds at least `threshold` + 1 whole numbers, i.e. floor(high) - ceil(low) >= threshold.
@pytest.mark.parametrize(
    ("low", "high", "threshold", "wide_enough"),
    rows(
        ("width-4-below-5", 0, 4, 5, False),
        ("width-5-on-5", 0, 5, 5, True),
        ("width-6-above-5", 0, 6, 5, True),
        ("shifted-width-4", 3, 7, 5, False),
        ("shifted-width-5", 3, 8, 5, True),
        ("float-noise-just-below-5-counts-as-5", 1e-7, 5 - 1e-7, 5, True),
        ("4.99-is-not-5", 0, 4.99, 5, False),
        ("fractional-ends-width-4", 0.5, 5.5, 5, False),
        ("unsolved-interval", 1, 0, 5, False),
        ("width-9-below-10", 0, 9, 10, False),
        ("width-10-on-10", 0, 10, 10, True),
    ),
)
def test_the_disclosure_check_width(low, high, threshold, wide_enough):
    assert disclosure._width_ok(low, high, threshold) is wide_enough


# A hidden "<5" marker (1 to 4) is safe while its interval still holds two whole numbers.
@pytest.mark.parametrize(
    ("low", "high", "safe"),
    rows(
        ("one-value-left", 3, 3, False),
        ("two-values-left", 3, 4, True),
        ("float-noise-just-below-two-values", 3 + 1e-7, 4 - 1e-7, True),
        ("3.5-to-4.4-holds-only-4", 3.5, 4.4, False),
        ("unsolved-interval", 4, 3, False),
    ),
)
def test_the_disclosure_check_of_a_marker(low, high, safe):
    assert disclosure._marker_ok(low, high) is safe


# Hidden cells: 1 to threshold - 1 show as the small marker, the rest as hidden.
@pytest.mark.parametrize(
    ("value", "threshold", "mark", "bounds"),
    rows(
        ("1-is-small", 1, 5, disclosure.SMALL, (1, 4)),
        ("4-below-threshold-is-small", 4, 5, disclosure.SMALL, (1, 4)),
        ("5-on-threshold-is-hidden", 5, 5, disclosure.HIDDEN, (5, 1000)),
        ("6-above-threshold-is-hidden", 6, 5, disclosure.HIDDEN, (5, 1000)),
        ("0-is-hidden-not-small", 0, 5, disclosure.HIDDEN, (5, 1000)),
        ("9-below-threshold-10-is-small", 9, 10, disclosure.SMALL, (1, 9)),
    ),
)
def test_the_mark_of_a_hidden_cell_and_what_it_tells(value, threshold, mark, bounds):
    assert disclosure._mark(value, threshold) == mark
    assert disclosure._marker_bounds(mark, threshold, 1000) == bounds


# A cell earlier releases already narrowed to [3, 7]: this release passes while it still
# leaves at least all of [3, 7] open (or the plain test passes).
@pytest.mark.parametrize(
    ("low", "high", "passes"),
    rows(
        ("exactly-the-earlier-interval", 3, 7, True),
        ("wider-than-the-earlier-interval", 2, 8, True),
        ("float-noise-on-both-ends", 3 + 1e-7, 7 - 1e-7, True),
        ("low-end-one-above", 4, 7, False),
        ("high-end-one-below", 3, 6, False),
        ("wide-enough-for-the-plain-test", 10, 20, True),
        ("unsolved-interval", 7, 3, False),
    ),
)
def test_the_disclosure_check_of_a_cell_earlier_releases_narrowed(low, high, passes):
    test = disclosure._floored(lambda lo, hi: disclosure._width_ok(lo, hi, 5), (3, 7))
    assert test(low, high) is passes


def test_the_disclosure_check_without_an_earlier_interval_is_the_plain_test():
    plain = disclosure._width_ok
    assert disclosure._floored(plain, None) is plain


# ----------------------------------------------------------------------------- harvesting
# HARVEST_USUAL_HOURS = 6-22: an export from 06:00 to 21:59 (Việt Nam time) is usual.

VN = timezone.get_fixed_timezone(7 * 60)


@pytest.mark.parametrize(
    ("hour", "minute", "alert"),
    rows(
        ("05:59-before-the-usual-hours", 5, 59, True),
        ("06:00-first-usual-minute", 6, 0, False),
        ("06:01", 6, 1, False),
        ("21:59-last-usual-minute", 21, 59, False),
        ("22:00-after-the-usual-hours", 22, 0, True),
        ("00:00-midnight", 0, 0, True),
    ),
)
def test_export_hours(officer_hn, hour, minute, alert):
    at = datetime.datetime(2026, 11, 30, hour, minute, tzinfo=VN)
    with mock.patch("django.utils.timezone.now", return_value=at):
        ActivityEvent.objects.create(
            user=officer_hn, kind=ActivityEvent.Kind.EXPORT, what="participants.csv"
        )
    raised = HarvestAlert.objects.filter(user=officer_hn, rule=HarvestAlert.Rule.EXPORT_HOURS)
    assert raised.exists() is alert


@pytest.mark.parametrize(
    ("hour", "minute", "alert"),
    rows(
        ("05:59-read-at-noon", 5, 59, True),
        ("06:00-read-at-03:00", 6, 0, False),
        ("21:59-read-at-03:00", 21, 59, False),
        ("22:00-read-at-noon", 22, 0, True),
    ),
)
def test_export_hours_are_those_of_the_export_not_of_the_check(hour, minute, alert):
    """An earlier export of the hour is judged by its own time, whenever the check runs."""
    at = datetime.datetime(2026, 11, 30, hour, minute, tzinfo=VN)
    checked = datetime.datetime(2026, 11, 30, 12 if alert else 3, 0, tzinfo=VN)
    with mock.patch("django.utils.timezone.now", return_value=checked):
        assert harvest._usual_hour(at) is not alert


@pytest.mark.parametrize(
    ("views", "alert"),
    rows(
        ("at-the-limit", 3, False),
        ("one-over-the-limit", 4, True),
    ),
)
@override_settings(HARVEST_MAX_PAGE_VIEWS_PER_HOUR=3)
def test_page_views_per_hour(officer_hn, views, alert):
    at = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=VN)
    for n in range(views):
        with mock.patch(
            "django.utils.timezone.now", return_value=at + datetime.timedelta(minutes=n)
        ):
            ActivityEvent.objects.create(user=officer_hn, kind=ActivityEvent.Kind.VIEW, what="p")
    raised = HarvestAlert.objects.filter(user=officer_hn, rule=HarvestAlert.Rule.PAGE_VIEWS)
    assert raised.exists() is alert


# ----------------------------------------------------------------------------- peer groups


@pytest.mark.parametrize(
    ("members", "board", "expected"),
    rows(
        ("board-one-below-members", 10, 9, True),
        ("board-equal-to-members", 10, 10, True),
        ("board-one-above-members", 10, 11, False),
        ("no-members-no-board", 0, 0, True),
    ),
)
def test_board_members_at_most_members(officer_hn, site_hn, members, board, expected):
    form = PeerGroupForm(
        {
            "code": "NEW-G",
            "name": "Hoa Sen",
            "site": site_hn.pk,
            "kind": "club",
            "founded_on": "2020-02-01",
            "members": members,
            "board_members": board,
        },
        user=officer_hn,
    )
    assert form.is_valid() is expected, form.errors
    if not expected:
        assert list(form.errors) == ["board_members"]
        assert [e.code for e in form.errors.as_data()["board_members"]] == ["board_over_members"]


# ----------------------------------------------------------------------------- number bounds
# Each bound called as the importer calls it (with the column's field) and as a form's
# validator does (without): the refusal sits on the field, with the code and the limit.

NEGATIVE_COUNT = "Số lượng không được âm."
TOO_MANY = "Không được quá 100000 người."
NEGATIVE_AMOUNT = "Số tiền phải là số nguyên không âm (VNĐ)."
TOO_MUCH_COST = "Một khoản chi không được quá 100000000000 VNĐ."
NEGATIVE_SUPPORT = "Số tiền phải là số nguyên không âm, tính bằng đồng (ví dụ 3000000)."
TOO_MUCH_SUPPORT = "Một khoản hỗ trợ không được quá 1000000000 VNĐ."


def _people(value, field=None):
    return site_services.check_people_count(value, field)


def _cost(value, field=None):
    return site_services.check_cost_amount(value, field)


def _support(value, field=None):
    return referral_services.check_support_amount(value, field)


@pytest.mark.parametrize(
    ("check", "value", "refusal"),
    rows(
        ("people-none", _people, None, None),
        ("people-minus-1", _people, -1, ("min_value", 0, NEGATIVE_COUNT)),
        ("people-0", _people, 0, None),
        ("people-100000", _people, 100_000, None),
        ("people-100001", _people, 100_001, ("max_value", 100_000, TOO_MANY)),
        ("cost-minus-1", _cost, -1, ("min_value", 0, NEGATIVE_AMOUNT)),
        ("cost-0", _cost, 0, None),
        ("cost-100-billion", _cost, 100_000_000_000, None),
        (
            "cost-100-billion-and-1",
            _cost,
            100_000_000_001,
            ("max_value", 100_000_000_000, TOO_MUCH_COST),
        ),
        ("support-minus-1", _support, -1, ("min_value", 0, NEGATIVE_SUPPORT)),
        ("support-0", _support, 0, None),
        ("support-1-billion", _support, 1_000_000_000, None),
        (
            "support-1-billion-and-1",
            _support,
            1_000_000_001,
            ("max_value", 1_000_000_000, TOO_MUCH_SUPPORT),
        ),
    ),
)
def test_the_bounds_of_a_number_on_its_field_and_without(check, value, refusal):
    if refusal is None:
        check(value, "amount")
        check(value)
        return
    code, limit, message = refusal
    with pytest.raises(ValidationError) as on_field:
        check(value, "amount")
    assert list(on_field.value.error_dict) == ["amount"]
    (error,) = on_field.value.error_dict["amount"]
    assert (error.code, error.messages) == (code, [message])
    # The limit travels with the refusal, as with Django's own validators, so a form's own
    # message can name it (%(limit_value)s).
    assert error.params == {"limit_value": limit}
    with pytest.raises(ValidationError) as bare:
        check(value)
    assert not hasattr(bare.value, "error_dict")
    assert (bare.value.code, bare.value.messages) == (code, [message])
    assert bare.value.params == {"limit_value": limit}


# HARVEST_MAX_EXPORTED_ROWS_PER_HOUR = 2000: the rows of an account's exports of the hour add up.
@pytest.mark.parametrize(
    ("rows_exported", "alert"),
    rows(
        ("1999-rows-in-two-exports", (1000, 999), False),
        ("2000-rows-at-the-limit", (1000, 1000), False),
        ("2001-rows-one-over", (1000, 1001), True),
        ("2001-rows-but-the-first-export-an-hour-before", (1000, 1001), False),
    ),
)
def test_rows_exported_in_an_hour(officer_hn, request, rows_exported, alert):
    noon = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=VN)
    earlier = noon - datetime.timedelta(minutes=59)
    if "an-hour-before" in request.node.callspec.id:
        earlier = noon - datetime.timedelta(hours=1)
    for at, count in zip((earlier, noon), rows_exported, strict=True):
        with mock.patch("django.utils.timezone.now", return_value=at):
            ActivityEvent.objects.create(
                user=officer_hn,
                kind=ActivityEvent.Kind.EXPORT,
                what="participants.csv",
                detail={"rows": count},
            )
    raised = HarvestAlert.objects.filter(user=officer_hn, rule=HarvestAlert.Rule.ROWS_EXPORTED)
    assert raised.exists() is alert
    if alert:
        assert (raised.get().observed, raised.get().threshold) == (2001, 2000)


# HARVEST_MAX_PREVIEW_ROWS_PER_HOUR = 5000: the rows of an account's import previews of the
# hour add up, over every file of each preview.
@pytest.mark.parametrize(
    ("previewed", "alert"),
    rows(
        ("4999-rows-in-two-previews", ({"contacts.csv": 3000}, {"contacts.csv": 1999}), False),
        ("5000-rows-at-the-limit", ({"contacts.csv": 3000}, {"contacts.csv": 2000}), False),
        (
            "5001-rows-one-over-in-two-files",
            ({"contacts.csv": 3000}, {"participants.csv": 1, "contacts.csv": 2000}),
            True,
        ),
    ),
)
def test_rows_previewed_in_an_hour(officer_hn, previewed, alert):
    noon = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=VN)
    for at, counted in zip((noon - datetime.timedelta(minutes=30), noon), previewed, strict=True):
        with mock.patch("django.utils.timezone.now", return_value=at):
            record_activity(
                user=officer_hn, kind="import", what="Xem trước", preview=True, rows=counted
            )
    raised = HarvestAlert.objects.filter(user=officer_hn, rule=HarvestAlert.Rule.PREVIEW_ROWS)
    assert raised.exists() is alert
    if alert:
        assert (raised.get().observed, raised.get().threshold) == (5001, 5000)


# HARVEST_MAX_PROVINCE_ROWS_PER_HOUR = 5000: the rows a province's accounts list and export in an
# hour; an import preview's rows (a count per file) are not among them.
@pytest.mark.parametrize(
    ("exported", "alert"),
    rows(
        ("4999-exported-beside-a-6000-row-preview", 4999, False),
        ("5001-exported", 5001, True),
    ),
)
def test_the_rows_a_province_lists_and_exports(officer_hn, hanoi, exported, alert):
    other = f.UserFactory(username="officer_hn_2", role=Role.OFFICER, province=hanoi)
    noon = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=VN)
    with mock.patch("django.utils.timezone.now", return_value=noon - datetime.timedelta(minutes=5)):
        record_activity(
            user=other, kind="import", what="Xem trước", preview=True, rows={"contacts.csv": 6000}
        )
    with mock.patch("django.utils.timezone.now", return_value=noon):
        record_activity(user=officer_hn, kind="export", what="contacts.csv", rows=exported)
    raised = HarvestAlert.objects.filter(rule=HarvestAlert.Rule.PROVINCE_ROWS)
    assert [(a.observed, a.threshold) for a in raised] == ([(exported, 5000)] if alert else [])


# ----------------------------------------------------------------------------- cost per result
@pytest.mark.parametrize(
    ("total", "reached", "completed", "days", "expected"),
    rows(
        # 1000 / 3 = 333.3; 1000 / 2 = 500; 365 / 365.25 = 0.9993 site-years -> 1.00;
        # 1000 x 365.25 / 365 = 1000.68 per site-year -> 1001.
        ("a-year-of-one-site", 1000, 3, 2, 365, (333, 500, Decimal("1.00"), 1001)),
        # 730.5 days = 2.00 site-years; 1000 x 365.25 / 730.5 = 500.
        ("two-years", 1000, 8, 3, 730.5, (125, 333, Decimal("2.00"), 500)),
        ("nothing-to-divide-by", 1000, 0, 0, 0, (None, None, Decimal("0.00"), None)),
    ),
)
def test_cost_per_result(total, reached, completed, days, expected):
    figures = indicators.cost_figures(total=total, reached=reached, completed=completed, days=days)
    assert (
        figures["cost_per_reached_vnd"],
        figures["cost_per_completed_referral_vnd"],
        figures["site_years"],
        figures["cost_per_site_year_vnd"],
    ) == expected
    assert (figures["total_cost_vnd"], figures["reached"], figures["referrals_completed"]) == (
        total,
        reached,
        completed,
    )


# Each kind of one-record view counts against its own limit only (3 a hour here).
@pytest.mark.parametrize(
    ("views", "raised"),
    rows(
        ("4-pages", {"pages": 4}, set()),
        ("3-code-look-ups", {"code": 3}, set()),
        ("4-code-look-ups", {"code": 4}, {"code_lookups"}),
        ("4-uic-look-ups", {"uic": 4}, {"uic_lookups"}),
        ("3-of-each", {"pages": 3, "code": 3, "uic": 3}, set()),
    ),
)
@override_settings(
    HARVEST_MAX_PAGE_VIEWS_PER_HOUR=5,
    HARVEST_MAX_CODE_LOOKUPS_PER_HOUR=3,
    HARVEST_MAX_UIC_LOOKUPS_PER_HOUR=3,
    HARVEST_MAX_FAILED_LOOKUPS_PER_HOUR=20,
)
def test_each_kind_of_view_counts_against_its_own_limit(officer_hn, views, raised):
    at = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=VN)
    details = {"pages": {}, "code": {"lookup": "code"}, "uic": {"lookup": "uic"}}
    n = 0
    for kind, count in views.items():
        for _ in range(count):
            n += 1
            with mock.patch(
                "django.utils.timezone.now", return_value=at + datetime.timedelta(minutes=n)
            ):
                ActivityEvent.objects.create(
                    user=officer_hn,
                    kind=ActivityEvent.Kind.VIEW,
                    what="p",
                    detail={**details[kind], "found": True} if details[kind] else {},
                )
    assert set(HarvestAlert.objects.filter(user=officer_hn).values_list("rule", flat=True)) == (
        raised
    )
