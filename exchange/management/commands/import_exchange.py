from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exchange.reader import read_directory
from exchange.services import import_exchange
from exchange.spec import FILES


class Command(BaseCommand):
    help = (
        "Load a folder in the exchange format (docs/exchange.md): sites.csv, peer_groups.csv, "
        "establishments.csv, participants.csv, contacts.csv, referrals.csv, "
        "rights_assessments.csv, establishment_assessments.csv, costs.csv, trainings.csv "
        "(UTF-8, a BOM is tolerated). The same columns are read from XLSX: <file>.xlsx (first "
        "sheet) or any workbook whose sheets are named like the files (sheets starting with '_' "
        "are skipped). All or nothing: one bad row and nothing is written; every bad row is "
        "printed as FILE:LINE: column: reason and the exit status is 1. Rows are matched on "
        "their natural keys, so loading the same folder twice changes nothing. The uic column "
        "takes a raw 11-character UIC (hashed, never stored) or, as in files this application "
        "exports, 'h:' + the 64-hex stored hash (same UIC_SECRET => same participants). "
        "Referral providers are matched by exact name (the one in the site's province when "
        "names repeat)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and count, write nothing."
        )

    def handle(self, *args, directory, dry_run, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory}: not a directory")
        sources, read_errors = read_directory(directory)
        if not sources and not read_errors:
            raise CommandError(f"{directory}: no exchange files (.csv or .xlsx) found")
        result = import_exchange(sources=sources, dry_run=dry_run, read_errors=read_errors)
        for error in result.errors:
            self.stderr.write(str(error))
        if not result.ok:
            raise CommandError(f"{len(result.errors)} bad row(s); nothing was written.")
        for spec in FILES:
            counts = result.counts.get(spec.name)
            if counts is not None:
                self.stdout.write(
                    f"{spec.filename}: {counts.new} new, {counts.updated} updated, "
                    f"{counts.unchanged} unchanged"
                )
        self.stdout.write("Dry run: nothing was written." if dry_run else "Import complete.")
