"""A visitor on the public home page, in a real Chromium."""

import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from announcements import services
from common.tiers import Tier
from declarations.services import window_save
from tests.announcements.conftest import make, pdf
from tests.browser.conftest import click, click_through, screenshot
from tests.conftest import dr, official

# serialized_rollback: the regions (loaded by a data migration) are back for every test even
# after another transactional test flushed the tables.
pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def content(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ministry = official("o_ministry_b", "ministry")
    province = official("o_gd_b", "province", "440000")
    draft = services.announcement_save(
        by=ministry, title="关于开展2026年度专精特新中小企业认定工作的通知",
        body="<p>各省、自治区、直辖市中小企业主管部门：</p><p>现将有关事项通知如下。</p>",
        kind="notice")
    services.attachment_add(announcement=draft, by=ministry, file=pdf("2026年申报指南.pdf"))
    services.announcement_publish(announcement=draft, by=ministry)
    for i in range(3):
        make(f"部级公告示例{i + 1}", publish_at=timezone.now() - timedelta(days=i + 2))
    for title in ["广东省2026年创新型中小企业评价工作指引", "广东省专精特新中小企业名单公示"]:
        province_draft = services.announcement_save(by=province, title=title, body="<p>正文</p>",
                                                    kind="publicity")
        services.announcement_publish(announcement=province_draft, by=province)
    window_save(by=province, declaration_region=dr("440000"), tier=Tier.INNOVATIVE,
                starts_at=timezone.now() - timedelta(days=1),
                ends_at=timezone.now() + timedelta(days=30), note="2026年第一批")
    return draft


def wait_for_file(folder: Path, name: str, seconds: float = 10) -> Path:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        target = folder / name
        if target.exists() and target.stat().st_size:
            return target
        time.sleep(0.1)
    raise AssertionError(f"{name} not downloaded; found {list(folder.iterdir())}")


def test_a_visitor_reads_an_announcement_downloads_searches_and_goes_to_self_assessment(
        browser, live_server, content, tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Browser.setDownloadBehavior",
                            {"behavior": "allow", "downloadPath": str(downloads)})

    browser.get(f"{live_server.url}/")
    ministry_panel = browser.find_element(By.CSS_SELECTOR, "[data-testid=panel-ministry]")
    assert "关于开展2026年度专精特新中小企业认定工作的通知" in ministry_panel.text
    assert "广东省专精特新中小企业名单公示" in browser.find_element(
        By.CSS_SELECTOR, "[data-testid=panel-province]").text
    assert "稍后开放" in browser.find_element(By.CSS_SELECTOR, "[data-testid=card-recognition]").text
    screenshot(browser, "home")

    # 【申报】 opens the dialog of open regions.
    click(browser, By.CSS_SELECTOR, "[data-testid=declare-innovative]")
    dialog = WebDriverWait(browser, 5).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, "[data-testid=open-region]")))
    assert "广东省" in dialog.text
    screenshot(browser, "home-declare-dialog")
    click(browser, By.CSS_SELECTOR, "#declare-modal .btn-close")
    WebDriverWait(browser, 5).until(
        ec.invisibility_of_element_located((By.ID, "declare-modal")))

    # A 部级 announcement, then its attachment.
    click_through(browser, By.PARTIAL_LINK_TEXT, "关于开展2026年度专精特新")
    article = browser.find_element(By.CSS_SELECTOR, "[data-testid=announcement]")
    assert "各省、自治区、直辖市中小企业主管部门" in article.text
    assert "发布单位：工业和信息化部" in article.text
    screenshot(browser, "announcement-detail")
    click(browser, By.LINK_TEXT, "2026年申报指南.pdf")
    downloaded = wait_for_file(downloads, "2026年申报指南.pdf")
    assert downloaded.read_bytes().startswith(b"%PDF-")

    # Search the list.
    click_through(browser, By.LINK_TEXT, "返回公告列表")
    field = browser.find_element(By.NAME, "q")
    field.send_keys("广东省")
    click_through(browser, By.XPATH, "//form[@data-testid='search-form']//button[text()='查询']")
    results = browser.find_element(By.CSS_SELECTOR, "[data-testid=announcement-list]")
    assert "广东省2026年创新型中小企业评价工作指引" in results.text
    assert "部级公告示例1" not in results.text
    screenshot(browser, "announcement-search")

    # 去自评: an anonymous visitor is sent to the login page, which will lead back.
    browser.get(f"{live_server.url}/")
    click_through(browser, By.CSS_SELECTOR, "[data-testid=go-assessment]")
    assert browser.current_url.startswith(f"{live_server.url}/accounts/login/")
    assert "next=%2Fassessment%2F" in browser.current_url
    assert browser.find_element(By.NAME, "username")
    screenshot(browser, "assessment-login")
