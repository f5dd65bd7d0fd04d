from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def fill_sections(apps, schema_editor):
    """Filed declarations take their enterprise's 门类 (what the statistics counted so far)."""
    Declaration = apps.get_model("declarations", "Declaration")
    Enterprise = apps.get_model("enterprises", "Enterprise")
    section = Enterprise.objects.filter(pk=OuterRef("enterprise_id")).values("industry__section")[:1]
    Declaration.objects.exclude(status="draft").update(
        section=Coalesce(Subquery(section), Value("")))


class Migration(migrations.Migration):

    dependencies = [
        ('declarations', '0008_integrity_digests'),
        ('enterprises', '0005_merge_20261130_0209'),
    ]

    operations = [
        migrations.AddField(
            model_name='declaration',
            name='section',
            field=models.CharField(blank=True, max_length=1, verbose_name='行业门类'),
        ),
        migrations.RunPython(fill_sections, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='declaration',
            index=models.Index(condition=models.Q(('status', 'draft'), _negated=True), fields=['region', 'tier', 'status', 'window', 'section', 'submitted_at'], name='declaration_statistics'),
        ),
    ]
