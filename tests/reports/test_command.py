"""`python manage.py indicators … --json` (docs/exchange.md)."""

import json

import pytest
from django.core.management import CommandError, call_command

from reports.indicators import CODES

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("indicators", *args, stdout=out)
    return out.getvalue()


def test_prints_every_code_as_one_json_object(small):
    payload = json.loads(run("--start", "2019-01-01", "--end", "2019-03-31", "--json"))
    assert list(payload) == list(CODES)
    # The national values of test_indicators.NATIONAL, as JSON numbers.
    assert payload["reached"] == 3
    assert payload["referred_pct"] == 100.0
    assert payload["referral_completion_pct"] == 25.0
    assert payload["workers_rights_ensured_pct"] == 60.0
    assert payload["total_cost_vnd"] == 15_000_001
    assert payload["cost_per_reached_vnd"] == 5_000_000


def test_scope_options_and_nulls(small):
    payload = json.loads(
        run("--start", "2019-01-01", "--end", "2019-03-31", "--province", "01", "--json")
    )
    assert payload["reached"] == 2
    assert payload["establishments_compliant_pct"] is None  # zero denominator -> null
    assert payload["referred_pct"] == 0.0
    text = run(
        "--start",
        "2019-01-01",
        "--end",
        "2019-03-31",
        "--province",
        "92",
        "--model",
        "worker_rights",
        "--site",
        "CT",
        "--json",
    )
    assert '"reached": 2' in text  # A (last day) and C at CT
    assert json.loads(text)["sites_active"] == 1


def test_not_suppressed(small):
    payload = json.loads(
        run("--start", "2019-01-01", "--end", "2019-03-31", "--province", "92", "--json")
    )
    assert payload["reached"] == 2  # not "<5": the command is for administrators


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2019-13-01", "--end", "2019-12-31"], "Invalid date"),
        (["--start", "2019-03-01", "--end", "2019-01-01"], "--end must not be before --start"),
        (["--start", "2019-01-01", "--end", "2019-12-31", "--province", "93"], "province"),
        (["--start", "2019-01-01", "--end", "2019-12-31", "--model", "nope"], "Unknown model"),
        (["--start", "2019-01-01", "--end", "2019-12-31", "--site", "NOPE"], "Unknown site"),
    ],
)
def test_bad_arguments_are_refused_clearly(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args, "--json")


def test_bad_arguments_exit_non_zero(db):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "indicators", "--start", "2019-01-01", "--json"],
        capture_output=True,
        text=True,
        check=False,
        env={"DJANGO_SETTINGS_MODULE": "config.test_settings", "PATH": ""},
    )
    assert result.returncode != 0
    assert "--end" in result.stderr
