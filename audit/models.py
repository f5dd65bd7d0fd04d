"""The security event log (等保 2.0 安全审计 a–c): who did what security-relevant thing, when,
from where, to what, with which result, in which request.

Append-only. No admin may change or delete a row (audit/admin.py, audit/rules.py); on
PostgreSQL a trigger refuses UPDATE and DELETE (migration 0003), except the deliberate bypass
used by `manage.py archive_security_events` (audit/archive.py explains it).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SecurityEvent(models.Model):
    class Event(models.TextChoices):
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOCKOUT = "lockout", "登录锁定"
        LOGOUT = "logout", "退出登录"
        PASSWORD_CHANGE = "password_change", "修改密码"
        ACCESS_DENIED = "access_denied", "拒绝访问"
        EXPORT = "export", "导出"
        DOWNLOAD = "download", "下载"
        UNLOCK = "unlock", "解除登录锁定"
        OTP_ENROL = "otp_enrol", "绑定双因素认证"
        OTP_FAILURE = "otp_failure", "双因素认证失败"
        OTP_RESET = "otp_reset", "重置双因素认证"
        OTP_SUCCESS = "otp_success", "双因素认证成功"
        OTP_BACKUP_CODES = "otp_backup_codes", "重新生成备用码"
        EMAIL_CHANGE = "email_change", "修改登录邮箱"
        CODE_SENT = "code_sent", "发送验证码"
        ARCHIVE = "archive", "审计记录归档"
        ACCOUNT_DISABLED = "account_disabled", "长期未登录停用"

    class Result(models.TextChoices):
        SUCCESS = "success", "成功"
        FAILURE = "failure", "失败"

    at = models.DateTimeField("时间", default=timezone.now)
    # No database constraint and no cascade: an account's events outlive it, and a deleted
    # account must never rewrite (SET NULL) or delete its audit rows.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", null=True,
                             blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
                             related_name="+")
    # The account's login name at the time, or the name typed on a failed login (masked when
    # it is a 身份证号 or 手机号).
    username = models.CharField("登录名", max_length=150, blank=True)
    ip_address = models.GenericIPAddressField("客户端地址", null=True, blank=True)
    event = models.CharField("事件", max_length=30, choices=Event.choices)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象", max_length=255, blank=True)
    result = models.CharField("结果", max_length=10, choices=Result.choices,
                              default=Result.SUCCESS)
    request_id = models.CharField("请求编号", max_length=64, blank=True)
    detail = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "安全事件"
        verbose_name_plural = "安全事件"
        ordering = ["-at", "-id"]
        indexes = [
            # The audit admin's list (newest first) and the archive's range (older than N).
            models.Index(fields=["at", "id"], name="securityevent_at"),
            models.Index(fields=["user", "at"], name="securityevent_user"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} {self.username or '-'} {self.get_result_display()}"
