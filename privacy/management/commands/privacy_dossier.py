"""`python manage.py privacy_dossier [--province CODE] [--output FILE]`: the impact-assessment
dossier (in Vietnamese) as an HTML file to print and file, the same as the page "Hồ sơ đánh giá
tác động" (privacy.dossier)."""

from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.utils import translation

from privacy.dossier import dossier
from sites.models import Province


class Command(BaseCommand):
    help = "Write the personal-data impact-assessment dossier (Vietnamese HTML)."

    def add_arguments(self, parser):
        parser.add_argument("--province", help="GSO code of a 2025 province filing it, e.g. 01")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args, **options):
        province = None
        if options["province"]:
            province = Province.objects.filter(unit_set="2025", code=options["province"]).first()
            if province is None:
                raise CommandError(f"Unknown 2025 province code {options['province']!r}.")
        with translation.override("vi"):
            html = render_to_string("privacy/dossier_file.html", dossier(province=province))
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(html)
            self.stdout.write(f"Wrote {options['output']}.")
        else:
            self.stdout.write(html)
