from django.db import migrations


def load(apps, schema_editor):
    from sites.reference import load_reference

    load_reference(apps.get_model("sites", "Region"), apps.get_model("sites", "Province"))


class Migration(migrations.Migration):
    dependencies = [("sites", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
