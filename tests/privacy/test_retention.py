"""Retention: `erase_expired` erases the people whose last event or withdrawal is more than
PARTICIPANT_RETENTION_YEARS old; every indicator of every period, live or published, stays as it
was; the run is recorded as counts."""

import copy
import datetime
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import override_settings

from participants.models import Participant, Person
from periods.models import Submission
from privacy import services
from privacy.models import ERASED_PREFIX, ErasureRun
from privacy.selectors import expired_people, shift_years
from reports import cycle
from reports.indicators import compute_indicators
from reports.models import Release
from tests import factories as f
from tests.privacy.conftest import TODAY, D, database_text, indicator_snapshot, visible_codes

pytestmark = pytest.mark.django_db


def test_expired_people_are_erased_and_every_indicator_stays_as_it_was(
    world, published, group_hn, admin_user
):
    q1 = compute_indicators(start=D(2019, 1, 1), end=D(2019, 3, 31))
    # Anna (met in both provinces: one person), Bao, Cuc, Dung and 2 x 12 more.
    assert q1["reached"] == 28
    assert (
        compute_indicators(start=D(2019, 1, 1), end=D(2019, 3, 31), province="01")["reached"] == 16
    )
    stored = copy.deepcopy(published.tables)
    before = indicator_snapshot(group_hn)
    erased_codes = {world.anna_hn.code, world.anna_ct.code, world.cuc.code}
    erased_hashes = {world.anna_hn.person.uic_hash, world.cuc.person.uic_hash}

    run = services.erase_expired(today=TODAY)

    # Anna, Cuc and the 24 met only in 2019; Bao (met in 2026) and Dung (withdrew in 2022) stay.
    assert run.people == 26
    assert run.counts["records"] == 27
    assert run.kind == ErasureRun.Kind.RETENTION and run.by is None
    assert visible_codes(admin_user) == {world.bao.code, world.dung.code}
    after = indicator_snapshot(group_hn)
    assert [key for key in before if before[key] != after[key]] == []
    assert Release.objects.get().tables == stored
    for submission in Submission.objects.filter(period=world.q1).select_related("province"):
        live = cycle.province_figures(period=world.q1, province=submission.province)
        assert live == submission.figures
    text = database_text()
    assert not [code for code in erased_codes if code in text]
    assert not [digest for digest in erased_hashes if digest in text]


def test_the_cut_off_is_the_day_retention_years_before_today(site_hn, hanoi):
    def last_met(day):
        return f.ContactFactory(
            site=site_hn, date=day, participant=f.ParticipantFactory(province=hanoi)
        ).participant

    on_the_day = last_met(D(2021, 11, 30))
    day_before = last_met(D(2021, 11, 29))
    assert list(expired_people(today=TODAY)) == [day_before.person]
    with override_settings(PARTICIPANT_RETENTION_YEARS=6):
        assert list(expired_people(today=TODAY)) == []
    services.erase_expired(today=TODAY)
    assert not Person.objects.get(pk=on_the_day.person_id).uic_hash.startswith(ERASED_PREFIX)
    assert Person.objects.get(pk=day_before.person_id).uic_hash.startswith(ERASED_PREFIX)


@pytest.mark.parametrize(
    ("dated", "kept"),
    [
        ("withdrawn_on", True),
        ("consent_on", True),
        ("referral_completed", True),
        ("support", True),
        ("rights", True),
        ("nothing", False),
    ],
)
def test_any_recent_date_of_any_record_keeps_the_person(
    site_hn, site_ct, hanoi, cantho, dated, kept
):
    """The person was met in Hà Nội in 2019; their Cần Thơ record has one date on 01/01/2025."""
    recent = D(2025, 1, 1)
    old = f.ContactFactory(site=site_hn, date=D(2019, 2, 1), participant=f.ParticipantFactory())
    other = f.ParticipantFactory(person=old.participant.person, province=cantho)
    f.EnrolmentFactory(participant=other, site=site_ct, enrolled_on=D(2019, 3, 1))
    if dated == "withdrawn_on":
        Participant.objects.filter(pk=other.pk).update(withdrawn_on=recent)
    elif dated == "consent_on":
        Participant.objects.filter(pk=other.pk).update(consent_on=recent)
    elif dated == "referral_completed":
        f.ReferralFactory(
            participant=other,
            site=site_ct,
            date=D(2019, 3, 1),
            status="completed",
            completed_on=recent,
        )
    elif dated == "support":
        f.SupportFactory(participant=other, site=site_ct, date=recent)
    elif dated == "rights":
        f.RightsAssessmentFactory(
            participant=other,
            establishment=f.EstablishmentFactory(site=site_ct),
            date=recent,
        )
    assert expired_people(today=TODAY).exists() is not kept


def test_the_command_counts_then_erases_and_records_the_run_as_counts(world, admin_user):
    before = set(Person.objects.values_list("uic_hash", flat=True))
    out = StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "today", lambda: TODAY)
        call_command("erase_expired", "--dry-run", stdout=out)
        assert "26 people would be erased" in out.getvalue()
        assert set(Person.objects.values_list("uic_hash", flat=True)) == before
        assert not ErasureRun.objects.exists()
        call_command("erase_expired", stdout=out)
        assert "Erased 26 people" in out.getvalue()
        call_command("erase_expired", stdout=out)
        assert "Erased 0 people" in out.getvalue()
    first, second = ErasureRun.objects.order_by("at", "id")
    assert (first.people, second.people) == (26, 0)
    # Anna's three contacts, Cuc's one and one each of the 24 others.
    assert first.counts["contacts"] == 3 + 1 + 24
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(ErasureRun), object_id=first.pk
    )
    assert entry.actor is None and entry.action == LogEntry.Action.CREATE
    assert world.anna_hn.code not in str(entry.changes)


def test_erasing_costs_the_same_queries_for_many_people(
    site_hn, hanoi, django_assert_max_num_queries
):
    def expired(n):
        for _ in range(n):
            record = f.ParticipantFactory(province=hanoi)
            f.ContactFactory(participant=record, site=site_hn, date=D(2019, 2, 1))
            f.ReferralFactory(participant=record, site=site_hn, date=D(2019, 2, 1))

    expired(2)
    with django_assert_max_num_queries(40) as few:
        services.erase_expired(today=TODAY)
    expired(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        run = services.erase_expired(today=TODAY)
    assert run.people == 30


def test_years_are_shifted_from_29_february():
    assert shift_years(datetime.date(2024, 2, 29), -5) == datetime.date(2019, 2, 28)
    assert shift_years(datetime.date(2019, 3, 20), 5) == datetime.date(2024, 3, 20)
