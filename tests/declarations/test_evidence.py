"""佐证材料: upload (PDF, JPG, PNG, a zip of PDFs), limits, all or nothing, download under
the Chinese name, delete, and who may do any of it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory

from common.tiers import Tier
from declarations import selectors, services
from declarations.models import Declaration, DeclarationEvidence
from tests.common.zips import MB, PDF, PNG, gbk_zip, zip_bytes
from tests.declarations.conftest import ready
from tests.declarations.test_lifecycle import filled

pytestmark = pytest.mark.django_db

JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xdb" + bytes(64)


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def draft(ent_tianhe, company, gd_innovative) -> Declaration:
    return services.declaration_start(enterprise=company, by=ent_tianhe, tier=Tier.INNOVATIVE)


def pdf(name: str = "知识产权证书.pdf", size: int = 0) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + bytes(max(0, size - len(PDF))),
                              content_type="application/pdf")


def url(declaration: Declaration, tail: str = "") -> str:
    return f"/enterprise/declarations/{declaration.public_id}/evidence/{tail}"


def post(client, declaration: Declaration, *files: SimpleUploadedFile, indicator: str = "1"):
    return client.post(url(declaration), {"indicator": indicator, "files": list(files)})


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()]


def add(declaration: Declaration, by, *files: SimpleUploadedFile, indicator: str = "1"):
    return services.evidence_add(declaration=declaration, by=by, indicator=indicator,
                                 files=list(files))


# -- accepted -------------------------------------------------------------------------------------

def test_pdf_jpg_and_png_are_kept_under_generated_private_names(client, ent_tianhe, draft, media):
    client.force_login(ent_tianhe)
    response = post(client, draft, pdf(), SimpleUploadedFile("现场照片.jpg", JPG),
                    SimpleUploadedFile("证书扫描.PNG", PNG))
    assert response.status_code == 302
    assert response["Location"] == f"/enterprise/declarations/{draft.public_id}/edit/"
    assert "已上传 3 个佐证材料文件" in said(response)[0]
    items = list(draft.evidence.order_by("id"))
    assert [(e.name, e.indicator) for e in items] == [
        ("知识产权证书.pdf", "1"), ("现场照片.jpg", "1"), ("证书扫描.PNG", "1")]
    assert items[0].size == len(PDF) and items[0].entries == []
    for item in items:
        assert item.file.name.startswith("private/declarations/")
        assert item.name not in item.file.name  # the original name is only metadata
    assert len(stored_files(media)) == 3


def test_evidence_for_the_whole_declaration_and_for_a_condition(ent_tianhe, draft):
    add(draft, ent_tianhe, pdf("营业执照.pdf"), indicator="")
    add(draft, ent_tianhe, pdf("高新技术企业证书.pdf"), indicator="direct.2")
    assert sorted(draft.evidence.values_list("indicator", flat=True)) == ["", "direct.2"]


def test_an_indicator_the_standard_does_not_have_is_refused(ent_tianhe, draft):
    with pytest.raises(ValidationError) as refused:
        add(draft, ent_tianhe, pdf(), indicator="13")  # 创新型 has indicators 1–6
    assert refused.value.message_dict == {"indicator": ["请选择佐证材料对应的指标。"]}
    assert not DeclarationEvidence.objects.exists()


def test_a_post_without_files_is_told_to_choose_some(client, ent_tianhe, draft):
    client.force_login(ent_tianhe)
    response = post(client, draft)
    assert said(response) == ["请选择要上传的文件。"]


def test_a_gbk_named_zip_without_the_utf8_flag_keeps_the_chinese_entry_names(
        client, ent_tianhe, draft):
    client.force_login(ent_tianhe)
    archive = gbk_zip([("专利证书/发明专利一.pdf", PDF), ("审计报告.pdf", PDF + b"x" * 10)])
    post(client, draft, SimpleUploadedFile("知识产权材料.zip", archive))
    item = draft.evidence.get()
    assert item.name == "知识产权材料.zip" and item.size == len(archive)
    assert item.entries == [{"name": "专利证书/发明专利一.pdf", "size": len(PDF)},
                            {"name": "审计报告.pdf", "size": len(PDF) + 10}]


# -- refused, nothing kept ------------------------------------------------------------------------

def test_a_zip_with_a_path_out_of_the_archive_is_refused_naming_it(client, ent_tianhe, draft, media):
    client.force_login(ent_tianhe)
    archive = zip_bytes([("证书.pdf", PDF), ("../x.pdf", PDF)])
    response = post(client, draft, SimpleUploadedFile("材料.zip", archive))
    [message] = said(response)
    assert "材料.zip" in message and "../x.pdf" in message and "路径不安全" in message
    assert not DeclarationEvidence.objects.exists() and stored_files(media) == []


def test_a_zip_holding_a_docx_is_refused(client, ent_tianhe, draft, media):
    client.force_login(ent_tianhe)
    archive = zip_bytes([("证书.pdf", PDF), ("情况说明.docx", zip_bytes([("word/document.xml", b"<w/>")]))])
    response = post(client, draft, SimpleUploadedFile("材料.zip", archive))
    [message] = said(response)
    assert "情况说明.docx" in message and "只能包含 pdf" in message
    assert not DeclarationEvidence.objects.exists() and stored_files(media) == []


def test_a_zip_of_images_is_refused_since_a_zip_holds_pdfs_only(ent_tianhe, draft):
    with pytest.raises(ValidationError) as refused:
        add(draft, ent_tianhe, SimpleUploadedFile("照片.zip", zip_bytes([("现场.png", PNG)])))
    assert "现场.png" in refused.value.messages[0]


def test_a_fake_pdf_is_refused_naming_the_file(client, ent_tianhe, draft, media):
    client.force_login(ent_tianhe)
    response = post(client, draft, SimpleUploadedFile("审计报告.pdf", PNG))
    [message] = said(response)
    assert "审计报告.pdf" in message and "内容与扩展名不符" in message
    assert not DeclarationEvidence.objects.exists() and stored_files(media) == []


def test_a_word_file_is_refused_by_type(ent_tianhe, draft):
    with pytest.raises(ValidationError) as refused:
        add(draft, ent_tianhe, SimpleUploadedFile("说明.docx", b"PK\x03\x04"))
    assert "说明.docx" in refused.value.messages[0] and "类型不允许" in refused.value.messages[0]


def test_a_file_over_the_per_file_limit_is_refused(settings, client, ent_tianhe, draft, media):
    settings.DECLARATION_EVIDENCE_MAX_FILE_BYTES = 1 * MB
    add(draft, ent_tianhe, pdf("刚好.pdf", size=MB))
    client.force_login(ent_tianhe)
    response = post(client, draft, pdf("过大的审计报告.pdf", size=MB + 1))
    [message] = said(response)
    assert "过大的审计报告.pdf" in message and "最大 1 MB" in message
    assert list(draft.evidence.values_list("name", flat=True)) == ["刚好.pdf"]
    assert len(stored_files(media)) == 1


def test_the_per_declaration_total_counts_what_is_already_there(settings, ent_tianhe, draft, media):
    settings.DECLARATION_EVIDENCE_MAX_TOTAL_BYTES = 1 * MB
    add(draft, ent_tianhe, pdf("第一份.pdf", size=600 * 1024))
    with pytest.raises(ValidationError) as refused:
        add(draft, ent_tianhe, pdf("第二份.pdf", size=500 * 1024))
    assert "第二份.pdf" in refused.value.messages[0] and "合计不能超过 1 MB" in refused.value.messages[0]
    add(draft, ent_tianhe, pdf("第三份.pdf", size=400 * 1024))  # up to the limit exactly
    assert draft.evidence.count() == 2 and len(stored_files(media)) == 2


def test_the_per_declaration_file_count_is_a_limit_too(settings, ent_tianhe, draft):
    settings.DECLARATION_EVIDENCE_MAX_FILES = 2
    add(draft, ent_tianhe, pdf("一.pdf"))
    with pytest.raises(ValidationError) as refused:
        add(draft, ent_tianhe, pdf("二.pdf"), pdf("三.pdf"))
    assert "三.pdf" in refused.value.messages[0] and "最多 2 个" in refused.value.messages[0]
    assert list(draft.evidence.values_list("name", flat=True)) == ["一.pdf"]


def test_several_files_are_all_or_nothing_and_every_bad_one_is_named(client, ent_tianhe, draft, media):
    client.force_login(ent_tianhe)
    response = post(client, draft, pdf("好的.pdf"), SimpleUploadedFile("假的.pdf", PNG),
                    SimpleUploadedFile("假的.png", PDF), pdf("也好.pdf"))
    [message] = said(response)
    assert "假的.pdf" in message and "假的.png" in message and "好的.pdf" not in message
    assert not DeclarationEvidence.objects.exists() and stored_files(media) == []


def test_a_failure_while_storing_removes_the_files_already_written(
        monkeypatch, ent_tianhe, draft, media):
    real_save = DeclarationEvidence.save
    calls = []

    def failing_second_save(self, *args, **kwargs):
        calls.append(self.name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(DeclarationEvidence, "save", failing_second_save)
    with pytest.raises(OSError):
        add(draft, ent_tianhe, pdf("一.pdf"), pdf("二.pdf"))
    assert not DeclarationEvidence.objects.exists() and stored_files(media) == []


# -- download and delete --------------------------------------------------------------------------

def test_the_download_has_the_chinese_name_and_is_never_cached(client, ent_tianhe, draft):
    [item] = add(draft, ent_tianhe, pdf("2025年度审计报告.pdf"))
    client.force_login(ent_tianhe)
    response = client.get(url(draft, f"{item.pk}/"))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert quote("2025年度审计报告.pdf") in disposition
    assert "no-store" in response["Cache-Control"]


def test_evidence_response_itself_says_no_store_for_the_admin(ent_tianhe, draft):
    from declarations.views import evidence_response

    [item] = add(draft, ent_tianhe, pdf())
    request = RequestFactory().get("/")
    request.user = ent_tianhe
    response = evidence_response(request, item)
    assert "no-store" in response["Cache-Control"]
    response.close()


def test_a_missing_file_on_disk_is_a_404_not_an_error(client, ent_tianhe, draft, media):
    [item] = add(draft, ent_tianhe, pdf())
    (media / item.file.name).unlink()
    client.force_login(ent_tianhe)
    assert client.get(url(draft, f"{item.pk}/")).status_code == 404


def test_deleting_removes_the_row_and_then_the_file(client, ent_tianhe, draft, media,
                                                    django_capture_on_commit_callbacks):
    [item] = add(draft, ent_tianhe, pdf("作废.pdf"))
    client.force_login(ent_tianhe)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(draft, f"{item.pk}/delete/"))
    assert response["Location"] == f"/enterprise/declarations/{draft.public_id}/edit/"
    assert said(response) == ["已删除佐证材料“作废.pdf”。"]
    assert not DeclarationEvidence.objects.exists() and stored_files(media) == []


def test_delete_answers_post_only(client, ent_tianhe, draft):
    [item] = add(draft, ent_tianhe, pdf())
    client.force_login(ent_tianhe)
    assert client.get(url(draft, f"{item.pk}/delete/")).status_code == 405
    assert client.get(url(draft)).status_code == 405
    assert DeclarationEvidence.objects.count() == 1


# -- who may --------------------------------------------------------------------------------------

def test_another_enterprise_gets_404_on_upload_file_and_delete(client, ent_tianhe, ent_yuexiu, draft):
    [item] = add(draft, ent_tianhe, pdf())
    ready(ent_yuexiu)
    client.force_login(ent_yuexiu)
    assert post(client, draft, pdf("别人的.pdf")).status_code == 404
    assert client.get(url(draft, f"{item.pk}/")).status_code == 404
    assert client.post(url(draft, f"{item.pk}/delete/")).status_code == 404
    assert list(DeclarationEvidence.objects.values_list("name", flat=True)) == ["知识产权证书.pdf"]


def test_evidence_of_another_declaration_is_404_even_under_ones_own(client, ent_tianhe, ent_yuexiu,
                                                                    draft):
    other = services.declaration_start(enterprise=ready(ent_yuexiu), by=ent_yuexiu,
                                       tier=Tier.INNOVATIVE)
    [theirs] = add(other, ent_yuexiu, pdf())
    client.force_login(ent_tianhe)
    assert client.get(url(draft, f"{theirs.pk}/")).status_code == 404
    assert client.post(url(draft, f"{theirs.pk}/delete/")).status_code == 404
    assert DeclarationEvidence.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client, ent_tianhe, draft):
    [item] = add(draft, ent_tianhe, pdf())
    for response in (post(client, draft, pdf()), client.get(url(draft, f"{item.pk}/")),
                     client.post(url(draft, f"{item.pk}/delete/"))):
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert DeclarationEvidence.objects.count() == 1


def test_a_natural_person_is_refused_with_403(client, person, ent_tianhe, draft):
    [item] = add(draft, ent_tianhe, pdf())
    client.force_login(person)
    for response in (post(client, draft, pdf()), client.get(url(draft, f"{item.pk}/")),
                     client.post(url(draft, f"{item.pk}/delete/"))):
        assert response.status_code == 403
    assert DeclarationEvidence.objects.count() == 1


def test_the_services_refuse_anyone_but_the_owner(ent_tianhe, ent_yuexiu, gd_province, draft):
    [item] = add(draft, ent_tianhe, pdf())
    for outsider in (ent_yuexiu, gd_province):
        with pytest.raises(PermissionDenied):
            add(draft, outsider, pdf())
        with pytest.raises(PermissionDenied):
            services.evidence_remove(evidence=item, by=outsider)
    assert DeclarationEvidence.objects.count() == 1


def test_a_filed_declaration_can_neither_get_nor_lose_evidence(client, ent_tianhe, draft, media):
    [item] = add(draft, ent_tianhe, pdf("提交前.pdf"))
    filed = services.declaration_submit(declaration=filled(draft, ent_tianhe), by=ent_tianhe,
                                        pledge=True)
    assert filed.status == "at_county"
    with pytest.raises(ValidationError, match="申报已提交"):
        add(filed, ent_tianhe, pdf())
    with pytest.raises(ValidationError, match="申报已提交"):
        services.evidence_remove(evidence=item, by=ent_tianhe)
    client.force_login(ent_tianhe)
    response = post(client, filed, pdf("提交后.pdf"))
    assert response["Location"] == f"/enterprise/declarations/{filed.public_id}/"
    assert said(response) == ["申报已提交，佐证材料不能再上传或删除。"]
    client.post(url(filed, f"{item.pk}/delete/"))
    assert list(DeclarationEvidence.objects.values_list("name", flat=True)) == ["提交前.pdf"]
    assert len(stored_files(media)) == 1
    # It can still be downloaded by its owner.
    assert client.get(url(filed, f"{item.pk}/")).status_code == 200


def test_a_returned_declaration_takes_evidence_again(ent_tianhe, draft, tianhe_county):
    filed = services.declaration_submit(declaration=filled(draft, ent_tianhe), by=ent_tianhe,
                                        pledge=True)
    returned = services.declaration_return(declaration=filed, by=tianhe_county, opinion="请补充材料")
    [item] = add(returned, ent_tianhe, pdf("补充.pdf"))
    assert item.declaration_id == draft.pk


# -- the include ----------------------------------------------------------------------------------

def render_include(declaration: Declaration, editable: bool, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string("declarations/includes/evidence.html", {
        "declaration": declaration, "evidence": selectors.evidence_of(declaration),
        "editable": editable}, request=request)


def test_the_include_groups_by_indicator_lists_zip_entries_and_offers_delete(ent_tianhe, draft):
    add(draft, ent_tianhe, pdf("研发费用专项审计.pdf"), indicator="2")
    add(draft, ent_tianhe, SimpleUploadedFile("专利.zip", gbk_zip([("发明专利.pdf", PDF)])))
    add(draft, ent_tianhe, pdf("营业执照.pdf"), indicator="")
    html = render_include(draft, True, ent_tianhe)
    whole, first, second = (html.index("整体佐证材料"), html.index("指标1：与企业主导产品相关"),
                            html.index("指标2：上年度研发费用总额"))
    assert whole < html.index("营业执照.pdf") < first < html.index("专利.zip") < second
    assert "压缩包内文件（1 个）" in html and "发明专利.pdf" in html
    assert html.count(">删除</button>") == 3 and "data-confirm" in html
    assert 'name="indicator"' in html and 'type="file" name="files"' in html and "multiple" in html
    assert '<option value="direct.2">' in html  # conditions may have evidence too


def test_the_include_of_a_filed_declaration_only_lists_and_links(ent_tianhe, draft):
    add(draft, ent_tianhe, pdf("审计报告.pdf"), indicator="6")
    filed = services.declaration_submit(declaration=filled(draft, ent_tianhe), by=ent_tianhe,
                                        pledge=True)
    html = render_include(filed, False, ent_tianhe)
    assert "指标6：上年度主营业务收入总额占营业收入总额比重" in html  # from the frozen result
    assert f"/evidence/{filed.evidence.get().pk}/" in html
    assert "删除" not in html and 'type="file"' not in html


def test_the_include_without_evidence_says_so(ent_tianhe, draft):
    assert "尚未上传佐证材料" in render_include(draft, True, ent_tianhe)
