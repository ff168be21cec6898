"""Reports from a PostgreSQL read replica, when `REPORTS_DATABASE_URL` names one.

Report pages and exports are decorated with `report_view`, the `indicators` command reads
inside `report_reads()`: while one of them runs, `ReportsRouter` sends every read to the replica
(the database alias `reports`). Writes always go to the primary, and so do all the other pages'
reads. The replica is used only while it answers and is no further behind the primary than
`REPORTS_MAX_LAG_SECONDS`; otherwise the reads fall back to the primary and the page says the
figures may be delayed (`request.reports_delayed`). A user who has just written is pinned to the
primary for `REPLICA_PIN_SECONDS` (reports.middleware), so they see their own write at once.

Without `REPORTS_DATABASE_URL` none of this changes anything: the router answers nothing and
every read goes to the one database.
"""

import logging
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import NamedTuple

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "reports"
PIN_SESSION_KEY = "reports_pinned_until"

logger = logging.getLogger(__name__)


class Route(NamedTuple):
    alias: str
    delayed: bool  # the replica should have served these reads but could not


_route = ContextVar("report_route", default=None)


def replica_configured():
    return REPLICA in settings.DATABASES


@dataclass(frozen=True)
class ReplicaState:
    usable: bool
    problem: str = ""  # why not, for the log


def measure_replica():
    """How far the replica is behind, measured now. Nothing behind when it has replayed all the
    WAL the primary has written out (every committed transaction's); otherwise the age of the
    last transaction it replayed, an upper bound of how old its data are. Asking the primary
    also catches a replica that lost its primary and stopped replaying, which the replica's
    own view would not."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        primary_lsn = cursor.fetchone()[0]
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), "
                "pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn()), "
                "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())",
                [primary_lsn],
            )
            in_recovery, behind_bytes, replay_age = cursor.fetchone()
    except DatabaseError as error:
        connections[REPLICA].close()
        return ReplicaState(False, f"does not answer ({error.__class__.__name__}: {error})")
    if not in_recovery:
        return ReplicaState(False, "is not a standby server (pg_is_in_recovery() is false)")
    if behind_bytes <= 0:
        return ReplicaState(True)
    if replay_age is None:
        return ReplicaState(False, "has replayed no transaction since it started")
    lag = float(replay_age)
    if lag > settings.REPORTS_MAX_LAG_SECONDS:
        limit = settings.REPORTS_MAX_LAG_SECONDS
        return ReplicaState(False, f"is {lag:.1f} s behind (REPORTS_MAX_LAG_SECONDS={limit})")
    return ReplicaState(True)


_lock = threading.Lock()
_last = None  # (time.monotonic() before the measurement, ReplicaState)


def replica_state():
    """The replica's state, measured at most once every REPORTS_LAG_CHECK_SECONDS per process."""
    global _last
    now = time.monotonic()
    with _lock:
        last = _last
    if last is not None and now - last[0] < settings.REPORTS_LAG_CHECK_SECONDS:
        return last[1]
    state = measure_replica()
    if not state.usable:
        logger.warning("Reports read from the primary: the replica %s.", state.problem)
    with _lock:
        _last = (now, state)
    return state


def forget_replica_state():
    """Make the next report measure the replica again (the test harness, between tests)."""
    global _last
    with _lock:
        _last = None


def pinned(request):
    """Whether this user wrote less than REPLICA_PIN_SECONDS ago (see reports.middleware)."""
    session = getattr(request, "session", None)
    until = session.get(PIN_SESSION_KEY) if session is not None else None
    return until is not None and until > time.time()


def pin(request):
    request.session[PIN_SESSION_KEY] = time.time() + settings.REPLICA_PIN_SECONDS


def _choose(request):
    if not replica_configured():
        return Route(DEFAULT_DB_ALIAS, False)
    if request is not None and pinned(request):
        return Route(DEFAULT_DB_ALIAS, False)
    if replica_state().usable:
        return Route(REPLICA, False)
    return Route(DEFAULT_DB_ALIAS, True)


@contextmanager
def report_reads(request=None):
    """Reads inside go to the replica when it is usable (and `request`'s user is not pinned),
    else to the primary. Yields whether the figures may be delayed. Inside another
    `report_reads`, the outer choice stands. Also a decorator: `@report_reads()`."""
    outer = _route.get()
    if outer is not None:
        yield outer.delayed
        return
    route = _choose(request)
    token = _route.set(route)
    try:
        yield route.delayed
    finally:
        _route.reset(token)


def report_view(view):
    """For a report page or export: its reads go through `report_reads`, and
    `request.reports_delayed` tells the page (templates/base.html) when they could not use the
    replica."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with report_reads(request) as delayed:
            request.reports_delayed = delayed
            return view(request, *args, **kwargs)

    return wrapped


class ReportsRouter:
    """Reads inside `report_reads` go where it chose; every other read and every write goes to
    the primary. The replica is never migrated: it replays the primary's schema."""

    def db_for_read(self, model, **hints):
        if not replica_configured():
            return None
        route = _route.get()
        return route.alias if route is not None else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        if not replica_configured():
            return None
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The same rows on both: an object read from the replica may point to one from the primary.
        if not replica_configured():
            return None
        return True

    def allow_migrate(self, db, app_label, **hints):
        if db == REPLICA:
            return False
        return None
