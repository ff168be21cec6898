from django.db import migrations


def load(apps, schema_editor):
    from sites.reference import load_locality_counts

    load_locality_counts(apps.get_model("sites", "Province"))


class Migration(migrations.Migration):
    dependencies = [("sites", "0002_reference_data")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
