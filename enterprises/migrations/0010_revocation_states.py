# The decision state of titles recorded before it existed.

from django.db import migrations


def states_from_records(apps, schema_editor):
    """Titles already cancelled (revoked_at set) are in the revoked state; those cancelled for
    misconduct (§2.7 item 3) get that ground, so the flag and the ground agree. (Their history
    rows are left as they were written: append-only.)"""
    Recognition = apps.get_model("enterprises", "Recognition")
    Recognition.objects.filter(revoked_at__isnull=False).update(state="revoked")
    Recognition.objects.filter(revoked_for_misconduct=True).update(revoke_ground="misconduct")


def records_from_states(apps, schema_editor):
    pass  # the fields go away with the migration; revoked_at stays as it was


class Migration(migrations.Migration):

    dependencies = [
        ("enterprises", "0009_revocation"),
    ]

    operations = [
        migrations.RunPython(states_from_records, records_from_states),
    ]
