"""`python manage.py erase_expired [--dry-run]`: erase everyone whose records have passed
PARTICIPANT_RETENTION_YEARS since their last event or withdrawal (privacy.services). Run it
daily (README "Data protection"). Prints and records counts, never people."""

from django.core.management.base import BaseCommand

from privacy import selectors, services
from privacy.selectors import COUNT_LABELS


class Command(BaseCommand):
    help = (
        "Erase the participants whose retention period has run out (their identity link, codes "
        "and dates; the indicators keep their counts) and record the run as counts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="only count who would be erased today"
        )

    def handle(self, *args, **options):
        day = services.today()
        if options["dry_run"]:
            count = selectors.expired_people(today=day).count()
            self.stdout.write(f"{count} people would be erased (retention cut-off for {day}).")
            return
        run = services.erase_expired(today=day)
        counts = ", ".join(f"{key} {run.counts[key]}" for key in COUNT_LABELS)
        self.stdout.write(f"Erased {run.people} people ({counts}); run {run.reference}.")
