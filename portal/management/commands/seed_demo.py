"""Demo data for trying the product out. Refuses to run with DEBUG off."""

import datetime
from base64 import b32encode
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from announcements.models import Announcement
from announcements.services import announcement_publish, announcement_save
from declarations.services import statistics_refresh, window_save
from enterprises.models import (
    ChangeEvidence,
    ChangeType,
    Enterprise,
    Industry,
    InfoUpdate,
    MajorChange,
    Recognition,
    RecognitionTerm,
    YearFigures,
)
from enterprises.services import (
    enterprise_for_account,
    standard_version_on,
)
from portal.accounts.models import PhoneChangeRequest, User
from portal.accounts.services import (
    account_register_enterprise,
    account_register_person,
    official_create,
)
from portal.accounts.validators import id_check_char, uscc_check_char
from portal.regions.models import DeclarationRegion, Region

DEMO_PASSWORD = "Demo@2026pass"
# Demo officials come with an authenticator already enrolled on this fixed key (DEBUG only, like
# everything here), so `make run` is usable at once: add it to any TOTP app by hand.
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"  # base32 GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ


def demo_second_factor(user: User) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="演示身份验证器", key=DEMO_TOTP_KEY_HEX,
                                  confirmed=True)
    User.objects.filter(pk=user.pk).update(must_change_password=False)

ENTERPRISES = [
    # login name, region code, org code (9 chars), name, legal representative
    ("gz_kejie", "440106", "MA5CK0001", "广州科捷智能装备有限公司", "陈志强"),
    ("gz_huaxin", "440106", "MA5CK0002", "广州华信精密制造有限公司", "李华"),
    ("sz_xinrui", "440305", "MA5FX0003", "深圳芯锐微电子有限公司", "王芳"),
    ("nj_tianyuan", "320102", "MA1NJ0004", "南京天元新材料科技有限公司", "张伟"),
    ("nj_ruida", "320102", "MA1NJ0005", "南京瑞达软件技术有限公司", "刘洋"),
]

OFFICIALS = [
    ("bu_admin", "ministry", "", "部级管理员"),
    ("gd_sheng", "province", "440000", "广东省级管理员"),
    ("gz_shi", "city", "440100", "广州市级管理员"),
    ("gz_tianhe", "county", "440106", "天河区县级管理员"),
    ("js_sheng", "province", "320000", "江苏省级管理员"),
    ("nj_shi", "city", "320100", "南京市级管理员"),
    ("nj_xuanwu", "county", "320102", "玄武区县级管理员"),
]


def demo_uscc(region_code: str, org_code: str) -> str:
    first17 = f"91{region_code}{org_code}"
    return first17 + uscc_check_char(first17)


def _complete(enterprise: Enterprise, region_code: str, industry_code: str, last_year: int) -> None:
    """Fill a demo enterprise's profile and three years of figures."""
    enterprise.region = Region.objects.get(code=region_code)
    enterprise.industry = Industry.objects.get(code=industry_code)
    enterprise.address = f"{enterprise.region.full_name.replace(' ', '')}科技园1号"
    enterprise.founded_on = datetime.date(2014, 5, 1)
    enterprise.registered_capital = Decimal("2000")
    enterprise.scale = "small"
    enterprise.contact_person = "王经理"
    enterprise.main_product = "工业控制模块"
    enterprise.niche_market = "工业自动化控制"
    enterprise.niche_since = datetime.date(2016, 1, 1)
    enterprise.employees, enterprise.rd_staff = 180, 36
    enterprise.save()
    for offset, revenue in enumerate([Decimal("8200"), Decimal("7100"), Decimal("6300")]):
        YearFigures.objects.update_or_create(
            enterprise=enterprise, year=last_year - offset,
            defaults={"operating_revenue": revenue, "main_business_revenue": revenue * Decimal("0.9"),
                      "rd_expense": revenue * Decimal("0.06"), "net_profit": revenue * Decimal("0.1"),
                      "total_assets": revenue * Decimal("1.2"),
                      "total_liabilities": revenue * Decimal("0.5"),
                      "new_equity_financing": Decimal("0")})


class Command(BaseCommand):
    help = "载入演示数据（企业账户、各级管理账户），并打印登录信息。DEBUG 关闭时拒绝运行。"

    @transaction.atomic
    def _enterprise_states(self) -> None:
        last_year = timezone.localdate().year - 1
        kejie = enterprise_for_account(user=User.objects.get(username="gz_kejie"))
        _complete(kejie, "440106", "3311", last_year)
        if not kejie.recognitions.exists():
            Recognition.objects.create(enterprise=kejie, region=kejie.region, tier="specialized",
                                       batch="演示批次",
                                       certificate_no="YS-0001",
                                       valid_from=datetime.date(last_year, 6, 1),
                                       valid_until=datetime.date(last_year + 3, 5, 31))
        if not kejie.recognitions.filter(tier="innovative").exists():
            # 创新型, ending in 90 days: inside its 复核 period (认证到期管理 offers 【去复核】),
            # with every annual update of its validity made.
            ends = timezone.localdate() + datetime.timedelta(days=90)
            starts = ends - relativedelta(years=3) + datetime.timedelta(days=1)
            title = Recognition.objects.create(enterprise=kejie, region=kejie.region,
                                               tier="innovative",
                                               batch="演示批次（创新型）", certificate_no="YS-C-0001",
                                               valid_from=starts, valid_until=ends,
                                               standard_version=standard_version_on(starts))
            RecognitionTerm.objects.create(recognition=title, valid_from=starts, valid_until=ends,
                                           source=RecognitionTerm.Source.RECOGNITION)
            for year in range(starts.year, timezone.localdate().year + 1):
                made = datetime.datetime(year, 3, 1, tzinfo=datetime.UTC)
                if made < timezone.now():
                    InfoUpdate.objects.get_or_create(
                        enterprise=kejie, year=year,
                        defaults={"figures_year": year - 1, "submitted_by": kejie.account,
                                  "submitted_at": made})
        # 3484 机械零部件加工 (门类 C): a precision manufacturer answers the 制造业 questionnaire.
        _complete(enterprise_for_account(user=User.objects.get(username="gz_huaxin")), "440106",
                  "3484", last_year)
        enterprise_for_account(user=User.objects.get(username="sz_xinrui"))
        tianyuan = enterprise_for_account(user=User.objects.get(username="nj_tianyuan"))
        _complete(tianyuan, "320102", "3985", last_year)
        if not tianyuan.major_changes.exists():
            change = MajorChange.objects.create(
                enterprise=tianyuan, change_type=ChangeType.RENAME,
                changed_on=timezone.localdate() - datetime.timedelta(days=20),
                before=tianyuan.name, after="南京天元先进材料科技有限公司",
                new_name="南京天元先进材料科技有限公司", reason="业务升级更名",
                status=MajorChange.Status.SUBMITTED, submitted_at=timezone.now(),
                review_region=tianyuan.region,
            )
            ChangeEvidence.objects.create(change=change, name="名称变更通知书.pdf", size=16,
                                          file=ContentFile(b"%PDF-1.4\n%demo\n", name="x.pdf"))

    def _announcements_and_windows(self) -> None:
        if Announcement.objects.exists():
            return
        ministry = User.objects.get(username="bu_admin")
        guangdong = User.objects.get(username="gd_sheng")
        jiangsu = User.objects.get(username="js_sheng")
        items = [
            (ministry, "关于开展2026年度专精特新“小巨人”企业培育工作的通知", "通知", True),
            (ministry, "优质中小企业梯度培育管理办法解读", "公告", False),
            (ministry, "第七批专精特新“小巨人”企业名单公示", "公示", False),
            (guangdong, "广东省2026年创新型中小企业评价工作的通知", "通知", True),
            (guangdong, "广东省2026年专精特新中小企业拟认定名单公示", "公示", False),
            (jiangsu, "江苏省关于做好2026年度优质中小企业梯度培育工作的通知", "通知", False),
        ]
        kinds = {label: value for value, label in Announcement._meta.get_field("kind").choices}
        for by, title, kind, pinned in items:
            body = (f"<p>各有关单位：</p><p>{title}，请各地中小企业主管部门按照《优质中小企业梯度培育"
                    "管理办法》组织企业通过优质中小企业梯度培育平台申报。</p><p>特此通知。</p>")
            item = announcement_save(by=by, title=title, body=body, kind=kinds[kind], pinned=pinned)
            announcement_publish(announcement=item, by=by)
        now = timezone.now()
        for by, code in [(guangdong, "440000"), (jiangsu, "320000")]:
            for tier in ("innovative", "specialized"):
                window_save(by=by, declaration_region=DeclarationRegion.objects.get(code=code),
                            tier=tier, starts_at=now - datetime.timedelta(days=7),
                            ends_at=now + datetime.timedelta(days=60))

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo 只能在 DEBUG=true 的开发环境运行，生产环境不得载入演示数据。")
        lines = []
        for username, level, code, name in OFFICIALS:
            if not User.objects.filter(username=username).exists():
                official_create(
                    by=None, username=username, password=DEMO_PASSWORD, level=level,
                    region=Region.objects.get(code=code) if level in ("city", "county") else None,
                    declaration_region=(
                        DeclarationRegion.objects.get(code=code) if level == "province" else None
                    ),
                    person_name=name, email=f"{username}@example.cn",
                )
            demo_second_factor(User.objects.get(username=username))
            lines.append(f"  管理端 {name:<12} 登录名 {username}")
        for i, (username, code, org, name, rep) in enumerate(ENTERPRISES):
            if not User.objects.filter(username=username).exists():
                account_register_enterprise(
                    username=username, uscc=demo_uscc(code, org), org_name=name, person_name=rep,
                    mobile=f"1380000{i:04d}", email=f"{username}@example.cn",
                    password=DEMO_PASSWORD,
                )
            lines.append(f"  法人账户 {name} 登录名 {username}（统一社会信用代码 {demo_uscc(code, org)}）")
        if not User.objects.filter(username="zrr_demo").exists():
            first17 = "44010619900101123"
            account_register_person(
                username="zrr_demo", id_number=first17 + id_check_char(first17),
                person_name="赵敏", mobile="13900000001", email="zrr_demo@example.cn",
                password=DEMO_PASSWORD,
            )
        lines.append("  自然人账户 赵敏 登录名 zrr_demo（可登录，不能申报）")
        self._enterprise_states()
        self._announcements_and_windows()
        applicant = User.objects.get(username="gz_huaxin")
        if not applicant.phone_change_requests.exists():
            PhoneChangeRequest.objects.create(
                user=applicant, new_mobile="13711112222", applicant_name="李华",
                reason="原手机号已停用", letter=ContentFile(b"%PDF-1.4\n%demo\n", name="授权书.pdf"),
                letter_name="授权书.pdf",
            )
        statistics_refresh()  # the statistics page counts the demo data at once
        self.stdout.write(self.style.SUCCESS("演示数据已载入。所有演示账户的密码：" + DEMO_PASSWORD))
        self.stdout.write("  企业状态：gz_kejie 已认定（专精特新；创新型将于90天后到期，可在认证到期管理中【去复核】），gz_huaxin 信息完整未认定，"
                          "sz_xinrui 信息未完善，nj_tianyuan 有待审核的更名报告")
        self.stdout.write("\n".join(lines))
        self.stdout.write("  企业端登录：http://127.0.0.1:8000/accounts/login/  管理端：http://127.0.0.1:8000/admin/")
        key = " ".join(b32encode(bytes.fromhex(DEMO_TOTP_KEY_HEX)).decode()[i:i + 4]
                       for i in range(0, 32, 4))
        self.stdout.write(f"  管理端双因素认证：演示管理账户已绑定身份验证器，密钥 {key}"
                          "（在任一 TOTP 应用中手动添加后输入6位验证码；仅限演示环境）")
