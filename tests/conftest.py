"""Shared personas: enterprises and officials in 广东 and 江苏, and the neighbouring county."""

from __future__ import annotations

import pytest
from captcha.conf import settings as captcha_settings
from django.core.cache import cache
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import User
from portal.accounts.services import (
    account_register_enterprise,
    account_register_person,
    official_create,
)
from portal.accounts.validators import id_check_char, uscc_check_char
from portal.regions.models import DeclarationRegion, Region

PASSWORD = "Test@2026pass"


@pytest.fixture(autouse=True)
def _captcha_test_mode(monkeypatch):
    # Forms accept the answer "PASSED"; test_captcha.py turns this off to test the real check.
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate limits, cached sessions and pages live in caches; each test starts from nothing.
    from announcements.selectors import clear_local_pages
    from portal.accounts.scoping import _UNDER

    cache.clear()
    clear_local_pages()
    _UNDER.clear()  # the city scopes' region lists, kept per process
    yield
    cache.clear()
    clear_local_pages()
    _UNDER.clear()


# --- the second factor in tests ------------------------------------------------------------------
# Admin accounts need a second factor (portal/accounts/two_factor.py). Tests that log an official
# in with `client.force_login` mean "an official who has logged in", which now includes passing
# the second factor: the session is marked verified with a confirmed authenticator, exactly what
# the verification page does. Tests of the second factor itself log in with `login_password_only`.

_force_login = Client.force_login


def verify_second_factor(client: Client, user: User) -> TOTPDevice:
    """Mark `client`'s session as having passed the second factor with `user`'s authenticator
    (one is enrolled when the account has none)."""
    device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
              or TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True))
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def login_password_only(client: Client, user: User) -> None:
    """Logged in by password, second factor not yet passed."""
    _force_login(client, user)


def _force_login_verified(self: Client, user: User, backend: str | None = None) -> None:
    _force_login(self, user, backend)
    if user.is_admin_account:
        verify_second_factor(self, user)


@pytest.fixture(autouse=True)
def _admin_logins_pass_second_factor(monkeypatch):
    monkeypatch.setattr(Client, "force_login", _force_login_verified)


def make_uscc(region_code: str, seq: int) -> str:
    first17 = f"91{region_code}MA{seq:07d}"
    return first17 + uscc_check_char(first17)


def make_id_number(region_code: str, birth: str = "19900101", seq: int = 123) -> str:
    first17 = f"{region_code}{birth}{seq:03d}"
    return first17 + id_check_char(first17)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def dr(code: str) -> DeclarationRegion:
    return DeclarationRegion.objects.get(code=code)


def enterprise(username: str, region_code: str, seq: int, name: str | None = None) -> User:
    return account_register_enterprise(
        username=username,
        uscc=make_uscc(region_code, seq),
        org_name=name or f"{username}有限公司",
        person_name="张三",
        mobile="13800000000",
        email=f"{username}@example.cn",
        password=PASSWORD,
    )


def official(username: str, level: str, code: str = "") -> User:
    """An official who has already set his own password (official_create imposes a change at
    first login; tests/accounts/test_password_policy.py tests that)."""
    user = official_create(
        by=None,
        username=username,
        password=PASSWORD,
        level=level,
        region=region(code) if level in ("city", "county") else None,
        declaration_region=dr(code) if level == "province" else None,
        person_name=username,
    )
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    user.must_change_password = False
    return user


@pytest.fixture
def ent_tianhe(db) -> User:
    return enterprise("ent_tianhe", "440106", 1, "广州天河科技有限公司")


@pytest.fixture
def ent_yuexiu(db) -> User:
    return enterprise("ent_yuexiu", "440104", 2, "广州越秀制造有限公司")


@pytest.fixture
def ent_shenzhen(db) -> User:
    return enterprise("ent_shenzhen", "440305", 3, "深圳南山电子有限公司")


@pytest.fixture
def ent_nanjing(db) -> User:
    return enterprise("ent_nanjing", "320102", 4, "南京玄武软件有限公司")


@pytest.fixture
def person(db) -> User:
    return account_register_person(
        username="zrr_user", id_number=make_id_number("440106"), person_name="李四",
        mobile="13900000000", email="zrr@example.cn", password=PASSWORD,
    )


@pytest.fixture
def ministry(db) -> User:
    return official("o_ministry", "ministry")


@pytest.fixture
def gd_province(db) -> User:
    return official("o_gd", "province", "440000")


@pytest.fixture
def sz_province(db) -> User:
    return official("o_sz", "province", "440300")


@pytest.fixture
def js_province(db) -> User:
    return official("o_js", "province", "320000")


@pytest.fixture
def gz_city(db) -> User:
    return official("o_gz", "city", "440100")


@pytest.fixture
def tianhe_county(db) -> User:
    return official("o_tianhe", "county", "440106")


@pytest.fixture
def yuexiu_county(db) -> User:
    return official("o_yuexiu", "county", "440104")


@pytest.fixture
def everyone(ent_tianhe, ent_yuexiu, ent_shenzhen, ent_nanjing, person) -> list[User]:
    return [ent_tianhe, ent_yuexiu, ent_shenzhen, ent_nanjing, person]


def tamper(fieldfile) -> None:
    """Change a stored file on disk behind the application's back (one byte appended)."""
    with open(fieldfile.path, "ab") as handle:
        handle.write(b"\x00")


def refused_and_logged(response, caplog) -> bool:
    """A download refused for integrity: 409, the Chinese message, a portal.security line."""
    return (response.status_code == 409 and "完整性校验未通过" in response.content.decode()
            and any(r.name == "portal.security" for r in caplog.records))
