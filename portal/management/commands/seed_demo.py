"""Demo data for trying the product out. Refuses to run with DEBUG off."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.accounts.models import PhoneChangeRequest, User
from portal.accounts.services import (
    account_register_enterprise,
    account_register_person,
    official_create,
)
from portal.accounts.validators import id_check_char, uscc_check_char
from portal.regions.models import DeclarationRegion, Region

DEMO_PASSWORD = "Demo@2026pass"

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


class Command(BaseCommand):
    help = "载入演示数据（企业账户、各级管理账户），并打印登录信息。DEBUG 关闭时拒绝运行。"

    @transaction.atomic
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
        applicant = User.objects.get(username="gz_huaxin")
        if not applicant.phone_change_requests.exists():
            PhoneChangeRequest.objects.create(
                user=applicant, new_mobile="13711112222", applicant_name="李华",
                reason="原手机号已停用", letter=ContentFile(b"%PDF-1.4\n%demo\n", name="授权书.pdf"),
                letter_name="授权书.pdf",
            )
        self.stdout.write(self.style.SUCCESS("演示数据已载入。所有演示账户的密码：" + DEMO_PASSWORD))
        self.stdout.write("\n".join(lines))
        self.stdout.write("  企业端登录：http://127.0.0.1:8000/accounts/login/  管理端：http://127.0.0.1:8000/admin/")
