"""Each indicator on the hand-built data set of conftest.py, with the values worked out by hand."""

from decimal import Decimal

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, router

from participants.models import Contact
from reports.indicators import (
    CODES,
    compute_indicators,
    indicators_by,
    reached_breakdown,
)
from reports.routing import report_reads
from sites.models import Province

from .conftest import END, START

pytestmark = pytest.mark.django_db

# National, Q1 2019:
NATIONAL = {
    # HN, CT, ST (starts on the last day), OLD (ends on the first day); not FUT.
    "sites_active": 4,
    "sites_active_pilot": 2,  # HN, CT
    "sites_active_control": 1,  # ST
    "sites_active_scale_up": 1,  # OLD
    # A (first day at HN, last day at CT: once), B, C; not D (day before) nor E (day after).
    "reached": 3,
    "reached_by_peer_groups": 1,  # A, through G_HN
    "reached_with_need": 2,  # A (loan at HN), C (legal_aid at CT)
    # A: need at HN and a referral at CT, both in the national scope; C: referral at CT.
    "referred": 2,
    "referred_pct": Decimal("100.0"),  # 2 / 2
    # A's (CT), B's (HN), C's (CT), D's (HN, 2019-01-05: in the period though D is not reached)
    "referrals_made": 4,
    "referrals_completed": 1,  # C's
    "referral_completion_pct": Decimal("25.0"),  # 1 / 4
    # W1..W5 assessed; latest per worker: W1 E2 (same day, entered last) misses wages -> no;
    # W2 2019-03-01 all -> yes; W3 2019-03-31 all (04-02 out of period) -> yes; W4 E2 (tie,
    # entered last) all -> yes; W5 latest 2019-02-20 at CT misses one -> no.
    "workers_assessed": 5,
    "workers_rights_ensured": 3,
    "workers_rights_ensured_pct": Decimal("60.0"),  # 3 / 5
    # E1 latest 03-05 misses no_violations -> no; E2 latest 03-31 yes; E3 only out of period.
    "establishments_assessed": 2,
    "establishments_compliant": 1,
    "establishments_compliant_pct": Decimal("50.0"),
    "peer_group_members": 17,  # G_HN 10 + G_CT 7; G_FUT's site is not active
    "trainings": 2,  # HN 01-01, CT 03-31; not CT 04-01
    "trainees": 35,  # 20 + 15
    "total_cost_vnd": 15_000_001,  # 10,000,000 + 5,000,001; not 2018-12-31
    "cost_per_reached_vnd": 5_000_000,  # 15,000,001 / 3 = 5,000,000.33 -> 5,000,000
}

HANOI = {
    "sites_active": 2,  # HN, OLD
    "sites_active_pilot": 1,
    "sites_active_control": 0,
    "sites_active_scale_up": 1,
    "reached": 2,  # A, B
    "reached_by_peer_groups": 1,  # A
    "reached_with_need": 1,  # A
    "referred": 0,  # A's referral is in Cần Thơ, outside this scope
    "referred_pct": Decimal("0.0"),  # 0 / 1: zero, not null
    "referrals_made": 2,  # B's, D's
    "referrals_completed": 0,
    "referral_completion_pct": Decimal("0.0"),
    # W3 (E3 03-31 yes), W5 (latest in Hà Nội is E3 01-20, yes: the later one is in Cần Thơ)
    "workers_assessed": 2,
    "workers_rights_ensured": 2,
    "workers_rights_ensured_pct": Decimal("100.0"),
    "establishments_assessed": 0,  # E3's only assessment is out of the period
    "establishments_compliant": 0,
    "establishments_compliant_pct": None,  # zero denominator -> null
    "peer_group_members": 10,
    "trainings": 1,
    "trainees": 20,
    "total_cost_vnd": 10_000_000,
    "cost_per_reached_vnd": 5_000_000,  # 10,000,000 / 2
}

CANTHO = {
    "sites_active": 2,  # CT, ST (Sóc Trăng merged into Cần Thơ); not FUT
    "sites_active_pilot": 1,
    "sites_active_control": 1,
    "sites_active_scale_up": 0,
    "reached": 2,  # A (again: once in each province), C
    "reached_by_peer_groups": 0,
    "reached_with_need": 1,  # C; A's contact in Cần Thơ records no need
    "referred": 1,  # C
    "referred_pct": Decimal("100.0"),
    "referrals_made": 2,  # A's, C's
    "referrals_completed": 1,
    "referral_completion_pct": Decimal("50.0"),
    # W1 (no), W2 (yes), W4 (yes), W5 (latest in Cần Thơ 02-20 misses one: no)
    "workers_assessed": 4,
    "workers_rights_ensured": 2,
    "workers_rights_ensured_pct": Decimal("50.0"),
    "establishments_assessed": 2,
    "establishments_compliant": 1,
    "establishments_compliant_pct": Decimal("50.0"),
    "peer_group_members": 7,
    "trainings": 1,
    "trainees": 15,
    "total_cost_vnd": 5_000_001,
    "cost_per_reached_vnd": 2_500_001,  # 5,000,001 / 2 = 2,500,000.5 -> half-up 2,500,001
}


def test_every_code_is_returned_in_order(small):
    assert tuple(compute_indicators(start=START, end=END)) == CODES


def test_national(small):
    assert compute_indicators(start=START, end=END) == NATIONAL


def test_hanoi(small):
    assert compute_indicators(start=START, end=END, province="01") == HANOI


def test_cantho_takes_in_merged_provinces(small):
    assert compute_indicators(start=START, end=END, province="92") == CANTHO


def test_participant_met_in_two_provinces_counted_once_nationally(small):
    national = compute_indicators(start=START, end=END)["reached"]
    provinces = [
        compute_indicators(start=START, end=END, province=code)["reached"] for code in ("01", "92")
    ]
    assert provinces == [2, 2]
    assert national == 3 != sum(provinces)


def test_grouped_by_province_equals_one_computation_per_province(small):
    grouped = indicators_by("province", start=START, end=END)
    hanoi = Province.objects.get(unit_set="2025", code="01")
    cantho = Province.objects.get(unit_set="2025", code="92")
    assert grouped[hanoi.pk] == HANOI
    assert grouped[cantho.pk] == CANTHO
    assert set(grouped) == {hanoi.pk, cantho.pk}


def test_grouped_by_legacy_province(small):
    grouped = indicators_by("province_legacy", start=START, end=END)
    soc_trang = Province.objects.get(unit_set="legacy", code="94")
    can_tho = Province.objects.get(unit_set="legacy", code="92")
    # Sóc Trăng: site ST (control, active from the last day), E2's assessments.
    assert grouped[soc_trang.pk]["sites_active_control"] == 1
    assert grouped[soc_trang.pk]["establishments_assessed"] == 1  # E2
    assert grouped[soc_trang.pk]["establishments_compliant"] == 1  # latest 03-31 yes
    # W1 and W4 at E2 on 2019-02-01: W1 misses wages (no), W4 all (yes).
    assert grouped[soc_trang.pk]["workers_assessed"] == 2
    assert grouped[soc_trang.pk]["workers_rights_ensured"] == 1
    # Legacy Cần Thơ: E1 only. W1 E1 02-01 all -> yes (E2 is another province here);
    # W2 yes; W4 E1 misses health_care -> no; W5 misses one -> no.
    assert grouped[can_tho.pk]["workers_assessed"] == 4
    assert grouped[can_tho.pk]["workers_rights_ensured"] == 2
    assert grouped[can_tho.pk]["reached"] == 2


def test_model_scope_and_combinations(small):
    peer = compute_indicators(start=START, end=END, model="peer_groups")
    assert peer["sites_active"] == 1  # HN (FUT not active yet)
    assert peer["reached"] == 2  # A, B at HN
    assert peer["peer_group_members"] == 10  # G_FUT's site not active
    worker = compute_indicators(start=START, end=END, model="worker_rights", province="92")
    assert worker["sites_active"] == 2
    assert worker["workers_assessed"] == 4
    nothing = compute_indicators(start=START, end=END, model="community", province="92")
    assert nothing["sites_active"] == 0
    assert nothing["reached"] == 0
    assert nothing["referred_pct"] is None
    assert nothing["cost_per_reached_vnd"] is None
    assert nothing["total_cost_vnd"] == 0


def test_site_scope(small):
    values = compute_indicators(start=START, end=END, site="CT")
    assert values["reached"] == 2  # A (last day), C
    assert values["reached_with_need"] == 1
    assert values["referred"] == 1
    assert values["sites_active"] == 1
    empty = compute_indicators(start=START, end=END, site="FUT")
    assert empty["sites_active"] == 0
    assert empty["referred_pct"] is None
    assert empty["referral_completion_pct"] is None
    assert empty["workers_rights_ensured_pct"] is None


def test_period_boundaries(small):
    # Only the first day: A's contact at HN, HN's training and cost, OLD's last day.
    first = compute_indicators(start=START, end=START)
    assert first["reached"] == 1
    assert first["trainings"] == 1
    assert first["total_cost_vnd"] == 10_000_000
    assert first["sites_active_scale_up"] == 1  # OLD ends on that day
    assert first["sites_active_control"] == 0  # ST has not started
    # Only the last day: A's contact at CT, W3's assessment, E2's, CT's training and cost.
    last = compute_indicators(start=END, end=END)
    assert last["reached"] == 1
    assert last["workers_assessed"] == 1
    assert last["establishments_compliant"] == 1
    assert last["trainees"] == 15
    assert last["sites_active_control"] == 1  # ST starts on that day
    assert last["sites_active_scale_up"] == 0


def test_breakdowns_of_reached(small):
    kwargs = {"start": START, "end": END}
    assert reached_breakdown("sex", **kwargs) == {"female": 2, "male": 1}
    # Age at 2019: A 2002 -> 17, B 1995 -> 24, C 1969 -> 50.
    assert reached_breakdown("age_group", **kwargs) == {"<18": 1, "18-24": 1, "50+": 1}
    assert reached_breakdown("residence", **kwargs) == {
        "temporary": 1,
        "none": 1,
        "permanent": 1,
    }
    assert reached_breakdown("category", **kwargs) == {
        "sex_worker": 2,
        "establishment_worker": 1,
    }
    assert reached_breakdown("model", **kwargs) == {"peer_groups": 2, "worker_rights": 2}
    hanoi = Province.objects.get(unit_set="2025", code="01")
    cantho = Province.objects.get(unit_set="2025", code="92")
    assert reached_breakdown("province", **kwargs) == {hanoi.pk: 2, cantho.pk: 2}
    assert reached_breakdown("region", **kwargs) == {"red_river_delta": 2, "mekong_delta": 2}
    assert reached_breakdown("sex", province="01", **kwargs) == {"female": 1, "male": 1}


def test_engine_runs_a_fixed_number_of_queries(small, django_assert_num_queries):
    # On PostgreSQL, one more: the people statement's own work_mem; read from a replica (in
    # autocommit, outside the test's transaction) that statement's transaction adds its BEGIN
    # and COMMIT.
    # The whole scope alone counts the referrals in the people statement: one query fewer.
    queries = 8 + (connection.vendor == "postgresql")
    with report_reads():
        if router.db_for_read(Contact) != DEFAULT_DB_ALIAS:
            queries += 2
    with django_assert_num_queries(queries - 1):
        compute_indicators(start=START, end=END)
    with django_assert_num_queries(queries):
        indicators_by("province", start=START, end=END)


def test_a_pass_counts_every_table_and_the_breakdowns_in_one_people_statement(small):
    # The page's tables and the four breakdowns from the same reduced contacts (GROUPING SETS
    # on PostgreSQL, one branch per table elsewhere): the numbers of the separate functions.
    from reports.indicators import Pass
    from reports.selectors import PILOT_CONTROL

    hanoi = Province.objects.get(unit_set="2025", code="01")
    cantho = Province.objects.get(unit_set="2025", code="92")
    figures = Pass(
        start=START,
        end=END,
        wanted=[(None, None), ("province", None), ("model", None), PILOT_CONTROL],
        breakdowns=True,
    )
    assert figures.breakdowns["sex"] == {"female": 2, "male": 1}
    assert figures.breakdowns["age_group"] == {"<18": 1, "18-24": 1, "50+": 1}
    assert figures.breakdowns["residence"] == {"temporary": 1, "none": 1, "permanent": 1}
    assert figures.breakdowns["category"] == {"sex_worker": 2, "establishment_worker": 1}
    assert figures.get()[None]["reached"] == 3
    assert {key: row["reached"] for key, row in figures.get("province").items()} == {
        hanoi.pk: 2,
        cantho.pk: 2,
    }
    assert {key: row["reached"] for key, row in figures.get("model").items()} == {
        "peer_groups": 2,
        "worker_rights": 2,
        "community": 0,  # its sites have other figures, nobody reached
    }
    assert figures.get()[None] == NATIONAL
    hanoi_only = Pass(start=START, end=END, province="01", wanted=[(None, None)], breakdowns=True)
    assert hanoi_only.breakdowns["sex"] == {"female": 1, "male": 1}
    assert hanoi_only.get()[None]["reached"] == 2
