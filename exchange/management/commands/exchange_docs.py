from django.core.management.base import BaseCommand, CommandError

from exchange.docs import DOC_PATH, exchange_markdown


class Command(BaseCommand):
    help = (
        "Write docs/exchange.md from the exchange spec (exchange/spec.py). With --check, write "
        "nothing and exit with status 1 if the file differs from what the spec gives."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Compare only; exit 1 if out of date."
        )

    def handle(self, *args, check, **options):
        text = exchange_markdown()
        if check:
            current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else None
            if current != text:
                raise CommandError(
                    f"{DOC_PATH} is out of date: run `python manage.py exchange_docs`."
                )
            self.stdout.write(f"{DOC_PATH} is up to date.")
            return
        DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
        DOC_PATH.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {DOC_PATH}.")
