"""Which rows the enterprise pages show: the table `common.pagecache` invalidates by.

Every model of the project is in exactly one of the three tables (tests/common/test_pagecache.py
holds that, so a new model cannot be forgotten):

* OWNED — an account's own rows: a write renews that account's pages. The value leads from the
  model to the account's id.
* SITE — reference rows every account's pages may show: a write renews every page.
* NOT_SHOWN — rows no enterprise page shows, with the reason.
"""

from __future__ import annotations

OWNED: dict[str, str] = {
    "accounts.User": "pk",
    "accounts.PhoneChangeRequest": "user_id",
    "messaging.Message": "recipient_id",
    "enterprises.Enterprise": "account_id",
    "enterprises.YearFigures": "enterprise__account_id",
    "enterprises.Recognition": "enterprise__account_id",
    "enterprises.RecognitionTerm": "recognition__enterprise__account_id",
    "enterprises.InfoUpdate": "enterprise__account_id",
    "enterprises.MajorChange": "enterprise__account_id",
    "enterprises.ChangeEvidence": "change__enterprise__account_id",
    "assessment.Attempt": "enterprise__account_id",
    "declarations.Declaration": "enterprise__account_id",
    "declarations.DeclarationEvidence": "declaration__enterprise__account_id",
    "declarations.OnsiteCheck": "declaration__enterprise__account_id",
    "declarations.Judgement": "declaration__enterprise__account_id",
    "declarations.Objection": "declaration__enterprise__account_id",
}

SITE: tuple[str, ...] = (
    "regions.Region",
    "regions.DeclarationRegion",
    "enterprises.Industry",
    "enterprises.UpdateWindow",
    "enterprises.RereviewSetting",
    "assessment.Questionnaire",
    "assessment.ProducerServiceIndustry",
    "declarations.DeclarationWindow",
    "declarations.ReviewChain",
    "declarations.RecognitionBatch",
    "announcements.Announcement",
    "announcements.Attachment",
    "announcements.SiteSettings",
    "messaging.Broadcast",
)

NOT_SHOWN: dict[str, str] = {
    "common.DecisionEvent": "written with its subject, whose own write renews the pages",
    "common.ExportJob": "officials' exports",
    "audit.SecurityEvent": "the audit trail",
    "accounts.PasswordHistory": "hashes of earlier passwords",
    "accounts.ActionCode": "one-time codes, never shown",
    "accounts.EmailCode": "one-time codes, never shown",
    "accounts.SmsMessage": "the SMS outbox",
    "accounts.LoginFailure": "login throttling",
    "enterprises.EnterpriseCount": "officials' statistics",
    "enterprises.EnterpriseCountState": "officials' statistics",
    "enterprises.RecognitionTierCount": "officials' statistics",
    "enterprises.RecognitionBatchCount": "officials' statistics",
    "declarations.DeclarationTierCount": "officials' statistics",
    "declarations.DeclarationStatusCount": "officials' statistics",
    "declarations.DeclarationSectionCount": "officials' statistics",
    "declarations.DeclarationWindowCount": "officials' statistics",
    "declarations.SamplingRun": "officials' sampling draws (the drawn declarations are renewed)",
}

# Other applications' models: sessions, captchas, second factor, lockouts, the admin log,
# permissions, the beat schedule and the change histories.
NOT_SHOWN_APPS = ("admin", "auth", "contenttypes", "sessions", "captcha", "otp_totp", "otp_static",
                  "axes", "django_celery_beat")


def connect() -> None:
    from common.pagecache import connect as listen

    listen(owned=OWNED, site=SITE)
