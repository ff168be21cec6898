from django.db import migrations


def load(apps, schema_editor):
    from programs.reference import load_reference

    load_reference(
        apps.get_model("programs", "Phase"),
        apps.get_model("programs", "InterventionModel"),
        apps.get_model("programs", "Target"),
    )


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
