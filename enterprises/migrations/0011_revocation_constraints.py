from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("enterprises", "0010_revocation_states"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='recognition',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('revoked_at__isnull', False), ('state', 'revoked')), models.Q(('revoked_at__isnull', True), ('state', 'in_force')), _connector='OR'), name='recognition_revoked_state'),
        ),
        migrations.AddConstraint(
            model_name='recognition',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('revoke_ground', 'misconduct'), ('revoked_for_misconduct', True)), models.Q(('revoked_for_misconduct', False), models.Q(('revoke_ground', 'misconduct'), _negated=True)), _connector='OR'), name='recognition_misconduct_ground'),
        ),
        migrations.AddConstraint(
            model_name='recognition',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('rereview_barred_at__isnull', False), ('rereview_status', 'barred')), models.Q(('rereview_barred_at__isnull', True), ('rereview_status', 'eligible')), _connector='OR'), name='recognition_rereview_barred'),
        ),
    ]
