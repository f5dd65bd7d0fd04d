"""Log in with 登录名, 统一社会信用代码 or 身份证号 (manual FAQ 3)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.http import HttpRequest

from common.crypto import blind_index

from .models import User
from .validators import is_valid_id_number, normalize_code


def find_account(identifier: str) -> User | None:
    """The one account that `identifier` names, by login name, USCC or ID number."""
    raw = (identifier or "").strip()
    if not raw:
        return None
    code = normalize_code(raw)
    matches = list(
        User.objects.filter(
            Q(username=raw) | Q(uscc=code) | Q(id_number_hash=blind_index(code))
        )[:2]
    )
    return matches[0] if len(matches) == 1 else None


class IdentifierBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        """The account of a logged-in request: the one query every such request makes, written
        once rather than compiled by the ORM each time (a fifth of what being logged in costs).
        All columns, so nothing is read again; `user_can_authenticate` as Django's own."""
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        if pk is None or not -(2**63) <= pk < 2**63:  # no bigint can hold it: no account
            return None
        quote = connection.ops.quote_name
        sql = (f"SELECT * FROM {quote(User._meta.db_table)} "  # noqa: S608  # nosec B608 - the model's own table and key column; the id is a parameter
               f"WHERE {quote(User._meta.pk.column)} = %s")
        user = next(iter(User.objects.raw(sql, [pk])), None)
        return user if user is not None and self.user_can_authenticate(user) else None

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        user = find_account(username)
        if user is None:
            # Same cost as a real check, so timing does not reveal which names exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """Lockout key: the account, whichever of its identifiers was typed."""
    typed = (credentials or {}).get("username") or request.POST.get("username", "")
    user = find_account(typed)
    if user:
        return user.username
    code = normalize_code(typed)
    # An unregistered 身份证号 is still personal data: the lockout counts it by its keyed hash,
    # so neither axes' records nor LoginFailure rows hold it in clear.
    return f"身份证号#{blind_index(code)[:24]}" if is_valid_id_number(code) else code
