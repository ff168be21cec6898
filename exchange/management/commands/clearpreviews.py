from django.core.management.base import BaseCommand

from exchange import uploads


class Command(BaseCommand):
    help = (
        "Delete the import previews left waiting for confirmation longer than "
        "EXCHANGE_PREVIEW_MINUTES (exchange.uploads). Schedule it like clearsessions, e.g. "
        "every 10 minutes: an abandoned preview then lasts at most its lifetime plus 10 minutes, "
        "although it can no longer be confirmed once its lifetime is over."
    )

    def handle(self, *args, **options):
        purged = uploads.purge_expired()
        self.stdout.write(f"{purged} expired import preview(s) deleted.")
