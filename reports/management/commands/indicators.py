"""`python manage.py indicators --start … --end … [--province …] [--model …] [--site …] --json`
(docs/exchange.md): every docs/indicators.md code for a period and scope, unsuppressed (for
administrators on the server)."""

import datetime
import json
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from programs.models import InterventionModel
from reports.indicators import compute_indicators
from reports.routing import report_reads
from sites.models import Province, Site


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"Invalid date {text!r}: expected YYYY-MM-DD.") from error


def _json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


class Command(BaseCommand):
    help = "Print every indicator (docs/indicators.md) for a period and scope."

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help="YYYY-MM-DD (first day, included)")
        parser.add_argument("--end", required=True, help="YYYY-MM-DD (last day, included)")
        parser.add_argument("--province", help="GSO code of a 2025 province, e.g. 01")
        parser.add_argument("--model", help="community | worker_rights | peer_groups")
        parser.add_argument("--site", help="site code")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        start, end = _date(options["start"]), _date(options["end"])
        if end < start:
            raise CommandError("--end must not be before --start.")
        province, model, site = options["province"], options["model"], options["site"]
        if province and not Province.objects.filter(unit_set="2025", code=province).exists():
            raise CommandError(f"Unknown 2025 province code {province!r}.")
        if model and not InterventionModel.objects.filter(code=model).exists():
            codes = ", ".join(InterventionModel.objects.values_list("code", flat=True))
            raise CommandError(f"Unknown model {model!r}: expected one of {codes}.")
        if site and not Site.objects.filter(code=site).exists():
            raise CommandError(f"Unknown site code {site!r}.")
        with report_reads():
            values = compute_indicators(
                start=start, end=end, province=province, model=model, site=site
            )
        if options["json"]:
            payload = {code: _json_value(value) for code, value in values.items()}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        width = max(len(code) for code in values)
        for code, value in values.items():
            shown = "null" if value is None else _json_value(value)
            self.stdout.write(f"{code:<{width}}  {shown}")
