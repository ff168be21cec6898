"""The benchmark's synthetic national data set.

Scale 1.0 = 2,000 sites, 500,000 participants, about 5,000,000 contacts and 1,000,000 referrals
over ten years (2016–2025), with their enrolments, referral histories, supports, assessments,
costs and trainings. Everything is drawn from one seeded `random.Random`, so a scale and a seed
always give the same rows. Every site code starts with ``BENCH-`` and every user name with
``bench.``: that is how the command recognises a database that holds nothing but bench data.

Rows are streamed, never held in memory: on PostgreSQL each table gets its own connection with a
``COPY … FROM STDIN`` open (psycopg 3 ``cursor.copy``), with FK triggers off
(``session_replication_role = replica``: the generator guarantees the references) and the
table's secondary indexes and unique constraints dropped during the load and rebuilt after it.
On other databases (SQLite in CI) rows go in with ``executemany`` in one transaction.
"""

import datetime
import random
import time
from contextlib import ExitStack

from django.db import connection, transaction
from django.db.models import NOT_PROVIDED

from accounts.models import Role, User
from participants import profiles
from participants.models import (
    Contact,
    Enrolment,
    EstablishmentAssessment,
    Participant,
    Person,
    PersonProfile,
    RightsAssessment,
)
from participants.uic import uic_hash
from referrals.models import Provider, Referral, ReferralEvent, Support
from sites.models import MERGER_DATE, Cost, Establishment, PeerGroup, Province, Site, Training

BENCH_PREFIX = "BENCH-"
BENCH_USER_PREFIX = "bench."
FULL_SCALE = {"sites": 2000, "participants": 500_000, "contacts": 5_000_000, "referrals": 1_000_000}

FIRST_DAY = datetime.date(2016, 1, 1)
LAST_DAY = datetime.date(2025, 12, 31)
# Referral outcomes are drawn as seen on this day (fixed, so a seed gives the same rows).
AS_OF = datetime.date(2026, 6, 30)
STAMP = "2026-01-01 00:00:00+00:00"
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

# (model, columns in the order the generator writes them)
COLUMNS = {
    Site: "id version created_at updated_at code name province_id locality model_id role "
    "phase_id start_date end_date is_active",
    PeerGroup: "id version created_at updated_at code name site_id kind founded_on members "
    "board_members is_active",
    Establishment: "id version created_at updated_at code site_id kind workers is_active",
    Provider: "id version created_at updated_at name services province_id location "
    "accepts_without_residence eligibility contact_channel is_active",
    Person: "id uic_hash",
    Participant: "id version created_at updated_at code person_id province_id category sex "
    "birth_year residence consent_on withdrawn_on",
    Enrolment: "id participant_id site_id peer_group_id enrolled_on enrolled_by_id",
    Contact: "id version created_at updated_at participant_id date site_id peer_group_id kind "
    "needs recorded_by_id person_id",
    Referral: "id version created_at updated_at participant_id date site_id peer_group_id "
    "service provider_id status completed_on consent_to_share made_by_id decline_reason outcome "
    "person_id",
    ReferralEvent: "id referral_id from_status to_status at by_id",
    Support: "id version created_at updated_at participant_id referral_id site_id date kind "
    "amount_vnd",
    RightsAssessment: "id version created_at updated_at participant_id establishment_id date "
    "labour_contract wages_paid protected_at_work health_care counselling_access "
    "free_to_change_job social_insurance health_insurance",
    EstablishmentAssessment: "id version created_at updated_at establishment_id date "
    "owner_commitment contracts wages_on_time health_checks workers_informed no_violations",
    Cost: "id version created_at updated_at site_id date category amount_vnd",
    Training: "id version created_at updated_at site_id date audience trainees",
}
COLUMNS = {model: cols.split() for model, cols in COLUMNS.items()}
# Newer, optional column: the day a referral's status changed (filled when the model has it).
EVENT_HAS_ON = any(f.column == "on" for f in ReferralEvent._meta.concrete_fields)
if EVENT_HAS_ON:
    COLUMNS[ReferralEvent].append("on")
# Children first: the order to empty tables in.
DELETE_ORDER = [
    ReferralEvent,
    Support,
    Referral,
    RightsAssessment,
    EstablishmentAssessment,
    Contact,
    Enrolment,
    PersonProfile,
    Participant,
    Person,
    Cost,
    Training,
    Establishment,
]

# Weights of 2025 province codes (big cities draw more sites); every other province weighs 1.
PROVINCE_WEIGHT = {"79": 14, "01": 10, "48": 4, "31": 4, "92": 4, "75": 4, "56": 3, "22": 3}
SERVICES = [
    "health_check",
    "hiv_sti",
    "reproductive_health",
    "legal_aid",
    "vocational_training",
    "loan",
    "job_placement",
    "health_insurance",
    "social_insurance",
    "counselling",
    "gbv_support",
    "shelter",
    "other",
]
SUPPORT_KIND = {
    "vocational_training": ("vocational_training_fee", 3_000_000),
    "loan": ("loan", 20_000_000),
    "health_insurance": ("health_insurance_premium", 800_000),
}


class SchemaChanged(Exception):
    pass


def check_columns():
    """The generator writes fixed columns; fail clearly if a model gained a required one (a
    column the database fills itself, `db_default`, needs nothing)."""
    for model, cols in COLUMNS.items():
        fields = {f.column: f for f in model._meta.concrete_fields}
        unknown = set(cols) - set(fields)
        if unknown:
            raise SchemaChanged(f"{model._meta.db_table}: unknown column(s) {sorted(unknown)}")
        missing = [
            c
            for c, f in fields.items()
            if c not in cols and not f.null and f.db_default is NOT_PROVIDED
        ]
        if missing:
            raise SchemaChanged(f"{model._meta.db_table}: bench does not fill {missing}")


def targets(scale):
    return {
        "sites": max(6, round(FULL_SCALE["sites"] * scale)),
        "participants": max(60, round(FULL_SCALE["participants"] * scale)),
        "contacts": max(300, round(FULL_SCALE["contacts"] * scale)),
        "referrals": max(60, round(FULL_SCALE["referrals"] * scale)),
    }


# ---------------------------------------------------------------------------------------------
# Whose data is in the database


def foreign_data():
    """What in the database is not bench data (empty list = safe to wipe)."""
    found = []
    n = Site.objects.exclude(code__startswith=BENCH_PREFIX).count()
    if n:
        found.append(f"{n} site(s)")
    n = User.objects.exclude(username__startswith=BENCH_USER_PREFIX).count()
    if n:
        found.append(f"{n} user(s)")
    n = Provider.objects.exclude(name__startswith=BENCH_PREFIX).count()
    if n:
        found.append(f"{n} provider(s)")
    if Participant.objects.exists() and not Site.objects.exists():
        found.append("participants without sites")
    return found


def wipe():
    """Empty every table the bench fills (and, since users point at peer groups and providers,
    the users, sessions and logs). Only called on bench-only databases or with --force."""
    if connection.vendor == "postgresql":
        tables = [m._meta.db_table for m in COLUMNS] + [
            User._meta.db_table,
            "accounts_activityevent",
            "auditlog_logentry",
            "django_session",
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        return
    with transaction.atomic():
        for model in DELETE_ORDER:
            model.objects.all()._raw_delete(model.objects.db)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM accounts_activityevent")
            cursor.execute("DELETE FROM auditlog_logentry")
        User.objects.all().delete()
        for model in (PeerGroup, Provider, Site):
            model.objects.all()._raw_delete(model.objects.db)


# ---------------------------------------------------------------------------------------------
# Writers


class RowsSink:
    """executemany in batches (any database; used for SQLite)."""

    def __init__(self, model, columns):
        table = model._meta.db_table
        marks = ", ".join(["%s"] * len(columns))
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        self.sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 (model names)
        self.rows = []
        self.count = 0

    def add(self, row):
        self.rows.append(row)
        if len(self.rows) >= 5000:
            self.flush()

    def flush(self):
        if self.rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.rows)
            self.count += len(self.rows)
            self.rows = []

    def close(self):
        self.flush()


class CopySink:
    """A COPY FROM STDIN on a connection of its own (PostgreSQL)."""

    def __init__(self, model, columns, stack):
        import psycopg

        params = connection.settings_dict
        self.conn = stack.enter_context(
            psycopg.connect(
                dbname=params["NAME"],
                user=params.get("USER") or None,
                password=params.get("PASSWORD") or None,
                host=params.get("HOST") or None,
                port=params.get("PORT") or None,
            )
        )
        cursor = self.conn.cursor()
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET synchronous_commit = off")
        table = model._meta.db_table
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        self._copy_cm = cursor.copy(f"COPY {table} ({names}) FROM STDIN")
        self.copy = self._copy_cm.__enter__()
        self.add = self.copy.write_row
        self.closed = False

    def close(self, error=None):
        if self.closed:
            return
        self.closed = True
        if error is None:
            self._copy_cm.__exit__(None, None, None)
            self.conn.commit()
        else:
            self._copy_cm.__exit__(type(error), error, None)
            self.conn.rollback()


# ---------------------------------------------------------------------------------------------
# Secondary indexes off during a PostgreSQL load


SAVED_TABLE = "bench_saved_index"


def _drop_indexes(tables):
    """Drop the unique constraints and secondary indexes of `tables` (not primary keys, not
    foreign keys), remembering their definitions in a table so that a crashed run still gets
    them back (restore_indexes runs first thing every time)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {SAVED_TABLE} "
            "(tbl text, name text, kind text, definition text)"
        )
        for table in tables:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'u'",
                [table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(
                    f"INSERT INTO {SAVED_TABLE} VALUES (%s, %s, 'constraint', %s)",  # noqa: S608
                    [table, name, definition],
                )
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                "AND tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(
                    f"INSERT INTO {SAVED_TABLE} VALUES (%s, %s, 'index', %s)",  # noqa: S608
                    [table, name, definition],
                )
                cursor.execute(f'DROP INDEX "{name}"')


def restore_indexes(log=print):
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [SAVED_TABLE])
        if cursor.fetchone()[0] is None:
            return
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(f"SELECT tbl, name, kind, definition FROM {SAVED_TABLE}")  # noqa: S608
        all_started = time.perf_counter()
        rows = cursor.fetchall()
        for table, name, kind, definition in rows:
            started = time.perf_counter()
            if kind == "constraint":
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            else:
                cursor.execute(definition)
            if time.perf_counter() - started > 2:
                log(f"  index {name}: {time.perf_counter() - started:.1f} s")
        cursor.execute(f"DROP TABLE {SAVED_TABLE}")
        log(f"  {len(rows)} indexes rebuilt in {time.perf_counter() - all_started:.0f} s")


# ---------------------------------------------------------------------------------------------
# The generator


def _dates():
    """Day offsets from 2014-01-01 -> ISO strings (and timestamps), precomputed once."""
    base = datetime.date(2014, 1, 1)
    days = [(base + datetime.timedelta(days=i)).isoformat() for i in range(365 * 14)]
    return base, days, [d + " 09:00:00+00:00" for d in days]


def bench_uic(n):
    """The raw UIC of bench participant number n (0-based); unique for every n < 26^4·10^4."""
    letters = "".join(chr(65 + (n // 26**i) % 26) for i in range(4))
    rest = n // 26**4
    day, month, year = 1 + rest % 28, 1 + (rest // 28) % 12, 60 + (rest // 336) % 40
    return f"{letters}{day:02d}{month:02d}{year:02d}F"


def _display_code(n):
    digits = []
    n += 31**6  # always seven characters
    while n:
        n, r = divmod(n, 31)
        digits.append(CODE_ALPHABET[r])
    return "B-" + "".join(reversed(digits))


class Generator:
    def __init__(self, *, scale, seed=2016, log=print):
        self.scale = scale
        self.target = targets(scale)
        self.rng = random.Random(seed)
        self.log = log
        self.base, self.day, self.at = _dates()
        self.counts = {}

    def off(self, date):
        return (date - self.base).days

    # -- structure (small; kept in memory) ---------------------------------------------------

    def structure(self):
        rng = self.rng
        legacy = list(Province.objects.filter(unit_set="legacy").values_list("id", "current_id"))
        current = dict(Province.objects.filter(unit_set="2025").values_list("id", "code"))
        weight = {pid: PROVINCE_WEIGHT.get(code, 1) for pid, code in current.items()}
        legacy_w = [weight[cur] for _, cur in legacy]
        new = list(current)
        new_w = [weight[p] for p in new]
        first, last, merger = self.off(FIRST_DAY), self.off(LAST_DAY), self.off(MERGER_DATE)

        self.sites = []  # (start_off, end_off, model, current_province_id)
        site_rows, group_rows, est_rows = [], [], []
        self.site_groups = {}  # site index -> [peer group id]
        self.site_est = {}  # site index -> [establishment id]
        group_id = est_id = 0
        years = list(range(2016, 2026))
        year_w = [30, 8, 8, 10, 10, 8, 8, 6, 6, 6]
        for i in range(self.target["sites"]):
            model = rng.choices(["worker_rights", "peer_groups", "community"], [5, 3, 2])[0]
            year = rng.choices(years, year_w)[0]
            start = self.off(datetime.date(year, 1, 1)) + rng.randrange(0, 330)
            start = max(first, min(start, last - 60))
            end = None
            if rng.random() < 0.1:
                end = start + rng.randrange(700, 1800)
                if end >= last:
                    end = None
            control = year <= 2017 and rng.random() < 0.06
            if control:
                role = "control"
            elif start < self.off(datetime.date(2018, 7, 1)):
                role = "pilot"
            else:
                role = "scale_up"
            if start >= merger:
                province = rng.choices(new, new_w)[0]
                cur = province
                locality = f"Phường thử tải {i}"
            else:
                province, cur = rng.choices(legacy, legacy_w)[0]
                locality = f"Quận thử tải {i}"
            phase = "2016-2020" if year <= 2020 else "2021-2025"
            site_rows.append(
                (
                    i + 1,
                    0,
                    STAMP,
                    STAMP,
                    f"{BENCH_PREFIX}{i:05d}",
                    f"Địa bàn thử tải {i}",
                    province,
                    locality,
                    model,
                    role,
                    phase,
                    self.day[start],
                    None if end is None else self.day[end],
                    end is None,
                )
            )
            self.sites.append((start, last if end is None else end, model, cur))
            groups = []
            if model == "peer_groups" or (model == "worker_rights" and rng.random() < 0.25):
                group_id += 1
                kind = "peer_group" if model == "peer_groups" else "club"
                group_rows.append(
                    (
                        group_id,
                        0,
                        STAMP,
                        STAMP,
                        f"{BENCH_PREFIX}G{group_id:05d}",
                        f"Nhóm thử tải {group_id}",
                        i + 1,
                        kind,
                        self.day[start],
                        rng.randrange(6, 40),
                        rng.randrange(2, 6),
                        True,
                    )
                )
                groups.append(group_id)
            self.site_groups[i] = groups
            if model == "worker_rights":
                ests = []
                for _ in range(5):
                    est_id += 1
                    est_rows.append(
                        (
                            est_id,
                            0,
                            STAMP,
                            STAMP,
                            f"{BENCH_PREFIX}E{est_id:06d}",
                            i + 1,
                            rng.choice(["karaoke", "massage", "guesthouse", "bar", "cafe"]),
                            rng.randrange(3, 40),
                            True,
                        )
                    )
                    ests.append(est_id)
                self.site_est[i] = ests
        provider_rows = []
        self.providers = {}  # current province id -> [provider id]
        all_services = (1 << len(SERVICES)) - 1
        for pid in new:
            for k in range(2):
                provider_id = len(provider_rows) + 1
                provider_rows.append(
                    (
                        provider_id,
                        0,
                        STAMP,
                        STAMP,
                        f"{BENCH_PREFIX}Cơ sở dịch vụ {provider_id}",
                        all_services,
                        pid,
                        "",
                        k == 0,
                        "",
                        "",
                        True,
                    )
                )
                self.providers.setdefault(pid, []).append(provider_id)
        return {
            Site: site_rows,
            PeerGroup: group_rows,
            Establishment: est_rows,
            Provider: provider_rows,
        }

    # -- people and events (streamed) ------------------------------------------------------

    def people(self, sinks):
        rng = self.rng
        rand = rng.random
        day, at = self.day, self.at
        P = self.target["participants"]
        # Short-lived sites cap some people's contacts: aim 5% high to land on the target.
        mean_contacts = 1.05 * self.target["contacts"] / P
        need_p = 0.3
        ref_p = min(1.0, self.target["referrals"] / (need_p * self.target["contacts"]))
        sites = self.sites
        n_sites = len(sites)
        weights = []
        total = 0
        for start, end, _model, _cur in sites:
            total += end - start + 1
            weights.append(total)
        homes = rng.choices(range(n_sites), cum_weights=weights, k=P)
        need_masks = [1 << SERVICES.index(s) for s in SERVICES[:11]]
        need_masks += [need_masks[0] | need_masks[5], need_masks[4] | need_masks[5]]
        need_masks += [need_masks[3] | need_masks[7], need_masks[0] | need_masks[1]]
        kinds = {
            "peer_groups": ["outreach", "group_session", "group_session", "follow_up"],
            "community": ["counselling", "outreach", "follow_up", "counselling"],
            "worker_rights": ["outreach", "counselling", "follow_up", "outreach"],
        }
        category = {
            "peer_groups": ["sex_worker"] * 9 + ["other"],
            "community": ["sex_worker"] * 8 + ["other"] * 2,
            "worker_rights": ["establishment_worker"] * 6
            + ["sex_worker"] * 3
            + ["establishment_owner"],
        }
        residence = ["temporary"] * 5 + ["none"] * 3 + ["permanent"] * 2
        statuses = ["completed"] * 55 + ["declined"] * 8 + ["lost"] * 12
        statuses += ["received"] * 10 + ["referred"] * 15
        as_of = self.off(AS_OF)
        add_p, add_e, add_c = sinks[Participant].add, sinks[Enrolment].add, sinks[Contact].add
        add_person = sinks[Person].add
        add_r, add_ev = sinks[Referral].add, sinks[ReferralEvent].add
        add_s, add_ra = sinks[Support].add, sinks[RightsAssessment].add
        bit_service = {1 << i: s for i, s in enumerate(SERVICES)}

        def on(d):
            return (day[d],) if EVENT_HAS_ON else ()

        cid = eid = rid = evid = sid = raid = 0
        ppid = 0  # participant records: one per person and province met in
        started = time.perf_counter()
        for n in range(P):
            home = homes[n]
            s_start, s_end, model, _cur = sites[home]
            k = 1 + int(rng.expovariate(1 / (mean_contacts - 1))) if mean_contacts > 1 else 1
            k = min(k, 80)
            width = min(3 * 365, s_end - s_start + 1)
            first = rng.randint(s_start, s_end - width + 1)
            dates = sorted(rng.sample(range(first, first + width), min(k, width)))
            second = None
            if rand() < 0.08:
                other = rng.randrange(n_sites)
                o_start, o_end = sites[other][0], sites[other][1]
                if other != home and o_start <= dates[-1] and o_end >= dates[len(dates) // 2]:
                    second = other
            cat = rng.choice(category[model])
            add_person((n + 1, uic_hash(bench_uic(n))))
            attributes = (
                cat,
                "female" if rand() < 0.93 else ("male" if rand() < 0.7 else "other"),
                rng.randrange(1966, 2008),
                rng.choice(residence),
                day[dates[0]],
                day[dates[-1] + 30] if rand() < 0.03 else None,
            )
            # Each province that meets the person keeps its own record (a code of its own).
            record = {}
            for where in (home, second):
                if where is None or sites[where][3] in record:
                    continue
                ppid += 1
                record[sites[where][3]] = ppid
                code = _display_code(ppid - 1)
                add_p((ppid, 0, STAMP, STAMP, code, n + 1, sites[where][3], *attributes))
            enrolled = {}
            kind_list = kinds[model]
            for j, d in enumerate(dates):
                site = home
                if (
                    second is not None
                    and j >= len(dates) // 2
                    and sites[second][0] <= d <= sites[second][1]
                ):
                    site = second
                pid = record[sites[site][3]]
                groups = self.site_groups[site]
                group = groups[0] if groups and rand() < 0.75 else None
                needs = rng.choice(need_masks) if rand() < need_p else 0
                cid += 1
                add_c(
                    (
                        cid,
                        0,
                        STAMP,
                        STAMP,
                        pid,
                        day[d],
                        site + 1,
                        group,
                        kind_list[j & 3],
                        needs,
                        None,
                        n + 1,
                    )
                )
                if site not in enrolled:
                    enrolled[site] = (d, group)
                if needs and rand() < ref_p:
                    bit = needs & -needs
                    service = bit_service[bit]
                    cur = sites[site][3]
                    provs = self.providers.get(cur)
                    status = rng.choice(statuses)
                    completed = None
                    if status == "completed":
                        completed = min(d + rng.randrange(3, 120), as_of)
                    rid += 1
                    add_r(
                        (
                            rid,
                            0,
                            STAMP,
                            STAMP,
                            pid,
                            day[d],
                            site + 1,
                            group,
                            service,
                            provs[rid & 1] if provs and rand() < 0.8 else None,
                            status,
                            None if completed is None else day[completed],
                            rand() < 0.7,
                            None,
                            "other" if status == "declined" else "",
                            "service_given" if status == "completed" else "",
                            n + 1,
                        )
                    )
                    evid += 1
                    add_ev((evid, rid, "", "referred", at[d], None) + on(d))
                    if status in ("received", "completed"):
                        evid += 1
                        add_ev((evid, rid, "referred", "received", at[d + 2], None) + on(d + 2))
                    if status == "completed":
                        evid += 1
                        add_ev(
                            (evid, rid, "received", "completed", at[completed], None)
                            + on(completed)
                        )
                        kind = SUPPORT_KIND.get(service)
                        if kind and rand() < 0.6:
                            sid += 1
                            add_s(
                                (sid, 0, STAMP, STAMP, pid, rid, site + 1, day[completed])
                                + (kind[0], kind[1] + 100_000 * rng.randrange(0, 20))
                            )
                    elif status in ("declined", "lost"):
                        evid += 1
                        end = d + rng.randrange(5, 90)
                        add_ev((evid, rid, "referred", status, at[end], None) + on(end))
                if (
                    cat == "establishment_worker"
                    and sites[site][2] == "worker_rights"
                    and j < 3
                    and (j == 0 or rand() < 0.4)
                ):
                    year = (d - self.off(FIRST_DAY)) // 365
                    raid += 1
                    if rand() < 0.25 + 0.06 * year:
                        rights = (True,) * 6
                    else:
                        rights = tuple(rand() < 0.6 for _ in range(5)) + (False,)
                    add_ra(
                        (raid, 0, STAMP, STAMP, pid, rng.choice(self.site_est[site]), day[d])
                        + rights
                        + (rand() < 0.3, rand() < 0.5)
                    )
            for site, (d, group) in enrolled.items():
                eid += 1
                add_e((eid, record[sites[site][3]], site + 1, group, day[d], None))
            if n and n % 100_000 == 0:
                rate = n / (time.perf_counter() - started)
                self.log(f"  {n:,} participants ({rate:,.0f}/s)")
        self.counts.update(
            {
                "persons": P,
                "participants": ppid,
                "enrolments": eid,
                "contacts": cid,
                "referrals": rid,
                "referral_events": evid,
                "supports": sid,
                "rights_assessments": raid,
            }
        )

    def site_events(self, sinks):
        """Establishment assessments (one a year each), costs (two lines a quarter) and
        trainings (two a year) of every site over its active years."""
        rng = self.rng
        day = self.day
        add_ea, add_cost, add_tr = (
            sinks[EstablishmentAssessment].add,
            sinks[Cost].add,
            sinks[Training].add,
        )
        eaid = costid = trid = 0
        cats = ["staff", "training", "communication", "support", "other"]
        audiences = ["sex_workers", "peer_leaders", "officials", "owners"]
        for i, (start, end, _model, _cur) in enumerate(self.sites):
            years = range(int(day[start][:4]), int(day[end][:4]) + 1)
            for y in years:
                y_index = y - 2016
                for est in self.site_est.get(i, ()):
                    d = self.off(datetime.date(y, 1, 1)) + rng.randrange(0, 365)
                    if not start <= d <= end:
                        continue
                    eaid += 1
                    ok = rng.random() < 0.2 + 0.07 * y_index
                    duties = (True,) * 6 if ok else tuple(rng.random() < 0.6 for _ in range(5))
                    if not ok:
                        duties += (False,)
                    add_ea((eaid, 0, STAMP, STAMP, est, day[d]) + duties)
                for q in range(4):
                    d = self.off(datetime.date(y, 1 + 3 * q, 1))
                    if not start <= d <= end:
                        continue
                    for cat in rng.sample(cats, 2):
                        costid += 1
                        amount = rng.randrange(5, 60) * 1_000_000
                        add_cost((costid, 0, STAMP, STAMP, i + 1, day[d], cat, amount))
                for audience in rng.sample(audiences, 2):
                    d = self.off(datetime.date(y, 1, 1)) + rng.randrange(0, 365)
                    if not start <= d <= end:
                        continue
                    trid += 1
                    add_tr((trid, 0, STAMP, STAMP, i + 1, day[d], audience, rng.randrange(8, 45)))
        self.counts.update({"establishment_assessments": eaid, "costs": costid, "trainings": trid})


def build(*, scale, seed=2016, log=print):
    """Wipe and fill the bench tables; returns the row counts. The caller checks that the
    database holds no foreign data first."""
    check_columns()
    restore_indexes(log)
    wipe()
    gen = Generator(scale=scale, seed=seed, log=log)
    started = time.perf_counter()
    structure = gen.structure()
    streamed = [
        Person,
        Participant,
        Enrolment,
        Contact,
        Referral,
        ReferralEvent,
        Support,
        RightsAssessment,
        EstablishmentAssessment,
        Cost,
        Training,
    ]
    pg = connection.vendor == "postgresql"
    if pg:
        _drop_indexes([m._meta.db_table for m in streamed])
        with ExitStack() as stack:
            sinks = {}
            error = None
            try:
                for model, rows in structure.items():
                    sink = CopySink(model, COLUMNS[model], stack)
                    for row in rows:
                        sink.add(row)
                    sink.close()
                for model in streamed:
                    sinks[model] = CopySink(model, COLUMNS[model], stack)
                gen.people(sinks)
                gen.site_events(sinks)
            except BaseException as exc:
                error = exc
                raise
            finally:
                for sink in sinks.values():
                    sink.close(error)
        log(f"  rows written in {time.perf_counter() - started:.0f} s; rebuilding indexes")
        restore_indexes(log)
    else:
        with transaction.atomic():
            for model, rows in structure.items():
                sink = RowsSink(model, COLUMNS[model])
                for row in rows:
                    sink.add(row)
                sink.close()
            sinks = {model: RowsSink(model, COLUMNS[model]) for model in streamed}
            gen.people(sinks)
            gen.site_events(sinks)
            for sink in sinks.values():
                sink.close()
    _reset_sequences()
    started = time.perf_counter()
    profiles.refresh()  # the rows were copied in bulk: every person's profile, once
    log(f"  person profiles: {time.perf_counter() - started:.0f} s")
    gen.counts.update({"sites": len(structure[Site]), "peer_groups": len(structure[PeerGroup])})
    gen.counts["establishments"] = len(structure[Establishment])
    _users(gen)
    if pg:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        log(f"  VACUUM ANALYZE: {time.perf_counter() - started:.0f} s")
    return gen.counts


def _reset_sequences():
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(COLUMNS))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _users(gen):
    """The accounts the timings use: an administrator, a ministry official, an officer of the
    busiest province and the leader of the busiest peer group."""
    busiest_province = _busiest_province()
    group = (
        Contact.objects.filter(peer_group__isnull=False, date__year=2025)
        .values("peer_group")
        .order_by()
        .annotate(n=_count())
        .order_by("-n")
        .first()
    )
    specs = [
        ("bench.admin", Role.ADMIN, {}),
        ("bench.ministry", Role.MINISTRY, {}),
        ("bench.officer", Role.OFFICER, {"province_id": busiest_province}),
    ]
    if group:
        specs.append(("bench.leader", Role.PEER_LEADER, {"peer_group_id": group["peer_group"]}))
    for username, role, extra in specs:
        User.objects.update_or_create(username=username, defaults={"role": role, **extra})


def _count():
    from django.db.models import Count

    return Count("id")


def _busiest_province():
    row = (
        Site.objects.values("province__current")
        .order_by()
        .annotate(n=_count())
        .order_by("-n")
        .first()
    )
    return row["province__current"] if row else None
