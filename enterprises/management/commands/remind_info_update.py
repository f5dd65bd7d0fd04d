"""信息更新: the window opens, 30 / 7 days before it closes, and after it closes."""

from common.jobs import JobCommand
from enterprises.services import info_update_remind


class Command(JobCommand):
    help = "年度信息更新开始通知、截止前30/7天提醒及逾期通知；可重复运行，不会重复发送"
    job = staticmethod(info_update_remind)
