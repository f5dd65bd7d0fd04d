"""三权分立 (等保 2.0 访问控制 d, 安全管理中心 8.1.5.1–8.1.5.3): 系统管理员, 安全管理员 and
审计管理员, each with its own rights and nothing else. The matrix below is walked over every
registered admin × {view, add, change, delete}; a new admin is nothing to these roles until
the table says otherwise."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse

from audit.models import SecurityEvent
from audit.services import security_event
from audit.triggers import is_history_model
from portal.accounts.models import User
from portal.accounts.rules import AUDIT_ADMINS, ROLE_GROUPS, SECURITY_ADMINS, role_of
from tests.audit.conftest import role_account
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ALL = {"view", "add", "change", "delete"}
BEAT = ["django_celery_beat.periodictask", "django_celery_beat.crontabschedule",
        "django_celery_beat.intervalschedule", "django_celery_beat.clockedschedule",
        "django_celery_beat.solarschedule"]
HISTORY = [m._meta.label_lower for m in apps.get_models() if is_history_model(m)]

# role → admin model → what it may do there; every other (role, model) pair: nothing.
MATRIX: dict[str, dict[str, set[str]]] = {
    "system": {"accounts.user": {"view", "change"}, **{label: ALL for label in BEAT}},
    "security": {"accounts.user": {"view"}, "axes.accessattempt": {"view", "delete"},
                 "axes.accessfailurelog": {"view"}, "axes.accesslog": {"view"}},
    "audit": {"audit.securityevent": {"view"}, **{label: {"view"} for label in HISTORY}},
}


@pytest.fixture
def roles(system_admin, security_admin, audit_admin) -> dict[str, User]:
    return {"system": system_admin, "security": security_admin, "audit": audit_admin}


def rights(user: User, model_admin: admin.ModelAdmin) -> set[str]:
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(pk=user.pk)  # a fresh instance: no cached groups
    checks = {"view": model_admin.has_view_permission(request),
              "add": model_admin.has_add_permission(request),
              "change": model_admin.has_change_permission(request),
              "delete": model_admin.has_delete_permission(request)}
    return {name for name, allowed in checks.items() if allowed}


def test_the_three_groups_exist():
    assert set(Group.objects.filter(name__in=ROLE_GROUPS).values_list("name", flat=True)) == set(
        ROLE_GROUPS)


@pytest.mark.parametrize("role", ["system", "security", "audit"])
def test_each_role_has_exactly_the_rights_of_the_matrix_on_every_admin(roles, role):
    table = MATRIX[role]
    found = {}
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        got = rights(roles[role], model_admin)
        if got or label in table:
            found[label] = got
    assert found == table


def test_the_matrix_names_only_registered_admins():
    registered = {m._meta.label_lower for m in admin.site._registry}
    assert {label for table in MATRIX.values() for label in table} <= registered
    assert len(HISTORY) >= 9  # enterprise, figures, declaration, window, decision, …


@pytest.mark.parametrize("role", ["system", "security"])
def test_only_the_auditor_reads_the_audit_log(client, roles, role, ent_tianhe):
    row = security_event(event=SecurityEvent.Event.LOGIN, user=ent_tianhe)
    client.force_login(roles[role])
    assert client.get(reverse("admin:audit_securityevent_changelist")).status_code == 403
    assert client.get(reverse("admin:audit_securityevent_change", args=[row.pk])).status_code == 403
    assert client.get(reverse("admin:accounts_historicaluser_changelist")).status_code == 403


def test_the_auditor_lists_filters_and_searches_security_events(client, audit_admin, ent_tianhe,
                                                                ent_yuexiu):
    security_event(event=SecurityEvent.Event.LOGIN, user=ent_tianhe)
    security_event(event=SecurityEvent.Event.LOGIN_FAILED, username="ent_yuexiu",
                   result=SecurityEvent.Result.FAILURE)
    client.force_login(audit_admin)
    url = reverse("admin:audit_securityevent_changelist")
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["cl"].result_count == 3  # and the auditor's own login
    failed = client.get(url, {"event": "login_failed", "result": "failure"})
    assert [r.username for r in failed.context["cl"].result_list] == ["ent_yuexiu"]
    searched = client.get(url, {"q": "ent_tianhe"})
    assert [r.user_id for r in searched.context["cl"].result_list] == [ent_tianhe.pk]
    today = client.get(url, {"at__gte": "2000-01-01 00:00:00+08:00"})
    assert today.status_code == 200


def test_the_auditor_reads_the_change_history(client, audit_admin, gd_province):
    gd_province.person_name = "陈建国"
    gd_province.save()
    client.force_login(audit_admin)
    page = client.get(reverse("admin:accounts_historicaluser_changelist"))
    assert page.status_code == 200
    assert page.context["cl"].result_count >= 2


def test_the_auditor_sees_nothing_else(client, audit_admin):
    client.force_login(audit_admin)
    for name in ["accounts_user", "declarations_declaration", "enterprises_enterprise",
                 "axes_accessattempt", "django_celery_beat_periodictask"]:
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403, name
    index = client.get(reverse("admin:index"))
    apps_shown = {app["app_label"] for app in index.context["app_list"]}
    assert "audit" in apps_shown and "axes" not in apps_shown


def test_holding_two_roles_gives_neither(client, ent_tianhe):
    both = role_account("r_both", "audit")
    both.groups.add(Group.objects.get(name=SECURITY_ADMINS))
    assert role_of(User.objects.get(pk=both.pk)) is None
    client.force_login(both)
    assert client.get(reverse("admin:audit_securityevent_changelist")).status_code == 302


def test_an_official_put_in_the_auditors_group_is_still_only_an_official(client, gd_province):
    gd_province.groups.add(Group.objects.get(name=AUDIT_ADMINS))
    client.force_login(gd_province)
    assert client.get(reverse("admin:audit_securityevent_changelist")).status_code == 403


def test_a_role_account_that_is_not_staff_or_is_disabled_has_no_role(audit_admin):
    User.objects.filter(pk=audit_admin.pk).update(is_staff=False)
    assert role_of(User.objects.get(pk=audit_admin.pk)) is None
    User.objects.filter(pk=audit_admin.pk).update(is_staff=True, is_active=False)
    assert role_of(User.objects.get(pk=audit_admin.pk)) is None


# --- what the 系统管理员 and the 安全管理员 may do with accounts --------------------------------


def test_the_system_admin_disables_an_enterprise_account_anywhere(client, system_admin,
                                                                   ent_nanjing):
    client.force_login(system_admin)
    url = reverse("admin:accounts_user_change", args=[ent_nanjing.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {"person_name": ent_nanjing.person_name, "mobile": ent_nanjing.mobile,
            "email": ent_nanjing.email}  # is_active left out: unticked
    assert client.post(url, data).status_code == 302
    ent_nanjing.refresh_from_db()
    assert not ent_nanjing.is_active


@pytest.mark.parametrize("target", ["audit", "security", "superuser"])
def test_the_system_admin_cannot_change_an_operator_account(client, roles, admin_user, target):
    account = admin_user if target == "superuser" else roles[target]
    client.force_login(roles["system"])
    url = reverse("admin:accounts_user_change", args=[account.pk])
    client.post(url, {"person_name": "改", "email": "x@example.cn"})
    account.refresh_from_db()
    assert account.is_active and account.person_name != "改"


def test_the_security_admin_lifts_a_lock_but_cannot_edit_accounts(client, security_admin,
                                                                    ent_nanjing):
    from tests.accounts.helpers import post_login

    for _ in range(5):
        post_login(client, ent_nanjing.username, "Wrong@2026pass", REMOTE_ADDR="10.0.0.9")
    assert post_login(client, ent_nanjing.username, PASSWORD,
                      REMOTE_ADDR="10.0.0.9").status_code == 429
    client.force_login(security_admin)
    client.post(reverse("admin:accounts_user_changelist"),
                {"action": "unlock_accounts", "_selected_action": [ent_nanjing.pk]})
    assert SecurityEvent.objects.filter(event="unlock", user=security_admin).exists()
    client.post(reverse("admin:accounts_user_change", args=[ent_nanjing.pk]),
                {"person_name": "改", "email": ent_nanjing.email})
    ent_nanjing.refresh_from_db()
    assert ent_nanjing.person_name != "改" and ent_nanjing.is_active
    client.logout()
    assert post_login(client, ent_nanjing.username, PASSWORD,
                      REMOTE_ADDR="10.0.0.9").status_code == 302


def test_the_system_admin_cannot_lift_a_lock(client, system_admin, ent_nanjing):
    client.force_login(system_admin)
    page = client.get(reverse("admin:accounts_user_changelist"))
    assert "unlock_accounts" not in page.content.decode()


# --- creating role accounts ------------------------------------------------------------------


def test_create_role_account_shows_a_generated_password_once(client):
    out = StringIO()
    call_command("create_role_account", "auditor1", "--role", "audit", stdout=out)
    password = out.getvalue().split("初始密码（只显示这一次）：")[1].strip()
    account = User.objects.get(username="auditor1")
    assert account.is_staff and not account.is_superuser and not account.is_official
    assert role_of(account) == AUDIT_ADMINS and account.check_password(password)


@pytest.mark.parametrize(("args", "message"), [
    (["dup", "--role", "audit", "--password", "Fresh#2027word"], "已存在"),
    (["weak", "--role", "audit", "--password", "12345678"], "密码"),
])
def test_create_role_account_refuses_a_taken_name_or_a_weak_password(args, message):
    role_account("dup", "system")
    with pytest.raises(CommandError, match=message):
        call_command("create_role_account", *args)


# --- resetting a second factor: the 安全管理员 only ----------------------------------------------


def _enrolled(user: User):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)


def test_the_security_admin_resets_an_officials_second_factor_after_a_confirmation(
        client, security_admin, gd_province):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _enrolled(gd_province)
    client.force_login(security_admin)
    url = reverse("admin:accounts_user_changelist")
    chosen = {"action": "reset_otp", "_selected_action": [gd_province.pk]}
    confirm = client.post(url, chosen)
    assert confirm.status_code == 200 and "确认重置" in confirm.content.decode()
    assert TOTPDevice.objects.filter(user=gd_province).exists()  # nothing until confirmed
    assert client.post(url, {**chosen, "confirm": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=gd_province).exists()
    event = SecurityEvent.objects.get(event="otp_reset")
    assert (event.user_id, event.object_id) == (security_admin.pk, str(gd_province.pk))


@pytest.mark.parametrize("role", ["system", "audit"])
def test_the_system_and_audit_admins_cannot_reset_a_second_factor(client, roles, role,
                                                                  gd_province):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _enrolled(gd_province)
    client.force_login(roles[role])
    url = reverse("admin:accounts_user_changelist")
    page = client.get(url)
    assert "reset_otp" not in page.content.decode()
    client.post(url, {"action": "reset_otp", "_selected_action": [gd_province.pk],
                      "confirm": "yes"})
    assert TOTPDevice.objects.filter(user=gd_province).exists()
    assert not SecurityEvent.objects.filter(event="otp_reset").exists()
    assert not roles[role].has_perm("accounts.reset_otp_user")


def test_an_official_cannot_reset_a_second_factor(client, ministry, gd_province):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _enrolled(gd_province)
    client.force_login(ministry)
    client.post(reverse("admin:accounts_user_changelist"),
                {"action": "reset_otp", "_selected_action": [gd_province.pk], "confirm": "yes"})
    assert TOTPDevice.objects.filter(user=gd_province, confirmed=True).exists()
    assert not SecurityEvent.objects.filter(event="otp_reset").exists()
