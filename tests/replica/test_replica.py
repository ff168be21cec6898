"""Reports from a real PostgreSQL streaming replica (REPORTS_DATABASE_URL; `.ci/run` starts one
with pg_basebackup -R). Skipped, with the reason printed, without one.

The data are committed (transactional tests) and the harness (tests/replica/plugin.py) waits for
the replica to replay them before each report chooses where to read; the tests that hold the
replica back pause its replay (pg_wal_replay_pause)."""

import datetime
import re
import socket
import time

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import Contact
from reports import routing
from tests import factories as f

from .plugin import flush_primary_wal, set_replay_paused, wait_for_replay

pytestmark = pytest.mark.replica

Q1_2019 = "/reports/?period=quarter&year=2019&quarter=1"
EXPORT = "/reports/export/?format={fmt}&start=2019-01-01&end=2019-03-31"
# Tables of the programme's data: a report query reads at least one of them.
PROGRAMME_TABLES = re.compile(r'"(participants|referrals|sites|programs|reports)_\w+"')
DELAYED = 'data-testid="reports-delayed"'


def headline(html, code):
    return re.search(rf'<td class="text-end" data-code="{code}">(.*?)</td>', html).group(1).strip()


def group_reached(html):
    return re.search(r'data-testid="group-reached">(.*?)<', html).group(1).strip()


@pytest.fixture
def reached_three(site_hn):
    """Three people met in Hà Nội in the first quarter of 2019."""
    for day in (4, 5, 6):
        f.ContactFactory(site=site_hn, date=datetime.date(2019, 2, day))


@pytest.fixture
def member(group_hn):
    participant = f.ParticipantFactory()
    f.EnrolmentFactory(participant=participant, site=group_hn.site, peer_group=group_hn)
    return participant


def queries_by_connection(function):
    """Run `function`; the SQL it sent to the primary and to the replica."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["reports"]) as replica,
    ):
        result = function()
    return result, [q["sql"] for q in primary], [q["sql"] for q in replica]


def programme_queries(sqls):
    return [sql for sql in sqls if PROGRAMME_TABLES.search(sql)]


def test_the_reports_alias_is_a_streaming_replica_of_the_test_database():
    wait_for_replay()  # the test database itself, created on the primary moments ago

    def server(alias):
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery(), current_database(), inet_server_port()")
            return cursor.fetchone()

    primary, replica = server("default"), server("reports")
    assert primary[0] is False and replica[0] is True
    assert primary[1] == replica[1]  # the same (test) database, replayed
    assert primary[2] != replica[2]  # on another server
    with pytest.raises(DatabaseError, match="read-only"), connections["reports"].cursor() as cursor:
        cursor.execute("CREATE TABLE written_on_the_replica (id int)")
    connections["reports"].close()


def test_a_committed_row_reaches_the_replica(site_hn):
    contact = f.ContactFactory(site=site_hn)
    wait_for_replay()
    assert Contact.objects.using("reports").get(pk=contact.pk).site_id == site_hn.pk


@pytest.fixture
def published_2019q1(officer_hn, ministry, reached_three):
    """Hà Nội's first quarter of 2019 submitted, approved and published (reports.releases)."""
    from periods.models import ReportingPeriod
    from reports import cycle, releases

    period = ReportingPeriod.objects.get(code="2019Q1")
    hanoi = f.province("01")
    submission = cycle.submission_submit(period=period, province=hanoi, by=officer_hn)
    cycle.submission_approve(submission=submission, by=ministry)
    return releases.release_publish(period=period, provinces=[hanoi], by=ministry)


def assert_reads_on_the_replica(client, url, monkeypatch):
    """Every query of `url` on a programme table runs on the replica, none on the primary;
    without the replica, the same number run on the primary. Returns that number."""
    assert client.get(url).status_code == 200  # measures the replica's lag (then cached)
    response, primary, replica = queries_by_connection(lambda: client.get(url))
    assert response.status_code == 200
    assert DELAYED.encode() not in response.content
    # The primary answered only the session, the signed-in user (and an export's activity
    # record); every query on a programme table went to the replica.
    assert programme_queries(primary) == []
    on_replica = programme_queries(replica)
    assert on_replica

    with monkeypatch.context() as without_replica:
        without_replica.setattr(routing, "replica_configured", lambda: False)
        response, primary, replica = queries_by_connection(lambda: client.get(url))
    assert response.status_code == 200 and replica == []
    assert len(programme_queries(primary)) == len(on_replica)
    return len(on_replica)


@pytest.mark.parametrize("persona", ["admin_user", "ministry", "officer_hn", "leader"])
def test_dashboard_queries_run_on_the_replica_and_never_on_the_primary(
    request, client_for, reached_three, persona, monkeypatch
):
    """Live figures (the indicator engine): the national tables (administrator), the
    provisional totals (ministry), a province (officer), a peer group (leader)."""
    client = client_for(request.getfixturevalue(persona))
    assert assert_reads_on_the_replica(client, Q1_2019, monkeypatch) >= 8


@pytest.mark.parametrize(
    "url",
    [
        Q1_2019,
        EXPORT.format(fmt="xlsx"),
        EXPORT.format(fmt="csv"),
        EXPORT.format(fmt="dhis2"),
        "/reports/releases/",
        "/reports/releases/2019Q1/",
        "/reports/releases/2019Q1/print/",
    ],
)
def test_published_release_reads_and_exports_run_on_the_replica(
    client_for, ministry, published_2019q1, url, monkeypatch
):
    assert_reads_on_the_replica(client_for(ministry), url, monkeypatch)


def test_the_indicators_command_reads_the_replica(reached_three, capsys):
    def run():
        call_command("indicators", "--start", "2019-01-01", "--end", "2019-03-31", "--json")

    _, primary, replica = queries_by_connection(run)
    assert '"reached": 3' in capsys.readouterr().out
    # The command checks its arguments on the primary; the engine's 7 queries (the whole
    # country: each table counted in the database) are the replica's.
    assert programme_queries(primary) == []
    assert len(programme_queries(replica)) == 7


def test_a_users_write_is_visible_to_that_user_at_once(client_for, leader, member, settings):
    settings.REPORTS_MAX_LAG_SECONDS = 3600  # held back below, but not "too far behind"
    client = client_for(leader)
    response, _, replica = queries_by_connection(lambda: client.get(Q1_2019))
    assert group_reached(response.content.decode()) == "0"
    assert programme_queries(replica)  # not pinned yet: the replica answered

    set_replay_paused(True)
    saved = client.post(
        reverse("participants:contact_new"),
        {"participant_code": member.code, "date": "2019-02-05", "kind": "outreach"},
    )
    assert saved.status_code == 302
    assert client.session[routing.PIN_SESSION_KEY] > time.time()  # pinned to the primary
    contact = Contact.objects.get(participant=member)
    flush_primary_wal()
    # The replica does not have the contact: it is held back.
    assert not Contact.objects.using("reports").filter(pk=contact.pk).exists()

    response, primary, replica = queries_by_connection(lambda: client.get(Q1_2019))
    html = response.content.decode()
    assert group_reached(html) == "1"  # the leader sees the contact at once...
    assert programme_queries(replica) == [] and programme_queries(primary)  # ...from the primary
    assert DELAYED not in html  # by design, not a fallback

    set_replay_paused(False)
    wait_for_replay()
    assert Contact.objects.using("reports").filter(pk=contact.pk).exists()


def test_without_the_pin_the_held_back_replica_would_hide_the_write(
    client_for, leader, member, settings
):
    """What the pin protects against: with REPLICA_PIN_SECONDS at 0, the same leader is sent
    to the replica held back, which does not have the contact yet."""
    settings.REPORTS_MAX_LAG_SECONDS = 3600
    settings.REPLICA_PIN_SECONDS = 0
    client = client_for(leader)
    set_replay_paused(True)
    saved = client.post(
        reverse("participants:contact_new"),
        {"participant_code": member.code, "date": "2019-02-05", "kind": "outreach"},
    )
    assert saved.status_code == 302
    flush_primary_wal()
    response, _, replica = queries_by_connection(lambda: client.get(Q1_2019))
    assert group_reached(response.content.decode()) == "0"
    assert programme_queries(replica)


def test_a_lagging_replica_falls_back_to_the_primary_and_says_so(
    client_for, admin_user, reached_three, site_hn, settings
):
    # One second, not zero: WAL written by anything else on the server (autovacuum, another
    # database) may be a few milliseconds from being replayed when a report measures.
    settings.REPORTS_MAX_LAG_SECONDS = 1
    settings.REPORTS_LAG_CHECK_SECONDS = 0  # measure at every report
    client = client_for(admin_user)
    html = client.get(Q1_2019).content.decode()
    assert headline(html, "reached") == "3" and DELAYED not in html  # caught up: no lag

    set_replay_paused(True)
    f.ContactFactory(site=site_hn, date=datetime.date(2019, 3, 1))
    flush_primary_wal()
    time.sleep(1.5)  # the replica's last replayed transaction is now over a second old
    response, primary, replica = queries_by_connection(lambda: client.get(Q1_2019))
    html = response.content.decode()
    assert DELAYED in html
    assert "Số liệu có thể bị chậm" in html
    assert headline(html, "reached") == "4"  # the primary's figures, the new contact included
    assert programme_queries(replica) == [] and programme_queries(primary)

    set_replay_paused(False)
    html = client.get(Q1_2019).content.decode()
    assert headline(html, "reached") == "4" and DELAYED not in html  # the replica caught up


def test_a_replica_that_does_not_answer_falls_back_to_the_primary(
    client_for, admin_user, published_2019q1, settings
):
    settings.REPORTS_LAG_CHECK_SECONDS = 0
    client = client_for(admin_user)
    html = client.get(Q1_2019).content.decode()
    assert DELAYED not in html
    from_replica = headline(html, "reached")

    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    replica = connections["reports"]
    real_port = replica.settings_dict["PORT"]
    replica.close()
    replica.settings_dict["PORT"] = port
    try:
        with CaptureQueriesContext(connections["default"]) as primary:
            response = client.get(Q1_2019)
        html = response.content.decode()
        assert response.status_code == 200 and DELAYED in html
        assert headline(html, "reached") == from_replica  # the same release, from the primary
        assert programme_queries([q["sql"] for q in primary])
        response = client.get(EXPORT.format(fmt="xlsx"))
        assert response.status_code == 200 and response.content[:2] == b"PK"
    finally:
        replica.close()
        replica.settings_dict["PORT"] = real_port
    assert DELAYED not in client.get(Q1_2019).content.decode()
