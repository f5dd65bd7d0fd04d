"""取消认定 in a real browser: a province approves a late major change as no longer meeting the
conditions, follows the offer on the change's page to the 取消认定 page (ground pre-filled),
confirms, and the enterprise sees the cancelled title and the 取消认定 message."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from selenium.webdriver.common.by import By

from enterprises.models import MajorChange, Recognition
from enterprises.services import enterprise_for_account
from tests.browser.conftest import click, click_through, fill, open_page, screenshot
from tests.browser.test_accessibility import report, violations
from tests.browser.test_enterprise_profile import login
from tests.conftest import enterprise, official
from tests.enterprises.conftest import complete

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_province_cancels_a_title_from_a_late_change_and_the_enterprise_sees_it(
        browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    today = timezone.localdate()
    account = enterprise("rv_firm", "440106", 960, "广州撤销测试科技有限公司")
    firm = complete(enterprise_for_account(user=account), today.year - 1)
    title = Recognition.objects.create(
        enterprise=firm, tier="specialized", batch="2024年第一批", certificate_no="2024440000Z000960",
        valid_from=today - dt.timedelta(days=400), valid_until=today + dt.timedelta(days=600))
    change = MajorChange.objects.create(
        enterprise=firm, change_type="relocation", changed_on=today - dt.timedelta(days=200),
        before="广州市天河区", after="广州市越秀区", reason="搬迁", status="submitted", is_late=True,
        submitted_at=timezone.now(), review_region=firm.region)
    change.evidence.create(file=SimpleUploadedFile("a.pdf", PDF), name="a.pdf", size=len(PDF))
    official("o_rv_gd", "province", "440000")

    login(browser, base, "o_rv_gd", admin=True)
    open_page(browser, f"{base}/admin/enterprises/majorchange/{change.pk}/change/")
    assert "逾期报告重大变化" in browser.find_element(
        By.CSS_SELECTOR, "[data-testid=cancellation-offers]").text
    click(browser, By.CSS_SELECTOR, "input[name=decision][value=approve]")
    click(browser, By.CSS_SELECTOR, "input[name=outcome][value=no]")
    fill(browser, {"opinion": "迁址后主营业务变化，不再符合认定条件。"})
    click_through(browser, By.CSS_SELECTOR, "input[name=_save]")
    open_page(browser, f"{base}/admin/enterprises/majorchange/{change.pk}/change/")
    offers = browser.find_element(By.CSS_SELECTOR, "[data-testid=cancellation-offers]")
    assert "审核结论为不再符合认定条件" in offers.text
    screenshot(browser, "revocation-1-change-offers")
    click_through(browser, By.CSS_SELECTOR, "[data-testid=offer-revoke]")

    assert browser.find_element(By.CSS_SELECTOR, "input[name=ground][value=change_unqualified]").is_selected()
    click_through(browser, By.CSS_SELECTOR, "[data-testid=next]")  # nothing typed yet
    assert "请填写取消文号。" in browser.page_source
    fill(browser, {"document_no": "粤工信函〔2026〕12号", "opinion": "经核实，迁址后不再符合认定条件。"})
    click_through(browser, By.CSS_SELECTOR, "[data-testid=next]")
    confirmation = browser.find_element(By.CSS_SELECTOR, "[data-testid=confirmation]").text
    assert "粤工信函〔2026〕12号" in confirmation and "重大变化不再符合认定条件" in confirmation
    screenshot(browser, "revocation-2-confirm")
    click_through(browser, By.CSS_SELECTOR, "[data-testid=confirm]")
    assert f"/admin/enterprises/recognition/{title.pk}/change/" in browser.current_url
    page = browser.page_source
    assert "已取消认定" in page and "有效 → 已取消" in page
    screenshot(browser, "revocation-3-title")
    title.refresh_from_db()
    assert title.state == "revoked" and title.revoke_ground == "change_unqualified"

    browser.delete_all_cookies()
    login(browser, base, "rv_firm")
    open_page(browser, f"{base}/enterprise/profile/")
    row = browser.find_element(By.CSS_SELECTOR, f"[data-testid=title-{title.pk}]").text
    assert "已取消" in row and "粤工信函〔2026〕12号" in row and "重大变化不再符合认定条件" in row
    screenshot(browser, "revocation-4-profile")
    found = violations(browser, f"{base}/enterprise/profile/")  # the titles table keeps WCAG 2 AA
    assert not found, report({"/enterprise/profile/": found})
    open_page(browser, f"{base}/enterprise/messages/?category=revocation")
    assert "您的“专精特新中小企业”称号已被取消认定" in browser.page_source
