"""`security_event(...)`: the one way to write a SecurityEvent row.

Every part of the product that has something security-relevant to record calls it: the login
signals (audit/receivers.py), the denied-response middleware, every export and every download
of evidence or a 申报书, and the second factor (enrol, failure, reset).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.db import models
from django.http import HttpRequest

from .context import current_request
from .models import SecurityEvent

logger = logging.getLogger("audit")

Event = SecurityEvent.Event
Result = SecurityEvent.Result

_ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")
_MOBILE = re.compile(r"^1\d{10}$")


def mask_identifier(value: str) -> str:
    """A login name as the audit log may keep it: a 身份证号 or a 手机号 typed as a login name
    is masked (110***********1234, 138****5678); anything else is kept as typed."""
    value = (value or "").strip()
    if _ID_NUMBER.match(value):
        return f"{value[:3]}{'*' * 11}{value[-4:]}"
    if _MOBILE.match(value):
        return f"{value[:3]}****{value[-4:]}"
    return value[:150]


def _object(obj: models.Model | tuple[str, Any] | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    if isinstance(obj, models.Model):
        return obj._meta.label_lower, str(obj.pk)
    kind, ident = obj
    return str(kind)[:100], str(ident)[:255]


def security_event(*, event: str, request: HttpRequest | None = None, user: Any = None,
                   username: str = "", obj: models.Model | tuple[str, Any] | None = None,
                   result: str = Result.SUCCESS, detail: str = "") -> SecurityEvent:
    """Record one security event and return its row.

    `request` defaults to the request being served (so the client address and the request id
    are filled in wherever the call is made); `user` defaults to the request's user when it
    is logged in; `username` to that user's login name (a name typed on a failed login is
    passed here and masked when it is a 身份证号 or 手机号); `obj` is a model instance or a
    (type, id) pair such as ("url", "/admin/…"); `detail` a short text (never a password,
    a code or a full ID number).
    """
    from portal.accounts.clientip import client_ip

    request = request if request is not None else current_request.get()
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    if user is not None and not getattr(user, "pk", None):
        user = None
    name = username or (user.get_username() if user is not None else "")
    object_type, object_id = _object(obj)
    address = client_ip(request) if request is not None else ""
    row = SecurityEvent.objects.create(
        user=user, username=mask_identifier(name), ip_address=address or None, event=event,
        object_type=object_type, object_id=object_id, result=result,
        request_id=getattr(request, "request_id", "") if request is not None else "",
        detail=detail[:500])
    return row


ROLES = {"system": "系统管理员", "security": "安全管理员", "audit": "审计管理员"}


def role_account_create(*, username: str, role: str, password: str,
                        person_name: str = "") -> Any:
    """An operator account holding one of the three 三权分立 roles (`ROLES`): staff, not an
    official, so it reaches the admin with that role's rights only (portal/accounts/rules.py).
    The password is checked by the same validators as every other."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    if role not in ROLES:
        raise ValidationError(f"未知角色 {role!r}，可选：{'、'.join(ROLES)}。")
    User = get_user_model()  # noqa: N806
    if User.objects.filter(username=username).exists():
        raise ValidationError(f"登录名 {username} 已存在。")
    account = User(username=username, person_name=person_name, is_staff=True)
    validate_password(password, account)
    with transaction.atomic():
        account.set_password(password)
        # Chosen by the operator: the role account sets its own at first login.
        account.must_change_password = True
        account.save()
        account.groups.add(Group.objects.get(name=ROLES[role]))
    return account
