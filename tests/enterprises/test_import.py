"""导入历史认定名单: every row checked, a report of rejected rows, nothing half-imported."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from enterprises.models import Enterprise, Recognition
from enterprises.services import enterprise_for_account
from tests.conftest import make_uscc

pytestmark = pytest.mark.django_db
HEADER = ["序号", "企业名称", "统一社会信用代码", "省份", "层级", "批次", "年度"]


def xlsx(rows: list[list]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(["2024年度专精特新中小企业名单"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("名单.xlsx", buffer.getvalue())


GOOD = [[1, "广州新导入科技有限公司", make_uscc("440106", 501), "广东省", "专精特新中小企业", "2024年第一批", 2024],
        [2, "广州越秀新导入有限公司", make_uscc("440104", 502), "广东", "专精特新", "2024年第一批", "2024"]]


def post(client, rows):
    return client.post(reverse("admin:enterprises_recognition_import"), {"file": xlsx(rows)})


def test_a_clean_list_creates_the_enterprises_and_their_titles(client, gd_province):
    client.force_login(gd_province)
    response = post(client, GOOD)
    assert response.status_code == 302
    first = Enterprise.objects.get(uscc=GOOD[0][2])
    assert first.name == "广州新导入科技有限公司" and first.region.code == "440106"
    title = Recognition.objects.get(enterprise=first)
    assert (title.tier, title.batch, title.valid_from, title.valid_until) == (
        "specialized", "2024年第一批", dt.date(2024, 1, 1), dt.date(2026, 12, 31))
    assert Recognition.objects.count() == 2


def test_an_existing_enterprise_gets_the_title_without_a_second_row(client, gd_province, ent_tianhe):
    company = enterprise_for_account(user=ent_tianhe)
    client.force_login(gd_province)
    post(client, [[1, company.name, company.uscc, "广东", "创新型中小企业", "2023年", 2023]])
    assert Enterprise.objects.filter(uscc=company.uscc).count() == 1
    assert company.recognitions.get().tier == "innovative"


def test_a_file_with_bad_rows_imports_nothing_and_reports_each_reason(client, gd_province,
                                                                        settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bad_code = GOOD[0][2][:17] + ("0" if GOOD[0][2][17] != "0" else "1")
    rows = [*GOOD,
            [3, "校验位错误公司", bad_code, "广东省", "创新型", "2024年第一批", 2024],
            [4, "南京公司", make_uscc("320102", 503), "江苏省", "创新型", "2024年第一批", 2024],
            [5, "省份不符公司", make_uscc("440106", 504), "浙江省", "创新型", "2024年第一批", 2024],
            [6, "层级错误公司", make_uscc("440106", 505), "广东省", "大型企业", "2024年第一批", 2024],
            [7, "@SUM(A1)公司", make_uscc("440106", 506), "广东省", "创新型", "", "二〇二四"],
            [8, "广州新导入科技有限公司", GOOD[0][2], "广东省", "专精特新", "2024年第一批", 2024]]
    client.force_login(gd_province)
    response = post(client, rows)
    assert response.status_code == 200
    assert Enterprise.objects.count() == 0 and Recognition.objects.count() == 0
    body = response.content.decode()
    assert "整个文件都不导入" in body and "共 6 行未通过校验" in body
    link = response.context["report"]
    report = client.get(reverse("admin:declarations_export_download", args=[link.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    reasons = {row[2]: row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert reasons["校验位错误公司"] == "统一社会信用代码格式或校验位不正确"
    assert reasons["南京公司"] == "该企业不在您的管辖范围内"
    assert "省份“浙江省”与企业所在地区" in reasons["省份不符公司"]
    assert "层级“大型企业”无法识别" in reasons["层级错误公司"]
    assert "批次为空" in reasons["'@SUM(A1)公司"] and "年度“二〇二四”不正确" in reasons["'@SUM(A1)公司"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [5, 6, 7, 8, 9, 10]
    assert reasons["广州新导入科技有限公司"] == "与第 3 行重复"


def test_a_title_already_recorded_is_rejected(client, gd_province):
    client.force_login(gd_province)
    post(client, GOOD[:1])
    response = post(client, GOOD)
    assert "该企业该层级该批次的认定记录已存在" in response.content.decode()
    assert Recognition.objects.count() == 1


def test_the_report_of_another_official_is_not_theirs(client, gd_province, ministry, settings,
                                                     tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(gd_province)
    report = post(client, [[1, "", "x", "", "", "", ""]]).context["report"]
    client.force_login(ministry)
    assert client.get(reverse("admin:declarations_export_download",
                              args=[report.pk])).status_code == 404


def test_a_file_that_is_not_excel_is_refused_at_the_field(client, gd_province):
    client.force_login(gd_province)
    response = client.post(reverse("admin:enterprises_recognition_import"),
                           {"file": SimpleUploadedFile("名单.xlsx", b"not a workbook at all")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert Recognition.objects.count() == 0


@pytest.mark.parametrize("who", ["gz_city", "tianhe_county"])
def test_city_and_county_officials_cannot_import(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("admin:enterprises_recognition_import")).status_code == 403
    assert post(client, GOOD).status_code == 403
    assert Recognition.objects.count() == 0


def test_a_planned_city_enterprise_belongs_to_the_citys_officials(client, sz_province, gd_province):
    row = [[1, "深圳新导入电子有限公司", make_uscc("440305", 507), "深圳市", "小巨人", "2024年", 2024]]
    client.force_login(gd_province)
    assert "该企业不在您的管辖范围内" in post(client, row).content.decode()
    client.force_login(sz_province)
    assert post(client, row).status_code == 302
    assert Recognition.objects.get().tier == "giant"
