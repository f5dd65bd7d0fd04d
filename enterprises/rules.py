"""Who may do what with enterprises in the admin (scoping is in portal/accounts/scoping.py)."""

import rules

from portal.accounts.rules import is_official, is_province_or_ministry

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
rules.add_perm("enterprises.view_updatewindow", is_official)
rules.add_perm("enterprises.add_updatewindow", is_province_or_ministry)
rules.add_perm("enterprises.change_updatewindow", is_province_or_ministry)
rules.add_perm("enterprises.view_rereviewsetting", is_official)
rules.add_perm("enterprises.add_rereviewsetting", is_province_or_ministry)
rules.add_perm("enterprises.change_rereviewsetting", is_province_or_ministry)
rules.add_perm("enterprises.delete_rereviewsetting", is_province_or_ministry)
rules.add_perm("enterprises.view_recognitionterm", is_official)
