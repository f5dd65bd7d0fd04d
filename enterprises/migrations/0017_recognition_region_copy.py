from django.db import migrations
from django.db.models import F, OuterRef, Q, Subquery

from common.copies import RegionCopy, operation


def titles_take_their_enterprises_region(apps, schema_editor):
    Recognition = apps.get_model("enterprises", "Recognition")
    Enterprise = apps.get_model("enterprises", "Enterprise")
    differs = ~Q(region=F("enterprise__region")) & ~Q(region__isnull=True,
                                                       enterprise__region__isnull=True)
    Recognition.objects.filter(differs).update(region_id=Subquery(
        Enterprise.objects.filter(pk=OuterRef("enterprise_id")).values("region_id")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0016_recognition_counts'),
    ]

    operations = [
        migrations.RunPython(titles_take_their_enterprises_region, migrations.RunPython.noop,
                             elidable=True),
        # From now on the database keeps the copy equal to the enterprise's (common/copies.py).
        operation(RegionCopy("recognition_region", "enterprises_recognition", "enterprise_id",
                             "enterprises_enterprise")),
    ]
