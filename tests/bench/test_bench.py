"""The benchmark as a smoke test at a tiny scale (not a timing gate): it builds its data set,
prints the data counts and one timing line per measurement, and refuses a database that holds
other data."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from participants.models import Contact, Participant, Person
from referrals.models import Referral, ReferralEvent
from sites.models import Site
from tests import factories

TIMED = [
    "national indicators, 1 year",
    "national indicators, 10 years",
    "indicators, 1 year",
    "hand-written SQL, national 1 year",
    "national summary export",
    "participant list page",
    "follow-up list page",
    "contact form submit (peer leader)",
]


def run_bench(*args):
    out = StringIO()
    call_command("bench", "--scale", "0.001", "--repeat", "1", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_bench_builds_and_times_at_small_scale():
    output = run_bench()
    # The data set: 0.001 of national scale (with small floors), every site a bench site.
    # 500 people; those met in a second province have a record there too.
    assert Person.objects.count() == 500
    assert 500 < Participant.objects.count() < 600
    assert Site.objects.count() == 6
    assert Site.objects.exclude(code__startswith="BENCH-").count() == 0
    assert Contact.objects.count() > 2000
    assert Referral.objects.count() > 300
    assert ReferralEvent.objects.count() >= Referral.objects.count()
    counts = dict(re.findall(r"^  (\w+)\s+([\d,]+)$", output, re.M))
    assert counts["persons"] == "500"
    assert int(counts["participants"]) == Participant.objects.count()
    assert int(counts["contacts"].replace(",", "")) == Contact.objects.count()
    # One line per measurement, each with its median: every piece runs.
    assert "skipped" not in output, output
    for label in TIMED:
        line = next((ln for ln in output.splitlines() if label in ln), None)
        assert line is not None, f"no line for {label!r}"
        assert re.search(r"median\s+[\d.]+ ms", line), line
    assert re.search(r"hand-written SQL, national 1 year\s+median", output)
    assert "ratio app / hand-written SQL (national 1 year):" in output
    # The hand-written statement is also a cross-check of the engine's numbers.
    assert "app and hand SQL agree on all" in output
    # The year published for every province with sites, then the greedy method on the same
    # tables: both say what they hide.
    assert re.search(r"publication of \d{4}, \d+ provinces \(compute, suppress, store\): ", output)
    assert "greedy suppression of the same tables: " in output
    assert re.search(r"information lost \((exact|greedy), \d+ province\(s\) approved\)", output)
    assert "information lost (greedy" in output


@pytest.mark.django_db(transaction=True)
def test_the_same_seed_gives_the_same_data():
    run_bench("--no-timings")
    first = list(Contact.objects.order_by("id").values_list("participant_id", "date", "needs"))
    run_bench("--no-timings")
    second = list(Contact.objects.order_by("id").values_list("participant_id", "date", "needs"))
    assert first == second


@pytest.mark.django_db
def test_bench_refuses_a_database_with_other_data():
    factories.SiteFactory(code="HN-REAL")
    with pytest.raises(CommandError, match="not bench data"):
        run_bench()
    assert Site.objects.filter(code="HN-REAL").exists()
