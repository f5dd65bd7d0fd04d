"""三权分立: the three operator groups. Their rights come from `rules` predicates
(portal/accounts/rules.py, audit/rules.py), not from Django permission rows, so the groups
carry no permissions here; membership is granted by a superuser (`manage.py assign_role`)."""

from django.db import migrations

GROUPS = ("系统管理员", "安全管理员", "审计管理员")


def create(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create, remove)]
