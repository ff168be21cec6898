"""The documented PostgreSQL backup and restore (scripts/backup.sh, scripts/restore.sh): dump a
database holding a small programme, restore it into a new empty database, and get the same
indicator values and the same number of rows in every table. PostgreSQL only."""

import datetime
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from participants.models import Contact
from tests import factories

BASE_DIR = Path(settings.BASE_DIR)
PGBIN = os.environ.get("PGBIN", "")


def _tool(name):
    return shutil.which(os.path.join(PGBIN, name) if PGBIN else name)


pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="backup/restore is PostgreSQL's (pg_dump/pg_restore); DATABASE_URL is not "
        "PostgreSQL",
    ),
    pytest.mark.skipif(
        not all(_tool(name) for name in ("pg_dump", "pg_restore", "psql")),
        reason="pg_dump/pg_restore/psql not found (set PGBIN, e.g. /usr/lib/postgresql/15/bin)",
    ),
]

# Prints every indicator for a wide period and the row count of every table, as JSON.
SNAPSHOT = """
import datetime, json, django
django.setup()
from django.apps import apps
from django.db import connection
counts = {
    model._meta.db_table: model._default_manager.count()
    for model in apps.get_models()
    if model._meta.managed and not model._meta.proxy
}
from reports.indicators import compute_indicators

indicators = compute_indicators(start=datetime.date(2010, 1, 1), end=datetime.date(2030, 12, 31))
print(json.dumps({"db": connection.settings_dict["NAME"], "counts": counts,
                  "indicators": indicators}, default=str, sort_keys=True))
"""


def _url(name):
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{name}"


def _env(database_url):
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="config.test_settings")
    return env


def _run(args, database_url, **kwargs):
    result = subprocess.run(
        args,
        cwd=BASE_DIR,
        env=_env(database_url),
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _snapshot(database_url):
    out = _run([sys.executable, "-c", SNAPSHOT], database_url)
    return json.loads(out.strip().splitlines()[-1])


def _programme(site_hn, site_ct, group_hn, provider_hn):
    """A small programme in two provinces: enrolments, contacts with needs, referrals in
    several states, support, costs, trainings."""
    participants = factories.ParticipantFactory.create_batch(12)
    for n, participant in enumerate(participants):
        site = site_hn if n % 3 else site_ct
        factories.EnrolmentFactory(participant=participant, site=site)
        for month in (2, 5):
            factories.ContactFactory(
                participant=participant,
                site=site,
                date=datetime.date(2020, month, 1 + n),
                kind=Contact.Kind.OUTREACH,
                needs=["health_check"] if n % 2 else [],
            )
        if n % 2:
            factories.ReferralFactory(
                participant=participant, site=site, date=datetime.date(2020, 3, n + 1)
            )
        if n % 4 == 0:
            factories.SupportFactory(participant=participant, site=site)
    for site in (site_hn, site_ct):
        factories.CostFactory(site=site, date=datetime.date(2020, 6, 1))
        factories.TrainingFactory(site=site, date=datetime.date(2020, 7, 1))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_dump_and_restore_into_an_empty_database_gives_the_same_numbers(
    tmp_path, site_hn, site_ct, group_hn, provider_hn, officer_hn
):
    _programme(site_hn, site_ct, group_hn, provider_hn)
    source_name = connection.settings_dict["NAME"]
    restored_name = f"{source_name}_restored_{uuid.uuid4().hex[:8]}"
    source_url, restored_url = _url(source_name), _url(restored_name)
    dump = tmp_path / "pcmd.dump"

    before = _snapshot(source_url)
    assert before["counts"]["participants_participant"] == 12
    out = _run(["sh", "scripts/backup.sh", str(dump)], source_url)
    assert out.strip().endswith(str(dump)) and dump.stat().st_size > 0
    assert oct(dump.stat().st_mode & 0o777) == "0o600"

    with connection._nodb_cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{restored_name}"')
    try:
        _run(["sh", "scripts/restore.sh", str(dump), restored_url], source_url)
        after = _snapshot(restored_url)
        # Restoring again on top of the restored data is refused: it never overwrites.
        again = subprocess.run(
            ["sh", "scripts/restore.sh", str(dump), restored_url],
            cwd=BASE_DIR,
            env=_env(restored_url),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert again.returncode == 3
        assert "restore only into an empty one" in again.stderr
    finally:
        with connection._nodb_cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [restored_name],
            )
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored_name}"')

    assert after["db"] == restored_name
    assert after["counts"] == before["counts"]
    assert after["indicators"] == before["indicators"]
    assert any(value not in (0, None, "0") for value in before["indicators"].values())
