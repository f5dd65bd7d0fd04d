"""Who may do what with enterprises in the admin (scoping is in portal/accounts/scoping.py)."""

from __future__ import annotations

from typing import Any

import rules

from common.tiers import Tier
from portal.accounts.models import OfficialLevel
from portal.accounts.rules import is_ministry, is_official, is_province_or_ministry


@rules.predicate
def recognises_title(user: Any, recognition: Any) -> bool:
    """The recognising level of a title (domain.md §2.1, §2.6): the ministry for every tier;
    for 创新型 and 专精特新 also the province-level officials of the enterprise's declaration
    region — a 计划单列市 (or the 兵团) is its own, so 广东 does not act for 深圳. County and city
    officials never; a 小巨人 only the ministry. Without a title: whether the user is a level
    that may ever act (the pages are offered to no one else)."""
    if is_ministry(user):
        return True
    if not (is_official(user) and user.official_level == OfficialLevel.PROVINCE):
        return False
    if recognition is None:
        return True
    if recognition.tier == Tier.GIANT or not user.declaration_region_id:
        return False
    region = recognition.enterprise.region
    return region is not None and region.declaration_region_id == user.declaration_region_id


rules.add_perm("enterprises", is_official)
rules.add_perm("enterprises.view_enterprise", is_official)
rules.add_perm("enterprises.view_industry", is_official)
rules.add_perm("enterprises.view_infoupdate", is_official)
rules.add_perm("enterprises.change_infoupdate", is_official)
rules.add_perm("enterprises.view_majorchange", is_official)
rules.add_perm("enterprises.change_majorchange", is_official)
rules.add_perm("enterprises.view_recognition", is_official)
# Titles are granted by 认定 (declarations); province-level officials record legacy titles.
rules.add_perm("enterprises.add_recognition", is_province_or_ministry)
rules.add_perm("enterprises.change_recognition", is_province_or_ministry)
# 取消认定 and 取消复核资格 (services.recognition_revoke / recognition_bar_rereview).
rules.add_perm("enterprises.revoke_recognition", recognises_title)
rules.add_perm("enterprises.bar_rereview_recognition", recognises_title)
rules.add_perm("enterprises.view_updatewindow", is_official)
rules.add_perm("enterprises.add_updatewindow", is_province_or_ministry)
rules.add_perm("enterprises.change_updatewindow", is_province_or_ministry)
rules.add_perm("enterprises.view_rereviewsetting", is_official)
rules.add_perm("enterprises.add_rereviewsetting", is_province_or_ministry)
rules.add_perm("enterprises.change_rereviewsetting", is_province_or_ministry)
rules.add_perm("enterprises.delete_rereviewsetting", is_province_or_ministry)
rules.add_perm("enterprises.view_recognitionterm", is_official)
