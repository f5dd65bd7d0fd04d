"""/assessment/: who may take it, saving as you go, submitting, result, PDF, history, home card."""

import datetime as dt
import json
import os
import subprocess
import tempfile

import pytest
import time_machine
from django.urls import reverse

from assessment import selectors, services
from assessment.models import Attempt, Category, Level
from enterprises.services import enterprise_for_account

from .conftest import CST, best, questionnaire, scenes_at, submitted, with_industry, worst

pytestmark = pytest.mark.django_db


def post_step(client, attempt, step, answers=None, scenes=None, action="save", **extra):
    data = {"step": str(step), "action": action, **extra}
    for qid, a in (answers or {}).items():
        data[f"q-{qid}"] = a["options"]
        for key, value in a.get("fields", {}).items():
            data[f"f-{qid}-{key}"] = value
    for sid, level in (scenes or {}).items():
        data[f"s-{sid}"] = str(level)
    return client.post(reverse("assessment:take", args=[attempt.public_id]), data)


def test_an_anonymous_visitor_logs_in_and_comes_back(client):
    response = client.get("/assessment/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/assessment/"


def test_a_natural_person_is_told_to_use_a_company_account(client, person):
    client.force_login(person)
    response = client.get("/assessment/")
    assert response.status_code == 403
    assert "法人账户" in response.content.decode()


def test_an_official_cannot_take_it(client, gd_province, manufacturer):
    client.force_login(gd_province)
    assert client.get("/assessment/").status_code == 403
    assert client.post(reverse("assessment:start")).status_code == 403


def test_the_page_says_which_questionnaire_and_why(client, ent_tianhe, manufacturer):
    client.force_login(ent_tianhe)
    page = client.get("/assessment/").content.decode()
    assert "中小企业数字化水平评测指标（2024年版）· 制造业" in page
    assert "3311 金属结构制造" in page and "门类C" in page
    assert "去自评" in page


def test_without_an_industry_it_sends_the_enterprise_to_its_profile(client, ent_tianhe):
    client.force_login(ent_tianhe)
    page = client.get("/assessment/").content.decode()
    assert 'data-testid="no-industry"' in page
    response = client.post(reverse("assessment:start"), follow=True)
    assert "请先在企业信息中填写所属行业" in response.content.decode()
    assert not Attempt.objects.exists()


def test_a_wholesaler_gets_the_producer_services_questionnaire(client, ent_tianhe, manufacturer):
    with_industry(manufacturer, "5171")
    client.force_login(ent_tianhe)
    response = client.post(reverse("assessment:start"))
    attempt = Attempt.objects.get()
    assert attempt.category == Category.PRODUCER_SERVICES
    assert attempt.questionnaire == questionnaire(Category.PRODUCER_SERVICES)
    page = client.get(response["Location"]).content.decode()
    assert "生产性服务业（派生）" in page and "批发与贸易经纪代理服务" in page


def test_answers_are_saved_as_you_go_and_the_attempt_resumes_where_it_was(client, ent_tianhe, manufacturer):
    client.force_login(ent_tianhe)
    client.post(reverse("assessment:start"))
    attempt = Attempt.objects.get()
    d = attempt.questionnaire.definition
    first = {q.id: a for q, a in zip(d.dimensions[0].questions, best(d).values(), strict=False)}
    response = post_step(client, attempt, 0, first, action="next")
    assert response.status_code == 302 and response["Location"].endswith("?step=1")
    # Autosave of one change on the next page.
    q = d.dimensions[1].questions[0]
    response = client.post(reverse("assessment:autosave", args=[attempt.public_id]),
                           {"step": "1", f"q-{q.id}": [q.options[2].id]})
    assert response.json()["saved"] is True
    attempt.refresh_from_db()
    assert attempt.step == 1 and attempt.answers[q.id]["options"] == [q.options[2].id]
    assert set(first) <= set(attempt.answers)
    # Leaving and coming back: 去自评 resumes the same attempt at the same step.
    assert client.get("/assessment/").content.decode().count("继续填写") >= 1
    client.post(reverse("assessment:start"))
    assert Attempt.objects.count() == 1
    page = client.get(reverse("assessment:take", args=[attempt.public_id])).content.decode()
    assert f'value="{q.options[2].id}" id="o-{q.options[2].id}" checked' in page
    assert 'name="step" value="1"' in page


def test_a_nul_character_in_a_typed_figure_is_dropped_not_a_server_error(client, ent_tianhe,
                                                                         manufacturer):
    """No database keeps a NUL in JSON (PostgreSQL refuses it): the figure is saved without."""
    client.force_login(ent_tianhe)
    client.post(reverse("assessment:start"))
    attempt = Attempt.objects.get()
    d = attempt.questionnaire.definition
    step, q = next((i, q) for i, dim in enumerate(d.dimensions) for q in dim.questions if q.fields)
    key = q.fields[0].key
    response = client.post(reverse("assessment:autosave", args=[attempt.public_id]),
                           {"step": str(step), f"f-{q.id}-{key}": "12\x0034"})
    assert response.status_code == 200 and response.json()["saved"] is True
    attempt.refresh_from_db()
    assert attempt.answers[q.id]["fields"][key] == "1234"


def test_a_late_autosave_does_not_move_the_enterprise_back_a_page(client, ent_tianhe, manufacturer):
    client.force_login(ent_tianhe)
    client.post(reverse("assessment:start"))
    attempt = Attempt.objects.get()
    post_step(client, attempt, 0, action="next")
    q = attempt.questionnaire.definition.questions[0]
    client.post(reverse("assessment:autosave", args=[attempt.public_id]),
                {"step": "0", f"q-{q.id}": [q.options[1].id]})
    attempt.refresh_from_db()
    assert attempt.step == 1 and attempt.answers[q.id]["options"] == [q.options[1].id]


def test_device_counts_pick_the_band_and_a_contradiction_is_shown_at_the_question(client, ent_tianhe, manufacturer):
    client.force_login(ent_tianhe)
    client.post(reverse("assessment:start"))
    attempt = Attempt.objects.get()
    d = attempt.questionnaire.definition
    digital = d.questions[1]
    post_step(client, attempt, 0, {digital.id: {"options": [], "fields": {"total_devices": "10", "digital_devices": "5"}}})
    attempt.refresh_from_db()
    assert attempt.answers[digital.id]["options"] == [digital.options[3].id]  # (40%,60%]
    post_step(client, attempt, 0, {digital.id: {"options": [digital.options[3].id],
                                                "fields": {"total_devices": "10", "digital_devices": "12"}}})
    page = client.get(reverse("assessment:take", args=[attempt.public_id]) + "?step=0").content.decode()
    assert "第2题「企业的生产设备数字化率」：「实现数字化的生产设备数量为（台）」（12）不能大于" in page
    attempt.refresh_from_db()
    assert attempt.answers[digital.id]["fields"]["digital_devices"] == "12"  # kept as typed


def test_submitting_needs_every_answer_and_the_pledge(client, ent_tianhe, manufacturer):
    client.force_login(ent_tianhe)
    client.post(reverse("assessment:start"))
    attempt = Attempt.objects.get()
    d = attempt.questionnaire.definition
    last = len(d.dimensions) + 1
    response = post_step(client, attempt, last, action="submit", pledge="on")
    page = response.content.decode()
    assert "第1题「企业网络建设连接情况」：请至少选择一项。" in page
    assert "场景「决策支持」：请选择达到的等级。" in page
    services.attempt_save(attempt=attempt, by=ent_tianhe, answers=best(d), scenes=scenes_at(d, 3))
    response = post_step(client, attempt, last, action="submit")
    assert "请阅读并勾选真实性承诺后再提交。" in response.content.decode()
    response = post_step(client, attempt, last, action="submit", pledge="on")
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED and attempt.level == Level.THREE
    assert attempt.total_score == 100 and attempt.pledged


def test_the_result_page_shows_level_scores_scenes_chart_and_next_steps(client, ent_tianhe, manufacturer):
    attempt = submitted(manufacturer, level=3)
    client.force_login(ent_tianhe)
    page = client.get(reverse("assessment:result", args=[attempt.public_id])).content.decode()
    assert 'data-testid="level">三级<' in page
    assert "数字化基础" in page and "50/50分（100%）" in page
    assert 'data-testid="dimension-chart"' in page and 'data-testid="scene-chart"' in page
    assert "距<strong>四级</strong>" in page and "还需 10 个场景达到四级及以上" in page
    assert "<script" not in page.split("<main")[1].split("</main>")[0]  # CSP: no inline script


def test_another_enterprise_cannot_see_or_change_an_attempt(client, ent_nanjing, manufacturer):
    attempt = submitted(manufacturer)
    client.force_login(ent_nanjing)
    assert client.get(reverse("assessment:result", args=[attempt.public_id])).status_code == 404
    assert client.get(reverse("assessment:report", args=[attempt.public_id])).status_code == 404
    draft = services.attempt_start(enterprise=manufacturer, by=manufacturer.account)
    assert client.get(reverse("assessment:take", args=[draft.public_id])).status_code == 404
    assert client.post(reverse("assessment:autosave", args=[draft.public_id]), {"step": "0"}).status_code == 404


def test_a_submitted_attempt_cannot_be_changed(client, ent_tianhe, manufacturer):
    attempt = submitted(manufacturer)
    client.force_login(ent_tianhe)
    response = client.post(reverse("assessment:autosave", args=[attempt.public_id]), {"step": "0"})
    assert response.status_code == 409
    response = client.get(reverse("assessment:take", args=[attempt.public_id]))
    assert response["Location"] == reverse("assessment:result", args=[attempt.public_id])


def test_the_latest_submitted_attempt_counts_and_a_snapshot_stays_frozen(manufacturer):
    assert selectors.latest_result(manufacturer) is None
    first = submitted(manufacturer, level=4, when=dt.datetime(2026, 3, 1, 9, tzinfo=CST))
    assert selectors.latest_result(manufacturer) == (Level.FOUR, first)
    frozen = selectors.snapshot(first)
    # A retake in progress does not count; a submitted retake does.
    draft = services.attempt_start(enterprise=manufacturer, by=manufacturer.account)
    assert selectors.latest_result(manufacturer) == (Level.FOUR, first)
    services.attempt_discard(attempt=draft, by=manufacturer.account)
    second = submitted(manufacturer, level=2)
    assert selectors.latest_result(manufacturer) == (Level.TWO, second)
    assert frozen["level"] == 4 and frozen["level_label"] == "四级"
    assert frozen["attempt"] == str(first.public_id) and frozen["total_score"] == "100.0000"
    assert frozen["category_label"] == "制造业"
    assert [d["title"] for d in frozen["dimensions"]] == ["数字化基础", "数字化管理", "数字化成效"]
    json.dumps(frozen)  # storable as it is


def test_history_lists_every_submitted_attempt_newest_first(client, ent_tianhe, manufacturer):
    older = submitted(manufacturer, level=1, when=dt.datetime(2026, 1, 5, 9, tzinfo=CST))
    newer = submitted(manufacturer, level=2)
    client.force_login(ent_tianhe)
    page = client.get("/assessment/").content.decode()
    history = page.split('data-testid="history"')[1]
    assert history.index(str(newer.public_id)) < history.index(str(older.public_id))
    assert "重新评测" in page


def test_the_pdf_report_embeds_a_chinese_font(client, ent_tianhe, manufacturer):
    attempt = submitted(manufacturer, level=3)
    client.force_login(ent_tianhe)
    response = client.get(reverse("assessment:report", args=[attempt.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    if os.environ.get("SCREENSHOT_DIR"):  # to look at it: pdftoppm -png
        with open(os.path.join(os.environ["SCREENSHOT_DIR"], "assessment-report.pdf"), "wb") as out:
            out.write(pdf)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        fonts = subprocess.run(["pdffonts", fh.name], capture_output=True, text=True, check=True).stdout
        text = subprocess.run(["pdftotext", fh.name, "-"], capture_output=True, text=True, check=True).stdout
    assert "NotoSansCJK" in fonts.replace("-", "") and " yes " in fonts
    assert "中小企业数字化水平评测报告" in text and "三级" in text and manufacturer.name in text


def test_the_enterprise_home_card_shows_the_latest_level_or_the_way_in(client, ent_tianhe, manufacturer):
    client.force_login(ent_tianhe)
    page = client.get("/enterprise/").content.decode()
    assert 'data-testid="assessment-start"' in page and "去自评" in page
    submitted(manufacturer, level=2)
    page = client.get("/enterprise/").content.decode()
    assert 'data-testid="assessment-level">二级<' in page
    assert 'data-testid="declare-tiers"' in page  # the declaration card is still there


def test_the_enterprise_home_card_for_a_person_says_a_company_account_is_needed(client, person):
    client.force_login(person)
    page = client.get("/enterprise/").content.decode()
    assert "数字化水平评测需通过法人账户完成" in page and 'data-testid="person-notice"' in page


def test_the_result_records_the_time_in_shanghai(client, ent_tianhe, manufacturer):
    with time_machine.travel(dt.datetime(2026, 6, 30, 23, 30, tzinfo=CST)):
        attempt = submitted(manufacturer)
    client.force_login(ent_tianhe)
    page = client.get(reverse("assessment:result", args=[attempt.public_id])).content.decode()
    assert "2026-06-30 23:30" in page


def test_the_nanjing_software_company_gets_the_producer_services_version(nanjing):
    attempt = services.attempt_start(enterprise=nanjing, by=nanjing.account)
    assert attempt.category == Category.PRODUCER_SERVICES
    assert enterprise_for_account(user=nanjing.account) == nanjing


def test_pdf_reports_are_rate_limited_per_account(client, ent_tianhe, manufacturer, monkeypatch):
    from assessment import report

    monkeypatch.setattr(report, "render_pdf", lambda context: b"%PDF-1.7 test")
    attempt = submitted(manufacturer)
    client.force_login(ent_tianhe)
    url = reverse("assessment:report", args=[attempt.public_id])
    statuses = [client.get(url).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429


def mixed(definition):
    """Every other question at full marks, the rest at zero: in the derived 生产性服务业 version
    (dimensions worth 43.18, 34.08, 22.74) that gives 26.13/43.18分（60.5%）."""
    top, bottom = best(definition), worst(definition)
    return {q.id: (bottom if i % 2 else top)[q.id] for i, q in enumerate(definition.questions)}


def dimension_texts(attempt) -> list[str]:
    from decimal import Decimal
    texts = []
    for d in attempt.result["dimensions"]:
        points, top = Decimal(d["points"]), Decimal(d["max"])
        share = (points / top * 100).quantize(Decimal("0.1"))
        share_text = f"{share:.0f}" if share == share.to_integral() else f"{share}"
        texts.append(f"{points.normalize():f}/{top.normalize():f}分（{share_text}%）")
    return texts


def test_the_score_bars_show_the_whole_percentage_with_one_decimal(client, ent_nanjing, nanjing):
    attempt = submitted(nanjing, answers=mixed(questionnaire(Category.PRODUCER_SERVICES).definition), level=1)
    texts = dimension_texts(attempt)
    assert texts[0] == "26.13/43.18分（60.5%）"
    client.force_login(ent_nanjing)
    page = client.get(reverse("assessment:result", args=[attempt.public_id])).content.decode()
    for text in texts:
        assert f">{text}</text>" in page


def test_the_pdf_report_prints_the_whole_percentage_and_the_questionnaire_once(client, ent_nanjing, nanjing):
    attempt = submitted(nanjing, answers=mixed(questionnaire(Category.PRODUCER_SERVICES).definition), level=1)
    client.force_login(ent_nanjing)
    pdf = client.get(reverse("assessment:report", args=[attempt.public_id])).content
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        text = subprocess.run(["pdftotext", fh.name, "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert "26.13/43.18分（60.5%）" in flat
    for value in dimension_texts(attempt):
        assert value in flat
    if os.environ.get("SCREENSHOT_DIR"):
        with open(os.path.join(os.environ["SCREENSHOT_DIR"], "assessment-report-mixed.pdf"), "wb") as out:
            out.write(pdf)
    line = next(row for row in text.splitlines() if row.startswith("评测表："))
    assert line.strip() == "评测表：中小企业数字化水平评测指标（2024年版）· 生产性服务业（派生）"
