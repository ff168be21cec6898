"""The benchmark's timings: each measurement runs once to warm up, then `repeat` times; the
median is what counts. A measurement that cannot run (no such data, a page that fails) prints
"skipped: …" and the others still run; the smoke test (tests/bench) fails on any skip."""

import datetime
import logging
import statistics
import time
from html.parser import HTMLParser

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from participants.models import Contact, Participant
from periods import calendar as periods
from periods.models import ReportingPeriod
from reports import cycle, disclosure, releases, selectors, suppression
from reports.indicators import compute_indicators
from sites.models import Province, Site

from .generate import LAST_DAY

ONE_YEAR = (datetime.date(LAST_DAY.year, 1, 1), LAST_DAY)
TEN_YEARS = (datetime.date(LAST_DAY.year - 9, 1, 1), LAST_DAY)


class Unavailable(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# The best single statement we can write by hand for the national indicators of a period

CORE_RIGHTS = (
    "labour_contract",
    "wages_paid",
    "protected_at_work",
    "health_care",
    "counselling_access",
    "free_to_change_job",
)
DUTIES = (
    "owner_commitment",
    "contracts",
    "wages_on_time",
    "health_checks",
    "workers_informed",
    "no_violations",
)


def _pct(num, den):
    return f"round(100.0 * ({num}) / nullif(({den}), 0), 1)"


def _with_person(table):
    """An event table with the national person of each row: a person known in two provinces
    has two participant records but is counted once."""
    return (
        f"(SELECT ev.*, p.person_id FROM {table} ev "  # noqa: S608 (a constant table name)
        "JOIN participants_participant p ON p.id = ev.participant_id) ev"
    )


def _hand_sql(latest, any_true):
    """One pass over each event table in the period: contacts and referrals are first reduced
    to one row per person, then everything is counted from those small sets. Reviewed with
    EXPLAIN (ANALYZE, BUFFERS) at scale 0.5: reading the person carried on each contact and
    referral (an index-only scan of their report index, no join to the participant records
    before grouping) is the fastest correct form; joining every row to its participant record
    first, as this statement did before, read the participant table in full and spilled the
    grouping to disk."""
    return f"""
WITH
c AS MATERIALIZED (
    SELECT person_id,
           {any_true("peer_group_id IS NOT NULL")} AS by_group,
           {any_true("needs <> 0")} AS with_need
    FROM participants_contact
    WHERE date BETWEEN %(start)s AND %(end)s
    GROUP BY person_id),
r AS MATERIALIZED (
    SELECT person_id, count(*) AS made,
           count(*) FILTER (WHERE status = 'completed') AS completed
    FROM referrals_referral
    WHERE date BETWEEN %(start)s AND %(end)s
    GROUP BY person_id),
people AS (
    SELECT count(*) AS reached,
           count(*) FILTER (WHERE c.by_group) AS reached_by_peer_groups,
           count(*) FILTER (WHERE c.with_need) AS reached_with_need,
           count(*) FILTER (WHERE c.with_need AND r.person_id IS NOT NULL) AS referred
    FROM c LEFT JOIN r ON r.person_id = c.person_id),
refs AS (
    SELECT coalesce(sum(made), 0) AS referrals_made,
           coalesce(sum(completed), 0) AS referrals_completed
    FROM r),
ra AS (
    SELECT count(*) AS workers_assessed, count(*) FILTER (WHERE ok) AS workers_rights_ensured
    FROM ({latest(_with_person("participants_rightsassessment"), "person_id", CORE_RIGHTS)}) x),
ea AS (
    SELECT count(*) AS establishments_assessed,
           count(*) FILTER (WHERE ok) AS establishments_compliant
    FROM ({latest("participants_establishmentassessment", "establishment_id", DUTIES)}) x),
s AS (
    SELECT count(*) AS sites_active,
           count(*) FILTER (WHERE role = 'pilot') AS sites_active_pilot,
           count(*) FILTER (WHERE role = 'control') AS sites_active_control,
           count(*) FILTER (WHERE role = 'scale_up') AS sites_active_scale_up,
           (SELECT coalesce(sum(g.members), 0) FROM sites_peergroup g
             WHERE g.site_id IN (SELECT id FROM sites_site
                                 WHERE start_date <= %(end)s
                                   AND (end_date IS NULL OR end_date >= %(start)s)))
               AS peer_group_members
    FROM sites_site
    WHERE start_date <= %(end)s AND (end_date IS NULL OR end_date >= %(start)s)),
t AS (
    SELECT count(*) AS trainings, coalesce(sum(trainees), 0) AS trainees
    FROM sites_training WHERE date BETWEEN %(start)s AND %(end)s),
k AS (
    SELECT coalesce(sum(amount_vnd), 0) AS total_cost_vnd
    FROM sites_cost WHERE date BETWEEN %(start)s AND %(end)s)
SELECT s.*, people.*, refs.*, ra.*, ea.*, t.*, k.*,
       {_pct("referred", "reached_with_need")} AS referred_pct,
       {_pct("referrals_completed", "referrals_made")} AS referral_completion_pct,
       {_pct("workers_rights_ensured", "workers_assessed")} AS workers_rights_ensured_pct,
       {_pct("establishments_compliant", "establishments_assessed")}
           AS establishments_compliant_pct,
       round(1.0 * total_cost_vnd / nullif(reached, 0)) AS cost_per_reached_vnd
FROM s, people, refs, ra, ea, t, k
"""  # noqa: S608 (only constants are formatted in)


def _distinct_on(table, key, flags):
    """PostgreSQL: the latest row per key with DISTINCT ON."""
    sql = "SELECT DISTINCT ON ({key}) ({flags}) AS ok FROM {table} "
    sql += "WHERE date BETWEEN %(start)s AND %(end)s ORDER BY {key}, date DESC, id DESC"
    return sql.format(key=key, flags=" AND ".join(flags), table=table)


def _row_number(table, key, flags):
    """Portable SQL: the latest row per key with a window function."""
    sql = "SELECT ok FROM (SELECT ({flags}) AS ok, ROW_NUMBER() OVER "
    sql += "(PARTITION BY {key} ORDER BY date DESC, id DESC) AS rn FROM {table} "
    sql += "WHERE date BETWEEN %(start)s AND %(end)s) latest WHERE rn = 1"
    return sql.format(key=key, flags=" AND ".join(flags), table=table)


def hand_sql():
    if connection.vendor == "postgresql":
        return _hand_sql(_distinct_on, lambda cond: f"bool_or({cond})")
    return _hand_sql(_row_number, lambda cond: f"max(CASE WHEN {cond} THEN 1 ELSE 0 END) = 1")


def hand_sql_indicators(start, end):
    with connection.cursor() as cursor:
        cursor.execute(hand_sql(), {"start": start, "end": end})
        names = [col[0] for col in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


# ---------------------------------------------------------------------------------------------
# App pieces


def _url(name, query=""):
    return reverse(name) + query


class _Forms(HTMLParser):
    """The POST forms of a page: their action and fields (enough to fill one in)."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "method": a.get("method", "get")}
            self._form["fields"] = []
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            self._form["fields"].append(
                {
                    "tag": "input",
                    "name": a["name"],
                    "type": (a.get("type") or "text").lower(),
                    "value": a.get("value"),
                    "checked": "checked" in a,
                }
            )
        elif tag == "textarea" and a.get("name"):
            self._form["fields"].append({"tag": "textarea", "name": a["name"], "type": "text"})
        elif tag == "select" and a.get("name"):
            self._select = {"tag": "select", "name": a["name"], "type": "select", "options": []}
            self._select["multiple"] = "multiple" in a
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append((a.get("value", ""), "selected" in a))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


UIC_ANSWERS = ("mother_name", "father_name", "birth_date", "sex")


def fill_form(html, *, today):
    """POST data for the biggest POST form of a page: keeps what is set, picks the first real
    choice and today's date, ticks one need, and leaves the UIC answers empty (the caller sets
    the participant's code)."""
    parser = _Forms()
    parser.feed(html)
    forms = [f for f in parser.forms if f["method"].lower() == "post"]
    if not forms:
        raise Unavailable("no POST form on the contact page")
    form = max(forms, key=lambda f: len(f["fields"]))
    data = {}
    for field in form["fields"]:
        name, kind = field["name"], field["type"]
        lname = name.lower()
        if kind in ("submit", "button", "reset") or lname in UIC_ANSWERS:
            continue
        if kind == "select":
            options = [v for v, _ in field["options"] if v]
            chosen = [v for v, sel in field["options"] if sel and v]
            if chosen or options:
                data[name] = chosen[0] if chosen else options[0]
        elif kind == "checkbox":
            if name not in data and (field["checked"] or "need" in lname or "consent" in lname):
                data[name] = field["value"] or "on"
        elif kind == "radio":
            if name not in data or field["checked"]:
                data[name] = field["value"]
        elif kind == "date" or lname == "date":
            data[name] = field.get("value") or today.isoformat()
        elif kind == "number":
            data[name] = field.get("value") or "1"
        else:
            data[name] = field.get("value") or ""
    return form["action"], data


# ---------------------------------------------------------------------------------------------
# The harness


class Harness:
    def __init__(self, *, repeat, write):
        self.repeat = repeat
        self.write = write
        self.results = {}

    def measure(self, label, prepare):
        """`prepare()` returns a callable taking the run number (or raises Unavailable)."""
        try:
            run = prepare()
            run(0)  # warm-up, not counted
            times = []
            queries = 0
            for i in range(1, self.repeat + 1):
                cache.clear()
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    run(i)
                    times.append(time.perf_counter() - started)
                queries = len(ctx.captured_queries)
        except Unavailable as exc:
            self.write(f"  {label:<44} skipped: not available — {exc}")
            return None
        except Exception as exc:  # a half-written app piece must not stop the other timings
            connection.close_if_unusable_or_obsolete()
            first_line = str(exc).splitlines()[0] if str(exc) else ""
            self.write(f"  {label:<44} skipped: failed — {type(exc).__name__}: {first_line}")
            return None
        median = statistics.median(times) * 1000
        self.results[label] = median
        self.write(
            f"  {label:<44} median {median:9.1f} ms   min {min(times) * 1000:8.1f}"
            f"   max {max(times) * 1000:8.1f}   queries {queries:3d}   n={self.repeat}"
        )
        return median


def _page(client, url, *, expect=200):
    def run(_i):
        response = client.get(url, secure=True)
        if response.status_code != expect:
            raise Unavailable(f"GET {url} answered {response.status_code}")
        b"".join(response) if response.streaming else response.content

    return run


def run_timings(*, repeat, write, province_code=None):
    """Time everything; returns {label: median ms}."""
    h = Harness(repeat=repeat, write=write)
    admin = User.objects.filter(username="bench.admin").first()
    ministry = User.objects.filter(username="bench.ministry").first()
    officer = User.objects.filter(username="bench.officer").first()
    leader = User.objects.filter(username="bench.leader").first()
    province = province_code or (
        Province.objects.get(pk=officer.province_id).code if officer else "79"
    )

    def engine_call(start, end, **scope):
        def prepare():
            compute = compute_indicators
            return lambda _i: compute(start=start, end=end, **scope)

        return prepare

    y1, y10 = ONE_YEAR, TEN_YEARS
    label_1y = f"national indicators, 1 year ({y1[0].year})"
    write(f"Timings (1 warm-up + {repeat} runs, median):")
    app_1y = h.measure(label_1y, engine_call(*y1))
    h.measure(f"national indicators, 10 years ({y10[0].year}–{y10[1].year})", engine_call(*y10))
    h.measure(f"province {province} indicators, 1 year", engine_call(*y1, province=province))
    h.measure(f"province {province} indicators, 10 years", engine_call(*y10, province=province))
    hand_1y = h.measure(
        "hand-written SQL, national 1 year", lambda: lambda _i: hand_sql_indicators(*y1)
    )
    hand_10y = h.measure(
        "hand-written SQL, national 10 years", lambda: lambda _i: hand_sql_indicators(*y10)
    )
    if app_1y and hand_1y:
        write(f"  ratio app / hand-written SQL (national 1 year): {app_1y / hand_1y:.2f}")
        _compare(write, *y1)
    else:
        write("  ratio app / hand-written SQL: skipped: not available")
    app_10y = h.results.get(f"national indicators, 10 years ({y10[0].year}–{y10[1].year})")
    if app_10y and hand_10y:
        write(f"  ratio app / hand-written SQL (national 10 years): {app_10y / hand_10y:.2f}")
    else:
        write("  ratio app / hand-written SQL (national 10 years): skipped: not available")
    _publish_year(write, ministry, officer)

    # A failing page is reported on one line below; sign-ins are not news here.
    quiet = {"django.request": logging.CRITICAL, "axes": logging.WARNING}
    levels = {name: logging.getLogger(name).level for name in quiet}
    for name, level in quiet.items():
        logging.getLogger(name).setLevel(level)
    try:
        _pages(h, admin, ministry, officer, leader, repeat)
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    return h.results


def _pages(h, admin, ministry, officer, leader, repeat):
    y1 = ONE_YEAR
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        clients = _clients(admin, ministry, officer, leader)
        page = _pager(clients)

        period = f"start={y1[0].isoformat()}&end={y1[1].isoformat()}"
        h.measure(
            "national summary export (xlsx, 1 year)",
            page("bench.ministry", "reports:national_export", f"?format=xlsx&{period}"),
        )
        h.measure(
            "national summary export (csv, 1 year)",
            page("bench.ministry", "reports:national_export", f"?format=csv&{period}"),
        )
        h.measure(
            "participant list page (officer)",
            page("bench.officer", "participants:participant_list"),
        )
        h.measure(
            "participant list page (admin)", page("bench.admin", "participants:participant_list")
        )
        h.measure("follow-up list page (officer)", page("bench.officer", "referrals:followup"))
        h.measure("dashboard (ministry)", page("bench.ministry", "reports:dashboard"))
        _live_pages(h, page, officer)
        published = h.measure(
            f"dashboard (ministry, published year {y1[0].year})",
            page("bench.ministry", "reports:dashboard", f"?period=year&year={y1[0].year}"),
        )
        hand_1y = h.results.get("hand-written SQL, national 1 year")
        if published and hand_1y:
            h.write(
                "  ratio published national dashboard / hand-written SQL (national 1 year): "
                f"{published / hand_1y:.2f}"
            )
        else:
            h.write("  ratio published national dashboard / hand-written SQL: skipped")
        h.measure("contact form submit (peer leader)", _contact_submit(clients, leader, repeat))


def _clients(*users):
    """{username: a test client signed in as that user} of the users that exist."""
    clients = {}
    for user in users:
        if user is not None:
            clients[user.username] = Client()
            clients[user.username].force_login(user)
    return clients


def _pager(clients):
    """page(username, url name, query) -> a measurement's `prepare` for that page."""

    def page(username, name, query=""):
        def prepare():
            if username not in clients:
                raise Unavailable(f"no user {username}")
            return _page(clients[username], _url(name, query))

        return prepare

    return page


def _live_pages(h, page, officer):
    """The live pages computed (the live cache cleared before each run): the officer's landing
    dashboard (their province, the last complete quarter with data), and the administrator's
    live national dashboard for the year before the last (the last one is published by then),
    against the hand-written statement for the same year's national numbers."""
    landing = periods.last_complete_quarter(
        today=timezone.localdate(), latest=selectors.latest_data_day()
    )
    where = Province.objects.get(pk=officer.province_id).code if officer else "-"
    h.measure(
        f"dashboard (officer, landing, live: province {where}, "
        f"{landing[0].isoformat()}–{landing[1].isoformat()})",
        page("bench.officer", "reports:dashboard"),
    )
    live_year = ONE_YEAR[0].year - 1
    live = h.measure(
        f"dashboard (admin, live national, {live_year})",
        page("bench.admin", "reports:dashboard", f"?period=year&year={live_year}"),
    )
    hand_live = h.measure(
        f"hand-written SQL, national {live_year}",
        lambda: (
            lambda _i: hand_sql_indicators(
                datetime.date(live_year, 1, 1), datetime.date(live_year, 12, 31)
            )
        ),
    )
    if live and hand_live:
        h.write(
            f"  ratio live national dashboard / hand-written SQL ({live_year}): "
            f"{live / hand_live:.2f}"
        )
    else:
        h.write("  ratio live national dashboard / hand-written SQL: skipped")


def run_live(*, repeat, write):
    """Only the live pages (`_live_pages`)."""
    h = Harness(repeat=repeat, write=write)
    officer = User.objects.filter(username="bench.officer").first()
    write(f"Live pages (1 warm-up + {repeat} runs, median, computed: cache cleared each run):")
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        admin = User.objects.filter(username="bench.admin").first()
        _live_pages(h, _pager(_clients(admin, officer)), officer)
    return h.results


def run_publication(*, write):
    """Only the publication of the last year (`_publish_year`)."""
    ministry = User.objects.filter(username="bench.ministry").first()
    officer = User.objects.filter(username="bench.officer").first()
    write("Publication:")
    _publish_year(write, ministry, officer)


def _publish_year(write, ministry, officer):
    """The reporting cycle for the last year of data at national scale, once per database: every
    province with sites submits it (recorded as by the bench officer) and the ministry approves
    it, then publishes it for all of them (the linked tables computed, suppressed by the exact
    method and stored). Then the greedy method suppresses the same tables again, for the
    information-loss comparison (nothing stored). Later runs reuse the release: the timings
    read what is stored."""
    period = ReportingPeriod.objects.filter(start=ONE_YEAR[0], end=ONE_YEAR[1]).first()
    if period is None or ministry is None or officer is None:
        write("  publication of the year: skipped: no period or no bench users")
        return
    published = releases.latest_release(period)
    if published is not None:
        write(f"  publication of {period.code}: already published")
        _write_loss(write, published)
        return
    with_sites = Site.objects.values_list("province__current_id", flat=True)
    provinces = list(Province.objects.filter(pk__in=with_sites).order_by("code"))
    started = time.perf_counter()
    try:
        for province in provinces:
            submission = cycle.submission_submit(period=period, province=province, by=officer)
            cycle.submission_approve(submission=submission, by=ministry)
        approved = time.perf_counter()
        release = releases.release_publish(period=period, provinces=provinces, by=ministry)
    except ValidationError as error:
        write(f"  publication of {period.code}: skipped: refused — {' '.join(error.messages)}")
        return
    done = time.perf_counter()
    write(
        f"  submission and approval of {period.code} by {len(provinces)} provinces: "
        f"{approved - started:.1f} s"
    )
    write(
        f"  publication of {period.code}, {len(provinces)} provinces (compute, suppress, store): "
        f"{done - approved:.1f} s"
    )
    _write_loss(write, release)
    codes = [p.code for p in provinces]
    units = disclosure.Units.load()
    raw = disclosure.raw_tables(start=period.start, end=period.end, units=units, provinces=codes)
    fixed = [r.tables for r in releases.nesting_releases(period)]
    started = time.perf_counter()
    try:
        greedy = disclosure.suppress(
            raw,
            start=period.start,
            end=period.end,
            threshold=suppression.threshold(),
            fixed=fixed,
            units=units,
            method=disclosure.GREEDY,
            provinces=codes,
        )
    except disclosure.DisclosureError as error:
        write(f"  greedy suppression of {period.code}: refused — {error}")
        return
    write(f"  greedy suppression of the same tables: {time.perf_counter() - started:.1f} s")
    _write_loss(write, greedy, provinces=len(codes))


def _write_loss(write, release, provinces=None):
    """The information a release loses to suppression (reports/DISCLOSURE.md): a stored
    Release, or the tables `disclosure.suppress` returns."""
    tables = getattr(release, "tables", release)
    loss = tables.get("loss")
    if not loss:
        write("  information lost: not recorded (published before it was measured)")
        return
    if provinces is None:
        provinces = len(release.provinces)
    write(
        f"  information lost ({loss['method']}, {provinces} province(s) "
        f"approved): {loss['primary']} primary cells ({loss['primary_count']} people/events), "
        f"{loss['secondary']} secondary cells ({loss['secondary_count']}) of {loss['cells']} "
        f"counts; {loss['exempt']} cells already pinned by earlier releases"
    )


def _compare(write, start, end):
    """Print where the app's national numbers differ from the hand-written statement's."""
    app = compute_indicators(start=start, end=end)
    hand = hand_sql_indicators(start, end)
    differ = []
    for code, value in hand.items():
        if code not in app:
            continue
        a, b = app[code], value
        try:
            same = (a is None and b is None) or float(a) == float(b)
        except (TypeError, ValueError):
            same = a == b
        if not same:
            differ.append(f"{code} app={a} sql={b}")
    shared = len([c for c in hand if c in app])
    if differ:
        write(f"  app and hand SQL agree on {shared - len(differ)}/{shared} codes; differ: ")
        for line in differ:
            write(f"    {line}")
    else:
        write(f"  app and hand SQL agree on all {shared} shared codes")


def _contact_submit(clients, leader, repeat):
    def prepare():
        if leader is None:
            raise Unavailable("no peer leader (no peer group in the data)")
        url = _url("participants:contact_new")
        client = clients[leader.username]
        codes = list(
            Participant.objects.filter(
                pk__in=Contact.objects.filter(peer_group_id=leader.peer_group_id).values(
                    "participant_id"
                )
            )
            .order_by("pk")
            .values_list("code", flat=True)[: 2 * repeat + 50]
        )
        if not codes:
            raise Unavailable("the peer leader's group met nobody")
        today = datetime.date.today()
        # Participants already met today (an earlier bench run) would be duplicates.
        offset = Contact.objects.filter(peer_group_id=leader.peer_group_id, date=today).count()
        page = client.get(url, secure=True)
        if page.status_code != 200:
            raise Unavailable(f"GET {url} answered {page.status_code}")
        action, base = fill_form(page.content.decode(), today=today)
        code_field = next((k for k in base if "code" in k.lower()), None)
        if code_field is None:
            raise Unavailable("the contact form has no participant code field")

        def run(i):
            data = {**base, code_field: codes[(offset + i) % len(codes)]}
            response = client.post(action or url, data, secure=True)
            body = response.content.decode(errors="replace") if response.status_code == 200 else ""
            if response.status_code >= 400 or "is-invalid" in body:
                raise Unavailable(
                    f"the filled-in form was not accepted (status {response.status_code}; "
                    f"fields sent: {', '.join(sorted(data))})"
                )

        return run

    return prepare
