"""Accounts: enterprise (法人), natural-person (自然人) and official (管理端) users."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone

from common.fields import BlindIndexField, EncryptedCharField
from common.history import AuditHistory
from common.integrity import FileDigestField
from common.masking import mask
from common.uploads import private_path
from portal.regions.models import DeclarationRegion, Region


class OfficialLevel(models.TextChoices):
    MINISTRY = "ministry", "部级"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"


# Lower number = higher rank. A higher official creates officials below it only.
LEVEL_RANK = {
    OfficialLevel.MINISTRY: 0,
    OfficialLevel.PROVINCE: 1,
    OfficialLevel.CITY: 2,
    OfficialLevel.COUNTY: 3,
}


class User(AbstractUser):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", "法人账户"
        PERSON = "person", "自然人账户"
        OFFICIAL = "official", "管理端账户"

    kind = models.CharField("账户类型", max_length=12, choices=Kind.choices)
    uscc = models.CharField("统一社会信用代码", max_length=18, null=True, blank=True, unique=True)
    # 身份证号 and 手机号 are encrypted at rest (common/crypto.py); the keyed hash keeps 身份证号
    # unique and lets login and registration find it.
    id_number = EncryptedCharField("身份证号", max_length=18, null=True, blank=True)
    id_number_hash = BlindIndexField("身份证号摘要", source="id_number", unique=True)
    org_name = models.CharField("企业名称", max_length=200, blank=True)
    person_name = models.CharField(
        "姓名", max_length=50, blank=True, help_text="法人账户为法定代表人姓名；其他账户为本人姓名。"
    )
    mobile = EncryptedCharField("手机号", max_length=11, blank=True)
    official_level = models.CharField(
        "管理层级", max_length=10, choices=OfficialLevel.choices, blank=True
    )
    # Officials: their jurisdiction. Enterprise / person accounts: the area of the registration
    # authority encoded in the code (USCC digits 3–8, ID digits 1–6), when it is a known region.
    region = models.ForeignKey(
        Region, verbose_name="所属区划", null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )
    declaration_region = models.ForeignKey(
        DeclarationRegion, verbose_name="申报地区", null=True, blank=True,
        on_delete=models.PROTECT, related_name="officials",
    )

    # 身份鉴别 a) 定期更换: when the password was last set, and whether the account must set its
    # own before doing anything else (an admin account created or reset by someone else).
    password_changed_at = models.DateTimeField("密码修改时间", default=timezone.now)
    must_change_password = models.BooleanField("须修改密码", default=False)

    objects = UserManager()
    # 等保 安全审计: account changes are kept. The password, the 身份证号 and the 手机号 never
    # enter the history (its rows are never masked or re-encrypted later), nor does the
    # last-login time (each login is a SecurityEvent instead).
    history = AuditHistory(verbose_name="用户变更记录",
                           excluded_fields=["password", "last_login", "id_number", "id_number_hash",
                                            "mobile"])

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                name="user_enterprise_has_uscc",
                condition=~Q(kind="enterprise") | Q(uscc__isnull=False),
            ),
            models.CheckConstraint(
                name="user_person_has_id_number",
                condition=~Q(kind="person") | Q(id_number__isnull=False),
            ),
            models.CheckConstraint(
                name="user_official_has_level",
                condition=~Q(kind="official") | ~Q(official_level=""),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.ENTERPRISE and self.org_name:
            return self.org_name
        return self.person_name or self.username

    @property
    def is_enterprise(self) -> bool:
        return self.kind == self.Kind.ENTERPRISE

    @property
    def is_person(self) -> bool:
        return self.kind == self.Kind.PERSON

    @property
    def is_official(self) -> bool:
        return self.kind == self.Kind.OFFICIAL and bool(self.official_level)

    @property
    def level_rank(self) -> int:
        return LEVEL_RANK.get(self.official_level, 99)

    @property
    def is_admin_account(self) -> bool:
        """An account that uses the admin (officials, the three operator roles, superusers):
        the one that needs a second factor and a password changed every 90 days."""
        return bool(self.is_staff or self.is_superuser or self.kind == self.Kind.OFFICIAL)

    def set_password(self, raw_password: str | None) -> None:
        # Whoever sets a password, the clock restarts; a password imposed by someone else
        # (official_create, a reset) sets must_change_password again right after this call.
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()
        self.must_change_password = False


class PasswordHistory(models.Model):
    """The hash of each password an account has had (never the clear text): the last
    PASSWORD_HISTORY_COUNT may not be used again (validators.PasswordHistoryValidator)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="pwhistory_user_created")]

    def __str__(self) -> str:
        return f"密码历史 {self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class ActionCode(models.Model):
    """A one-time code for an account's sensitive action (changing the password or the login
    e-mail), sent by SMS or e-mail. Only its hash is stored; valid 10 minutes, 5 tries, once."""

    class Purpose(models.TextChoices):
        PASSWORD = "password", "修改密码"
        EMAIL = "email", "修改登录邮箱"

    class Channel(models.TextChoices):
        SMS = "sms", "短信"
        EMAIL = "email", "电子邮件"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="action_codes")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "purpose", "-created_at"],
                                name="actioncode_user_purpose")]

    def __str__(self) -> str:
        return f"验证码 {self.user_id} {self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class SmsMessage(models.Model):
    """Every SMS the platform sends; delivery happens after commit, failures stay on the row."""

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    to = EncryptedCharField("手机号", max_length=11)
    # The account it was sent for (None for a number with no account yet): the officials' scope.
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收账户", null=True,
                                  blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField("内容", max_length=500)
    status = models.CharField("状态", max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "短信"
        verbose_name_plural = "短信"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{mask(self.to)}: {self.text[:20]}"


class EmailCode(models.Model):
    """A 6-digit code mailed to the address on file (邮箱核验). Only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="email_codes")
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"邮箱验证码 {self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


def letter_upload_to(instance: PhoneChangeRequest, filename: str) -> str:
    return private_path("phone-letters", filename)


class PhoneChangeRequest(models.Model):
    """人工核验: a request to change the bound mobile, decided by an official."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "已驳回"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="账户",
                             on_delete=models.CASCADE, related_name="phone_change_requests")
    new_mobile = EncryptedCharField("新手机号", max_length=11)
    applicant_name = models.CharField("申请人姓名", max_length=50)
    reason = models.CharField("申请原因", max_length=500)
    letter = models.FileField("授权书", upload_to=letter_upload_to)
    letter_sha256 = FileDigestField("SHA-256", source="letter")
    letter_name = models.CharField("授权书文件名", max_length=255)
    status = models.CharField("状态", max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    opinion = models.CharField("审核意见", max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)

    class Meta:
        verbose_name = "手机号修改（人工核验）"
        verbose_name_plural = "手机号修改（人工核验）"
        ordering = ["-created_at"]
        indexes = [
            # The officials' queue: pending requests, newest first.
            models.Index(fields=["status", "-created_at"], name="phonereq_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {mask(self.new_mobile)}"


class LoginFailure(models.Model):
    """One failed login: what the lockout rules count (portal.accounts.lockout).

    django-axes keeps one running counter per client, which cannot tell *when* each failure
    happened; a sliding window and a count of distinct addresses need every failure.
    Rows older than the window plus the lock are pruned as new failures arrive.
    """

    username = models.CharField(max_length=255)
    ip_address = models.GenericIPAddressField(null=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            # The three rules: per account (and pair), per address, and the pruning by age.
            models.Index(fields=["username", "at"], name="loginfailure_username_at"),
            models.Index(fields=["ip_address", "at"], name="loginfailure_ip_at"),
            models.Index(fields=["at"], name="loginfailure_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} @ {self.ip_address} {self.at:%Y-%m-%d %H:%M:%S}"
