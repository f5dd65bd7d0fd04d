"""申报提醒: a window opening, and its close 3 days ahead for drafts."""

from common.jobs import JobCommand
from declarations.tasks import window_remind


class Command(JobCommand):
    help = "申报开始通知及截止前3天草稿提醒；可重复运行，不会重复发送"
    job = staticmethod(window_remind)
