"""认定到期: reminders 90 / 30 / 7 days before a title ends, and 已过期 notices."""

from common.jobs import JobCommand
from enterprises.services import recognition_expiry_remind


class Command(JobCommand):
    help = "认定到期提醒（到期前90/30/7天）及已过期通知；可重复运行，不会重复发送"
    job = staticmethod(recognition_expiry_remind)
