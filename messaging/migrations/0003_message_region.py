import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Max, Min, OuterRef, Subquery

from common.copies import RegionCopy, operation

STEP = 200_000


def messages_take_their_recipients_region(apps, schema_editor):
    """In slices of ids, each its own transaction: twenty million rows are not one lock."""
    Message = apps.get_model("messaging", "Message")
    User = apps.get_model("accounts", "User")
    bounds = Message.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return
    region = Subquery(User.objects.filter(pk=OuterRef("recipient_id")).values("region_id")[:1])
    for start in range(bounds["low"], bounds["high"] + 1, STEP):
        Message.objects.filter(pk__gte=start, pk__lt=start + STEP).update(region_id=region)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('messaging', '0002_officials_lists_at_scale'),
        ('regions', '0003_region_registrable'),
    ]

    operations = [
        migrations.AddField(
            model_name='message',
            name='region',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='regions.region', verbose_name='注册地'),
        ),
        migrations.RunPython(messages_take_their_recipients_region, migrations.RunPython.noop,
                             elidable=True),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(fields=['region', '-created_at', '-id'], name='message_region_recent'),
        ),
        # From now on the database keeps the copy equal to the recipient's (common/copies.py).
        operation(RegionCopy("message_region", "messaging_message", "recipient_id",
                             "accounts_user")),
    ]
