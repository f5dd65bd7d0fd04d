"""Who may do what with announcements in the admin (rules predicates).

部级 are published by the ministry; 省级 by a province official for its own declaration region;
city and county officials read only. Which rows an official sees at all is scoping.py's
business (RegionScopedAdminMixin with declaration_region_field="issuing_region").
"""

from __future__ import annotations

import rules

from portal.accounts.models import OfficialLevel
from portal.accounts.rules import is_ministry, is_official, is_province_or_ministry

from .models import Level, Status


@rules.predicate
def manages_announcement(user, announcement) -> bool:
    if announcement is None:
        return True
    if user.official_level == OfficialLevel.MINISTRY:
        return announcement.level == Level.MINISTRY
    return (user.official_level == OfficialLevel.PROVINCE
            and announcement.level == Level.PROVINCE
            and announcement.issuing_region_id == user.declaration_region_id)


@rules.predicate
def is_draft(user, announcement) -> bool:
    # A published announcement is withdrawn, never deleted: its history stays.
    return announcement is None or announcement.status == Status.DRAFT


can_publish = is_province_or_ministry & manages_announcement

rules.add_perm("announcements", is_official)
rules.add_perm("announcements.view_announcement", is_official)
rules.add_perm("announcements.add_announcement", is_province_or_ministry)
rules.add_perm("announcements.change_announcement", can_publish)
rules.add_perm("announcements.delete_announcement", can_publish & is_draft)
rules.add_perm("announcements.publish_announcement", can_publish)
rules.add_perm("announcements.withdraw_announcement", can_publish)
# The home page switch and links are national: the ministry's.
rules.add_perm("announcements.view_sitesettings", is_ministry)
rules.add_perm("announcements.change_sitesettings", is_ministry)
