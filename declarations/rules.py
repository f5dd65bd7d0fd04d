"""Who may do what with declarations in the admin (rules predicates)."""

from __future__ import annotations

import rules

from portal.accounts.models import OfficialLevel
from portal.accounts.rules import is_official, is_province_or_ministry


@rules.predicate
def manages_region_row(user, row) -> bool:
    """A row that belongs to a declaration region (a window, a review-chain setting): the
    ministry maintains any region's, a province official only its own."""
    if row is None:
        return True
    if user.official_level == OfficialLevel.MINISTRY:
        return True
    return (user.official_level == OfficialLevel.PROVINCE
            and row.declaration_region_id == user.declaration_region_id)


rules.add_perm("declarations", is_official)
# Every official may look at the windows of their own declaration region (scoping.py);
# only province officials and the ministry maintain them.
rules.add_perm("declarations.view_declarationwindow", is_official)
rules.add_perm("declarations.add_declarationwindow", is_province_or_ministry)
rules.add_perm("declarations.change_declarationwindow", is_province_or_ministry & manages_region_row)
rules.add_perm("declarations.delete_declarationwindow", is_province_or_ministry & manages_region_row)
# Declarations: every official reads those of its scope (scoping.py) and decides at its own
# level — which step is open to whom is the transition table's business (services.WORKFLOW).
rules.add_perm("declarations.view_declaration", is_official)
rules.add_perm("declarations.change_declaration", is_official)
rules.add_perm("declarations.view_onsitecheck", is_official)
rules.add_perm("declarations.change_onsitecheck", is_official)
rules.add_perm("declarations.view_samplingrun", is_official)
# 申报书核验: every official checks paper copies of the declarations in their own scope
# (the lookup itself is scoped, declarations.verification).
rules.add_perm("declarations.verify_declaration", is_official)


rules.add_perm("declarations.view_reviewchain", is_official)
rules.add_perm("declarations.add_reviewchain", is_province_or_ministry)
rules.add_perm("declarations.change_reviewchain", is_province_or_ministry & manages_region_row)
rules.add_perm("declarations.delete_reviewchain", is_province_or_ministry & manages_region_row)


@rules.predicate
def recognises_batch(user, batch) -> bool:
    """The recognising level of the batch: its declaration region's 省级 official, or the
    ministry for a national (小巨人) batch. Without an object: whoever may build one."""
    if batch is None:
        return True
    from .services import recognises

    return recognises(user, tier=batch.tier, declaration_region_id=batch.declaration_region_id)


@rules.predicate
def recognises_objection_batch(user, objection) -> bool:
    return objection is None or recognises_batch(user, objection.batch)


# 公示 and 认定: every official reads the batches of their declaration region (scoping.py);
# the recognising level builds, publicises and recognises them (services.recognises).
rules.add_perm("declarations.view_recognitionbatch", is_official)
rules.add_perm("declarations.add_recognitionbatch", is_province_or_ministry)
rules.add_perm("declarations.change_recognitionbatch", is_province_or_ministry & recognises_batch)
rules.add_perm("declarations.view_objection", is_official)
rules.add_perm("declarations.add_objection", is_province_or_ministry)
rules.add_perm("declarations.change_objection",
               is_province_or_ministry & recognises_objection_batch)

# 统计分析: every official sees the counts of their own scope (declarations.statistics).
rules.add_perm("declarations.view_statistics", is_official)
