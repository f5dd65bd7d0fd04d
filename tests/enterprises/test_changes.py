"""企业重大变更: drafts, submission, the 3-month rule, review and its effects."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enterprises.models import ChangeEvidence, Enterprise, MajorChange
from enterprises.services import enterprise_for_account
from tests.common.zips import PNG, gbk_zip, zip_bytes
from tests.common.zips import upload as zip_upload
from tests.enterprises.conftest import complete
from tests.formdata import form_values

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=CST)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def frozen(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        yield


def change_data(**overrides):
    data = {"change_type": "rename", "changed_on": "2026-05-20", "before": "广州天河科技有限公司",
            "after": "广州天河智造有限公司", "new_name": "广州天河智造有限公司", "new_region": "",
            "reason": "品牌升级", "files": [SimpleUploadedFile("营业执照变更.pdf", PDF)]}
    data.update(overrides)
    return data


def new_change(client, submit=False, **overrides):
    data = change_data(**overrides)
    if submit:
        data["submit"] = "1"
    return client.post("/enterprise/changes/new/", data)


@pytest.fixture
def enterprise(ent_tianhe):
    return complete(enterprise_for_account(user=ent_tianhe), 2025)


def test_a_draft_is_saved_edited_and_deleted(client, ent_tianhe, enterprise):
    client.force_login(ent_tianhe)
    response = new_change(client)
    change = MajorChange.objects.get()
    assert response["Location"] == f"/enterprise/changes/{change.public_id}/"
    assert change.status == "draft" and change.evidence.get().name == "营业执照变更.pdf"
    listing = client.get("/enterprise/changes/").content.decode()
    assert "暂存" in listing and "编辑" in listing and "删除" in listing
    client.post(f"/enterprise/changes/{change.public_id}/edit/",
                change_data(reason="更正原因", files=[]))
    change.refresh_from_db()
    assert change.reason == "更正原因" and change.status == "draft"
    client.post(f"/enterprise/changes/{change.public_id}/delete/")
    assert not MajorChange.objects.exists()


def test_a_submitted_report_is_read_only(client, ent_tianhe, enterprise):
    client.force_login(ent_tianhe)
    new_change(client, submit=True)
    change = MajorChange.objects.get()
    assert change.status == "submitted" and not change.is_late
    assert change.review_region.code == "440106"
    base = f"/enterprise/changes/{change.public_id}"
    assert client.get(f"{base}/edit/").status_code == 404
    assert client.post(f"{base}/delete/").status_code == 404
    client.post(f"{base}/edit/", change_data(reason="改了"))
    change.refresh_from_db()
    assert change.reason == "品牌升级"
    detail = client.get(f"{base}/").content.decode()
    assert "已提交" in detail and "营业执照变更.pdf" in detail and ">编辑<" not in detail


@pytest.mark.parametrize("changed_on,late", [("2026-03-15", False), ("2026-03-14", True)])
def test_a_report_more_than_three_months_late_is_accepted_and_flagged(client, ent_tianhe, enterprise, changed_on, late):
    client.force_login(ent_tianhe)
    new_change(client, submit=True, changed_on=changed_on)
    change = MajorChange.objects.get()
    assert change.status == "submitted" and change.is_late is late


@pytest.mark.parametrize(
    "overrides,error",
    [({"changed_on": "2026-06-16"}, "变更日期不能晚于今天"),
     ({"new_name": ""}, "更名须填写变更后企业名称"),
     ({"change_type": "relocation", "new_region": ""}, "须填写变更后的区县级注册地"),
     ({"change_type": "relocation", "new_region": "江苏省"}, "注册地须为区县级"),
     ({"files": [SimpleUploadedFile("说明.exe", b"MZ\x90\x00")]}, "“说明.exe”的类型不允许"),
     ({"files": [SimpleUploadedFile("假的.pdf", b"<html><script>x</script></html>")]}, "“假的.pdf”的内容与扩展名不符")],
)
def test_bad_input_is_refused_and_nothing_is_saved(client, ent_tianhe, enterprise, overrides, error):
    client.force_login(ent_tianhe)
    response = new_change(client, submit=True, **overrides)
    assert error in response.content.decode()
    assert not MajorChange.objects.exists()


def test_a_bad_zip_of_evidence_is_refused_naming_the_entry_and_nothing_is_kept(
        client, ent_tianhe, enterprise, tmp_path):
    client.force_login(ent_tianhe)
    bad = zip_upload(zip_bytes([("营业执照.pdf", PDF), ("材料/CON.pdf", PDF)]))
    response = new_change(client, submit=True, files=[SimpleUploadedFile("说明.pdf", PDF), bad])
    assert "压缩包“证明材料.zip”中的文件“材料/CON.pdf”使用了系统保留名称" in response.content.decode()
    assert not MajorChange.objects.exists() and not ChangeEvidence.objects.exists()
    assert not any(path.is_file() for path in tmp_path.rglob("*"))


def test_a_zip_of_evidence_made_on_chinese_windows_is_accepted(client, ent_tianhe, enterprise):
    client.force_login(ent_tianhe)
    data = gbk_zip([("变更材料/营业执照.pdf", PDF), ("变更材料/核准通知书.png", PNG)])
    new_change(client, files=[zip_upload(data, name="变更材料.zip")])
    evidence = MajorChange.objects.get().evidence.get()
    assert evidence.name == "变更材料.zip" and evidence.size == len(data)


def test_submitting_needs_evidence(client, ent_tianhe, enterprise):
    client.force_login(ent_tianhe)
    new_change(client, files=[])
    change = MajorChange.objects.get()
    client.post(f"/enterprise/changes/{change.public_id}/submit/")
    change.refresh_from_db()
    assert change.status == "draft"


def test_the_list_filters_by_type(client, ent_tianhe, enterprise):
    client.force_login(ent_tianhe)
    new_change(client)
    new_change(client, change_type="overseas_branch", new_name="")
    body = client.get("/enterprise/changes/?type=overseas_branch").content.decode()
    assert body.count('data-testid="change-row"') == 1 and "设立境外分支机构" in body
    assert client.get("/enterprise/changes/?type=<script>").status_code == 200


def test_another_enterprises_report_is_404(client, ent_tianhe, ent_yuexiu, enterprise):
    client.force_login(ent_tianhe)
    new_change(client)
    change = MajorChange.objects.get()
    client.force_login(ent_yuexiu)
    base = f"/enterprise/changes/{change.public_id}"
    for url in [f"{base}/", f"{base}/edit/", f"{base}/files/{change.evidence.get().pk}/"]:
        assert client.get(url).status_code == 404
    assert client.post(f"{base}/delete/").status_code == 404
    assert MajorChange.objects.exists()


def decide(client, change, **data):
    return client.post(f"/admin/enterprises/majorchange/{change.pk}/change/", data)


def test_approving_a_name_change_renames_the_enterprise(client, ent_tianhe, enterprise, tianhe_county):
    client.force_login(ent_tianhe)
    new_change(client, submit=True)
    change = MajorChange.objects.get()
    client.force_login(tianhe_county)
    assert decide(client, change, decision="approve", outcome="yes", opinion="").status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.name == "广州天河智造有限公司"
    ent_tianhe.refresh_from_db()
    assert ent_tianhe.org_name == "广州天河智造有限公司"
    change.refresh_from_db()
    assert change.status == "approved" and change.decided_by == tianhe_county
    assert change.still_meets is True


def test_a_move_hands_the_enterprise_to_the_new_regions_officials(client, ent_tianhe, enterprise, tianhe_county, js_province):
    client.force_login(ent_tianhe)
    new_change(client, submit=True, change_type="relocation", new_name="",
               new_region="江苏省 南京市 玄武区")
    change = MajorChange.objects.get()
    client.force_login(js_province)
    assert "广州天河科技有限公司" not in client.get("/admin/enterprises/enterprise/").content.decode()
    client.force_login(tianhe_county)
    decide(client, change, decision="approve", outcome="yes", opinion="同意迁出")
    enterprise.refresh_from_db()
    assert enterprise.region.code == "320102"
    assert enterprise.history.count() >= 2  # history kept
    # the old county no longer sees it; the new province does; the decided report stays visible
    assert client.get(f"/admin/enterprises/enterprise/{enterprise.pk}/change/").status_code == 404
    assert client.get(f"/admin/enterprises/majorchange/{change.pk}/change/").status_code == 200
    client.force_login(js_province)
    assert "广州天河科技有限公司" in client.get("/admin/enterprises/enterprise/").content.decode()


def test_return_and_reject_need_an_opinion(client, ent_tianhe, enterprise, tianhe_county):
    client.force_login(ent_tianhe)
    new_change(client, submit=True)
    change = MajorChange.objects.get()
    client.force_login(tianhe_county)
    assert "必须填写审核意见" in decide(client, change, decision="return", opinion="").content.decode()
    decide(client, change, decision="return", opinion="请补充股东会决议")
    change.refresh_from_db()
    assert change.status == "returned"
    enterprise.refresh_from_db()
    assert enterprise.name == "广州天河科技有限公司"
    client.force_login(ent_tianhe)
    page = client.get(f"/enterprise/changes/{change.public_id}/edit/").content.decode()
    assert "请补充股东会决议" in page
    client.post(f"/enterprise/changes/{change.public_id}/submit/")
    change.refresh_from_db()
    assert change.status == "submitted"


def test_officials_of_other_regions_see_nothing(client, ent_tianhe, enterprise, yuexiu_county, js_province):
    client.force_login(ent_tianhe)
    new_change(client, submit=True)
    change = MajorChange.objects.get()
    for official in (yuexiu_county, js_province):
        client.force_login(official)
        for url in ["/admin/enterprises/enterprise/", "/admin/enterprises/majorchange/"]:
            assert "广州天河科技有限公司" not in client.get(url).content.decode()
        assert client.get(f"/admin/enterprises/enterprise/{enterprise.pk}/change/").status_code == 404
        assert decide(client, change, decision="approve").status_code == 404
        assert client.get(f"/admin/enterprises/majorchange/{change.pk}/files/"
                          f"{change.evidence.get().pk}/").status_code == 404
    change.refresh_from_db()
    assert change.status == "submitted"


def test_drafts_are_not_shown_to_officials(client, ent_tianhe, enterprise, tianhe_county):
    client.force_login(ent_tianhe)
    new_change(client)
    client.force_login(tianhe_county)
    assert "广州天河科技有限公司" not in client.get("/admin/enterprises/majorchange/").content.decode()


def test_the_officials_enterprise_list_has_a_fixed_query_count(client, gd_province, ent_tianhe):
    from tests.conftest import enterprise as make_account

    client.force_login(gd_province)
    enterprise_for_account(user=ent_tianhe)
    client.get("/admin/enterprises/enterprise/")  # the session is then in the cache
    with CaptureQueriesContext(connection) as few:
        assert client.get("/admin/enterprises/enterprise/").status_code == 200
    for i in range(20):
        enterprise_for_account(user=make_account(f"bulk{i}", "440104", 300 + i))
    with CaptureQueriesContext(connection) as many:
        body = client.get("/admin/enterprises/enterprise/").content.decode()
    assert body.count("bulk") >= 20
    assert len(many) == len(few)
    assert Enterprise.objects.count() == 21


def test_the_changes_list_has_a_fixed_query_count(client, ent_tianhe, enterprise):
    client.force_login(ent_tianhe)
    new_change(client)
    client.get("/enterprise/changes/")  # the session is then in the cache
    with CaptureQueriesContext(connection) as few:
        client.get("/enterprise/changes/")
    for _ in range(10):
        new_change(client, files=[])
    with CaptureQueriesContext(connection) as many:
        client.get("/enterprise/changes/")
    assert len(many) == len(few)


def test_editing_a_draft_shows_its_date_in_iso_and_saves_it_back_unchanged(client, ent_tianhe, enterprise):
    client.force_login(ent_tianhe)
    new_change(client)
    change = MajorChange.objects.get()
    url = f"/enterprise/changes/{change.public_id}/edit/"
    page = client.get(url).content.decode()
    values = form_values(page)
    assert values["changed_on"] == "2026-05-20"
    assert 'type="date"' in page
    response = client.post(url, values)
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.changed_on == dt.date(2026, 5, 20) and change.reason == "品牌升级"
    assert change.status == "draft"


@pytest.mark.parametrize("changed_on", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_a_date_outside_the_calendar_is_refused_at_the_field(client, ent_tianhe, enterprise, changed_on):
    client.force_login(ent_tianhe)
    response = new_change(client, changed_on=changed_on)
    assert response.status_code == 200
    assert "请输入1900年1月1日至2099年12月31日之间的日期。" in response.content.decode()
    assert not MajorChange.objects.exists()


def test_evidence_changed_on_disk_is_refused_to_the_owner_and_officials_and_logged(
        client, ent_tianhe, enterprise, tianhe_county, caplog):
    from tests.conftest import refused_and_logged, tamper

    client.force_login(ent_tianhe)
    new_change(client, submit=True)
    change = MajorChange.objects.get()
    item = change.evidence.get()
    own = f"/enterprise/changes/{change.public_id}/files/{item.pk}/"
    official = f"/admin/enterprises/majorchange/{change.pk}/files/{item.pk}/"
    assert client.get(own).status_code == 200
    tamper(item.file)
    assert refused_and_logged(client.get(own), caplog)
    caplog.clear()
    client.force_login(tianhe_county)
    assert refused_and_logged(client.get(official), caplog)
