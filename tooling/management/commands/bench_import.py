"""Time `import_exchange` on a generated folder: N contacts of M participants at a few sites.

    python manage.py bench_import [--contacts 100000] [--participants 20000] [--keep-data]

Writes the folder to a temporary directory, imports it (timed), imports it again (timed: every
row unchanged) and, unless --keep-data, rolls both back. Each line gives the wall time and this
process's CPU time (on a shared machine the wall time is mostly the wait for a core; on SQLite
the database's work is in the process, on PostgreSQL in the server's) and ends with the
process's peak resident memory so far (the high-water mark, which only grows). Use a scratch
database.
"""

import csv
import datetime
import random
import resource
import shutil
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from exchange.reader import read_directory
from exchange.services import import_exchange
from programs.services_catalog import Service
from sites.models import Site

SITES = 10
PREFIX = "BENCH"


def _uic(n):
    letters = "".join(chr(65 + (n // 26**i) % 26) for i in range(4))
    day, month, year = 1 + n % 28, 1 + (n // 28) % 12, (n // 336) % 100
    return f"{letters}{day:02d}{month:02d}{year:02d}F"


class Command(BaseCommand):
    help = "Benchmark the exchange import with generated contacts (see module docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=100_000)
        parser.add_argument("--participants", type=int, default=20_000)
        parser.add_argument("--keep-data", action="store_true")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, contacts, participants, keep_data, seed, **options):
        if Site.objects.filter(code__startswith=f"{PREFIX}-").exists():
            raise CommandError(f"Sites {PREFIX}-* already exist: use a scratch database.")
        folder = Path(tempfile.mkdtemp(prefix="pcmd-bench-"))
        try:
            self._write(folder, contacts, participants, random.Random(seed))
            # Both imports run inside one transaction, rolled back at the end unless
            # --keep-data: cheaper than deleting 100,000 audited rows one by one.
            with transaction.atomic():
                self._run(folder)
                if not keep_data:
                    transaction.set_rollback(True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _run(self, folder):
        for label in ("first import", "second import (unchanged)"):
            started, cpu = time.perf_counter(), time.process_time()
            sources, read_errors = read_directory(folder)
            result = import_exchange(sources=sources, read_errors=read_errors)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            if not result.ok:
                for error in result.errors[:20]:
                    self.stderr.write(str(error))
                raise CommandError("the generated folder did not import")
            counts = ", ".join(
                f"{name}: {c.new} new/{c.updated} updated/{c.unchanged} unchanged"
                for name, c in result.counts.items()
            )
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            self.stdout.write(
                f"{label}: {elapsed:.1f} s, this process's CPU {cpu:.1f} s ({counts}); "
                f"peak memory {peak:.0f} MB"
            )

    def _write(self, folder, contacts, participants, rng):
        def write(name, header, rows):
            with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(header)
                writer.writerows(rows)

        sites = [f"{PREFIX}-{i:02d}" for i in range(SITES)]
        write(
            "sites",
            ["code", "name", "province", "locality", "model", "role", "start_date", "end_date"],
            [
                [code, f"Địa bàn {code}", "01", "Hoàng Mai", "peer_groups", "pilot", "2021-01-01"]
                + [""]
                for code in sites
            ],
        )
        write(
            "peer_groups",
            ["code", "name", "site", "kind", "founded_on", "members", "board_members"],
            [
                [f"{code}-G", f"Nhóm {code}", code, "peer_group", "2021-02-01", 12, 3]
                for code in sites
            ],
        )
        home = {n: sites[n % SITES] for n in range(participants)}
        write(
            "participants",
            [
                "uic",
                "category",
                "sex",
                "birth_year",
                "residence",
                "enrolled_on",
                "site",
                "consent_on",
            ],
            [
                [
                    _uic(n),
                    "sex_worker",
                    "female",
                    1990,
                    "temporary",
                    "2021-03-01",
                    home[n],
                    "2021-03-01",
                ]
                for n in range(participants)
            ],
        )
        write(
            "contacts",
            ["uic", "date", "site", "peer_group", "kind", "needs"],
            _contacts(contacts, participants, home, rng),
        )


def _contacts(contacts, participants, home, rng):
    """The contacts' rows, made as they are written (the peak memory is the import's)."""
    services = Service.values
    start = datetime.date(2021, 3, 1)
    kinds = ["outreach", "counselling", "group_session", "follow_up"]
    seen = set()
    while len(seen) < contacts:
        n = rng.randrange(participants)
        day = start + datetime.timedelta(days=rng.randrange(1500))
        kind = rng.choice(kinds)
        if (n, day, kind) in seen:
            continue
        seen.add((n, day, kind))
        needs = ";".join(rng.sample(services, rng.randrange(3)))
        yield [_uic(n), day.isoformat(), home[n], f"{home[n]}-G", kind, needs]
