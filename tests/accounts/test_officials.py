import pytest
from django.core.management import CommandError, call_command

from portal.accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "level,code,expected",
    [("ministry", "", None), ("province", "440300", "深圳市"), ("province", "660000", "新疆生产建设兵团"),
     ("city", "440100", "广东省"), ("county", "440106", "广东省")],
)
def test_create_official_command(level, code, expected, capsys):
    call_command("create_official", "new_official", level=level, region=code, password=PASSWORD)
    user = User.objects.get(username="new_official")
    assert user.is_staff and user.is_official and user.official_level == level
    assert (user.declaration_region.name if user.declaration_region else None) == expected
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    "level,code,message",
    [("city", "440106", "地市级"), ("county", "440100", "区县级"), ("province", "999999", "不存在"),
     ("county", "", "不存在")],
)
def test_create_official_refuses_a_wrong_region(level, code, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_official", "bad", level=level, region=code, password=PASSWORD)
    assert not User.objects.filter(username="bad").exists()


def add(client, **data):
    base = {"username": "new_one", "password1": PASSWORD, "password2": PASSWORD,
            "person_name": "新官员", "mobile": "", "email": ""}
    return client.post("/admin/accounts/user/add/", {**base, **data})


def test_a_province_official_creates_a_city_official_inside_the_province(client, gd_province):
    from portal.regions.models import Region

    client.force_login(gd_province)
    response = add(client, official_level="city", region=Region.objects.get(code="440100").pk)
    assert response.status_code == 302, response.content.decode()[:3000]
    created = User.objects.get(username="new_one")
    assert created.official_level == "city" and created.region.code == "440100"
    assert created.check_password(PASSWORD) and created.is_staff


def test_outside_the_region_or_at_the_same_level_is_refused(client, gd_province):
    from portal.regions.models import DeclarationRegion, Region

    client.force_login(gd_province)
    body = add(client, official_level="city", region=Region.objects.get(code="320100").pk).content.decode()
    assert "只能在本人管辖区域内创建管理账户" in body or "选择一个有效的选项" in body
    body = add(client, official_level="county", region=Region.objects.get(code="440305").pk).content.decode()
    assert "只能在本人管辖区域内创建管理账户" in body or "选择一个有效的选项" in body
    body = add(client, official_level="province",
               declaration_region=DeclarationRegion.objects.get(code="440000").pk).content.decode()
    assert "选择一个有效的选项" in body or "只能创建低于本人层级" in body
    assert not User.objects.filter(username="new_one").exists()


def test_a_county_official_cannot_create_officials(client, tianhe_county):
    client.force_login(tianhe_county)
    assert client.get("/admin/accounts/user/add/").status_code == 403
    assert not User.objects.filter(username="new_one").exists()


def test_an_official_cannot_edit_a_peer_or_a_superior(client, gd_province, gz_city):
    from tests.conftest import official

    peer = official("o_gz2", "city", "440100")
    client.force_login(gz_city)
    for target, status in [(peer, 403), (gd_province, 404)]:  # the superior is out of scope
        response = client.post(f"/admin/accounts/user/{target.pk}/change/",
                               {"person_name": "改名", "mobile": "", "email": ""})
        assert response.status_code == status
        target.refresh_from_db()
        assert target.is_active and target.person_name != "改名"


def test_a_province_official_deactivates_a_city_official(client, gd_province, gz_city):
    client.force_login(gd_province)
    response = client.post(f"/admin/accounts/user/{gz_city.pk}/change/",
                           {"person_name": "广州", "mobile": "", "email": ""})
    assert response.status_code == 302
    gz_city.refresh_from_db()
    assert not gz_city.is_active
