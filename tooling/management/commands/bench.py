"""`python manage.py bench --scale 1.0`: build the national-scale synthetic data set and time the
national reports, list pages and the peer leader's contact form (see tooling/bench/ and the
README).

The build EMPTIES the programme tables (and the users) of the database it runs on: it refuses
to run on a database that holds anything else than bench data unless --force is given. Point
DATABASE_URL at a database of its own, e.g. postgres://…/pcmd_bench.
"""

import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from participants.models import (
    Contact,
    Enrolment,
    EstablishmentAssessment,
    Participant,
    Person,
    RightsAssessment,
)
from referrals.models import Referral, ReferralEvent, Support
from sites.models import Cost, Establishment, PeerGroup, Site, Training
from tooling.bench import generate, timing

COUNTED = [
    ("sites", Site),
    ("peer_groups", PeerGroup),
    ("establishments", Establishment),
    ("persons", Person),
    ("participants", Participant),
    ("enrolments", Enrolment),
    ("contacts", Contact),
    ("referrals", Referral),
    ("referral_events", ReferralEvent),
    ("supports", Support),
    ("rights_assessments", RightsAssessment),
    ("establishment_assessments", EstablishmentAssessment),
    ("costs", Cost),
    ("trainings", Training),
]


class Command(BaseCommand):
    # The data and the engine do not need the URL configuration: pages that cannot be reached
    # are reported as skipped instead.
    requires_system_checks = []
    help = (
        "Benchmark: builds a synthetic national data set (scale 1.0 = 500,000 participants, "
        "5,000,000 contacts, 1,000,000 referrals, 2,000 sites over 2016-2025) and times the "
        "indicators, exports and pages. EMPTIES the database's programme tables and users."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 = national scale")
        parser.add_argument("--seed", type=int, default=2016)
        parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement")
        parser.add_argument(
            "--force",
            action="store_true",
            help="wipe the database even if it holds data that is not bench data",
        )
        parser.add_argument(
            "--no-build", action="store_true", help="time the bench data already loaded"
        )
        parser.add_argument("--no-timings", action="store_true", help="only build the data")
        parser.add_argument(
            "--publication-only",
            action="store_true",
            help="time only the publication of the last year (and its information loss)",
        )
        parser.add_argument(
            "--live-only",
            action="store_true",
            help="time only the live pages: the officer's landing dashboard and the "
            "administrator's live national year, against the hand-written statement",
        )
        parser.add_argument("--province", help="2025 province code for the provincial timing")
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="PostgreSQL session setting for the timings, e.g. --set jit=off (repeatable)",
        )

    def handle(self, *args, **options):
        scale = options["scale"]
        if scale <= 0:
            raise CommandError("--scale must be positive")
        db = connection.settings_dict["NAME"]
        self.stdout.write(f"Benchmark on {connection.vendor} database {db}, scale {scale:g}")
        if options["no_build"]:
            if not Site.objects.filter(code__startswith=generate.BENCH_PREFIX).exists():
                raise CommandError("No bench data in this database: run without --no-build.")
        else:
            foreign = generate.foreign_data()
            if foreign and not options["force"]:
                raise CommandError(
                    "Refusing to run: this database holds data that is not bench data ("
                    + ", ".join(foreign)
                    + "). The benchmark empties the programme tables and the users. Use a "
                    "database of its own (e.g. DATABASE_URL=postgres://…/pcmd_bench) or --force."
                )
            target = generate.targets(scale)
            self.stdout.write(
                "Building: "
                + ", ".join(f"{n:,} {k}" for k, n in target.items())
                + (" (COPY)" if connection.vendor == "postgresql" else " (bulk insert)")
            )
            started = time.perf_counter()
            generate.build(scale=scale, seed=options["seed"], log=self.stdout.write)
            self.stdout.write(f"Built in {time.perf_counter() - started:.1f} s")
        self.stdout.write("Data:")
        for label, model in COUNTED:
            self.stdout.write(f"  {label:<28} {model.objects.count():>12,}")
        if options["no_timings"]:
            return
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for setting in options["set"]:
                    name, _, value = setting.partition("=")
                    cursor.execute("SELECT set_config(%s, %s, false)", [name.strip(), value])
                cursor.execute("SHOW jit")
                others = [s for s in options["set"] if not s.startswith("jit=")]
                settings = ", ".join(["jit=" + cursor.fetchone()[0], *others])
            self.stdout.write(f"PostgreSQL session: {settings}")
        if options["publication_only"]:
            timing.run_publication(write=self.stdout.write)
            return
        if options["live_only"]:
            quiet = {"django.request": logging.CRITICAL, "axes": logging.WARNING}
            for name, level in quiet.items():
                logging.getLogger(name).setLevel(level)
            timing.run_live(repeat=max(1, options["repeat"]), write=self.stdout.write)
            return
        timing.run_timings(
            repeat=max(1, options["repeat"]),
            write=self.stdout.write,
            province_code=options["province"],
        )
