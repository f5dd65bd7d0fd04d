"""The Celery app and the calendar. Without REDIS_URL tasks run in-process
(CELERY_TASK_ALWAYS_EAGER) and `manage.py run_calendar --every 3600` runs the daily jobs.

The beat schedule is defined here, once; django-celery-beat's DatabaseScheduler writes it into
its tables when beat starts (officials with operator rights see it in the admin). Every job is
safe to run twice or at once (messaging's unique key), so an extra run never duplicates.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Every day at 01:00 Beijing time: 认定到期 reminders 90, 30 and 7 days before a title
    # ends, and the 已过期 notice once it has.
    "认定到期提醒": {
        "task": "enterprises.tasks.recognition_expiry_remind",
        "schedule": crontab(hour=1, minute=0),
    },
    # Every day at 01:10: 信息更新 — the window opens, 30 and 7 days before it closes, overdue.
    "信息更新提醒": {
        "task": "enterprises.tasks.info_update_remind",
        "schedule": crontab(hour=1, minute=10),
    },
    # Every hour at :05 — windows open and close at any time of day: 申报开始 to the region's
    # enterprises, and 3 days before the close a reminder to those with a draft.
    "申报提醒": {
        "task": "declarations.tasks.window_remind_task",
        "schedule": crontab(minute=5),
    },
    # Every day at 03:00: officials' export files past their 7 days are deleted.
    "导出文件清理": {
        "task": "declarations.export_jobs_expire",
        "schedule": crontab(hour=3, minute=0),
    },
    # Every 10 minutes: the statistics page's enterprise, declaration and title counts are
    # rebuilt (the page says when they were last counted).
    "统计汇总": {
        "task": "declarations.tasks.statistics_refresh",
        "schedule": crontab(minute="*/10"),
    },
    # Every day at 02:00: officials' and operators' accounts unused for INACTIVE_ACCOUNT_DAYS
    # days are deactivated (等保 访问控制 c).
    "长期未登录账户停用": {
        "task": "portal.accounts.tasks.inactive_accounts_disable",
        "schedule": crontab(hour=2, minute=0),
    },
    # Every 5 minutes: the captcha pool is topped up and expired captchas deleted (a login
    # page only reads one; portal/accounts/captchas.py).
    "验证码池补充": {
        "task": "portal.accounts.tasks.captcha_pool_refill_task",
        "schedule": crontab(minute="*/5"),
    },
    # Every 10 minutes: e-mail / SMS copies still pending (normally sent right after commit).
    "消息副本发送": {
        "task": "messaging.tasks.deliver_copies",
        "schedule": crontab(minute="*/10"),
    },
}
