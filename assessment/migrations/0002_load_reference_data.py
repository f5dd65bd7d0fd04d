"""Ship the three 2024 questionnaires and the 生产性服务业 crosswalk; no network needed."""

from django.db import migrations


def load(apps, schema_editor):
    from assessment.loader import load_crosswalk, load_questionnaires

    load_questionnaires(apps.get_model("assessment", "Questionnaire"))
    load_crosswalk(apps.get_model("assessment", "ProducerServiceIndustry"))


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
