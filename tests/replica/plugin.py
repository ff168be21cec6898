"""The suite against a real read replica (REPORTS_DATABASE_URL; `.ci/run` starts one).

A replica only sees committed data, and only once it has replayed them. So, when a replica is
configured:
- tests marked `replica` (all of tests/replica/test_replica.py, and every database test of
  tests/reports) are transactional, may use the `reports` alias, and each time a report starts
  choosing between replica and primary (reports.routing.replica_state) the harness first waits
  until the replica has replayed everything the primary has written — unless replay is paused
  on purpose;
- every other test keeps its data in a rolled-back transaction the replica never sees: for them
  the application runs as without a replica. A report test marked `primary_only` (the live
  cache's, whose subject is not where reads go) is one of these.
Without a replica, tests marked `replica` are skipped with the reason printed.
`REQUIRE_REPLICA=1` turns a missing replica into an error (CI's replica run must not skip).
"""

import os
import time
from pathlib import Path

import pytest

REPORT_TESTS = Path(__file__).resolve().parent.parent / "reports"
REPLAY_TIMEOUT = 30

_sessions = {}


def _configured():
    from django.conf import settings

    return "reports" in settings.DATABASES


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "replica: reads through the real read replica (REPORTS_DATABASE_URL); skipped without one",
    )
    config.addinivalue_line(
        "markers",
        "primary_only: a report test about something else than where reads go (the live cache):"
        " it runs as without a replica, in a rolled-back transaction, in both runs",
    )


# Before pytest-django's own hook (also tryfirst, registered earlier) orders the tests, so that
# the report tests made transactional here run after every rolled-back one, as Django orders them.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    configured = _configured()
    if not configured and os.environ.get("REQUIRE_REPLICA"):
        raise pytest.UsageError(
            "REQUIRE_REPLICA is set but REPORTS_DATABASE_URL is not: the replica tests would skip."
        )
    skip = pytest.mark.skip(
        reason="no read replica: set REPORTS_DATABASE_URL to a streaming replica of "
        "DATABASE_URL (.ci/run starts one)"
    )
    on_replica = pytest.mark.django_db(transaction=True, databases=["default", "reports"])
    for item in items:
        uses_db = item.get_closest_marker("django_db") or "db" in item.fixturenames
        primary_only = item.get_closest_marker("primary_only") is not None
        if configured and REPORT_TESTS in item.path.parents and uses_db and not primary_only:
            item.add_marker(pytest.mark.replica)
        if item.get_closest_marker("replica") is None:
            continue
        if configured:
            item.add_marker(on_replica, append=False)
        else:
            item.add_marker(skip)


def _session(alias):
    """A connection of the harness's own (not Django's, so it never shows in a test's query
    count) to the server behind `alias`, on its maintenance database."""
    import psycopg
    from django.db import connections

    if alias not in _sessions:
        params = connections[alias].get_connection_params()
        params["dbname"] = "postgres"
        params.pop("cursor_factory", None)
        params.pop("context", None)
        _sessions[alias] = psycopg.connect(**params, autocommit=True)
        _sessions[alias].execute("SET synchronous_commit = on")
    return _sessions[alias]


def flush_primary_wal():
    """Write out the primary's WAL up to now (CI's primary commits asynchronously): a
    synchronous commit on the harness's session flushes everything inserted before it. Returns
    the position it reached."""
    primary = _session("default")
    (target,) = primary.execute("SELECT pg_current_wal_insert_lsn()").fetchone()
    primary.execute("SELECT txid_current()")
    return target


def wait_for_replay(timeout=REPLAY_TIMEOUT):
    """Until the replica has replayed all the WAL the primary has inserted so far, or replay is
    paused (a test holding the replica back on purpose)."""
    target = flush_primary_wal()
    deadline = time.monotonic() + timeout
    while True:
        paused, done = (
            _session("reports")
            .execute(
                "SELECT pg_is_wal_replay_paused(), "
                "pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s::pg_lsn) >= 0",
                [target],
            )
            .fetchone()
        )
        if paused or done:
            return
        if time.monotonic() > deadline:
            pytest.fail(
                f"the replica has not replayed the primary's WAL up to {target} in {timeout} s"
            )
        time.sleep(0.005)


def set_replay_paused(paused):
    """Hold the replica back from now on, once it has replayed everything written so far
    (nothing more is replayed until resumed), or let it go on."""
    if paused:
        wait_for_replay()
        _session("reports").execute("SELECT pg_wal_replay_pause()")
    else:
        _session("reports").execute("SELECT pg_wal_replay_resume()")


@pytest.fixture(autouse=True)
def _report_reads_route(request, monkeypatch):
    if not _configured():
        yield
        return
    from reports import routing

    routing.forget_replica_state()
    if request.node.get_closest_marker("replica") is None:
        monkeypatch.setattr(routing, "replica_configured", lambda: False)
        yield
        return
    measured = routing.replica_state

    def once_replayed():
        wait_for_replay()
        return measured()

    monkeypatch.setattr(routing, "replica_state", once_replayed)
    yield
    set_replay_paused(False)
