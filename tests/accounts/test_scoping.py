"""Region scoping: every admin list, detail, action and autocomplete stops at the region."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.models import User
from portal.accounts.scoping import for_user
from portal.regions.models import Region
from tests.conftest import enterprise

pytestmark = pytest.mark.django_db


def listed(client, url="/admin/accounts/user/?all=1") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_guangdong_official_sees_no_jiangsu_row(client, everyone, gd_province, js_province):
    client.force_login(gd_province)
    body = listed(client)
    assert "广州天河科技有限公司" in body and "广州越秀制造有限公司" in body
    assert "南京玄武软件有限公司" not in body and "o_js" not in body
    search = listed(client, "/admin/accounts/user/?q=南京")
    assert "南京玄武软件有限公司" not in search
    nanjing = User.objects.get(username="ent_nanjing")
    assert client.get(f"/admin/accounts/user/{nanjing.pk}/change/").status_code == 404
    assert client.get(f"/admin/accounts/user/{nanjing.pk}/history/").status_code == 404


def test_a_plan_city_belongs_to_its_own_declaration_region(client, everyone, gd_province, sz_province):
    client.force_login(gd_province)
    assert "深圳南山电子有限公司" not in listed(client)
    client.force_login(sz_province)
    body = listed(client)
    assert "深圳南山电子有限公司" in body and "广州天河科技有限公司" not in body


def test_a_county_official_sees_nothing_of_the_neighbouring_county(client, everyone, tianhe_county):
    client.force_login(tianhe_county)
    body = listed(client)
    assert "广州天河科技有限公司" in body
    assert "广州越秀制造有限公司" not in body
    yuexiu = User.objects.get(username="ent_yuexiu")
    assert client.get(f"/admin/accounts/user/{yuexiu.pk}/change/").status_code == 404


def test_a_city_official_sees_its_counties_only(client, everyone, gz_city):
    client.force_login(gz_city)
    body = listed(client)
    assert "广州天河科技有限公司" in body and "广州越秀制造有限公司" in body
    assert "深圳南山电子有限公司" not in body and "南京玄武软件有限公司" not in body


def test_the_ministry_sees_everyone(client, everyone, ministry):
    client.force_login(ministry)
    body = listed(client)
    for name in ["广州天河科技有限公司", "深圳南山电子有限公司", "南京玄武软件有限公司"]:
        assert name in body


def test_an_action_on_an_out_of_scope_id_does_nothing(client, ent_nanjing, gd_province):
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(username=ent_nanjing.username, ip_address="10.0.0.1",
                                 user_agent="x", failures_since_start=5)
    client.force_login(gd_province)
    client.post("/admin/accounts/user/", {"action": "unlock_accounts",
                                          "_selected_action": [ent_nanjing.pk]})
    assert AccessAttempt.objects.filter(username=ent_nanjing.username).exists()


def autocomplete(client, term, model="user", field="region"):
    response = client.get("/admin/autocomplete/", {"term": term, "app_label": "accounts",
                                                   "model_name": model, "field_name": field})
    assert response.status_code == 200
    return [item["text"] for item in json.loads(response.content)["results"]]


def test_region_autocomplete_offers_only_regions_in_scope(client, gd_province, tianhe_county):
    client.force_login(gd_province)
    assert autocomplete(client, "南京") == []
    assert autocomplete(client, "南山") == []  # 深圳 is its own declaration region
    assert "广东省 广州市 天河区" in autocomplete(client, "天河")
    client.force_login(tianhe_county)
    assert autocomplete(client, "越秀") == []
    assert autocomplete(client, "天河") == ["广东省 广州市 天河区"]


def test_enterprise_and_anonymous_users_cannot_enter_the_admin(client, ent_tianhe):
    assert client.get("/admin/accounts/user/")["Location"].startswith("/admin/login/")
    client.force_login(ent_tianhe)
    assert client.get("/admin/accounts/user/")["Location"].startswith("/admin/login/")
    assert client.get("/admin/autocomplete/?term=a&app_label=accounts&model_name=user"
                      "&field_name=region").status_code in (302, 403)


def test_the_chokepoint_gives_nothing_to_non_officials(ent_tianhe, person):
    assert not for_user(Region.objects.all(), ent_tianhe, "").exists()
    assert not for_user(User.objects.all(), person, "region").exists()


def test_the_user_list_costs_the_same_queries_for_3_or_30_rows(client, gd_province):
    client.force_login(gd_province)
    for i in range(3):
        enterprise(f"few{i}", "440106", 100 + i)
    with CaptureQueriesContext(connection) as few:
        listed(client)
    for i in range(27):
        enterprise(f"many{i}", "440104", 200 + i)
    with CaptureQueriesContext(connection) as many:
        body = listed(client)
    assert "many26" in body
    assert len(many) == len(few)


def test_a_city_scope_filters_the_rows_own_column_and_learns_a_new_county(gz_city, monkeypatch):
    """The city's regions are listed by id (no join to the region table), kept 10 minutes."""
    from portal.accounts import scoping

    clock = [1000.0]
    monkeypatch.setattr(scoping.time, "monotonic", lambda: clock[0])
    scoping._UNDER.clear()
    sql = str(for_user(User.objects.all(), gz_city, "region").query)
    assert "regions_region" not in sql  # no join: the user's own region_id column
    city = Region.objects.get(code="440100")
    new = Region.objects.create(code="440199", name="新设区", full_name="广东省广州市新设区",
                                level=Region.Level.COUNTY, parent=city,
                                declaration_region=city.declaration_region)
    account = enterprise("ent_new_county", "440199", 7)
    assert not for_user(User.objects.filter(pk=account.pk), gz_city, "region").exists()
    clock[0] += 601
    assert for_user(User.objects.filter(pk=account.pk), gz_city, "region").exists()
    assert new.pk in scoping.regions_under("4401")
