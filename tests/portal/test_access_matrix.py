"""Every URL of the site, asked by every role with its own objects and with the other party's.

The Oxide `unauthorized_coverage` pattern: TABLE classifies every URL name (one line each, with
its reason) for {anonymous, 法人账户 A and B, 自然人, county/city/province officials of region X
and of region Y, the ministry} × {GET, POST}; the test walks `get_resolver()` and fails on a
name that is not in the table, then asks each URL as each role — with the requester's own
object and with the other party's (enterprise B's declaration for enterprise A, 江苏's rows for
广东's officials) — and compares the answer with the table. A refused POST must change nothing.
An unclassified URL's failure prints what it answers now, as a line to review and paste.

The rule language is in tests/portal/access.py; the world (two parties, X = 广东 and Y = 江苏,
each with one object of every kind) in tests/portal/access_world.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from captcha.models import CaptchaStore
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from tests.portal.access import (
    COLUMNS,
    LET_IN,
    LEVELS,
    OWN_COLUMNS,
    REFUSED,
    ROLES,
    R,
    admin_object_label,
    ask,
    is_admin_fallback,
    log_in,
    outcome_of,
    walk,
)
from tests.portal.access_world import Party, World, build_world

pytestmark = pytest.mark.django_db

# --- how each URL names a party's objects ----------------------------------------------------
# (kwargs, the object a POST must leave alone when refused). Model admins' change/delete/
# history pages take the party's row of their model (access_world: Party.objects).

Args = Callable[[World, Party], tuple[dict[str, Any], Any]]


def _uuid(key: str, name: str = "public_id") -> Args:
    return lambda w, p: ({name: p[key].public_id}, p[key])


def _pk(key: str, name: str = "pk") -> Args:
    return lambda w, p: ({name: p[key].pk}, p[key])


def _evidence(declaration: str, evidence: str) -> Args:
    return lambda w, p: ({"public_id": p[declaration].public_id, "evidence_id": p[evidence].pk},
                         p[evidence])


PARTY_ARGS: dict[str, Args] = {
    "admin:enterprises_recognition_revoke": _pk("enterprises.recognition"),
    "admin:enterprises_recognition_bar_rereview": _pk("enterprises.recognition"),
    "messaging:detail": _pk("messaging.message"),
    "enterprises:change_detail": _uuid("draft_change"),
    "enterprises:change_edit": _uuid("draft_change"),
    "enterprises:change_submit": _uuid("draft_change"),
    "enterprises:change_delete": _uuid("draft_change"),
    # The submitted change's file: deleting the draft (change_delete) removes its files from
    # the disk, which no rollback brings back.
    "enterprises:change_file": lambda w, p: (
        {"public_id": p["enterprises.majorchange"].public_id,
         "file_id": p["enterprises.majorchange_file"].pk}, p["enterprises.majorchange_file"]),
    "announcements:detail": _pk("announcements.announcement"),
    "announcements:attachment": lambda w, p: (
        {"pk": p["announcements.announcement"].pk, "attachment_pk": p["attachment"].pk},
        p["attachment"]),
    "declarations:detail": _uuid("declarations.declaration"),
    "declarations:preview": _uuid("draft"),
    "declarations:edit": _uuid("draft"),
    "declarations:autosave": _uuid("draft"),
    "declarations:submit": _uuid("draft"),
    "declarations:pdf": _uuid("declarations.declaration"),
    "declarations:evidence_upload": _uuid("draft"),
    "declarations:evidence_file": _evidence("draft", "draft_evidence"),
    "declarations:evidence_delete": _evidence("draft", "draft_evidence"),
    "declarations:rereview_start": _pk("enterprises.recognition", "recognition_id"),
    "assessment:take": _uuid("draft_attempt"),
    "assessment:autosave": _uuid("draft_attempt"),
    "assessment:discard": _uuid("draft_attempt"),
    "assessment:result": _uuid("draft_attempt"),
    "assessment:report": _uuid("draft_attempt"),
    "admin:view_on_site": lambda w, p: (
        {"content_type_id": w.national["declaration_content_type"].pk,
         "object_id": p["declarations.declaration"].pk}, p["declarations.declaration"]),
    "admin:declarations_export_job": _pk("export_job"),
    "admin:declarations_export_download": _pk("export_job"),
    "admin:accounts_phonechangerequest_letter": _pk("accounts.phonechangerequest"),
    "admin:enterprises_majorchange_file": lambda w, p: (
        {"pk": p["enterprises.majorchange"].pk, "file_id": p["enterprises.majorchange_file"].pk},
        p["enterprises.majorchange_file"]),
    "admin:announcements_announcement_preview": _pk("announcements.announcement", "object_id"),
    "admin:announcements_announcement_publish": _pk("announcements.announcement", "object_id"),
    "admin:announcements_announcement_withdraw": _pk("announcements.announcement", "object_id"),
    "admin:declarations_declaration_evidence": lambda w, p: (
        {"pk": p["declarations.declaration"].pk, "evidence_id": p["filed_evidence"].pk},
        p["filed_evidence"]),
    "admin:declarations_declaration_judge": _pk("declarations.declaration"),
    "admin:declarations_objection_letter": _pk("declarations.objection"),
}

# URLs whose arguments name nothing that belongs to a party.
FIXED_ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "enterprises:options": lambda w: {"tree": "industries"},
    "declarations:open_regions": lambda w: {"tier": "innovative"},
    "declarations:start": lambda w: {"tier": "innovative"},
    "accounts:recover_confirm": lambda w: {"uidb64": "MQ", "token": "bad-token"},
    "captcha-image": lambda w: {"key": w.national["captcha"]},
    "captcha-image-2x": lambda w: {"key": w.national["captcha"]},
    "captcha-audio": lambda w: {"key": w.national["captcha"]},
    "admin:app_list": lambda w: {"app_label": "declarations"},
    "admin:assessment_questionnaire_export": lambda w: {
        "pk": w.national["assessment.questionnaire"].pk},
    "admin:assessment_questionnaire_new_version": lambda w: {
        "pk": w.national["assessment.questionnaire"].pk},
}

# --- the table -------------------------------------------------------------------------------

TABLE: dict[str, R] = {
    "admin:accounts_historicaluser_add": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:accounts_historicaluser_change": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:accounts_historicaluser_changelist": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:accounts_historicaluser_delete": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:accounts_historicaluser_history": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:assessment_historicalquestionnaire_add": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:assessment_historicalquestionnaire_changelist": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:audit_securityevent_add": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:audit_securityevent_change": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:audit_securityevent_changelist": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:audit_securityevent_delete": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:audit_securityevent_history": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:common_historicaldecisionevent_add": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:common_historicaldecisionevent_change": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:common_historicaldecisionevent_changelist": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:common_historicaldecisionevent_delete": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:common_historicaldecisionevent_history": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:declarations_historicaldeclaration_add": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:declarations_historicaldeclaration_change": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:declarations_historicaldeclaration_changelist": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:declarations_historicaldeclaration_delete": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:declarations_historicaldeclaration_history": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:declarations_historicaldeclarationwindow_add": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:declarations_historicaldeclarationwindow_change": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:declarations_historicaldeclarationwindow_changelist": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:declarations_historicaldeclarationwindow_delete": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:declarations_historicaldeclarationwindow_history": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_historicalenterprise_add": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_historicalenterprise_change": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_historicalenterprise_changelist": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_historicalenterprise_delete": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_historicalenterprise_history": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_historicalrecognition_add": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_historicalrecognition_change": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_historicalrecognition_changelist": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_historicalrecognition_delete": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_historicalrecognition_history": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_historicalupdatewindow_add": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_historicalupdatewindow_change": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_historicalupdatewindow_changelist": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_historicalupdatewindow_delete": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_historicalupdatewindow_history": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_historicalyearfigures_add": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_historicalyearfigures_change": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_historicalyearfigures_changelist": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_historicalyearfigures_delete": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_historicalyearfigures_history": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:enterprises_recognition_bar_rereview": R("anon=admin_login person=admin_login ent=admin_login county=403 city=403 province=ok ministry=ok county_other=404 city_other=404", "取消复核资格: the recognising level in scope (province, ministry)"),
    "admin:enterprises_recognition_revoke": R("anon=admin_login person=admin_login ent=admin_login county=403 city=403 province=ok ministry=ok county_other=404 city_other=404", "取消认定: the recognising level in scope (province, ministry)"),
    "admin:assessment_historicalquestionnaire_change": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:assessment_historicalquestionnaire_delete": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "admin:assessment_historicalquestionnaire_history": R("anon=admin_login person=admin_login ent=admin_login officials=403", "audit record: the 审计管理员 reads it; officials are refused"),
    "accounts:admin_password": R("anon=login person=403 ent=403 officials=ok", "an admin account's own password; a POST without the old password changes nothing"),
    "accounts:email_change": R("anon=login person=ok ent=ok officials=403", "the account's own login e-mail, with a one-time code; the POST without a code changes nothing"),
    "accounts:otp_backup_codes": R("anon=login person=403 ent=403 officials=ok", "an admin account's own backup codes; regenerating needs the confirmation box"),
    "accounts:otp_setup": R("anon=login person=403 ent=403 officials=moved", "second-factor enrolment; an enrolled account is sent to the verification"),
    "accounts:otp_verify": R("anon=login person=403 ent=403 officials=moved", "second-factor check; an already verified session is sent on"),
    "accounts:password_change": R("anon=login person=ok ent=ok officials=403", "the account's own password, with a one-time code; the POST without a code changes nothing"),
    "accounts:security": R("anon=login person=ok/405 ent=ok/405 officials=403/403", "账户安全 of the account itself; admin accounts use the admin"),
    "accounts:login": R("anon=ok person=moved ent=moved officials=moved", "the site's login; a logged-in account is sent on"),
    "accounts:logout": R("everyone=405/moved", "POST only (Django 5); logs out whoever asks"),
    "accounts:phone": R("everyone=ok", "手机号修改 entry: for people who cannot log in (FAQ 1)"),
    "accounts:phone_email": R("everyone=ok", "邮箱核验, public: the code goes to the e-mail on file"),
    "accounts:phone_email_verify": R("everyone=moved", "without a started 邮箱核验 in the session it sends back"),
    "accounts:phone_manual": R("everyone=ok", "人工核验 request, public (FAQ 1); decided by officials"),
    "accounts:privacy": R("everyone=ok/405", "public text"),
    "accounts:recover": R("everyone=ok", "账号找回, public (FAQ 3)"),
    "accounts:recover_complete": R("everyone=ok", "public confirmation page"),
    "accounts:recover_confirm": R("everyone=ok", "a bad link says so, whoever opens it"),
    "accounts:register": R("everyone=ok", "public registration"),
    "accounts:terms": R("everyone=ok/405", "public text"),
    "admin:accounts_phonechangerequest_add": R("nonstaff=admin_login officials=403", "rows come from services, not this form"),
    "admin:accounts_phonechangerequest_change": R("nonstaff=admin_login officials=ok", "in scope"),
    "admin:accounts_phonechangerequest_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:accounts_phonechangerequest_delete": R("nonstaff=admin_login officials=403", "never deleted by officials"),
    "admin:accounts_phonechangerequest_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:accounts_phonechangerequest_letter": R("nonstaff=admin_login officials=ok", "the account's region reads the letter"),
    "admin:accounts_smsmessage_add": R("nonstaff=admin_login officials=403", "rows come from services, not this form"),
    "admin:accounts_smsmessage_change": R("nonstaff=admin_login officials=ok/403", "read-only for officials, in scope"),
    "admin:accounts_smsmessage_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:accounts_smsmessage_delete": R("nonstaff=admin_login officials=403", "never deleted by officials"),
    "admin:accounts_smsmessage_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:accounts_user_add": R("nonstaff=admin_login county=403 city=ok province=ok ministry=ok", "city and above create officials below them"),
    "admin:accounts_user_change": R("nonstaff=admin_login officials=ok/moved", "accounts in the region; officials of lower levels and enterprises"),
    "admin:accounts_user_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:accounts_user_delete": R("nonstaff=admin_login officials=403", "never deleted by officials"),
    "admin:accounts_user_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:announcements_announcement_add": R("nonstaff=admin_login county=403 city=403 province=ok ministry=ok", "provinces and the ministry issue announcements"),
    "admin:announcements_announcement_change": R("nonstaff=admin_login county=ok/403 city=ok/403 province=ok ministry=ok/403", "read by all; edited by its issuer (a province)"),
    "admin:announcements_announcement_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:announcements_announcement_delete": R("nonstaff=admin_login officials=403 province_other=404", "only drafts are deleted"),
    "admin:announcements_announcement_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:announcements_announcement_preview": R("nonstaff=admin_login officials=ok", "every official may read announcements"),
    "admin:announcements_announcement_publish": R("nonstaff=admin_login county=403 city=403 province=ok ministry=403 county_other=404 city_other=404", "the issuing province only"),
    "admin:announcements_announcement_withdraw": R("nonstaff=admin_login county=403 city=403 province=ok/moved ministry=403 county_other=404 city_other=404", "the issuing province only"),
    "admin:announcements_sitesettings_add": R("nonstaff=admin_login officials=403", "rows come from services, not this form"),
    "admin:announcements_sitesettings_change": R("nonstaff=admin_login county=403 city=403 province=403 ministry=ok", "站点设置: the ministry"),
    "admin:announcements_sitesettings_changelist": R("nonstaff=admin_login county=403 city=403 province=403 ministry=moved", "站点设置: the ministry (sent to the one row)"),
    "admin:announcements_sitesettings_delete": R("nonstaff=admin_login officials=403", "never deleted by officials"),
    "admin:announcements_sitesettings_history": R("nonstaff=admin_login county=404 city=404 province=404 ministry=ok", "站点设置: the ministry"),
    "admin:app_list": R("nonstaff=admin_login officials=ok", "an app's models, as permitted"),
    "admin:assessment_attempt_add": R("nonstaff=admin_login officials=403", "rows come from services, not this form"),
    "admin:assessment_attempt_change": R("nonstaff=admin_login officials=ok/403", "submitted attempts in scope, read-only"),
    "admin:assessment_attempt_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:assessment_attempt_delete": R("nonstaff=admin_login officials=403", "never deleted by officials"),
    "admin:assessment_attempt_export": R("nonstaff=admin_login officials=ok", "attempts within the official's scope"),
    "admin:assessment_attempt_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:assessment_producerserviceindustry_add": R("nonstaff=admin_login county=403 city=403 province=403 ministry=ok", "provinces and the ministry set it up"),
    "admin:assessment_producerserviceindustry_change": R("nonstaff=admin_login county=ok/403 city=ok/403 province=ok/403 ministry=ok", "read-only for officials, in scope"),
    "admin:assessment_producerserviceindustry_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:assessment_producerserviceindustry_delete": R("nonstaff=admin_login county=403 city=403 province=403 ministry=ok/moved", "provinces and the ministry remove their own"),
    "admin:assessment_producerserviceindustry_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:assessment_questionnaire_add": R("nonstaff=admin_login county=403 city=403 province=403 ministry=ok", "provinces and the ministry set it up"),
    "admin:assessment_questionnaire_change": R("nonstaff=admin_login county=ok/403 city=ok/403 province=ok/403 ministry=ok", "read-only for officials, in scope"),
    "admin:assessment_questionnaire_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:assessment_questionnaire_delete": R("nonstaff=admin_login officials=403", "never deleted by officials"),
    "admin:assessment_questionnaire_export": R("nonstaff=admin_login officials=ok", "national data every official reads"),
    "admin:assessment_questionnaire_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:assessment_questionnaire_new_version": R("nonstaff=admin_login county=405/404 city=405/404 province=405/404 ministry=405/moved", "POST only; the ministry"),
    "admin:auth_group_add": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:auth_group_change": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:auth_group_changelist": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:auth_group_delete": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:auth_group_history": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:autocomplete": R("nonstaff=admin_login officials=403/405", "needs the widget's parameters; refused without"),
    "admin:axes_accessattempt_add": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:axes_accessattempt_change": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:axes_accessattempt_changelist": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:axes_accessattempt_delete": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:axes_accessattempt_history": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:axes_accessfailurelog_add": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:axes_accessfailurelog_change": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:axes_accessfailurelog_changelist": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:axes_accessfailurelog_delete": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:axes_accessfailurelog_history": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:axes_accesslog_add": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:axes_accesslog_change": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:axes_accesslog_changelist": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:axes_accesslog_delete": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:axes_accesslog_history": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:declarations_declaration_add": R("nonstaff=admin_login officials=403", "rows come from services, not this form"),
    "admin:declarations_declaration_change": R("nonstaff=admin_login county=ok city=ok/403 province=ok/403 ministry=ok/403 city_other=404 province_other=404", "the region's officials read; the current level decides"),
    "admin:declarations_declaration_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:declarations_declaration_delete": R("nonstaff=admin_login officials=403", "never deleted by officials"),
    "admin:declarations_declaration_evidence": R("nonstaff=admin_login officials=ok", "the region's officials download evidence"),
    "admin:declarations_declaration_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:declarations_declaration_judge": R("nonstaff=admin_login officials=ok", "the region's officials (the service checks the level)"),
    "admin:declarations_declarationwindow_add": R("nonstaff=admin_login county=403 city=403 province=ok ministry=ok", "provinces and the ministry set it up"),
    "admin:declarations_declarationwindow_change": R("nonstaff=admin_login county=ok/403 city=ok/403 province=ok ministry=ok", "read-only for officials, in scope"),
    "admin:declarations_declarationwindow_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:declarations_declarationwindow_delete": R("nonstaff=admin_login county=403 city=403 province=ok ministry=ok", "provinces and the ministry remove their own"),
    "admin:declarations_declarationwindow_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:declarations_export_download": R("nonstaff=admin_login county=404 city=404 province=ok ministry=404", "only the official who asked downloads"),
    "admin:declarations_export_job": R("nonstaff=admin_login county=404 city=404 province=ok ministry=404", "only the official who asked sees the job"),
    "admin:declarations_export_recommend": R("nonstaff=admin_login officials=ok", "推荐汇总表 within the official's scope"),
    "admin:declarations_export_rereview": R("nonstaff=admin_login officials=ok", "复核情况汇总表 within the official's scope"),
    "admin:declarations_objection_add": R("nonstaff=admin_login county=403 city=403 province=ok ministry=ok", "provinces and the ministry set it up"),
    "admin:declarations_objection_change": R("nonstaff=admin_login county=ok/403 city=ok/403 province=ok ministry=ok/403", "read-only for officials, in scope"),
    "admin:declarations_objection_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:declarations_objection_delete": R("nonstaff=admin_login officials=403", "never deleted by officials"),
    "admin:declarations_objection_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:declarations_objection_letter": R("nonstaff=admin_login officials=ok", "the batch's region reads the letter"),
    "admin:declarations_onsitecheck_add": R("nonstaff=admin_login officials=403", "rows come from services, not this form"),
    "admin:declarations_onsitecheck_change": R("nonstaff=admin_login officials=ok/moved", "the region's officials; onsite_record refuses all but the drawing level"),
    "admin:declarations_onsitecheck_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:declarations_onsitecheck_delete": R("nonstaff=admin_login officials=403", "never deleted by officials"),
    "admin:declarations_onsitecheck_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:declarations_recognitionbatch_add": R("nonstaff=admin_login county=403 city=403 province=ok ministry=ok", "provinces and the ministry set it up"),
    "admin:declarations_recognitionbatch_change": R("nonstaff=admin_login county=ok/403 city=ok/403 province=ok ministry=ok/403", "read-only for officials, in scope"),
    "admin:declarations_recognitionbatch_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:declarations_recognitionbatch_delete": R("nonstaff=admin_login officials=403", "never deleted by officials"),
    "admin:declarations_recognitionbatch_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:declarations_reviewchain_add": R("nonstaff=admin_login county=403 city=403 province=ok ministry=ok", "provinces and the ministry set it up"),
    "admin:declarations_reviewchain_change": R("nonstaff=admin_login county=ok/403 city=ok/403 province=ok ministry=ok", "read-only for officials, in scope"),
    "admin:declarations_reviewchain_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:declarations_reviewchain_delete": R("nonstaff=admin_login county=403 city=403 province=ok/moved ministry=ok/moved", "provinces and the ministry remove their own"),
    "admin:declarations_reviewchain_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:declarations_samplingrun_add": R("nonstaff=admin_login officials=403", "rows come from services, not this form"),
    "admin:declarations_samplingrun_change": R("nonstaff=admin_login county=ok/403 city=404/403 province=404/403 ministry=ok/403", "a draw is seen by who drew it (and the ministry); read-only"),
    "admin:declarations_samplingrun_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:declarations_samplingrun_delete": R("nonstaff=admin_login officials=403", "never deleted by officials"),
    "admin:declarations_samplingrun_history": R("nonstaff=admin_login county=ok city=404 province=404 ministry=ok", "a draw is seen by who drew it (and the ministry)"),
    "admin:declarations_statistics": R("nonstaff=admin_login officials=ok", "统计分析 within the official's scope"),
    "admin:declarations_verify": R("nonstaff=admin_login officials=ok", "申报书核验 within the official's scope"),
    "admin:django_celery_beat_clockedschedule_add": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_clockedschedule_change": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_clockedschedule_changelist": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_clockedschedule_delete": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_clockedschedule_history": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_crontabschedule_add": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_crontabschedule_change": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_crontabschedule_changelist": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_crontabschedule_delete": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_crontabschedule_history": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_intervalschedule_add": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_intervalschedule_change": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_intervalschedule_changelist": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_intervalschedule_delete": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_intervalschedule_history": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_periodictask_add": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_periodictask_change": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_periodictask_changelist": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_periodictask_delete": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_periodictask_history": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_solarschedule_add": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_solarschedule_change": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_solarschedule_changelist": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_solarschedule_delete": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:django_celery_beat_solarschedule_history": R("nonstaff=admin_login officials=403", "operators' table: superusers only"),
    "admin:enterprises_enterprise_add": R("nonstaff=admin_login officials=403", "rows come from services, not this form"),
    "admin:enterprises_enterprise_change": R("nonstaff=admin_login officials=ok/403", "read-only for officials, in scope"),
    "admin:enterprises_enterprise_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:enterprises_enterprise_delete": R("nonstaff=admin_login officials=403", "never deleted by officials"),
    "admin:enterprises_enterprise_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:enterprises_infoupdate_add": R("nonstaff=admin_login officials=403", "rows come from services, not this form"),
    "admin:enterprises_infoupdate_change": R("nonstaff=admin_login officials=ok", "in scope"),
    "admin:enterprises_infoupdate_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:enterprises_infoupdate_delete": R("nonstaff=admin_login officials=403", "never deleted by officials"),
    "admin:enterprises_infoupdate_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:enterprises_majorchange_add": R("nonstaff=admin_login officials=403", "rows come from services, not this form"),
    "admin:enterprises_majorchange_change": R("nonstaff=admin_login officials=ok", "submitted changes in the reviewing region; the form decides"),
    "admin:enterprises_majorchange_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:enterprises_majorchange_delete": R("nonstaff=admin_login officials=403", "never deleted by officials"),
    "admin:enterprises_majorchange_file": R("nonstaff=admin_login officials=ok", "the reviewing region reads the evidence"),
    "admin:enterprises_majorchange_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:enterprises_recognition_add": R("nonstaff=admin_login county=403 city=403 province=ok ministry=ok", "provinces and the ministry set it up"),
    "admin:enterprises_recognition_change": R("nonstaff=admin_login county=ok/403 city=ok/403 province=ok ministry=ok", "read-only for officials, in scope"),
    "admin:enterprises_recognition_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:enterprises_recognition_delete": R("nonstaff=admin_login officials=403", "never deleted by officials"),
    "admin:enterprises_recognition_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:enterprises_recognition_import": R("nonstaff=admin_login county=403 city=403 province=ok ministry=ok", "historical lists: provinces and the ministry"),
    "admin:enterprises_rereviewsetting_add": R("nonstaff=admin_login county=403 city=403 province=ok ministry=ok", "provinces and the ministry set it up"),
    "admin:enterprises_rereviewsetting_change": R("nonstaff=admin_login county=ok/403 city=ok/403 province=ok ministry=ok", "read-only for officials, in scope"),
    "admin:enterprises_rereviewsetting_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:enterprises_rereviewsetting_delete": R("nonstaff=admin_login county=403 city=403 province=ok/moved ministry=ok/moved", "provinces and the ministry remove their own"),
    "admin:enterprises_rereviewsetting_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:enterprises_updatewindow_add": R("nonstaff=admin_login county=403 city=403 province=ok ministry=ok", "provinces and the ministry set it up"),
    "admin:enterprises_updatewindow_change": R("nonstaff=admin_login county=ok/403 city=ok/403 province=ok ministry=ok", "read-only for officials, in scope"),
    "admin:enterprises_updatewindow_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:enterprises_updatewindow_delete": R("nonstaff=admin_login officials=403", "never deleted by officials"),
    "admin:enterprises_updatewindow_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:index": R("nonstaff=admin_login officials=ok", "every official's 工作台"),
    "admin:jsi18n": R("nonstaff=admin_login officials=ok/405", "admin JavaScript catalogue"),
    "admin:login": R("anon=ok person=ok ent=ok officials=moved/ok", "the officials' login; a logged-in official is sent on"),
    "admin:logout": R("anon=moved person=moved ent=moved officials=405/moved", "POST logs out; others are sent to the login"),
    "admin:messaging_message_add": R("nonstaff=admin_login officials=403", "rows come from services, not this form"),
    "admin:messaging_message_broadcast": R("nonstaff=admin_login officials=ok", "申报提醒 to the official's region"),
    "admin:messaging_message_change": R("nonstaff=admin_login officials=ok/403", "read-only for officials, in scope"),
    "admin:messaging_message_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:messaging_message_delete": R("nonstaff=admin_login officials=403", "never deleted by officials"),
    "admin:messaging_message_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:password_change": R("nonstaff=admin_login officials=ok", "an official's own password"),
    "admin:password_change_done": R("nonstaff=admin_login officials=ok/405", "an official's own password"),
    "admin:regions_declarationregion_add": R("nonstaff=admin_login officials=403", "rows come from services, not this form"),
    "admin:regions_declarationregion_change": R("nonstaff=admin_login county=403 city=403 province=ok/moved ministry=ok/moved", "in scope"),
    "admin:regions_declarationregion_changelist": R("nonstaff=admin_login county=403 city=403 province=ok ministry=ok", "scoped list"),
    "admin:regions_declarationregion_delete": R("nonstaff=admin_login officials=403", "never deleted by officials"),
    "admin:regions_declarationregion_history": R("nonstaff=admin_login county=403 city=403 province=ok ministry=ok county_other=404 city_other=404", "the region's rows' history"),
    "admin:regions_region_add": R("nonstaff=admin_login officials=403", "rows come from services, not this form"),
    "admin:regions_region_change": R("nonstaff=admin_login officials=ok/403", "read-only for officials, in scope"),
    "admin:regions_region_changelist": R("nonstaff=admin_login officials=ok", "scoped list"),
    "admin:regions_region_delete": R("nonstaff=admin_login officials=403", "never deleted by officials"),
    "admin:regions_region_history": R("nonstaff=admin_login officials=ok", "the region's rows' history"),
    "admin:view_on_site": R("nonstaff=admin_login officials=404", "no model has a public page"),
    "announcements:attachment": R("everyone=ok ent_other=ok county_other=ok city_other=ok province_other=ok", "published announcements and their files are public"),
    "announcements:detail": R("everyone=ok ent_other=ok county_other=ok city_other=ok province_other=ok", "published announcements are public"),
    "announcements:list": R("everyone=ok", "public search"),
    "assessment:autosave": R("anon=405/login person=405/403 ent=405/ok officials=405/403", "POST only; the enterprise's own"),
    "assessment:discard": R("anon=405/login person=405/403 ent=405/moved officials=405/403", "POST only; the enterprise's own"),
    "assessment:index": R("anon=login person=403 ent=ok officials=403", "the enterprise's own"),
    "assessment:report": R("anon=login person=403 ent=moved officials=403", "the enterprise's own"),
    "assessment:result": R("anon=login person=403 ent=moved officials=403", "the enterprise's own"),
    "assessment:start": R("anon=405/login person=405/403 ent=405/moved officials=405/403", "POST only; the enterprise's own"),
    "assessment:take": R("anon=login person=403 ent=ok/moved officials=403", "the enterprise's own"),
    "captcha-audio": R("everyone=404", "audio captcha not enabled"),
    "captcha-image": R("everyone=ok", "captcha images are public"),
    "captcha-image-2x": R("everyone=ok", "captcha images are public"),
    "captcha-refresh": R("everyone=404", "answers only XMLHttpRequest"),
    "declarations:autosave": R("anon=405/login person=405/403 ent=405/400 officials=405/403 ent_other=405/404", "POST only; the enterprise's own"),
    "declarations:detail": R("anon=login person=403 ent=ok officials=403", "the enterprise's own"),
    "declarations:edit": R("anon=login person=403 ent=ok/moved officials=403", "the enterprise's own"),
    "declarations:evidence_delete": R("anon=login person=403 ent=405/moved officials=403", "the enterprise's own"),
    "declarations:evidence_file": R("anon=login person=403 ent=ok officials=403", "the enterprise's own"),
    "declarations:evidence_upload": R("anon=login person=403 ent=405/moved officials=403", "the enterprise's own"),
    "declarations:list": R("anon=login person=403 ent=ok officials=403", "the enterprise's own"),
    "declarations:open_regions": R("everyone=ok", "public dialog: regions open now"),
    "declarations:pdf": R("anon=login person=403 ent=ok officials=403", "the enterprise's own"),
    "declarations:preview": R("anon=login person=403 ent=ok officials=403", "the enterprise's own"),
    "declarations:rereview_start": R("anon=405/login person=405/403 ent=405/moved officials=405/403", "POST only; the enterprise's own"),
    "declarations:rereviews": R("anon=login person=403 ent=ok officials=403", "the enterprise's own"),
    "declarations:start": R("anon=405/login person=405/403 ent=405/moved officials=405/403", "POST only; the enterprise's own"),
    "declarations:submit": R("anon=405/login person=405/403 ent=405/ok officials=405/403", "POST only; the enterprise's own"),
    "enterprise_home": R("anon=login person=ok ent=ok officials=moved", "any account; officials are sent to the admin"),
    "enterprises:change_delete": R("anon=login person=403 ent=405/moved officials=403", "the enterprise's own"),
    "enterprises:change_detail": R("anon=login person=403 ent=ok officials=403", "the enterprise's own"),
    "enterprises:change_edit": R("anon=login person=403 ent=ok officials=403", "the enterprise's own"),
    "enterprises:change_file": R("anon=login person=403 ent=ok officials=403", "the enterprise's own"),
    "enterprises:change_new": R("anon=login person=403 ent=ok officials=403", "the enterprise's own"),
    "enterprises:change_submit": R("anon=login person=403 ent=405/moved officials=403", "the enterprise's own"),
    "enterprises:changes": R("anon=login person=403 ent=ok officials=403", "the enterprise's own"),
    "enterprises:edit": R("anon=login person=403 ent=ok officials=403", "the enterprise's own"),
    "enterprises:options": R("anon=login person=403 ent=ok/405 officials=403", "the enterprise's own"),
    "enterprises:profile": R("anon=login person=403 ent=ok officials=403", "the enterprise's own"),
    "enterprises:update": R("anon=login person=403 ent=moved officials=403", "the enterprise's own"),
    "favicon": R("everyone=moved", "redirect to the static icon"),
    "healthz": R("everyone=ok", "public health check (no data)"),
    "home": R("everyone=ok", "public home"),
    "messaging:detail": R("anon=login person=403 ent=ok officials=403", "the enterprise's own"),
    "messaging:inbox": R("anon=login person=403 ent=ok officials=403", "the enterprise's own"),
    "messaging:read_all": R("anon=login person=403 ent=405/moved officials=403", "the enterprise's own"),
    "recognition_query": R("everyone=ok", "public 企业认定查询 (captcha, rate limit)"),
}


# --- the world, built once for the module ----------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("matrix-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        built = build_world()
        built.national["captcha"] = CaptchaStore.generate_key()
        audit_rows(built)
        clients = {}
        for role in ROLES:
            clients[role] = Client()
            if built.users.get(role) is not None:
                log_in(clients[role], built.users[role])
        yield built, clients
        transaction.set_rollback(True)


def audit_rows(world: World) -> None:
    """A row of every change-history table and of the security log, for their per-object
    admin pages (nobody but the 审计管理员 reads them; everyone else is refused)."""
    from django.apps import apps

    from audit.services import Event, security_event

    security_event(event=Event.EXPORT, username="world", detail="访问矩阵")
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in world.national or not (
                model._meta.model_name.startswith("historical") or label == "audit.securityevent"):
            continue
        row = model._default_manager.order_by("pk").first()
        if row is None and hasattr(model, "instance_type"):  # a history with no row yet
            original = model.instance_type._default_manager.order_by("pk").first()
            if original is not None:
                original.save()
                row = model._default_manager.order_by("pk").first()
        if row is not None:
            world.national[label] = row


def party_args(name: str) -> Args | None:
    if name in PARTY_ARGS:
        return PARTY_ARGS[name]
    label = admin_object_label(name)
    if label is None:
        return None

    def admin_object(w: World, p: Party) -> tuple[dict[str, Any], Any]:
        obj = p.objects.get(label) or w.national[label]
        return {"object_id": obj.pk}, obj

    return admin_object


def is_national(name: str, world: World) -> bool:
    label = admin_object_label(name)
    return name not in PARTY_ARGS and label is not None and label in world.national


def plan(name: str, world: World) -> list[tuple[str, str, str, Any]]:
    """(role, column of the spec that applies, url, watched object) of every request."""
    build = party_args(name)
    if build is None or is_national(name, world):
        if build is not None:
            kwargs, watched = build(world, world.x)
        else:
            kwargs, watched = (FIXED_ARGS[name](world) if name in FIXED_ARGS else {}), None
        url = reverse(name, kwargs=kwargs or None)
        # Without an object of a party, Y's roles would only repeat X's (same levels, same
        # kinds of account): they ask the URLs that name objects.
        return [(role, COLUMNS[role][0], url, watched) for role in ROLES
                if world.party_of(role) is not world.y]
    requests = []
    for role in ROLES:
        own, other = COLUMNS[role]
        home = world.party_of(role)
        for party in (world.x, world.y):
            if home is None:
                # Anonymous, 自然人 and the ministry (whose scope is national) ask for party X's
                # objects; 江苏's are the ministry's own as much as 广东's.
                if party is world.y:
                    continue
                column = own
            elif party is home:
                if home is world.y:
                    continue  # Y's own objects: X's requests already show the own case
                column = own
            else:
                column = other
            kwargs, watched = build(world, party)
            requests.append((role, column, reverse(name, kwargs=kwargs), watched))
    return requests


def observe(name: str, world: World, clients: dict[str, Client], rule: R | None,
            ) -> tuple[list[str], dict[str, set[tuple[str, str]]]]:
    """Ask every request of `name`; the mismatches with `rule` and what each column got."""
    mismatches: list[str] = []
    seen: dict[str, set[tuple[str, str]]] = defaultdict(set)
    data = (rule.data if rule and rule.data is not None else {"post": "yes"})
    for role, column, url, watched in plan(name, world):
        got = []
        for index, method in enumerate(("GET", "POST")):
            expected = rule.expect[column][index] if rule else None
            response, problem = ask(clients[role], method, url, data, watched,
                                    must_not_change=method == "POST" and expected in REFUSED)
            answer = outcome_of(response)
            got.append(answer)
            if rule and answer != expected:
                mismatches.append(f"{role} {method} {url}: expected {expected}, got {answer}")
            if problem:
                mismatches.append(f"{role} {method} {url}: {problem}")
        seen[column].add((got[0], got[1]))
    return mismatches, seen


def suggested(seen: dict[str, set[tuple[str, str]]]) -> str:
    """The spec that matches what was seen (for a URL to classify)."""
    def show(pairs: set[tuple[str, str]]) -> str:
        if len(pairs) != 1:
            return "|".join(sorted(f"{g}/{p}" for g, p in pairs)) + "(differs)"
        [(get, post)] = pairs
        return get if get == post else f"{get}/{post}"

    tokens = []
    officials = {show(seen[level]) for level in LEVELS}
    for column in OWN_COLUMNS:
        if column in LEVELS and len(officials) == 1:
            continue
        tokens.append(f"{column}={show(seen[column])}")
    if len(officials) == 1:
        tokens.append(f"officials={officials.pop()}")
    for own in ("ent", "county", "city", "province"):
        other = f"{own}_other"
        if other in seen:
            default = {tuple("404" if o in LET_IN else o for o in pair) for pair in seen[own]}
            if seen[other] != default:
                tokens.append(f"{other}={show(seen[other])}")
    return " ".join(tokens)


# --- the tests -------------------------------------------------------------------------------


NAMED = sorted({name for name, _, _ in walk() if name})


def test_every_url_pattern_has_a_name_or_is_the_admins_own_fallback():
    unnamed = [route for name, route, callback in walk()
               if not name and not is_admin_fallback(route, callback)]
    assert unnamed == [], "give these URL patterns a name and classify them in TABLE"


def test_the_table_names_only_urls_that_exist():
    assert sorted(set(TABLE) - set(NAMED)) == []
    assert sorted((set(PARTY_ARGS) | set(FIXED_ARGS)) - set(NAMED)) == []


@pytest.mark.parametrize("name", NAMED)
def test_each_url_answers_each_role_as_classified(name, world):
    built, clients = world
    rule = TABLE.get(name)
    mismatches, seen = observe(name, built, clients, rule)
    if rule is None:
        pytest.fail(f"{name} is not classified in TABLE; today it answers:\n"
                    f'    "{name}": R("{suggested(seen)}", "…"),')
    assert mismatches == [], "\n".join(mismatches)


# A URL naming two objects: the parent the requester may see with a child of the other party.
MIXED = [
    ("enterprise_a", "declarations:evidence_file",
     lambda w: {"public_id": w.x["draft"].public_id, "evidence_id": w.y["draft_evidence"].pk}),
    ("enterprise_a", "declarations:evidence_delete",
     lambda w: {"public_id": w.x["draft"].public_id, "evidence_id": w.y["draft_evidence"].pk}),
    ("enterprise_a", "enterprises:change_file",
     lambda w: {"public_id": w.x["draft_change"].public_id, "file_id": w.y["draft_change_file"].pk}),
    ("anonymous", "announcements:attachment",
     lambda w: {"pk": w.x["announcements.announcement"].pk, "attachment_pk": w.y["attachment"].pk}),
    ("county_x", "admin:declarations_declaration_evidence",
     lambda w: {"pk": w.x["declarations.declaration"].pk, "evidence_id": w.y["filed_evidence"].pk}),
    ("county_x", "admin:enterprises_majorchange_file",
     lambda w: {"pk": w.x["enterprises.majorchange"].pk,
                "file_id": w.y["enterprises.majorchange_file"].pk}),
]


@pytest.mark.parametrize(("role", "name", "args"), MIXED, ids=[m[1] for m in MIXED])
def test_a_child_of_the_other_party_under_ones_own_parent_is_not_found(world, role, name, args):
    built, clients = world
    url = reverse(name, kwargs=args(built))
    for method in ("GET", "POST"):
        response, problem = ask(clients[role], method, url, {"post": "yes"}, must_not_change=True)
        assert outcome_of(response) in {"404", "405"}, (method, url)
        assert not problem, (method, url, problem)
