"""Reference data every installation has: regions and the two sets of provinces with the
mapping of the 63 pre-2025 provinces onto the 34 from 1 July 2025 (data/provinces.csv)."""

import csv
from pathlib import Path

from django.utils.translation import gettext_noop

PROVINCES_CSV = Path(__file__).resolve().parent / "data" / "provinces.csv"
# District-level areas of each pre-2025 province (696, as on 1 January 2025) and communes/wards
# of each 2025 province: the denominators of the coverage indicator. Taken from the
# vietnam-provinces package's data (0.6.0 for the districts, 2025.10.1 for the communes).
LOCALITY_COUNTS_CSV = Path(__file__).resolve().parent / "data" / "locality_counts.csv"

REGIONS = [
    ("red_river_delta", gettext_noop("Đồng bằng sông Hồng")),
    ("northeast", gettext_noop("Đông Bắc")),
    ("northwest", gettext_noop("Tây Bắc")),
    ("north_central", gettext_noop("Bắc Trung Bộ")),
    ("south_central_coast", gettext_noop("Duyên hải Nam Trung Bộ")),
    ("central_highlands", gettext_noop("Tây Nguyên")),
    ("southeast", gettext_noop("Đông Nam Bộ")),
    ("mekong_delta", gettext_noop("Đồng bằng sông Cửu Long")),
]


def load_reference(Region, Province):
    """Create or update regions and provinces. Idempotent. Takes the model classes so a data
    migration can pass its historical models."""
    for order, (code, name) in enumerate(REGIONS):
        Region.objects.update_or_create(code=code, defaults={"name": name, "order": order})
    with PROVINCES_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    legacy_region = {row["legacy_code"]: row["region"] for row in rows}
    current = {}
    for row in rows:
        code = row["code_2025"]
        if code in current:
            continue
        # A 2025 province takes the region of the pre-2025 province whose code it kept, and is
        # its own `current` (saved in two steps: it needs its id first).
        province, _created = Province.objects.update_or_create(
            unit_set="2025",
            code=code,
            defaults={"name": row["name_2025"], "region_id": legacy_region[code]},
        )
        if province.current_id != province.pk:
            province.current_id = province.pk
            province.save(update_fields=["current"])
        current[code] = province
    for row in rows:
        Province.objects.update_or_create(
            unit_set="legacy",
            code=row["legacy_code"],
            defaults={
                "name": row["legacy_name"],
                "region_id": row["region"],
                "current": current[row["code_2025"]],
            },
        )


def load_locality_counts(Province):
    """Set Province.locality_count from data/locality_counts.csv. Idempotent."""
    with LOCALITY_COUNTS_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Province.objects.filter(unit_set=row["unit_set"], code=row["code"]).update(
                locality_count=int(row["localities"])
            )
