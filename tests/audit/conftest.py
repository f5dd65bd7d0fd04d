"""Operator accounts of the three 三权分立 roles."""

from __future__ import annotations

import pytest

from audit.services import role_account_create
from portal.accounts.models import User
from tests.conftest import PASSWORD

# The declarations' fixtures, for the download and export events.
from tests.declarations.conftest import company, gd_innovative  # noqa: F401
from tests.declarations.test_exports import gd_rows, gd_window  # noqa: F401


def role_account(username: str, role: str) -> User:
    """A role account that has already set its own password (created with must_change_password,
    tested in tests/accounts/test_password_policy.py)."""
    account = role_account_create(username=username, role=role, password=PASSWORD,
                                  person_name=username)
    User.objects.filter(pk=account.pk).update(must_change_password=False)
    account.must_change_password = False
    return account


@pytest.fixture
def system_admin(db) -> User:
    return role_account("r_system", "system")


@pytest.fixture
def security_admin(db) -> User:
    return role_account("r_security", "security")


@pytest.fixture
def audit_admin(db) -> User:
    return role_account("r_audit", "audit")
