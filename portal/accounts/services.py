"""Every write on accounts: registration, phone change, recovery, officials."""

from __future__ import annotations

import hmac
import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from common.crypto import blind_index
from common.masking import mask
from common.workflow import Step, Workflow, decide, record_start
from messaging.models import Category
from messaging.services import Outgoing, message_send
from portal.regions.models import DeclarationRegion, Region

from .models import LEVEL_RANK, ActionCode, EmailCode, OfficialLevel, PhoneChangeRequest, User
from .scoping import for_user, in_scope
from .sms import send_sms
from .validators import normalize_code


def region_from_code(digits: str) -> Region | None:
    """The most precise known region for a 6-digit area code (county, else city, else province)."""
    if len(digits) != 6 or not digits.isdigit():
        return None
    for candidate in (digits, digits[:4] + "00", digits[:2] + "0000"):
        region = Region.objects.filter(code=candidate).first()
        if region is not None:
            return region
    return None


def _check_unique(*, username: str, uscc: str | None = None, id_number: str | None = None) -> None:
    errors: dict[str, str] = {}
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = "该登录名已被使用，请换一个。"
    if uscc and User.objects.filter(uscc=uscc).exists():
        errors["uscc"] = (
            "该统一社会信用代码已注册账户。请直接使用统一社会信用代码登录；"
            "忘记密码可点击【账号找回】；找回时提示“信息有误”的，请通过【手机号修改】选择人工核验。"
        )
    if id_number and User.objects.filter(id_number_hash=blind_index(id_number)).exists():
        errors["id_number"] = (
            "该身份证号已注册账户。请直接使用身份证号登录，或点击【账号找回】。"
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def account_register_enterprise(
    *,
    username: str,
    uscc: str,
    org_name: str,
    person_name: str,
    mobile: str,
    email: str,
    password: str,
) -> User:
    """Register a 法人账户 bound to the enterprise's 统一社会信用代码."""
    uscc = normalize_code(uscc)
    _check_unique(username=username, uscc=uscc)
    user = User(
        username=username,
        kind=User.Kind.ENTERPRISE,
        uscc=uscc,
        org_name=org_name.strip(),
        person_name=person_name.strip(),
        mobile=mobile,
        email=email,
        region=region_from_code(uscc[2:8]),
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def account_register_person(
    *, username: str, id_number: str, person_name: str, mobile: str, email: str, password: str
) -> User:
    """Register a 自然人账户: it can log in but never declare (manual FAQ 2)."""
    id_number = normalize_code(id_number)
    _check_unique(username=username, id_number=id_number)
    user = User(
        username=username,
        kind=User.Kind.PERSON,
        id_number=id_number,
        person_name=person_name.strip(),
        mobile=mobile,
        email=email,
        region=region_from_code(id_number[:6]),
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    return user


# --- 手机号修改: 邮箱核验 --------------------------------------------------------------------------

def _code_hash(user_id: int, code: str) -> str:
    return salted_hmac("phone-email-code", f"{user_id}:{code}").hexdigest()


RESEND_INTERVAL = timedelta(seconds=60)


@transaction.atomic
def email_code_send(*, user: User) -> EmailCode:
    """Mail a fresh 6-digit code to the address on file; earlier codes stop working."""
    User.objects.select_for_update().get(pk=user.pk)  # one sender at a time per account
    now = timezone.now()
    last = user.email_codes.order_by("-created_at").first()
    if last and now - last.created_at < RESEND_INTERVAL:
        raise ValidationError("验证码发送过于频繁，请1分钟后再试。")
    user.email_codes.filter(used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(10**6):06d}"
    email_code = EmailCode.objects.create(
        user=user, code_hash=_code_hash(user.pk, code), expires_at=now + settings.EMAIL_CODE_TTL
    )
    minutes = int(settings.EMAIL_CODE_TTL.total_seconds() // 60)
    body = (
        f"您正在修改优质中小企业梯度培育平台账户绑定的手机号，验证码：{code}，"
        f"{minutes}分钟内有效。如非本人操作，请忽略本邮件。"
    )
    transaction.on_commit(
        lambda: send_mail("【优质中小企业梯度培育平台】手机号修改验证码", body,
                          settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=True)
    )
    return email_code


def phone_change_by_email_code(*, user: User, code: str, new_mobile: str) -> User:
    """Check the code (valid 10 minutes, 5 tries) and bind the new mobile."""
    with transaction.atomic():
        email_code = (
            EmailCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if email_code is None:
            raise ValidationError({"code": "请先获取邮箱验证码。"})
        if timezone.now() >= email_code.expires_at:
            raise ValidationError({"code": "验证码已过期，请重新获取。"})
        if email_code.tries >= settings.EMAIL_CODE_MAX_TRIES:
            raise ValidationError({"code": "验证码错误次数过多，请重新获取。"})
        if hmac.compare_digest(email_code.code_hash, _code_hash(user.pk, code.strip())):
            email_code.used_at = timezone.now()
            email_code.save(update_fields=["used_at"])
            return _phone_change_apply(user=user, new_mobile=new_mobile)
        # A wrong code: the count must be committed, so the error is raised after the block.
        email_code.tries += 1
        email_code.save(update_fields=["tries"])
        left = settings.EMAIL_CODE_MAX_TRIES - email_code.tries
    if left <= 0:
        raise ValidationError({"code": "验证码错误次数过多，请重新获取。"})
    raise ValidationError({"code": f"验证码不正确，还可尝试{left}次。"})


def _phone_change_apply(*, user: User, new_mobile: str) -> User:
    User.objects.filter(pk=user.pk).update(mobile=new_mobile)
    user.mobile = new_mobile
    send_sms(
        to=new_mobile,
        text=(
            f"【优质中小企业梯度培育平台】您的账户绑定手机号已修改为本号码，"
            f"登录名：{user.username}。"
        ),
        recipient=user,
    )
    return user


# --- 手机号修改: 人工核验 --------------------------------------------------------------------------

@transaction.atomic
def phone_change_request_create(
    *, user: User, new_mobile: str, applicant_name: str, reason: str, letter: UploadedFile
) -> PhoneChangeRequest:
    if user.phone_change_requests.filter(status=PhoneChangeRequest.Status.PENDING).exists():
        raise ValidationError("该账户已有待审核的人工核验申请，请等待审核结果。")
    created = PhoneChangeRequest.objects.create(
        user=user,
        new_mobile=new_mobile,
        applicant_name=applicant_name.strip(),
        reason=reason.strip(),
        letter=letter,
        letter_name=(letter.name or "")[:255],
    )
    record_start(workflow=PHONE_CHANGE_WORKFLOW, subject=created, action="submit", by=user)
    return created


# The request's transition table (common/workflow.py): an official whose scope holds the
# account decides; a refusal needs an opinion, which the SMS carries to the new number.
_P = PhoneChangeRequest.Status
PHONE_CHANGE_WORKFLOW = Workflow("phone_change", [
    Step("", "submit", _P.PENDING, "提交申请", "enterprise"),
    Step(_P.PENDING, "approve", _P.APPROVED, "通过", "official"),
    Step(_P.PENDING, "reject", _P.REJECTED, "驳回", "official", opinion=True),
], states=_P)


def _decide(phone_request: PhoneChangeRequest, by: User, action: str,
            opinion: str) -> PhoneChangeRequest:
    def apply(locked: PhoneChangeRequest, step: Step) -> list[str]:
        locked.opinion, locked.decided_by, locked.decided_at = opinion.strip(), by, timezone.now()
        return ["opinion", "decided_by", "decided_at"]

    decided, event = decide(
        workflow=PHONE_CHANGE_WORKFLOW, subject=phone_request, action=action, by=by,
        opinion=opinion, apply=apply,
        may=lambda by, locked, step: by.is_official and in_scope(by, locked, "user__region"),
        queryset=PhoneChangeRequest.objects.select_related("user"))
    if action == "approve":
        title = f"您的手机号修改申请已通过，绑定手机号已改为{mask(decided.new_mobile)}"
        body = f"登录名：{decided.user.username}。"
    else:
        title = "您的手机号修改申请未通过审核"
        body = f"审核意见：{decided.opinion}"
    # The account's own notice (the SMS goes to the new number); no copy, the SMS is the copy.
    message_send(category=Category.RECOGNITION, kind=f"phone-change-{action}", outgoing=[
        Outgoing(recipient_id=decided.user_id, subject=f"phone_change:{decided.pk}",
                 period=str(event.pk), title=title, body=body)])
    return decided


@transaction.atomic
def phone_change_request_approve(
    *, phone_request: PhoneChangeRequest, by: User, opinion: str = ""
) -> PhoneChangeRequest:
    locked = _decide(phone_request, by, "approve", opinion)
    _phone_change_apply(user=locked.user, new_mobile=locked.new_mobile)
    return locked


@transaction.atomic
def phone_change_request_reject(
    *, phone_request: PhoneChangeRequest, by: User, opinion: str
) -> PhoneChangeRequest:
    locked = _decide(phone_request, by, "reject", opinion)
    send_sms(
        to=locked.new_mobile,
        text=f"【优质中小企业梯度培育平台】您的手机号修改申请未通过审核：{locked.opinion}",
        recipient=locked.user,
    )
    return locked


# --- 账号找回 -------------------------------------------------------------------------------------

def account_find_for_recovery(*, code: str, person_name: str, email: str) -> User | None:
    """The account whose code, name and e-mail on file all match, else None (“信息有误”)."""
    code = normalize_code(code)
    user = (User.objects.filter(uscc=code).first()
            or User.objects.filter(id_number_hash=blind_index(code)).first())
    if user is None or not user.is_active:
        return None
    if user.person_name.strip() != person_name.strip():
        return None
    if user.email.strip().lower() != email.strip().lower():
        return None
    return user


def account_recovery_send(*, user: User) -> str:
    """Mail a password-reset link valid for PASSWORD_RESET_TIMEOUT (1 hour). Returns the path."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:recover_confirm", kwargs={"uidb64": uid, "token": token})
    body = (
        f"您好，{user.display_name}：\n您正在找回优质中小企业梯度培育平台账户，登录名：{user.username}。\n"
        f"请在1小时内打开以下链接设置新密码：\n{settings.SITE_URL}{path}\n如非本人操作，请忽略本邮件。"
    )
    transaction.on_commit(
        lambda: send_mail("【优质中小企业梯度培育平台】账号找回", body,
                          settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=True)
    )
    return path


def account_unlock(*, user: User) -> int:
    """Lift every login lock on this account, whichever address set it (portal.accounts.lockout)."""
    return axes_reset(username=user.username)


# --- Officials -------------------------------------------------------------------------------------

def official_check(
    *, by: User | None, level: str, region: Region | None, declaration_region: DeclarationRegion | None
) -> dict[str, str]:
    """Field errors for an official of `level` over `region`, created by `by` (empty if fine)."""
    errors: dict[str, str] = {}
    if level == OfficialLevel.MINISTRY:
        if region or declaration_region:
            errors["region"] = "部级账户不设所属区划。"
    elif level == OfficialLevel.PROVINCE:
        if declaration_region is None:
            errors["declaration_region"] = "省级账户须选择申报地区。"
    elif level == OfficialLevel.CITY:
        if region is None or region.level != Region.Level.CITY:
            errors["region"] = "市级账户的所属区划须为地市级行政区划。"
    elif level == OfficialLevel.COUNTY:
        if region is None or region.level != Region.Level.COUNTY:
            errors["region"] = "县级账户的所属区划须为区县级行政区划。"
    else:
        errors["official_level"] = "请选择管理层级。"
    if errors or by is None or by.is_superuser:
        return errors
    # A higher official creates officials below their own level, inside their own region.
    if not by.is_official or LEVEL_RANK[OfficialLevel(level)] <= by.level_rank:
        errors["official_level"] = "只能创建低于本人层级的管理账户。"
        return errors
    if by.official_level == OfficialLevel.MINISTRY:
        in_scope = True
    elif level == OfficialLevel.PROVINCE:
        in_scope = declaration_region is not None and declaration_region.pk == by.declaration_region_id
    else:
        in_scope = region is not None and for_user(
            Region.objects.filter(pk=region.pk), by, ""
        ).exists()
    if not in_scope:
        errors["region"] = "只能在本人管辖区域内创建管理账户。"
    return errors


@transaction.atomic
def official_create(
    *,
    by: User | None,
    username: str,
    password: str,
    level: str,
    region: Region | None = None,
    declaration_region: DeclarationRegion | None = None,
    person_name: str = "",
    mobile: str = "",
    email: str = "",
) -> User:
    """Create an official. `by` is the creating official, or None for an operator's command."""
    if level != OfficialLevel.PROVINCE and declaration_region is None and region is not None:
        declaration_region = region.declaration_region
    if level == OfficialLevel.PROVINCE and declaration_region is not None:
        region = declaration_region.region
    errors = official_check(
        by=by, level=level, region=region, declaration_region=declaration_region
    )
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = "该登录名已被使用，请换一个。"
    if errors:
        raise ValidationError(errors)
    user = User(
        username=username,
        kind=User.Kind.OFFICIAL,
        official_level=level,
        region=region,
        declaration_region=declaration_region,
        person_name=person_name,
        mobile=mobile,
        email=email,
        is_staff=True,
    )
    validate_password(password, user)
    user.set_password(password)
    # Set by someone else: the official sets his own at first login (policy.py).
    user.must_change_password = True
    user.save()
    return user


# --- Passwords and the sensitive actions of an account -----------------------------------------

def _password_errors(*, user: User, old_password: str, new_password: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not user.check_password(old_password):
        errors["old_password"] = ["原密码不正确。"]
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        errors["new_password1"] = exc.messages
    return errors


def _password_apply(*, user: User, new_password: str) -> User:
    user.set_password(new_password)  # also restarts the 90 days and clears must_change_password
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    return user


def password_change(*, user: User, old_password: str, new_password: str) -> User:
    """The account sets its own password (an admin account, whose session passed the second
    factor): the old one, then the rules (complexity, not one of the last 5)."""
    errors = _password_errors(user=user, old_password=old_password, new_password=new_password)
    if errors:
        raise ValidationError(errors)
    return _password_apply(user=user, new_password=new_password)


def _action_code_hash(user_id: int, purpose: str, code: str) -> str:
    return salted_hmac(f"action-code:{purpose}", f"{user_id}:{code}",
                       algorithm="sha256").hexdigest()


ACTION_TEXT = {ActionCode.Purpose.PASSWORD: "修改登录密码", ActionCode.Purpose.EMAIL: "修改登录邮箱"}


def action_code_send(*, user: User, purpose: str, channel: str) -> ActionCode:
    """Send a fresh 6-digit code for `purpose` by SMS to the bound 手机号 or by e-mail to the
    address on file (valid EMAIL_CODE_TTL, EMAIL_CODE_MAX_TRIES tries, once); earlier codes of
    the same purpose stop working. At most one a minute and SENSITIVE_CODE_HOURLY an hour."""
    from audit.services import Event, security_event

    purpose, channel = ActionCode.Purpose(purpose), ActionCode.Channel(channel)
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)  # one sender at a time per account
        now = timezone.now()
        codes = ActionCode.objects.filter(user=user)
        last = codes.order_by("-created_at").first()
        if last and now - last.created_at < RESEND_INTERVAL:
            raise ValidationError("验证码发送过于频繁，请1分钟后再试。")
        if codes.filter(created_at__gt=now - timedelta(hours=1)).count() >= (
                settings.SENSITIVE_CODE_HOURLY):
            raise ValidationError("1小时内获取验证码的次数已达上限，请稍后再试。")
        if channel == ActionCode.Channel.SMS and not user.mobile:
            raise ValidationError("账户未绑定手机号，请选择邮件接收验证码。")
        if channel == ActionCode.Channel.EMAIL and not user.email:
            raise ValidationError("账户未绑定电子邮箱，请选择短信接收验证码。")
        codes.filter(purpose=purpose, used_at__isnull=True).update(used_at=now)
        code = f"{secrets.randbelow(10**6):06d}"
        created = ActionCode.objects.create(
            user=user, purpose=purpose, channel=channel,
            code_hash=_action_code_hash(user.pk, purpose, code),
            expires_at=now + settings.EMAIL_CODE_TTL, created_at=now)
        minutes = int(settings.EMAIL_CODE_TTL.total_seconds() // 60)
        text = (f"您正在{ACTION_TEXT[purpose]}，验证码：{code}，{minutes}分钟内有效。"
                "如非本人操作，请立即修改密码。")
        if channel == ActionCode.Channel.SMS:
            send_sms(to=user.mobile, text=f"【优质中小企业梯度培育平台】{text}", recipient=user)
        else:
            address = user.email
            transaction.on_commit(lambda: send_mail(
                f"【优质中小企业梯度培育平台】{ACTION_TEXT[purpose]}验证码", text,
                settings.DEFAULT_FROM_EMAIL, [address], fail_silently=True))
        security_event(event=Event.CODE_SENT, user=user, obj=user,
                       detail=f"{purpose.label}（{channel.label}）")
    return created


def action_code_use(*, user: User, purpose: str, code: str) -> None:
    """Use up the latest code for `purpose`; raises a ValidationError on `code` when it is
    missing, expired, used up or wrong (a wrong code counts even though an error is raised)."""
    with transaction.atomic():
        current = (ActionCode.objects.select_for_update()
                   .filter(user=user, purpose=purpose, used_at__isnull=True)
                   .order_by("-created_at").first())
        if current is None:
            raise ValidationError({"code": "请先获取验证码。"})
        if timezone.now() >= current.expires_at:
            raise ValidationError({"code": "验证码已过期，请重新获取。"})
        if current.tries >= settings.EMAIL_CODE_MAX_TRIES:
            raise ValidationError({"code": "验证码错误次数过多，请重新获取。"})
        expected = _action_code_hash(user.pk, purpose, (code or "").strip())
        if hmac.compare_digest(current.code_hash, expected):
            current.used_at = timezone.now()
            current.save(update_fields=["used_at"])
            return
        current.tries += 1
        current.save(update_fields=["tries"])
        left = settings.EMAIL_CODE_MAX_TRIES - current.tries
    if left <= 0:
        raise ValidationError({"code": "验证码错误次数过多，请重新获取。"})
    raise ValidationError({"code": f"验证码不正确，还可尝试{left}次。"})


def password_change_with_code(*, user: User, old_password: str, new_password: str,
                              code: str) -> User:
    """An enterprise or 自然人 account changes its password: the old one, the rules, and a
    one-time code sent to its 手机号 or e-mail. The code is used only once the rest is right,
    so a typing mistake in the new password does not cost a code."""
    errors = _password_errors(user=user, old_password=old_password, new_password=new_password)
    if errors:
        raise ValidationError(errors)
    # Not inside one transaction with the change: a wrong code's count must be kept.
    action_code_use(user=user, purpose=ActionCode.Purpose.PASSWORD, code=code)
    return _password_apply(user=user, new_password=new_password)


def email_change(*, user: User, new_email: str, code: str) -> User:
    """Change the login e-mail (used by 账号找回 and 手机号修改) with a one-time code; the old
    address is told, so an owner whose account was taken over learns of it."""
    from audit.services import Event, security_event

    new_email = new_email.strip()
    old_email = user.email
    if new_email.lower() == (old_email or "").lower():
        raise ValidationError({"new_email": "新邮箱与当前邮箱相同。"})
    action_code_use(user=user, purpose=ActionCode.Purpose.EMAIL, code=code)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(email=new_email)
        user.email = new_email
        security_event(event=Event.EMAIL_CHANGE, user=user, obj=user)
        if old_email:
            body = (f"您的优质中小企业梯度培育平台账户（登录名：{user.username}）的登录邮箱已修改。"
                    "如非本人操作，请立即通过【账号找回】或【手机号修改】联系平台。")
            transaction.on_commit(lambda: send_mail(
                "【优质中小企业梯度培育平台】登录邮箱已修改", body,
                settings.DEFAULT_FROM_EMAIL, [old_email], fail_silently=True))
    return user

def inactive_accounts_disable(*, today: date, dry_run: bool = False) -> dict[str, int]:
    """等保 访问控制 c): stop administrative accounts nobody uses. An official's or operator's
    account whose last login (or, never used, its creation) lies more than
    `INACTIVE_ACCOUNT_DAYS` days before `today` (Asia/Shanghai) is deactivated, and each
    deactivation is a security event. Superusers (the operators' accounts on the servers
    themselves) and enterprise or 自然人 accounts, which may rightly sleep a whole year between
    two 信息更新, are left alone. Reactivation is a 系统管理员's decision in the admin."""
    from audit.models import SecurityEvent
    from audit.services import security_event

    days = settings.INACTIVE_ACCOUNT_DAYS
    # Active on day D (Beijing) means used on or after D's midnight; idle for more than
    # `days` days means the last use was before the midnight of today - days.
    cutoff = timezone.make_aware(
        datetime.combine(today - timedelta(days=days), time.min),
        ZoneInfo(settings.TIME_ZONE))
    idle = (User.objects.filter(is_active=True, is_superuser=False)
            .filter(Q(kind=User.Kind.OFFICIAL) | Q(is_staff=True))
            .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
            .order_by("pk"))
    if dry_run:
        return {"account_disabled": idle.count()}
    disabled = 0
    for user in idle.iterator():
        with transaction.atomic():
            if not User.objects.filter(pk=user.pk, is_active=True).update(is_active=False):
                continue
            security_event(event=SecurityEvent.Event.ACCOUNT_DISABLED, request=None, user=user,
                           obj=user, detail=f"连续{days}天以上未登录，账户已自动停用")
            disabled += 1
    return {"account_disabled": disabled}
