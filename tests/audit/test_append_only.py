"""Audit rows are append-only (等保 2.0 安全审计 c): no admin — superusers included — may add,
change or delete one, and on PostgreSQL a trigger refuses UPDATE and DELETE on the
security-event table and on every history table, whoever asks."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin import helpers
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse

from audit.models import SecurityEvent
from audit.services import security_event
from audit.triggers import BYPASS_SETTING, audited_tables, is_history_model
from declarations.models import DeclarationWindow
from portal.accounts.models import User
from tests.declarations.conftest import open_window

pytestmark = pytest.mark.django_db

AUDIT_MODELS = [SecurityEvent, *(m for m in apps.get_models() if is_history_model(m))]
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                     reason="the append-only trigger exists on PostgreSQL only")


@pytest.mark.parametrize("model", AUDIT_MODELS, ids=lambda m: m._meta.label_lower)
def test_not_even_a_superuser_may_add_change_or_delete_an_audit_row(admin_user, model):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    model_admin = admin.site.get_model_admin(model)
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert not model_admin.get_actions(request)


def test_posting_a_delete_or_a_change_in_the_admin_changes_nothing(admin_client, ent_tianhe):
    row = security_event(event=SecurityEvent.Event.LOGIN, user=ent_tianhe)
    url = reverse("admin:audit_securityevent_change", args=[row.pk])
    assert admin_client.post(url, {"detail": "改过"}).status_code == 403
    delete = reverse("admin:audit_securityevent_delete", args=[row.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    admin_client.post(reverse("admin:audit_securityevent_changelist"), {
        "action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [row.pk], "post": "yes"})
    row.refresh_from_db()
    assert row.detail == "" and SecurityEvent.objects.filter(pk=row.pk).exists()


def test_the_change_page_shows_the_row_read_only(admin_client, ent_tianhe):
    row = security_event(event=SecurityEvent.Event.LOGIN, user=ent_tianhe)
    body = admin_client.get(reverse("admin:audit_securityevent_change", args=[row.pk])).content
    assert b'name="_save"' not in body and b"+08:00" in body


# --- PostgreSQL --------------------------------------------------------------------------------


def refused(statement: str, params: list) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    except DatabaseError as exc:
        assert "审计记录只能追加" in str(exc)
        return True
    return False


@postgresql_only
def test_the_database_refuses_to_update_or_delete_a_security_event(ent_tianhe):
    row = security_event(event=SecurityEvent.Event.LOGIN, user=ent_tianhe)
    assert refused("UPDATE audit_securityevent SET detail = 'x' WHERE id = %s", [row.pk])
    assert refused("DELETE FROM audit_securityevent WHERE id = %s", [row.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        SecurityEvent.objects.filter(pk=row.pk).delete()
    assert SecurityEvent.objects.filter(pk=row.pk, detail="").exists()


@postgresql_only
def test_the_database_refuses_to_rewrite_history(gd_province):
    window = open_window("440000", "innovative")
    window.note = "改名"
    window.save()
    table = DeclarationWindow.history.model._meta.db_table
    assert refused(f"UPDATE {table} SET note = 'forged' WHERE id = %s", [window.pk])
    assert refused(f"DELETE FROM {table} WHERE id = %s", [window.pk])
    assert window.history.count() == 2


@postgresql_only
def test_the_bypass_lets_a_delete_of_security_events_through_and_nothing_else(ent_tianhe):
    row = security_event(event=SecurityEvent.Event.LOGIN, user=ent_tianhe)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL {BYPASS_SETTING} = 'on'")
        # Still no UPDATE, and no history table, even with the setting on.
        cursor.execute("SAVEPOINT s")
        with pytest.raises(DatabaseError):
            cursor.execute("UPDATE audit_securityevent SET detail = 'x' WHERE id = %s", [row.pk])
        cursor.execute("ROLLBACK TO SAVEPOINT s")
        table = User.history.model._meta.db_table  # holds ent_tianhe's creation
        with pytest.raises(DatabaseError):
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute("ROLLBACK TO SAVEPOINT s")
        cursor.execute("DELETE FROM audit_securityevent WHERE id = %s", [row.pk])
        cursor.execute(f"SET LOCAL {BYPASS_SETTING} = 'off'")
    assert not SecurityEvent.objects.filter(pk=row.pk).exists()


@postgresql_only
def test_the_archive_deletes_through_the_bypass_and_leaves_it_off(ent_tianhe, tmp_path):
    import datetime as dt

    import time_machine

    from audit import archive

    with time_machine.travel(dt.datetime(2025, 1, 1, tzinfo=dt.UTC), tick=False):
        old = security_event(event=SecurityEvent.Event.LOGIN, user=ent_tianhe)
    recent = security_event(event=SecurityEvent.Event.LOGIN, user=ent_tianhe)
    done = archive.archive(before=archive.latest_allowed(), out=tmp_path / "a.jsonl")
    assert done.count == 1 and not SecurityEvent.objects.filter(pk=old.pk).exists()
    assert refused("DELETE FROM audit_securityevent WHERE id = %s", [recent.pk])


@postgresql_only
def test_every_audit_table_has_the_trigger():
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                       "WHERE t.tgname = 'audit_append_only' AND NOT t.tgisinternal")
        protected = {name for (name,) in cursor.fetchall()}
    assert set(audited_tables(apps)) <= protected
    assert {m._meta.db_table for m in AUDIT_MODELS} <= protected
