"""A person known in two provinces has two records (one per province) but is one person in
national figures (docs/indicators.md): counted once, and in exactly one group of a breakdown — the
group their latest enrolment in scope records. Expected values worked out by hand below."""

import datetime

import pytest

from participants.models import Enrolment
from reports.indicators import compute_indicators, reached_breakdown
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
PERIOD = {"start": D(2024, 1, 1), "end": D(2024, 12, 31)}


@pytest.fixture
def two_provinces(site_hn, site_ct):
    """Hà Nội met her first (sex worker, temporary resident), with a need; Cần Thơ enrolled her
    later (establishment worker, no residence), referred her and assessed her rights. A second
    person is known in Hà Nội only."""
    hn = factories.ParticipantFactory(
        uic="LAHU030795F", category="sex_worker", residence="temporary"
    )
    ct = factories.ParticipantFactory(
        person=hn.person,
        province=site_ct.province.current,
        category="establishment_worker",
        residence="none",
    )
    other = factories.ParticipantFactory(category="other", residence="permanent")
    Enrolment.objects.create(participant=hn, site=site_hn, enrolled_on=D(2024, 1, 10))
    Enrolment.objects.create(participant=ct, site=site_ct, enrolled_on=D(2024, 3, 1))
    Enrolment.objects.create(participant=other, site=site_hn, enrolled_on=D(2024, 1, 20))
    factories.ContactFactory(participant=hn, site=site_hn, date=D(2024, 2, 1), needs=["loan"])
    factories.ContactFactory(participant=ct, site=site_ct, date=D(2024, 3, 5))
    factories.ContactFactory(participant=other, site=site_hn, date=D(2024, 2, 2))
    factories.ReferralFactory(participant=ct, site=site_ct, date=D(2024, 3, 6), service="loan")
    establishment_ct = factories.EstablishmentFactory(site=site_ct)
    establishment_hn = factories.EstablishmentFactory(site=site_hn)
    factories.RightsAssessmentFactory(
        participant=hn, establishment=establishment_hn, date=D(2024, 2, 3)
    )
    factories.RightsAssessmentFactory(
        participant=ct, establishment=establishment_ct, date=D(2024, 3, 7)
    )
    return hn, ct


def test_one_person_counted_once_nationally(two_provinces):
    national = compute_indicators(**PERIOD)
    assert national["reached"] == 2  # her and the other person
    assert national["reached_with_need"] == 1  # her need was noted in Hà Nội
    assert national["referred"] == 1  # and she was referred in Cần Thơ: the same person
    assert national["workers_assessed"] == 1  # assessed in both provinces: one worker
    assert national["referrals_made"] == 1


def test_each_province_counts_its_own_record(two_provinces):
    hanoi = compute_indicators(**PERIOD, province="01")
    cantho = compute_indicators(**PERIOD, province="92")
    assert (hanoi["reached"], hanoi["reached_with_need"], hanoi["referred"]) == (2, 1, 0)
    assert (cantho["reached"], cantho["reached_with_need"], cantho["referred"]) == (1, 0, 0)
    assert (hanoi["workers_assessed"], cantho["workers_assessed"]) == (1, 1)


def test_a_breakdown_puts_her_in_one_group_by_her_latest_enrolment_in_scope(two_provinces):
    # Nationally her latest enrolment is Cần Thơ's (1 March): establishment worker, no residence.
    assert reached_breakdown("category", **PERIOD) == {"establishment_worker": 1, "other": 1}
    assert reached_breakdown("residence", **PERIOD) == {"none": 1, "permanent": 1}
    # Within Hà Nội only Hà Nội's enrolment is in scope.
    assert reached_breakdown("category", **PERIOD, province="01") == {
        "sex_worker": 1,
        "other": 1,
    }
    # Sex is her own (part of the UIC): one person, one group.
    assert reached_breakdown("sex", **PERIOD) == {"female": 2}
    assert sum(reached_breakdown("province", **PERIOD).values()) == 3  # 2 in HN + 1 in CT
