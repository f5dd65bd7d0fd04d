import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def titles_take_their_enterprises_region(apps, schema_editor):
    Recognition = apps.get_model("enterprises", "Recognition")
    Enterprise = apps.get_model("enterprises", "Enterprise")
    Recognition.objects.update(region_id=Subquery(
        Enterprise.objects.filter(pk=OuterRef("enterprise_id")).values("region_id")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0007_changeevidence_sha256'),
        ('regions', '0003_region_registrable'),
    ]

    operations = [
        migrations.AddField(
            model_name='recognition',
            name='region',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='regions.region', verbose_name='注册地'),
        ),
        migrations.RunPython(titles_take_their_enterprises_region, migrations.RunPython.noop,
                             elidable=True),
        migrations.AddIndex(
            model_name='recognition',
            index=models.Index(fields=['region', 'tier', 'batch', 'valid_from', 'valid_until', 'revoked_at'], name='recognition_statistics'),
        ),
    ]
