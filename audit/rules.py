"""Who may read the audit log (三权分立): the 审计管理员 reads the security events and every
model's change history; nobody — superusers included — adds, changes or deletes a row
(audit/admin.py answers no to those whatever the permissions say)."""

from __future__ import annotations

import rules
from django.apps import apps

from portal.accounts.rules import is_audit_admin, is_security_admin, is_system_admin

from .triggers import is_history_model

rules.add_perm("audit", is_audit_admin)
rules.add_perm("audit.view_securityevent", is_audit_admin)
for _model in apps.get_models():
    if is_history_model(_model):
        rules.add_perm(f"{_model._meta.app_label}.view_{_model._meta.model_name}", is_audit_admin)

# The 安全管理员 reads the login-lockout records and lifts a lock by deleting its attempt.
for _name in ("accessattempt", "accessfailurelog", "accesslog"):
    rules.add_perm(f"axes.view_{_name}", is_security_admin)
rules.add_perm("axes.delete_accessattempt", is_security_admin)

# The 系统管理员 keeps the calendar's schedules (django-celery-beat): system settings.
for _name in ("periodictask", "crontabschedule", "intervalschedule", "clockedschedule",
              "solarschedule"):
    for _action in ("view", "add", "change", "delete"):
        rules.add_perm(f"django_celery_beat.{_action}_{_name}", is_system_admin)
