"""The one SiteSettings row, so the home page never has to create it."""

from django.db import migrations


def create_row(apps, schema_editor):
    SiteSettings = apps.get_model("announcements", "SiteSettings")
    SiteSettings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("announcements", "0001_initial")]

    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
