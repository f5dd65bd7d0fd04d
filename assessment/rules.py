"""Who may do what with assessments in the admin (region scoping is in portal/accounts/scoping.py).

Questionnaires are national (one per category for the whole country): officials read and
export them; only the ministry imports, revises and activates versions.
"""

import rules

from portal.accounts.rules import is_ministry, is_official

rules.add_perm("assessment", is_official)
rules.add_perm("assessment.view_attempt", is_official)
rules.add_perm("assessment.view_questionnaire", is_official)
rules.add_perm("assessment.add_questionnaire", is_ministry)
rules.add_perm("assessment.change_questionnaire", is_ministry)
rules.add_perm("assessment.view_producerserviceindustry", is_official)
rules.add_perm("assessment.add_producerserviceindustry", is_ministry)
rules.add_perm("assessment.change_producerserviceindustry", is_ministry)
rules.add_perm("assessment.delete_producerserviceindustry", is_ministry)
