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


rules.add_perm("accounts", is_official)
rules.add_perm("accounts.view_user", is_official)
rules.add_perm("accounts.add_user", can_create_officials)
rules.add_perm("accounts.change_user", is_official & manages_account)
rules.add_perm("accounts.view_phonechangerequest", is_official)
rules.add_perm("accounts.change_phonechangerequest", is_official)
rules.add_perm("accounts.view_smsmessage", is_official)

rules.add_perm("regions", is_official)
rules.add_perm("regions.view_region", is_official)
rules.add_perm("regions.view_declarationregion", is_province_or_ministry)
rules.add_perm("regions.change_declarationregion", is_province_or_ministry)
