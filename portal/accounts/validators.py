"""Identity codes and password rules.

统一社会信用代码: GB 32100-2015; 公民身份号码: GB 11643-1999 (domain.md §7).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]  # 3^(i-1) mod 31
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"
ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")


def normalize_code(value: str) -> str:
    """Full-width → half-width, spaces and hyphens dropped, upper-case."""
    value = unicodedata.normalize("NFKC", value or "")
    return re.sub(r"[\s\-]", "", value).upper()


def uscc_check_char(first17: str) -> str:
    """The 18th character of a 统一社会信用代码 whose first 17 characters are given."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(value: str) -> bool:
    code = normalize_code(value)
    return bool(USCC_RE.match(code)) and uscc_check_char(code[:17]) == code[17]


def validate_uscc(value: str) -> None:
    code = normalize_code(value)
    if len(code) != 18:
        raise ValidationError("统一社会信用代码应为18位，当前为%(n)d位。", params={"n": len(code)},
                              code="uscc_length")
    if not USCC_RE.match(code):
        raise ValidationError(
            "统一社会信用代码含有不允许的字符（不使用字母 I、O、S、V、Z，第3—8位为数字）。",
            code="uscc_chars",
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码校验位不正确，请核对后重新输入。", code="uscc_check")


def id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def is_valid_id_number(value: str) -> bool:
    try:
        validate_id_number(value)
    except ValidationError:
        return False
    return True


def validate_id_number(value: str) -> None:
    code = normalize_code(value)
    if not ID_RE.match(code):
        raise ValidationError("身份证号应为18位：前17位为数字，最后一位为数字或X。",
                              code="id_format")
    try:
        born = date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        raise ValidationError("身份证号中的出生日期无效。", code="id_birth") from None
    if born > timezone.localdate() or born.year < 1900:
        raise ValidationError("身份证号中的出生日期无效。", code="id_birth")
    if id_check_char(code[:17]) != code[17]:
        raise ValidationError("身份证号校验位不正确，请核对后重新输入。", code="id_check")


MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(value or ""):
        raise ValidationError("请输入11位中国大陆手机号码。", code="mobile")


LOGIN_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,29}$")


def validate_login_name(value: str) -> None:
    if not LOGIN_NAME_RE.match(value or ""):
        raise ValidationError(
            "登录名为4—30位，以英文字母开头，只能包含英文字母、数字和下划线。", code="login_name"
        )


class CharacterClassValidator:
    """等保 2.0 三级 身份鉴别 a): at least 3 of 4 classes (upper, lower, digit, symbol)."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    @staticmethod
    def classes(password: str) -> int:
        return sum(
            [
                any(c.isupper() for c in password),
                any(c.islower() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            ]
        )

    def validate(self, password: str, user: object | None = None) -> None:
        if self.classes(password) < self.min_classes:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、特殊符号中的至少%(n)d类。",
                params={"n": self.min_classes},
                code="password_classes",
            )

    def get_help_text(self) -> str:
        return f"密码须包含大写字母、小写字母、数字、特殊符号中的至少{self.min_classes}类。"



class PasswordHistoryValidator:
    """None of the account's last PASSWORD_HISTORY_COUNT passwords (its current one included)
    may be set again. Only hashes are kept (models.PasswordHistory); Django calls
    `password_changed` after a new password is saved, which records its hash."""

    def _count(self) -> int:
        from django.conf import settings

        return settings.PASSWORD_HISTORY_COUNT

    def validate(self, password: str, user: object | None = None) -> None:
        from django.contrib.auth.hashers import check_password

        from .models import PasswordHistory

        if user is None or not getattr(user, "pk", None):
            return
        hashes = list(PasswordHistory.objects.filter(user_id=user.pk)
                      .values_list("password", flat=True)[: self._count()])
        current = getattr(user, "password", "")
        if current and current not in hashes:
            hashes = [current, *hashes][: self._count()]
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                "新密码不能与最近%(n)d次使用过的密码相同。",
                params={"n": self._count()}, code="password_reused")

    def password_changed(self, password: str, user: object | None = None) -> None:
        from .models import PasswordHistory

        if user is None or not getattr(user, "pk", None) or not user.password:
            return
        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        # Only the last few matter; older hashes are not kept.
        keep = PasswordHistory.objects.filter(user_id=user.pk).values_list("pk", flat=True)[
            : self._count()]
        PasswordHistory.objects.filter(user_id=user.pk).exclude(pk__in=list(keep)).delete()

    def get_help_text(self) -> str:
        return f"新密码不能与最近{self._count()}次使用过的密码相同。"
