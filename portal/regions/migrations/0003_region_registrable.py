from django.db import migrations, models


def mark(apps, schema_editor):
    from portal.regions.loader import load_regions

    load_regions(apps.get_model("regions", "Region"), apps.get_model("regions", "DeclarationRegion"))


class Migration(migrations.Migration):
    dependencies = [("regions", "0002_load_regions")]

    operations = [
        migrations.AddField(
            model_name="region",
            name="registrable",
            field=models.BooleanField(default=False, verbose_name="可作为注册地"),
        ),
        migrations.RunPython(mark, migrations.RunPython.noop),
    ]
