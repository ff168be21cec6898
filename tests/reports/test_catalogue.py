"""The indicator catalogue is the one place the lists of codes come from: the columns of every
table, the exports, what suppression protects and how disclosure relates a whole to its parts.
A made-up indicator registered in the catalogue (with its query added to the engine) shows up
on the dashboards, in the downloads, on the site page and in the suppression lists, and nothing
else is edited."""

import csv
import io

import pytest
from django.db.models import Count
from django.urls import reverse

from referrals.models import Referral
from reports import catalogue, dashboards, disclosure, selectors, suppression
from reports.catalogue import ADDITIVE, EVENTS, HEADLINE, MODEL, PERCENTAGE, PROVINCE, SITE
from reports.indicators import Pass, compute_indicators
from reports.models import Release
from tests import factories as f
from tests.reports.test_release_exports import EXPORT, FEBRUARY, Q1, people, publish

pytestmark = pytest.mark.django_db

MADE_UP = "referrals_twice"
MADE_UP_PCT = "completed_of_twice_pct"


@pytest.fixture
def made_up(monkeypatch):
    """A made-up count of events about people (each referral counted twice) and a percentage
    over it: two catalogue entries, and the count's query in the engine."""
    catalogue.register(
        catalogue.Indicator(
            MADE_UP,
            "Số lượt chuyển gửi nhân đôi",
            EVENTS,
            people=True,
            relation=ADDITIVE,
            at_most=(),
            tables=(HEADLINE, PROVINCE, MODEL, SITE),
        ),
        catalogue.Indicator(
            MADE_UP_PCT,
            "Tỷ lệ hoàn thành trên số nhân đôi (%)",
            PERCENTAGE,
            numerator="referrals_completed",
            denominator=MADE_UP,
            tables=(HEADLINE,),
        ),
    )
    per_site = Pass.per_site

    def with_made_up(self):
        out = per_site(self)
        referrals = Referral.objects.filter(self.in_scope("site__"))
        for site_id, values in self._counted(referrals, made=Count("*")):
            out[site_id][MADE_UP] = 2 * values["made"]
        return out

    monkeypatch.setattr(Pass, "per_site", with_made_up)
    yield
    catalogue.unregister(MADE_UP, MADE_UP_PCT)


def test_the_engine_computes_it_and_derives_its_percentage(made_up, site_hn):
    people(site_hn, 6)  # 3 referrals, all completed
    values = compute_indicators(start=FEBRUARY, end=FEBRUARY)
    assert list(values)[-2:] == [MADE_UP, MADE_UP_PCT]
    assert values[MADE_UP] == 6
    assert str(values[MADE_UP_PCT]) == "50.0"


def test_every_list_takes_it(made_up):
    assert (MADE_UP, "Số lượt chuyển gửi nhân đôi") in dashboards.columns(dashboards.HEADLINE)
    assert MADE_UP in dashboards.PROVINCE_COLUMNS
    assert MADE_UP in dashboards.MODEL_COLUMNS
    assert MADE_UP_PCT in dashboards.HEADLINE
    assert MADE_UP in disclosure.PROVINCE_CODES
    assert MADE_UP in disclosure.MODEL_CODES
    assert MADE_UP in suppression.PROTECTED_COUNTS
    assert suppression.RELATIONS[MADE_UP] == ADDITIVE
    assert disclosure.RATIO_PARTS[MADE_UP_PCT] == ("referrals_completed", MADE_UP)
    assert MADE_UP_PCT in selectors.SUPPRESSIBLE_RATIOS


def test_suppression_hides_it_and_the_percentage_built_on_it(made_up):
    rows = [
        selectors.Row(key=1, label="A", values={MADE_UP: 2, MADE_UP_PCT: "50.0"}),
        selectors.Row(key=2, label="B", values={MADE_UP: 40, MADE_UP_PCT: "50.0"}),
        selectors.Row(key=3, label="C", values={MADE_UP: 30, MADE_UP_PCT: "50.0"}),
    ]
    done = selectors.suppress_table(rows, {MADE_UP: 72})
    assert [row.values[MADE_UP] for row in done] == ["<5", 40, "x"]
    assert [row.values[MADE_UP_PCT] for row in done] == ["x", "50.0", "x"]


def test_it_is_shown_on_the_dashboard_and_the_site_page(made_up, client_for, admin_user, site_hn):
    people(site_hn, 6)
    response = client_for(admin_user).get(
        reverse("reports:dashboard") + "?period=custom&start=2019-02-01&end=2019-02-01"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Số lượt chuyển gửi nhân đôi" in body
    assert f'data-code="{MADE_UP}">6</td>' in body
    f.ContactFactory(site=site_hn)  # today: the site page shows the current quarter
    response = client_for(admin_user).get(reverse("sites:site_detail", args=[site_hn.pk]))
    assert MADE_UP in [row["code"] for row in response.context["results"]["rows"]]


def test_it_is_published_and_downloaded(made_up, client, ministry, officer_hn, hanoi, site_hn):
    from periods.models import ReportingPeriod
    from reports import cycle

    people(site_hn, 12)  # 6 referrals: the made-up count is 12
    q1 = ReportingPeriod.objects.get(code=Q1)
    submission = cycle.submission_submit(period=q1, province=hanoi, by=officer_hn)
    cycle.submission_approve(submission=submission, by=ministry)
    client.force_login(ministry)
    assert publish(client, provinces=("01",)).status_code == 302
    release = Release.objects.get()
    assert MADE_UP in release.tables["tables"]["province_2025"]["codes"]
    content = client.get(EXPORT.format(fmt="csv")).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][-2:] == [MADE_UP, MADE_UP_PCT]
    hanoi_row = next(row for row in rows if row[0] == "01")
    assert hanoi_row[-2:] == ["12", "50.0"]


def test_the_tables_show_what_they_showed_before_the_catalogue():
    """The columns as they were written by hand before they were derived from the catalogue."""
    assert tuple(dashboards.PROVINCE_COLUMNS) == (
        "sites_active",
        "reached",
        "reached_with_need",
        "referred",
        "referred_pct",
        "referrals_made",
        "referral_completion_pct",
        "workers_rights_ensured_pct",
        "total_cost_vnd",
    )
    assert tuple(dashboards.COST_COLUMNS) == (
        "total_cost_vnd",
        "reached",
        "cost_per_reached_vnd",
        "referrals_completed",
        "cost_per_completed_referral_vnd",
        "site_years",
        "cost_per_site_year_vnd",
    )
    # The released model table carries the protected counts behind its percentages.
    assert tuple(disclosure.MODEL_CODES) == (
        "sites_active",
        "reached",
        "reached_with_need",
        "referred",
        "referred_pct",
        "referrals_completed",
        "workers_assessed",
        "workers_rights_ensured",
        "workers_rights_ensured_pct",
        "establishments_compliant_pct",
        "peer_group_members",
        "total_cost_vnd",
    )
    assert tuple(catalogue.columns(SITE)) == (
        "reached",
        "reached_by_peer_groups",
        "reached_with_need",
        "referred",
        "referred_pct",
        "referrals_made",
        "referrals_completed",
        "referral_completion_pct",
    )
    assert tuple(suppression.ROW_FACTS) == (
        ("reached_by_peer_groups", "reached"),
        ("reached_with_need", "reached"),
        ("referred", "reached_with_need"),
        ("referred", "referrals_made"),
        ("referrals_completed", "referrals_made"),
        ("workers_rights_ensured", "workers_assessed"),
    )


def test_an_entry_that_names_an_unknown_code_is_refused():
    with pytest.raises(ValueError, match="not in the catalogue"):
        catalogue.register(
            catalogue.Indicator(
                "nowhere_pct", "x", PERCENTAGE, numerator="reached", denominator="nowhere"
            )
        )
    assert "nowhere_pct" not in catalogue.CODES
    with pytest.raises(ValueError, match="how its parts add up"):
        catalogue.Indicator("loose", "x", EVENTS, people=True)
