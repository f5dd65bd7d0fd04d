"""Append-only audit tables on PostgreSQL (等保 2.0 安全审计 c): a trigger refuses UPDATE and
DELETE on the security-event table and on every simple-history table.

The one way round it is deliberate: `manage.py archive_security_events` deletes the rows it has
just archived inside a transaction that first runs `SET LOCAL audit.archiving = 'on'`; the
trigger lets a DELETE through on audit_securityevent only while that setting is on (it ends
with the transaction). History tables have no such bypass. TRUNCATE and DROP are a database
owner's operations and are outside this protection (give the application's role no ownership
of the tables in production; see the README).

A history table added later needs its own trigger: audit.checks / tests/audit/test_append_only.py
fail on PostgreSQL until it has one (`audit.triggers.install`).
"""

from django.db import migrations

from audit.triggers import FUNCTION, audited_tables, drop_sql, install_sql


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in audited_tables(apps):
        schema_editor.execute(install_sql(table), params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in audited_tables(apps):
        schema_editor.execute(drop_sql(table), params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_append_only()")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_role_groups"),
        ("accounts", "0004_historicaluser"),
        ("assessment", "0003_historicalquestionnaire"),
        ("common", "0003_historicaldecisionevent"),
        ("declarations", "0008_historicaldeclaration_historicaldeclarationwindow"),
        ("enterprises", "0007_historicalrecognition_historicalupdatewindow"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
