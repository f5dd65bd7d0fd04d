"""Declaration windows (申报时间): edges, overlaps, who maintains them, the home dialog."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from common.tiers import Tier
from declarations import services
from declarations.models import DeclarationWindow
from tests.conftest import dr

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 7, 1, 0, 0, 0, tzinfo=SH)
END = datetime(2026, 7, 31, 23, 59, 59, tzinfo=SH)
ADMIN = "/admin/declarations/declarationwindow/"


def window(by, code="440000", tier=Tier.INNOVATIVE, starts_at=START, ends_at=END, note=""):
    return services.window_save(by=by, declaration_region=dr(code), tier=tier,
                                starts_at=starts_at, ends_at=ends_at, note=note)


def regions_at(client, when, tier="innovative") -> str:
    with time_machine.travel(when, tick=False):
        response = client.get(f"/declare/{tier}/regions/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(("when", "is_open"), [
    (datetime(2026, 6, 30, 23, 59, 59, tzinfo=SH), False),
    (START, True),
    (datetime(2026, 7, 15, 12, 0, tzinfo=SH), True),
    (END, True),
    (datetime(2026, 8, 1, 0, 0, 0, tzinfo=SH), False),
])
def test_a_window_is_open_on_both_edges_and_closed_just_outside(client, gd_province, when,
                                                                 is_open):
    window(gd_province)
    body = regions_at(client, when)
    assert ("广东省" in body) is is_open
    assert ("暂无开放申报的地区" in body) is not is_open
    assert DeclarationWindow.objects.get().is_open_at(when) is is_open


def test_the_window_is_read_in_beijing_time(client, gd_province):
    window(gd_province)
    # 2026-06-30 16:00 UTC is 2026-07-01 00:00 in Beijing: open.
    assert "广东省" in regions_at(client, datetime(2026, 6, 30, 16, 0, tzinfo=ZoneInfo("UTC")))


def test_overlapping_windows_for_the_same_region_and_tier_are_refused(gd_province):
    window(gd_province)
    for starts, ends in [(datetime(2026, 7, 31, 23, 59, 59, tzinfo=SH),
                          datetime(2026, 8, 10, tzinfo=SH)),
                         (datetime(2026, 6, 1, tzinfo=SH), START),
                         (datetime(2026, 7, 5, tzinfo=SH), datetime(2026, 7, 6, tzinfo=SH)),
                         (datetime(2026, 6, 1, tzinfo=SH), datetime(2026, 9, 1, tzinfo=SH))]:
        with pytest.raises(ValidationError) as error:
            window(gd_province, starts_at=starts, ends_at=ends)
        assert "重叠" in str(error.value.message_dict["starts_at"])
    assert DeclarationWindow.objects.count() == 1


def test_adjacent_windows_and_other_tiers_or_regions_may_coexist(gd_province, ministry):
    window(gd_province)
    window(gd_province, starts_at=datetime(2026, 8, 1, tzinfo=SH),
           ends_at=datetime(2026, 8, 31, tzinfo=SH))
    window(gd_province, tier=Tier.SPECIALIZED)
    window(ministry, code="320000")
    assert DeclarationWindow.objects.count() == 4


def test_an_end_before_the_start_is_refused(gd_province):
    with pytest.raises(ValidationError) as error:
        window(gd_province, starts_at=END, ends_at=START)
    assert "ends_at" in error.value.message_dict


def test_changing_a_window_does_not_clash_with_itself(gd_province):
    existing = window(gd_province)
    services.window_save(by=gd_province, window=existing, declaration_region=dr("440000"),
                         tier=Tier.INNOVATIVE, starts_at=START,
                         ends_at=datetime(2026, 8, 15, tzinfo=SH))
    existing.refresh_from_db()
    assert existing.ends_at == datetime(2026, 8, 15, tzinfo=SH)


def test_a_province_official_cannot_touch_another_regions_windows(gd_province, js_province):
    jiangsu = window(js_province, code="320000")
    with pytest.raises(PermissionDenied):
        window(gd_province, code="320000", starts_at=datetime(2026, 9, 1, tzinfo=SH),
               ends_at=datetime(2026, 9, 30, tzinfo=SH))
    with pytest.raises(PermissionDenied):
        services.window_save(by=gd_province, window=jiangsu, declaration_region=dr("440000"),
                             tier=Tier.INNOVATIVE, starts_at=START, ends_at=END)
    with pytest.raises(PermissionDenied):
        services.window_delete(by=gd_province, window=jiangsu)
    jiangsu.refresh_from_db()
    assert jiangsu.declaration_region.code == "320000"


@pytest.mark.parametrize("persona", ["gz_city", "tianhe_county", "ent_tianhe"])
def test_city_county_and_enterprises_cannot_maintain_windows(persona, request):
    with pytest.raises(PermissionDenied):
        window(request.getfixturevalue(persona))


# --- the admin -----------------------------------------------------------------------------

def post_window(client, code_pk, url=f"{ADMIN}add/", **overrides):
    data = {"declaration_region": code_pk, "tier": "innovative",
            "starts_at_0": "2026-07-01", "starts_at_1": "00:00:00",
            "ends_at_0": "2026-07-31", "ends_at_1": "23:59:59", "note": "2026年第一批",
            "standard_version": "2022", "features": ""}
    data.update(overrides)
    return client.post(url, data)


def test_a_province_official_adds_its_window_in_the_admin(client, gd_province):
    client.force_login(gd_province)
    form = client.get(f"{ADMIN}add/").content.decode()
    assert "广东省" in form and "江苏省" not in form
    assert post_window(client, dr("440000").pk).status_code == 302
    saved = DeclarationWindow.objects.get()
    assert saved.starts_at == START and saved.ends_at == END and saved.created_by == gd_province


def test_the_admin_shows_an_overlap_at_the_field_and_keeps_the_input(client, gd_province):
    window(gd_province)
    client.force_login(gd_province)
    response = post_window(client, dr("440000").pk, note="第二批（重复）")
    assert response.status_code == 200
    body = response.content.decode()
    assert "重叠" in body and "第二批（重复）" in body
    assert DeclarationWindow.objects.count() == 1


def test_a_province_official_cannot_add_for_another_region_in_the_admin(client, gd_province):
    client.force_login(gd_province)
    response = post_window(client, dr("320000").pk)
    assert response.status_code == 200 and not DeclarationWindow.objects.exists()


def test_another_regions_window_answers_404_in_the_admin(client, gd_province, js_province):
    jiangsu = window(js_province, code="320000")
    client.force_login(gd_province)
    assert "江苏省" not in client.get(ADMIN).content.decode()
    assert client.get(f"{ADMIN}{jiangsu.pk}/change/").status_code == 404
    assert post_window(client, dr("440000").pk, url=f"{ADMIN}{jiangsu.pk}/change/").status_code == 404
    assert client.post(f"{ADMIN}{jiangsu.pk}/delete/", {"post": "yes"}).status_code == 404
    client.post(ADMIN, {"action": "delete_selected", "_selected_action": [jiangsu.pk],
                        "post": "yes"})
    assert DeclarationWindow.objects.filter(pk=jiangsu.pk).exists()


def test_the_ministry_maintains_any_regions_windows(client, ministry, js_province):
    jiangsu = window(js_province, code="320000")
    client.force_login(ministry)
    assert client.get(f"{ADMIN}{jiangsu.pk}/change/").status_code == 200
    assert post_window(client, dr("440300").pk).status_code == 302
    assert DeclarationWindow.objects.filter(declaration_region__code="440300").exists()


@pytest.mark.parametrize("persona", ["gz_city", "tianhe_county"])
def test_city_and_county_officials_see_their_regions_windows_but_cannot_add(client, persona,
                                                                            request, gd_province):
    window(gd_province)
    client.force_login(request.getfixturevalue(persona))
    assert "广东省" in client.get(ADMIN).content.decode()
    assert client.get(f"{ADMIN}add/").status_code == 403
    assert post_window(client, dr("440000").pk).status_code == 403
    pk = DeclarationWindow.objects.get().pk
    assert post_window(client, dr("440000").pk, url=f"{ADMIN}{pk}/change/",
                       note="改").status_code == 403


@pytest.mark.parametrize("persona", ["ent_tianhe", None])
def test_enterprises_and_anonymous_visitors_do_not_reach_the_windows_admin(client, persona,
                                                                           request):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    response = client.get(f"{ADMIN}add/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- the dialog ----------------------------------------------------------------------------

def test_the_dialog_lists_the_regions_open_for_that_tier_only(client, gd_province, js_province):
    window(gd_province, note="2026年第一批")
    window(js_province, code="320000", tier=Tier.SPECIALIZED)
    when = datetime(2026, 7, 10, tzinfo=SH)
    innovative = regions_at(client, when)
    assert "广东省" in innovative and "2026年第一批" in innovative and "江苏省" not in innovative
    specialized = regions_at(client, when, "specialized")
    assert "江苏省" in specialized and "广东省" not in specialized
    assert "暂无开放申报的地区" in regions_at(client, when, "giant")


def test_the_dialog_fragment_is_served_to_the_home_page_script(client, gd_province):
    window(gd_province)
    with time_machine.travel(datetime(2026, 7, 10, tzinfo=SH), tick=False):
        response = client.get("/declare/innovative/regions/",
                              HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    body = response.content.decode()
    assert "广东省" in body and "<html" not in body


def test_an_anonymous_visitor_choosing_a_region_goes_to_login_first(client, gd_province,
                                                                     ent_tianhe):
    window(gd_province)
    when = datetime(2026, 7, 10, tzinfo=SH)
    body = regions_at(client, when)
    assert "/accounts/login/?next=%2Fenterprise%2Fdeclarations%2F%3Ftier%3Dinnovative%26region%3D440000" in body
    client.force_login(ent_tianhe)
    assert 'href="/enterprise/declarations/?tier=innovative&amp;region=440000"' in regions_at(client, when)


def test_a_natural_person_is_told_they_cannot_declare(client, gd_province, person):
    window(gd_province)
    client.force_login(person)
    body = regions_at(client, datetime(2026, 7, 10, tzinfo=SH))
    assert "自然人账户不能进行优质中小企业申报" in body and "/enterprise/declarations/?tier" not in body


@pytest.mark.parametrize("tier", ["unknown", "GIANT", "1", "%3Cscript%3E"])
def test_an_unknown_tier_answers_404(client, tier):
    assert client.get(f"/declare/{tier}/regions/").status_code == 404


FEATURES = {"region": "广东省", "total_points": 15, "indicators": [
    {"key": "export", "name": "上年度出口额占营业收入比重", "kind": "number", "unit": "%",
     "max_points": 10, "bands": [{"threshold": "30", "points": 10}, {"threshold": "10", "points": 5}]},
    {"key": "chain", "name": "属于本省重点产业链", "kind": "choice", "max_points": 5,
     "choices": {"是": 5, "否": 0}}]}


def test_a_specialized_window_keeps_its_standard_version_and_feature_indicators(client, gd_province):
    import json

    client.force_login(gd_province)
    response = post_window(client, dr("440000").pk, tier="specialized", standard_version="2026",
                           features=json.dumps(FEATURES, ensure_ascii=False))
    assert response.status_code == 302
    saved = DeclarationWindow.objects.get()
    assert saved.standard_version == "2026" and saved.features["indicators"][1]["key"] == "chain"


@pytest.mark.parametrize("features, message", [
    ({**FEATURES, "indicators": FEATURES["indicators"][:1]}, "各指标满分合计应为15分，当前10分"),
    ({"region": "广东省"}, "特色化指标配置格式错误"),
    ([1, 2], "特色化指标应为JSON对象"),
])
def test_a_bad_feature_configuration_is_refused_at_the_field(client, gd_province, features, message):
    import json

    client.force_login(gd_province)
    response = post_window(client, dr("440000").pk, tier="specialized",
                           features=json.dumps(features, ensure_ascii=False))
    assert response.status_code == 200 and message in response.content.decode()
    assert not DeclarationWindow.objects.exists()


def test_feature_indicators_belong_to_specialized_windows_only(client, gd_province):
    import json

    client.force_login(gd_province)
    response = post_window(client, dr("440000").pk, tier="innovative",
                           features=json.dumps(FEATURES, ensure_ascii=False))
    assert "只有专精特新中小企业的申报批次设置特色化指标" in response.content.decode()
    assert not DeclarationWindow.objects.exists()


def test_the_version_cannot_change_once_a_declaration_is_filed(gd_province, ent_tianhe):
    from declarations.models import Declaration
    from tests.declarations.conftest import ready

    saved = window(gd_province)
    company = ready(ent_tianhe)
    Declaration.objects.create(number="X1", enterprise=company, tier="innovative", window=saved,
                               region=company.region, status="at_county")
    with pytest.raises(ValidationError, match="不能再修改认定标准版本"):
        services.window_save(by=gd_province, window=saved, declaration_region=saved.declaration_region,
                             tier=saved.tier, starts_at=saved.starts_at, ends_at=saved.ends_at,
                             standard_version="2026")
    assert DeclarationWindow.objects.get().standard_version == "2022"
