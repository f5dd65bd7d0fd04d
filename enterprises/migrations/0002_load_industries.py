"""Load GB/T 4754-2017; no network needed."""

from django.db import migrations


def load(apps, schema_editor):
    from enterprises.loader import load_industries

    load_industries(apps.get_model("enterprises", "Industry"))


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
