"""Load GB/T 2260 regions and the 37 declaration regions; no network needed."""

from django.db import migrations


def load(apps, schema_editor):
    from portal.regions.loader import load_regions

    load_regions(apps.get_model("regions", "Region"), apps.get_model("regions", "DeclarationRegion"))


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
