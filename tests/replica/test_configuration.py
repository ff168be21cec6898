"""REPORTS_DATABASE_URL and its companions, read by config/settings.py in a fresh interpreter;
and, without a replica, everything as with one database."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from participants.models import Contact
from reports.routing import PIN_SESSION_KEY, ReportsRouter

ROOT = Path(__file__).resolve().parents[2]
PRIMARY = "postgres://app:secret@db1.internal:5432/pcmd"
REPLICA = "postgres://reader:secret@db2.internal:6432/pcmd"
SHOW = (
    "import json, importlib; s = importlib.import_module(MODULE); "
    "print(json.dumps({'databases': s.DATABASES, 'routers': s.DATABASE_ROUTERS, "
    "'pin': s.REPLICA_PIN_SECONDS, 'lag': s.REPORTS_MAX_LAG_SECONDS, "
    "'check': s.REPORTS_LAG_CHECK_SECONDS}, default=str))"
)


def load_settings(module="config.settings", **env):
    """The settings `module` makes of `env` (and nothing else of this process's database
    variables), or the error it stops with."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "REPORTS_", "REPLICA_", "DJANGO_SETTINGS"))
    }
    result = subprocess.run(
        [sys.executable, "-c", SHOW.replace("MODULE", repr(module))],
        env={**clean, "DEBUG": "1", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode:
        return result.stderr
    return json.loads(result.stdout)


def test_a_replica_url_adds_a_read_only_reports_database():
    found = load_settings(DATABASE_URL=PRIMARY, REPORTS_DATABASE_URL=REPLICA)
    reports = found["databases"]["reports"]
    assert (reports["HOST"], reports["PORT"], reports["NAME"], reports["USER"]) == (
        "db2.internal",
        6432,
        "pcmd",
        "reader",
    )
    assert reports["ATOMIC_REQUESTS"] is False  # the primary keeps its transaction per request
    assert found["databases"]["default"]["ATOMIC_REQUESTS"] is True
    assert reports["OPTIONS"] == {"options": "-c jit=off", "connect_timeout": 5}
    assert found["routers"] == ["reports.routing.ReportsRouter"]
    assert (found["lag"], found["check"], found["pin"]) == (10, 5, 15)


def test_without_a_replica_url_there_is_one_database():
    found = load_settings(DATABASE_URL=PRIMARY)
    assert list(found["databases"]) == ["default"]


def test_the_test_suite_reads_its_own_test_database_through_the_replica():
    found = load_settings(
        "config.test_settings", DATABASE_URL=PRIMARY, REPORTS_DATABASE_URL=REPLICA
    )
    assert found["databases"]["reports"]["TEST"] == {"MIRROR": "default"}
    assert found["databases"]["reports"]["PORT"] == 6432


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"REPORTS_DATABASE_URL": "sqlite:////tmp/replica.sqlite3"},
            "REPORTS_DATABASE_URL must be a PostgreSQL streaming replica",
        ),
        (
            {"REPORTS_DATABASE_URL": REPLICA, "DATABASE_URL": "sqlite:////tmp/pcmd.sqlite3"},
            "and DATABASE_URL must be PostgreSQL",
        ),
        (
            {"REPORTS_DATABASE_URL": REPLICA, "REPLICA_PIN_SECONDS": "14"},
            "REPLICA_PIN_SECONDS must be at least their sum",
        ),
        (
            {"REPORTS_MAX_LAG_SECONDS": "30", "REPLICA_PIN_SECONDS": "20"},
            "REPLICA_PIN_SECONDS phải ít nhất bằng tổng của chúng",
        ),
        (
            {"REPORTS_LAG_CHECK_SECONDS": "-5", "REPLICA_PIN_SECONDS": "10"},
            "must not be negative",
        ),
    ],
)
def test_a_replica_configuration_that_cannot_work_is_refused(env, message):
    error = load_settings(**{"DATABASE_URL": PRIMARY, **env})
    assert isinstance(error, str) and "ImproperlyConfigured" in error and message in error


def test_the_pin_follows_the_lag_allowed():
    found = load_settings(REPORTS_MAX_LAG_SECONDS="30", REPORTS_LAG_CHECK_SECONDS="2")
    assert found["pin"] == 32


@pytest.mark.skipif(
    "reports" in settings.DATABASES, reason="a read replica is configured (REPORTS_DATABASE_URL)"
)
@pytest.mark.django_db
def test_without_a_replica_reports_and_writes_use_the_one_database(client_for, leader, group_hn):
    router = ReportsRouter()
    assert router.db_for_read(Contact) is None and router.db_for_write(Contact) is None
    client = client_for(leader)
    response = client.post(reverse("participants:contact_new"), {"participant_code": ""})
    assert response.status_code == 200  # refused: nothing to save, but a POST all the same
    assert PIN_SESSION_KEY not in client.session  # nothing to pin to
    response = client.get("/reports/?period=quarter&year=2019&quarter=1")
    assert response.status_code == 200
    assert response.wsgi_request.reports_delayed is False
    assert b'data-testid="reports-delayed"' not in response.content
