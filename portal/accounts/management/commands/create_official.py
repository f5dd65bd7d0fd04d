import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.accounts.models import OfficialLevel
from portal.accounts.services import official_create
from portal.regions.models import DeclarationRegion, Region


class Command(BaseCommand):
    help = "创建管理端账户（部级/省级/市级/县级）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help="登录名")
        parser.add_argument("--level", required=True, choices=[c.value for c in OfficialLevel],
                            help="ministry 部级 / province 省级 / city 市级 / county 县级")
        parser.add_argument("--region", default="",
                            help="省级填申报地区代码（如 440000、440300、660000），市级/县级填行政区划代码")
        parser.add_argument("--password", default="", help="初始密码（不填则交互输入）")
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument("--mobile", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args, **options) -> None:
        level, code = options["level"], options["region"].strip()
        region = declaration_region = None
        if level == OfficialLevel.PROVINCE:
            declaration_region = DeclarationRegion.objects.filter(code=code).first()
            if declaration_region is None:
                raise CommandError(f"申报地区代码 {code!r} 不存在。")
        elif level != OfficialLevel.MINISTRY:
            region = Region.objects.filter(code=code).first()
            if region is None:
                raise CommandError(f"行政区划代码 {code!r} 不存在。")
        password = options["password"] or getpass.getpass("初始密码：")
        try:
            user = official_create(
                by=None, username=options["username"], password=password, level=level,
                region=region, declaration_region=declaration_region,
                person_name=options["name"], mobile=options["mobile"], email=options["email"],
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"已创建{user.get_official_level_display()}管理账户 {user.username}"
            f"（{user.declaration_region or user.region or '全国'}）。"
        ))
