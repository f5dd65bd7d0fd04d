"""The PostgreSQL trigger that keeps the audit tables append-only (see migration 0003)."""

from __future__ import annotations

from typing import Any

SECURITY_EVENT_TABLE = "audit_securityevent"
# The session setting that lets the archive delete what it has archived (audit/archive.py).
BYPASS_SETTING = "audit.archiving"

FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = '{SECURITY_EVENT_TABLE}'
            AND current_setting('{BYPASS_SETTING}', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '审计记录只能追加，不能修改或删除（% on %）', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def install_sql(table: str) -> str:
    return (f'DROP TRIGGER IF EXISTS audit_append_only ON "{table}"; '
            f'CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION audit_append_only();")


def drop_sql(table: str) -> str:
    return f'DROP TRIGGER IF EXISTS audit_append_only ON "{table}";'


def is_history_model(model: Any) -> bool:
    """A simple-history table (every one has `history_id` and `history_type`)."""
    names = {f.name for f in model._meta.get_fields()}
    return {"history_id", "history_type", "history_date"} <= names


def audited_tables(apps: Any) -> list[str]:
    """The security-event table and every history table known to `apps`."""
    tables = [m._meta.db_table for m in apps.get_models() if is_history_model(m)]
    return [SECURITY_EVENT_TABLE, *sorted(tables)]


def install(connection: Any) -> None:
    """(Re)install the function and every trigger (for a history table added later)."""
    from django.apps import apps

    with connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        for table in audited_tables(apps):
            cursor.execute(install_sql(table))
