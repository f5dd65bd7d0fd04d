"""Officials: attempts of their region, filters, counts per level, Excel export; questionnaire
versions with JSON import/export, never edited in place once answered."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from assessment import services
from assessment.models import Attempt, Category, Questionnaire
from enterprises.services import enterprise_for_account
from tests.conftest import enterprise as make_enterprise
from tests.enterprises.conftest import complete

from .conftest import questionnaire, submitted, with_industry, worst

pytestmark = pytest.mark.django_db
LIST = "/admin/assessment/attempt/"


@pytest.fixture
def attempts(manufacturer, nanjing):
    return {"tianhe": submitted(manufacturer, level=3), "nanjing": submitted(nanjing, level=1)}


def test_a_province_official_sees_only_its_own_region(client, gd_province, attempts):
    client.force_login(gd_province)
    page = client.get(LIST).content.decode()
    assert "广州天河科技有限公司" in page and "南京玄武软件有限公司" not in page
    other = reverse("admin:assessment_attempt_change", args=[attempts["nanjing"].pk])
    assert client.get(other).status_code == 404
    own = reverse("admin:assessment_attempt_change", args=[attempts["tianhe"].pk])
    assert client.get(own).status_code == 200


def test_a_county_official_of_another_county_sees_nothing(client, yuexiu_county, attempts):
    client.force_login(yuexiu_county)
    page = client.get(LIST).content.decode()
    assert "广州天河科技有限公司" not in page


def test_drafts_are_not_shown_to_officials(client, tianhe_county, manufacturer):
    services.attempt_start(enterprise=manufacturer, by=manufacturer.account)
    client.force_login(tianhe_county)
    assert "广州天河科技有限公司" not in client.get(LIST).content.decode()


def test_filters_and_counts_per_level(client, ministry, attempts, ent_yuexiu):
    yuexiu = complete(enterprise_for_account(user=ent_yuexiu), 2025)
    submitted(yuexiu, level=3)
    client.force_login(ministry)
    page = client.get(LIST).content.decode()
    counts = page.split('data-testid="level-counts"')[1].split("</table>")[0]
    assert "<td>0</td><td>2</td><td>0</td><td>1</td><td>0</td>" in counts.replace("\n", "").replace(" ", "")
    page = client.get(LIST + "?level__exact=1").content.decode()
    assert "南京玄武软件有限公司" in page and "广州天河科技有限公司" not in page
    page = client.get(LIST + f"?category__exact={Category.MANUFACTURING}").content.decode()
    assert "广州天河科技有限公司" in page and "南京玄武软件有限公司" not in page


def test_the_list_page_takes_a_fixed_number_of_queries(client, ministry, attempts):
    client.force_login(ministry)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for i in range(5):
        e = make_enterprise(f"extra{i}", "440106", 100 + i)
        submitted(complete(enterprise_for_account(user=e), 2025))
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    assert len(many) == len(few)


def test_the_export_is_scoped_filtered_and_formula_escaped(client, gd_province, attempts, manufacturer):
    manufacturer.name = '=HYPERLINK("http://evil.example","点击")'
    manufacturer.save()
    client.force_login(gd_province)
    page = client.get(LIST + "?level__exact=3").content.decode()
    assert "export/?level__exact=3" in page
    response = client.get(LIST + "export/?level__exact=3")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("企业名称", "统一社会信用代码", "注册地")
    assert len(rows) == 2
    assert rows[1][0] == "'=HYPERLINK(\"http://evil.example\",\"点击\")"
    assert rows[1][7] == "三级" and rows[1][6] == 100
    cell = sheet.cell(row=2, column=1)
    assert cell.data_type == "s"
    assert client.get(LIST + "export/?level__exact=1").status_code == 200
    rows = list(load_workbook(io.BytesIO(client.get(LIST + "export/?level__exact=1").content)).active.iter_rows(values_only=True))
    assert len(rows) == 1  # Nanjing's 一级 is not in 广东's scope


def test_an_enterprise_account_has_no_admin(client, ent_tianhe):
    client.force_login(ent_tianhe)
    assert client.get(LIST + "export/").status_code == 302


# --- questionnaire versions -----------------------------------------------------------------


def change_url(q):
    return reverse("admin:assessment_questionnaire_change", args=[q.pk])


def test_an_answered_version_is_not_edited_in_place(client, ministry, manufacturer):
    submitted(manufacturer)
    version = questionnaire()
    client.force_login(ministry)
    page = client.get(change_url(version)).content.decode()
    assert 'data-testid="answered-notice"' in page and "content_text" not in page
    before = version.content
    client.post(change_url(version), {"name": "改名", "content_text": "{}"})
    version.refresh_from_db()
    assert version.content == before and version.name != "改名"
    with pytest.raises(Exception, match="已有企业作答"):
        services.questionnaire_update(questionnaire=version, data=before)


def test_a_new_version_is_offered_and_is_editable(client, ministry, manufacturer):
    submitted(manufacturer)
    version = questionnaire()
    client.force_login(ministry)
    response = client.post(reverse("admin:assessment_questionnaire_new_version", args=[version.pk]))
    created = Questionnaire.objects.exclude(pk=version.pk).get(category=Category.MANUFACTURING)
    assert response["Location"] == change_url(created)
    assert not created.is_active and created.derived_from == version
    data = json.loads(json.dumps(created.content))
    data["levelRule"][0]["minScore"] = "85"
    response = client.post(change_url(created), {
        "name": created.name, "version": "2025", "description": "修订", "content_text": json.dumps(data, ensure_ascii=False)})
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.content["levelRule"][0]["minScore"] == "85" and created.version == "2025"
    client.post("/admin/assessment/questionnaire/", {"action": "activate", "_selected_action": [created.pk]})
    assert questionnaire() == created
    # An attempt in progress keeps its version; a new one gets the new version.
    assert Attempt.objects.get().questionnaire == version


def test_import_export_round_trip(client, ministry, manufacturer):
    client.force_login(ministry)
    original = questionnaire(Category.OTHER)
    exported = client.get(reverse("admin:assessment_questionnaire_export", args=[original.pk]))
    assert exported["Content-Disposition"].startswith("attachment")
    upload = SimpleUploadedFile("q.json", exported.content, content_type="application/json")
    response = client.post("/admin/assessment/questionnaire/add/", {
        "category": Category.OTHER, "name": "", "version": "", "description": "再导入", "upload": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    imported = Questionnaire.objects.exclude(pk=original.pk).get(category=Category.OTHER)
    assert not imported.is_active
    again = client.get(reverse("admin:assessment_questionnaire_export", args=[imported.pk]))
    first, second = json.loads(exported.content), json.loads(again.content)
    first.pop("description"), second.pop("description")
    assert first == second
    d1, d2 = original.definition, imported.definition
    assert d1.questions == d2.questions and d1.scenes == d2.scenes and d1.level_rules == d2.level_rules


def test_a_broken_import_is_refused_with_the_reason(client, ministry):
    client.force_login(ministry)
    data = json.loads(json.dumps(questionnaire().content))
    data["storeList"] = data["storeList"][:2]
    upload = SimpleUploadedFile("q.json", json.dumps(data).encode(), content_type="application/json")
    response = client.post("/admin/assessment/questionnaire/add/", {
        "category": Category.MANUFACTURING, "upload": upload})
    assert response.status_code == 200
    assert "评测表总分为 80，应为 100 分。" in response.content.decode()
    assert Questionnaire.objects.count() == 3


def test_province_officials_read_questionnaires_but_only_the_ministry_changes_them(client, gd_province):
    client.force_login(gd_province)
    version = questionnaire()
    assert client.get("/admin/assessment/questionnaire/").status_code == 200
    assert client.get(reverse("admin:assessment_questionnaire_export", args=[version.pk])).status_code == 200
    assert client.get("/admin/assessment/questionnaire/add/").status_code == 403
    assert client.post(reverse("admin:assessment_questionnaire_new_version", args=[version.pk])).status_code == 404
    page = client.get(change_url(version)).content.decode()
    assert "content_text" not in page


def test_answers_of_a_wholesaler_score_against_the_derived_version(manufacturer):
    with_industry(manufacturer, "5171")
    attempt = submitted(manufacturer, answers=None, level=3)
    assert attempt.category == Category.PRODUCER_SERVICES and attempt.total_score == 100
    # The derived rule: 三级 needs 5 scenes (3 约束性) out of 10.
    assert attempt.level == 3
    zero = submitted(manufacturer, answers=worst(attempt.questionnaire.definition), level=4)
    assert zero.total_score == 0 and zero.level == 0


@pytest.mark.parametrize("query", ["submitted_at__gte=0001-01-01", "submitted_at__lt=0001-01-01",
                                   "submitted_at__gte=9999-12-31", "submitted_at__lt=9999-12-31"])
def test_dates_at_the_ends_of_the_calendar_never_break_the_list_or_the_export(client, ministry,
                                                                              attempts, query):
    client.force_login(ministry)
    for url in (LIST, reverse("admin:assessment_attempt_export")):
        response = client.get(f"{url}?{query}", follow=True)
        assert response.status_code == 200, (url, query)
        assert response.redirect_chain == [] or response.redirect_chain[-1][0].startswith(LIST)
    # A filter the database cannot hold says so, in Chinese, on the list it lands on.
    response = client.get(f"{LIST}?submitted_at__gte=0001-01-01", follow=True)
    assert "筛选条件无效" in response.content.decode()


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000,
                                  '{"a":' * 5_000 + "1" + "}" * 5_000])
def test_a_deeply_nested_import_is_refused_with_a_reason(client, ministry, text):
    client.force_login(ministry)
    upload = SimpleUploadedFile("q.json", text.encode(), content_type="application/json")
    for data in ({"category": Category.MANUFACTURING, "upload": upload},
                 {"category": Category.MANUFACTURING, "content_text": text}):
        response = client.post("/admin/assessment/questionnaire/add/", data)
        assert response.status_code == 200
        assert "嵌套层级过深" in response.content.decode()
    assert Questionnaire.objects.count() == 3


def test_an_oversized_pasted_import_is_refused_with_a_reason(client, ministry):
    client.force_login(ministry)
    text = json.dumps({"storeList": [], "padding": "x" * (2 * 1024 * 1024)})
    response = client.post("/admin/assessment/questionnaire/add/",
                           {"category": Category.MANUFACTURING, "content_text": text})
    assert response.status_code == 200
    assert "不能超过 2MB" in response.content.decode()
    assert Questionnaire.objects.count() == 3


def test_brackets_inside_strings_do_not_count_as_nesting(client, ministry):
    from assessment import content

    assert content.load_json(json.dumps({"title": "[" * 100})) == {"title": "[" * 100}
    assert content.load_json(json.dumps({"title": '\\"[[[' * 50})) == {"title": '\\"[[[' * 50}
