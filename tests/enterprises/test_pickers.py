"""The 所属行业 and 注册地 pickers on the form pages: small pages, and a step-by-step choice that
works without JavaScript (【选择】 refreshes the branch, keeps what was typed, saves nothing)."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from enterprises.models import Enterprise, Industry, MajorChange
from tests.enterprises.conftest import complete, figures_post, profile_post, recognise

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
EDIT = "/enterprise/profile/edit/"
MAX_PAGE_BYTES = 60 * 1024


@pytest.fixture(autouse=True)
def frozen(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(dt.datetime(2026, 4, 15, 10, tzinfo=CST), tick=False):
        yield


def options(body: str, name: str) -> list[str]:
    """The option values of the <select name=…> (without the empty “请选择…”)."""
    match = re.search(rf'<select name="{name}".*?</select>', body, re.S)
    assert match, f"no select {name}"
    return [v for v in re.findall(r'<option value="([^"]*)"', match.group(0)) if v]


def selected(body: str, name: str) -> str | None:
    match = re.search(rf'<select name="{name}".*?</select>', body, re.S)
    found = re.search(r'<option value="([^"]*)"[^>]* selected', match.group(0)) if match else None
    return found.group(1) if found else None


def column_hidden(body: str, name: str) -> bool:
    return bool(re.search(rf'<div [^>]*hidden data-column>\s*<select name="{name}"', body))


def edit_post(**overrides) -> dict:
    """The edit form as a browser without JavaScript posts it: the pickers as per-level selects."""
    data = {**profile_post(), **figures_post(2025), **figures_post(2024), **figures_post(2023)}
    del data["region"], data["industry"]
    data.update({"region_0": "440000", "region_1": "440100", "region_2": "440106",
                 "industry_0": "", "industry_1": "", "industry_2": "", "industry_3": ""})
    data.update(overrides)
    return data


@pytest.mark.parametrize("url", [EDIT, "/enterprise/changes/new/"])
def test_the_form_pages_are_small_and_do_not_list_every_code(client, ent_tianhe, tianhe_enterprise, url):
    complete(tianhe_enterprise, 2025)
    client.force_login(ent_tianhe)
    body = client.get(url).content.decode()
    assert len(body.encode()) < MAX_PAGE_BYTES
    assert body.count("<option") < 200  # 1 971 industries and 3 348 regions before
    assert "datalist" not in body
    assert "0111 稻谷种植" not in body and "北京市 东城区" not in body


def test_the_update_page_is_small_and_shows_the_locked_region_as_text(client, ent_tianhe, tianhe_enterprise):
    complete(tianhe_enterprise, 2025)
    recognise(tianhe_enterprise)
    client.force_login(ent_tianhe)
    body = client.get("/enterprise/profile/update/").content.decode()
    assert len(body.encode()) < MAX_PAGE_BYTES
    assert 'value="广东省 广州市 天河区" disabled' in body
    assert 'name="region_0"' not in body
    assert selected(body, "industry_3") == "3311"


def test_the_chosen_branch_is_shown_level_by_level(client, ent_tianhe, tianhe_enterprise):
    complete(tianhe_enterprise, 2025)
    client.force_login(ent_tianhe)
    body = client.get(EDIT).content.decode()
    assert options(body, "industry_0") == list("ABCDEFGHIJKLMNOPQRST")
    assert selected(body, "industry_0") == "C" and selected(body, "industry_1") == "33"
    assert "3311" in options(body, "industry_3") and selected(body, "industry_3") == "3311"
    assert len(options(body, "industry_1")) == 31  # only 制造业's 大类
    assert selected(body, "region_2") == "440106" and "440104" in options(body, "region_2")
    assert "已选择：3311 金属结构制造" in body and "已选择：广东省 广州市 天河区" in body


def test_without_javascript_an_industry_is_picked_step_by_step_and_saved(client, ent_tianhe, tianhe_enterprise):
    client.force_login(ent_tianhe)
    body = client.get(EDIT).content.decode()
    assert options(body, "industry_0")[:3] == ["A", "B", "C"] and column_hidden(body, "industry_1")

    steps = [({"industry_0": "C"}, "industry_1", "33"),
             ({"industry_0": "C", "industry_1": "33"}, "industry_2", "331"),
             ({"industry_0": "C", "industry_1": "33", "industry_2": "331"}, "industry_3", "3311")]
    for chosen, next_level, next_code in steps:
        response = client.post(EDIT, edit_post(pick="industry", **chosen, address="科韵路9号"))
        assert response.status_code == 200
        body = response.content.decode()
        assert next_code in options(body, next_level) and not column_hidden(body, next_level)
        assert 'value="科韵路9号"' in body  # what was typed stays
        assert "invalid-feedback" not in body  # nothing is validated yet
        tianhe_enterprise.refresh_from_db()
        assert tianhe_enterprise.industry is None and tianhe_enterprise.address == ""  # nor saved

    response = client.post(EDIT, edit_post(industry_0="C", industry_1="33", industry_2="331",
                                           industry_3="3311"))
    assert response.status_code == 302
    tianhe_enterprise.refresh_from_db()
    assert tianhe_enterprise.industry.code == "3311" and tianhe_enterprise.region.code == "440106"


def test_changing_a_level_drops_the_choices_below_it(client, ent_tianhe, tianhe_enterprise):
    client.force_login(ent_tianhe)
    stale = {"industry_0": "F", "industry_1": "33", "industry_2": "331", "industry_3": "3311"}
    body = client.post(EDIT, edit_post(pick="industry", **stale)).content.decode()
    assert selected(body, "industry_0") == "F" and selected(body, "industry_1") is None
    assert options(body, "industry_1")[0] == "51" and column_hidden(body, "industry_2")
    # Saved as posted, the branch ends at the 门类, which is refused at the field.
    body = client.post(EDIT, edit_post(**stale)).content.decode()
    assert "请至少选择到行业大类" in body
    tianhe_enterprise.refresh_from_db()
    assert tianhe_enterprise.industry is None


def test_a_division_is_enough_as_before(client, ent_tianhe, tianhe_enterprise):
    client.force_login(ent_tianhe)
    assert client.post(EDIT, edit_post(industry_0="C", industry_1="33")).status_code == 302
    assert Enterprise.objects.get(pk=tianhe_enterprise.pk).industry == Industry.objects.get(code="33")


def test_a_region_short_of_a_county_is_a_field_error_and_the_branch_stays(client, ent_tianhe, tianhe_enterprise):
    client.force_login(ent_tianhe)
    response = client.post(EDIT, edit_post(region_2="", address="科韵路9号"))
    body = response.content.decode()
    assert response.status_code == 200 and "注册地须为区县级行政区划" in body
    assert selected(body, "region_1") == "440100" and "440106" in options(body, "region_2")
    assert 'value="科韵路9号"' in body
    tianhe_enterprise.refresh_from_db()
    assert tianhe_enterprise.address == ""


def test_a_city_without_counties_is_picked_in_two_steps(client, ent_tianhe, tianhe_enterprise):
    client.force_login(ent_tianhe)
    body = client.post(EDIT, edit_post(pick="region", region_1="441900", region_2="")).content.decode()
    assert selected(body, "region_1") == "441900" and column_hidden(body, "region_2")
    assert client.post(EDIT, edit_post(region_1="441900", region_2="")).status_code == 302
    assert Enterprise.objects.get(pk=tianhe_enterprise.pk).region.code == "441900"


def test_an_update_cannot_move_the_region_through_the_selects(client, ent_tianhe, tianhe_enterprise):
    complete(tianhe_enterprise, 2025)
    recognise(tianhe_enterprise)
    client.force_login(ent_tianhe)
    data = {**profile_post(), **figures_post(2025)}
    del data["region"]
    data.update({"region_0": "320000", "region_1": "320100", "region_2": "320102"})
    assert client.post("/enterprise/profile/update/", data).status_code == 302
    assert Enterprise.objects.get(pk=tianhe_enterprise.pk).region.code == "440106"


def test_a_major_change_picks_its_new_region_without_losing_the_text(client, ent_tianhe, tianhe_enterprise):
    complete(tianhe_enterprise, 2025)
    client.force_login(ent_tianhe)
    data = {"change_type": "relocation", "changed_on": "2026-04-01", "before": "广州市天河区",
            "after": "南京市玄武区", "new_name": "", "reason": "整体搬迁",
            "new_region_0": "320000", "new_region_1": "", "new_region_2": "",
            "files": [SimpleUploadedFile("迁移证明.pdf", b"%PDF-1.4\n%%EOF\n")]}
    response = client.post("/enterprise/changes/new/", {**data, "pick": "new_region"})
    body = response.content.decode()
    assert response.status_code == 200 and not MajorChange.objects.exists()
    assert "320100" in options(body, "new_region_1") and "整体搬迁" in body
    assert "请在暂存或提交前重新选择" in body  # files cannot be kept across the refresh

    data.update({"new_region_1": "320100", "new_region_2": "320102",
                 "files": [SimpleUploadedFile("迁移证明.pdf", b"%PDF-1.4\n%%EOF\n")]})
    assert client.post("/enterprise/changes/new/", data).status_code == 302
    assert MajorChange.objects.get().new_region.code == "320102"
