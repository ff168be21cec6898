from django.db import migrations


def load(apps, schema_editor):
    from periods.calendar import load_periods

    load_periods(apps.get_model("reports", "ReportingPeriod"), apps.get_model("programs", "Phase"))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_reporting_cycle"),
        ("programs", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
