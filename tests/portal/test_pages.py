import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from portal.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_home_page_is_in_chinese_with_the_three_tiers(client):
    body = client.get("/").content.decode()
    assert "优质中小企业梯度培育平台" in body
    for tier in ["创新型中小企业", "专精特新中小企业", "专精特新“小巨人”企业"]:
        assert tier in body
    assert "登录" in body and "注册" in body


def test_static_assets_are_local_never_a_cdn(client):
    body = client.get("/").content.decode()
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in body
    assert "cdn" not in body.lower() and "https://" not in body


def test_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_404_is_a_chinese_page(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_the_enterprise_home_needs_a_login(client):
    response = client.get("/enterprise/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/enterprise/"


def test_an_official_is_sent_from_the_enterprise_home_to_the_admin(client, gd_province):
    client.force_login(gd_province)
    assert client.get("/enterprise/")["Location"] == "/admin/"


def test_seed_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_loads_accounts_of_every_kind_and_can_run_twice(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "bu_admin" in out and "gz_kejie" in out
    levels = set(User.objects.filter(kind="official").values_list("official_level", flat=True))
    assert levels == {"ministry", "province", "city", "county"}
    assert User.objects.filter(kind="enterprise").count() == 5
    assert User.objects.filter(kind="person").count() == 1
    # The statistics page counts the demo enterprises at once; the demo titles carry 注册地.
    from enterprises.models import EnterpriseCount, Recognition

    assert EnterpriseCount.objects.exists()
    assert not Recognition.objects.filter(region__isnull=True).exists()


def test_seed_demo_officials_have_the_printed_demo_key_and_need_no_password_change(settings,
                                                                                 capsys):
    from base64 import b32decode

    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.conftest import login_password_only

    settings.DEBUG = True
    call_command("seed_demo")
    out = capsys.readouterr().out
    key = out.split("密钥 ")[1].split("（")[0]
    official = User.objects.get(username="bu_admin")
    device = TOTPDevice.objects.get(user=official, confirmed=True)
    assert device.bin_key == b32decode(key.replace(" ", ""))
    assert not official.must_change_password
    client = Client()
    login_password_only(client, official)
    response = client.post("/accounts/otp/verify/", {"token": f"{totp(b32decode(key.replace(' ', ''))):06d}"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_seed_demo_gives_the_precision_manufacturer_the_manufacturing_questionnaire(settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    client.force_login(User.objects.get(username="gz_huaxin"))
    body = client.get("/assessment/").content.decode()
    assert 'data-testid="category">制造业<' in body and "3484 机械零部件加工" in body
