import getpass
import secrets
import string

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
        parser.add_argument("--password", default="",
                            help="初始密码（不填则交互输入两次；不建议在命令行中写明密码）")
        parser.add_argument("--generate", action="store_true",
                            help="生成一个高强度初始密码，只显示这一次")
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
        if options["generate"] and options["password"]:
            raise CommandError("--password 与 --generate 只能选一个。")
        if options["generate"]:
            password = generate_password()
        else:
            password = options["password"] or self._ask_password()
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
            "首次登录须绑定身份验证器并修改初始密码。"
        ))
        if options["generate"]:
            self.stdout.write(f"初始密码（只显示这一次）：{password}")

    def _ask_password(self) -> str:
        first = getpass.getpass("初始密码：")
        if not first:
            raise CommandError("初始密码不能为空。")
        if getpass.getpass("再次输入初始密码：") != first:
            raise CommandError("两次输入的密码不一致。")
        return first


def generate_password(length: int = 16) -> str:
    """A random password of `length` characters holding all four classes (upper, lower, digit,
    symbol), from the system's secure generator."""
    symbols = "!@#$%^&*-_=+?"
    pools = [string.ascii_uppercase, string.ascii_lowercase, string.digits, symbols]
    alphabet = "".join(pools)
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if all(any(c in pool for c in password) for pool in pools):
            return password
