"""Who may do what in the admin (rules predicates; scoping itself is in scoping.py)."""

from __future__ import annotations

import rules

from .models import OfficialLevel


@rules.predicate
def is_official(user) -> bool:
    return bool(getattr(user, "is_official", False)) and user.is_active


@rules.predicate
def is_ministry(user) -> bool:
    return is_official(user) and user.official_level == OfficialLevel.MINISTRY


@rules.predicate
def is_province_or_ministry(user) -> bool:
    return is_official(user) and user.official_level in (
        OfficialLevel.MINISTRY,
        OfficialLevel.PROVINCE,
    )


@rules.predicate
def can_create_officials(user) -> bool:
    return is_official(user) and user.official_level != OfficialLevel.COUNTY


@rules.predicate
def manages_account(user, account) -> bool:
    """An official changes an official of a lower level, or a non-official account."""
    if account is None:
        return True
    if account.is_official:
        return account.level_rank > user.level_rank
    return True


rules.add_perm("accounts.view_phonechangerequest", is_official)
rules.add_perm("accounts.change_phonechangerequest", is_official)
rules.add_perm("accounts.view_smsmessage", is_official)

rules.add_perm("regions", is_official)
rules.add_perm("regions.view_region", is_official)
rules.add_perm("regions.view_declarationregion", is_province_or_ministry)
rules.add_perm("regions.change_declarationregion", is_province_or_ministry)


# --- 三权分立 (等保 2.0 访问控制 d, 安全管理中心): three operator roles, one Django group each,
# created by audit's migration 0002. A role account is staff, not an official, and holds exactly
# one of the three groups; holding two (or being an official too) gives neither.
SYSTEM_ADMINS = "系统管理员"  # accounts and system settings; never the audit log
SECURITY_ADMINS = "安全管理员"  # login locks, second-factor resets, security settings
AUDIT_ADMINS = "审计管理员"  # reads the audit log and the security events, nothing else
ROLE_GROUPS = (SYSTEM_ADMINS, SECURITY_ADMINS, AUDIT_ADMINS)


def role_of(user) -> str | None:
    """The one operator role `user` holds, or None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_staff:
        return None
    if getattr(user, "is_official", False):
        return None
    cached = getattr(user, "_role_groups", None)
    if cached is None:
        cached = user._role_groups = frozenset(
            user.groups.filter(name__in=ROLE_GROUPS).values_list("name", flat=True))
    return next(iter(cached)) if len(cached) == 1 else None


@rules.predicate
def is_system_admin(user) -> bool:
    return role_of(user) == SYSTEM_ADMINS


@rules.predicate
def is_security_admin(user) -> bool:
    return role_of(user) == SECURITY_ADMINS


@rules.predicate
def is_audit_admin(user) -> bool:
    return role_of(user) == AUDIT_ADMINS


@rules.predicate
def is_role_admin(user) -> bool:
    return role_of(user) is not None


@rules.predicate
def is_plain_account(user, account) -> bool:
    """An account that is neither a superuser nor a role account: what a 系统管理员 may change
    (so it can never disable the auditor or the security officer)."""
    if account is None:
        return True
    return not account.is_superuser and (account.is_official or not account.is_staff)


# Accounts: the 系统管理员 reads and changes them (name, phone, e-mail, active); the 安全管理员
# reads them to lift login locks.
rules.add_perm("accounts.unlock_user", is_official | is_security_admin)
# A lost authenticator: only the 安全管理员 removes an account's second factor in the admin
# (operators use `manage.py reset_otp`); never the 系统管理员 or the 审计管理员.
rules.add_perm("accounts.reset_otp_user", is_security_admin)
rules.add_perm("accounts", is_official | is_system_admin | is_security_admin)
rules.add_perm("accounts.view_user", is_official | is_system_admin | is_security_admin)
rules.add_perm("accounts.add_user", can_create_officials)
rules.add_perm("accounts.change_user",
               (is_official & manages_account) | (is_system_admin & is_plain_account))
