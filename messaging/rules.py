"""Who may do what with messages in the admin (scoping is in portal/accounts/scoping.py)."""

import rules

from portal.accounts.rules import is_official

rules.add_perm("messaging", is_official)
rules.add_perm("messaging.view_message", is_official)
# 申报提醒 to the enterprises of the official's own region (every level, its own scope).
rules.add_perm("messaging.send_broadcast", is_official)
