"""The 申报书 PDF (【下载】) and its verification by officials (申报书核验 in the admin)."""

import re
import subprocess
import tempfile
from urllib.parse import quote

import pytest
from django.urls import reverse

from common.tiers import Tier
from declarations import report, services
from declarations.models import Declaration
from declarations.verification import TypedCode, parse_typed_code, qr_payload
from tests.assessment.conftest import submitted
from tests.declarations.conftest import open_window

pytestmark = pytest.mark.django_db


def filled(declaration: Declaration, by) -> Declaration:
    """Every answer the 创新型 form asks."""
    services.declaration_save_section(declaration=declaration, by=by, section="ip", data={
        "high_value_class1": 1, "self_developed_class1": 2, "class1": 3, "class2": 4})
    return services.declaration_save_section(declaration=declaration, by=by, section="innovation", data={
        "strategic_emerging_product": True, "honors": ["high_tech"], "rd_institution": "municipal",
        "awards": [{"level": "provincial", "rank": 2}]})


@pytest.fixture
def draft(ent_tianhe, company, gd_innovative) -> Declaration:
    return filled(services.declaration_start(enterprise=company, by=ent_tianhe,
                                             tier=Tier.INNOVATIVE), ent_tianhe)


@pytest.fixture
def filed(draft, ent_tianhe) -> Declaration:
    return services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)


def pages_of(pdf: bytes) -> list[str]:
    """The text of each page in drawing order (-raw keeps a table cell together; pages
    are separated by a form feed)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        text = subprocess.run(["pdftotext", "-raw", fh.name, "-"], capture_output=True,
                              text=True, check=True).stdout
    return [page for page in text.split("\f") if page.strip()]


def flat(text: str) -> str:
    """Text without white space: table cells wrap wherever the layout puts them."""
    return re.sub(r"\s+", "", text)


def fonts_of(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        return subprocess.run(["pdffonts", fh.name], capture_output=True, text=True,
                              check=True).stdout


# -- the document --------------------------------------------------------------------------------

def test_every_page_carries_the_number_and_the_code_and_the_copy_prints_what_was_filed(filed):
    pdf = report.render_declaration_pdf(filed)
    pages = pages_of(pdf)
    assert len(pages) >= 3
    for page in pages:
        assert f"申报编号：{filed.number}" in page and f"核验码：{filed.verification_code}" in page
    whole = flat("".join(pages))
    assert "创新型中小企业申报书" in whole and "广州天河科技有限公司" in whole
    assert "91440106MA00000011" in whole
    # An indicator's reason from the frozen score table, the total and the verdict.
    reason = filed.result["indicators"][1]["reason"]
    assert flat(reason) in whole
    assert f"总分{filed.result['total']}{filed.result['max_total']}" in whole
    assert f"评价结论{filed.result['verdict']}" in whole
    # The answers with the form's labels, choices in words.
    assert "Ⅰ类高价值知识产权（件）1" in whole
    assert "主导产品属于《战略性新兴产业分类》是" in whole
    assert "有效期内的荣誉资质高新技术企业" in whole and "研发机构建设情况（最高级别）市级" in whole
    assert "省级（省部级）科技奖励（排名第2）" in whole
    # The figures by year, room for the seal, the signature and each recommending level.
    assert "营业收入（万元）5000.00" in whole
    for text in ("企业（公章）", "法定代表人（签字）", "真实性承诺", "县级中小企业主管部门意见",
                 "市级中小企业主管部门意见", "省级中小企业主管部门意见"):
        assert text in whole
    assert "NotoSansCJK" in fonts_of(pdf).replace("-", "")


def test_the_copy_is_the_frozen_one_a_later_profile_edit_does_not_reach_it(filed, company):
    company.name = "改名以后的公司"
    company.save()
    filed.refresh_from_db()
    context = report.report_context(filed)
    assert ("企业名称", "广州天河科技有限公司") in context["profile"]


def test_a_specialized_copy_prints_the_frozen_assessment(ent_tianhe, company):
    open_window("440000", Tier.SPECIALIZED)
    submitted(company, level=3)
    draft = services.declaration_start(enterprise=company, by=ent_tianhe, tier=Tier.SPECIALIZED)
    for section, data in {
        "ip": {"high_value_class1": 1, "self_developed_class1": 2, "class1": 3, "class2": 4},
        "specialization": {"niche_years": "10.0", "product_field": "other",
                           "quality_items": ["qms_certified"]},
        "innovation": {"rd_institution": "municipal", "awards": [], "maker_china_rank": None},
        "features": {},
    }.items():
        services.declaration_save_section(declaration=draft, by=ent_tianhe, section=section,
                                          data=data)
    done = services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)
    context = report.report_context(done)
    assert context["assessment"]["level_label"] == "三级"
    sections = {s["title"]: dict(s["rows"]) for s in context["sections"]}
    assert sections["专业化与精细化"]["质量管理水平（可多选）"].startswith("B. 建立质量管理体系")
    assert sections["创新能力"]["近三年“创客中国”中小企业创新创业大赛全国企业组最好名次（未入围不填）"] == "未入围"
    # The engine's inputs in words, never their codes.
    inputs = [value for i in context["indicators"] for _label, value in i["inputs"]]
    assert "C. 不属于以上情况" in inputs
    assert not any(code in value for value in inputs for code in ("other", "qms_certified"))


def test_the_qr_code_encodes_the_number_and_the_code(filed):
    payload = qr_payload(filed)
    assert payload == f"申报编号:{filed.number};核验码:{filed.verification_code}"
    assert report.report_context(filed)["qr"] == report.qr_data_uri(payload)
    assert report.qr_data_uri(payload).startswith("data:image/svg+xml")
    assert parse_typed_code(payload) == TypedCode(filed.verification_code, filed.number)


def test_a_draft_has_no_copy(draft):
    with pytest.raises(ValueError):
        report.render_declaration_pdf(draft)


def test_a_returned_declaration_has_no_copy_until_it_is_submitted_again(filed, tianhe_county):
    services.declaration_return(declaration=filed, by=tianhe_county, opinion="补充材料")
    filed.refresh_from_db()
    assert filed.status == "returned" and filed.verification_code
    with pytest.raises(ValueError):
        report.render_declaration_pdf(filed)


# -- 【下载】 ---------------------------------------------------------------------------------------

def test_the_owner_downloads_it_under_a_chinese_name_never_cached(client, ent_tianhe, filed):
    client.force_login(ent_tianhe)
    response = client.get(reverse("declarations:pdf", args=[filed.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f"filename*=UTF-8''{quote(f'申报书-{filed.number}.pdf')}" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


@pytest.fixture
def fast_pdf(monkeypatch):
    monkeypatch.setattr(report, "render_declaration_pdf", lambda declaration: b"%PDF-1.7 test")


def test_another_enterprise_gets_404(client, ent_yuexiu, filed, fast_pdf):
    client.force_login(ent_yuexiu)
    assert client.get(reverse("declarations:pdf", args=[filed.public_id])).status_code == 404


def test_an_anonymous_visitor_logs_in_first(client, filed, fast_pdf):
    response = client.get(reverse("declarations:pdf", args=[filed.public_id]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_person_is_told_it_is_for_enterprises(client, person, filed, fast_pdf):
    client.force_login(person)
    response = client.get(reverse("declarations:pdf", args=[filed.public_id]))
    assert response.status_code == 403 and "自然人账户不能进行" in response.content.decode()


def test_a_draft_has_no_pdf(client, ent_tianhe, draft, fast_pdf):
    client.force_login(ent_tianhe)
    assert client.get(reverse("declarations:pdf", args=[draft.public_id])).status_code == 404


def test_a_returned_declaration_has_no_pdf_until_it_is_submitted_again(client, ent_tianhe, filed,
                                                                      tianhe_county, fast_pdf):
    services.declaration_return(declaration=filed, by=tianhe_county, opinion="补充材料")
    client.force_login(ent_tianhe)
    url = reverse("declarations:pdf", args=[filed.public_id])
    assert client.get(url).status_code == 404
    services.declaration_submit(declaration=filed, by=ent_tianhe, pledge=True)
    assert client.get(url).status_code == 200


def test_downloads_are_rate_limited_per_account(client, ent_tianhe, filed, fast_pdf):
    client.force_login(ent_tianhe)
    url = reverse("declarations:pdf", args=[filed.public_id])
    statuses = [client.get(url).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429


# -- 申报书核验 -------------------------------------------------------------------------------------

VERIFY = "/admin/declarations/verify/"


def outcome(client, code: str) -> str:
    response = client.get(VERIFY, {"code": code})
    assert response.status_code == 200
    found = re.search(r'data-testid="verify-outcome"[^>]*>([^<]+)<', response.content.decode())
    return found.group(1) if found else ""


@pytest.mark.parametrize("typed", [
    "{code}", "{lower}", "{bare}", " {bare_lower} ", "申报编号:{number};核验码:{code}",
    # A keyboard-wedge scanner that cannot type the Chinese labels.
    "??:{number};???:{code}",
])
def test_a_matching_code_is_confirmed_however_it_is_typed(client, filed, gd_province, typed):
    code = filed.verification_code
    text = typed.format(code=code, lower=code.lower(), bare=code.replace("-", ""),
                        bare_lower=code.replace("-", "").lower(), number=filed.number)
    client.force_login(gd_province)
    assert outcome(client, text) == "核验一致"
    page = client.get(VERIFY, {"code": text}).content.decode()
    assert filed.number in page and "广州天河科技有限公司" in page
    assert "创新型中小企业" in page and "县级审核中" in page


def test_a_tampered_frozen_copy_is_not_consistent(client, filed, ministry):
    tampered = {**filed.result, "total": 100}
    Declaration.objects.filter(pk=filed.pk).update(result=tampered)
    client.force_login(ministry)
    assert outcome(client, filed.verification_code) == "不一致"


@pytest.mark.parametrize("who, found", [
    ("ministry", True), ("gd_province", True), ("gz_city", True), ("tianhe_county", True),
    ("js_province", False), ("sz_province", False), ("yuexiu_county", False),
])
def test_only_officials_whose_scope_holds_it_find_it(client, filed, request, who, found):
    client.force_login(request.getfixturevalue(who))
    assert outcome(client, filed.verification_code) == ("核验一致" if found else "未找到")


def test_an_unknown_code_or_another_number_is_not_found(client, filed, ministry):
    client.force_login(ministry)
    assert outcome(client, "AAAAA-BBBBB") == "未找到"
    other = f"申报编号:{filed.number[:-1]}9;核验码:{filed.verification_code}"
    assert outcome(client, other) == "未找到"


def test_a_returned_declarations_old_code_is_not_found(client, filed, tianhe_county):
    services.declaration_return(declaration=filed, by=tianhe_county, opinion="补充材料")
    client.force_login(tianhe_county)
    assert outcome(client, filed.verification_code) == "未找到"


@pytest.mark.parametrize("typed", ["ABC", "ABCDE-FGHI1", "0000000000", "<script>"])
def test_a_malformed_code_is_an_error_at_the_field(client, filed, ministry, typed):
    client.force_login(ministry)
    response = client.get(VERIFY, {"code": typed})
    page = response.content.decode()
    assert response.status_code == 200 and "核验码格式不正确" in page
    assert 'data-testid="verify-outcome"' not in page


def test_an_empty_code_asks_for_one(client, ministry):
    client.force_login(ministry)
    page = client.get(VERIFY, {"code": " "}).content.decode()
    assert "请输入核验码或扫描二维码" in page


def test_the_page_is_linked_from_the_admin_index_for_officials(client, tianhe_county):
    client.force_login(tianhe_county)
    assert VERIFY in client.get("/admin/").content.decode()
    assert VERIFY in client.get("/admin/declarations/").content.decode()


def test_a_non_official_is_refused(client, ent_tianhe, filed):
    assert not ent_tianhe.has_perm("declarations.verify_declaration")
    client.force_login(ent_tianhe)
    response = client.get(VERIFY, {"code": filed.verification_code})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.logout()
    response = client.get(VERIFY, {"code": filed.verification_code})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("typed, expected", [
    ("abcde-fghij", TypedCode("ABCDE-FGHIJ")),
    ("ABCDE FGHIJ", TypedCode("ABCDE-FGHIJ")),
    ("申报编号：2026440000C0000001；核验码：ABCDE-FGHIJ", TypedCode("ABCDE-FGHIJ", "2026440000C0000001")),
    ("", None), ("ABCDE-FGHIJK", None), ("申报编号:2026440000C0000001", None),
])
def test_typed_codes_are_read_with_or_without_dash_and_labels(typed, expected):
    assert parse_typed_code(typed) == expected


def test_submission_keeps_the_sha256_of_the_frozen_copy(filed):
    import hashlib
    import json

    canonical = json.dumps(filed.frozen_payload(), ensure_ascii=False, sort_keys=True,
                           separators=(",", ":"), default=str)
    assert filed.frozen_sha256 == hashlib.sha256(canonical.encode()).hexdigest()
    assert filed.frozen_intact


@pytest.mark.parametrize("change", [
    {"form_data": {"ip": {"class1": 99}}},
    {"result": {"total": 100}},
    {"profile": {"name": "另一家公司"}},
])
def test_a_changed_frozen_copy_gets_no_report_and_is_logged(client, filed, ent_tianhe, caplog,
                                                            change):
    Declaration.objects.filter(pk=filed.pk).update(**change)
    filed.refresh_from_db()
    assert not filed.frozen_intact
    client.force_login(ent_tianhe)
    response = client.get(reverse("declarations:pdf", kwargs={"public_id": filed.public_id}))
    assert response.status_code == 409 and "申报书完整性校验未通过" in response.content.decode()
    assert any(r.name == "portal.security" and filed.number in r.getMessage()
               for r in caplog.records)
