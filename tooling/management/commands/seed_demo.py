import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tooling.demo import DEMO_PASSWORD, DemoDataRefused, ensure_demo_accounts, seed_demo_data


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu và tài khoản minh họa (chạy lại không thay đổi gì). Demo data and accounts: "
        "the data set is loaded through the exchange importer; a row it refuses stops the "
        "command with its messages and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-data", action="store_true", help="only the demo accounts, no demo data set"
        )

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                self.seed(no_data=options["no_data"])
        except DemoDataRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(refused.errors)} bad row(s) in the demo data set; nothing was written."
            ) from None

    def seed(self, *, no_data):
        if not no_data:
            started = time.perf_counter()
            counts = seed_demo_data()
            if counts is None:
                self.stdout.write("Dữ liệu minh họa đã có / demo data already loaded")
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Dữ liệu minh họa / demo data ({time.perf_counter() - started:.1f} s)"
                    )
                )
                for name, count in counts.items():
                    self.stdout.write(f"  {name:<28} {count:>7,}")
        rows = ensure_demo_accounts()
        self.stdout.write(self.style.SUCCESS("Tài khoản minh họa / demo accounts"))
        self.stdout.write(f"  mật khẩu / password: {DEMO_PASSWORD}")
        for username, role, scope in rows:
            self.stdout.write(f"  {username:<20} {role} · {scope}")
