"""认证到期管理 in a browser: an enterprise whose 创新型 title ends in 90 days (its 复核 period,
every annual update made) sees 【去复核】; a 专精特新 title without an assessment says why not. It
applies, files the 复核 with the pledge, and finds it in the 复核 history with 【详情】."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from selenium.webdriver.common.by import By

from common.tiers import Tier
from declarations.models import Declaration
from enterprises.models import InfoUpdate, Recognition
from tests.browser.conftest import absent, click, click_through, open_page, screenshot
from tests.browser.test_enterprise_profile import login
from tests.conftest import enterprise
from tests.declarations.conftest import ready
from tests.declarations.test_lifecycle import filled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_enterprise_in_its_rereview_period_applies(browser, live_server):
    user = enterprise("fuhe", "440106", 812, "广州复核示范有限公司")
    company = ready(user)
    today = timezone.localdate()
    ends = today + dt.timedelta(days=90)
    starts = ends - relativedelta(years=3) + dt.timedelta(days=1)
    title = Recognition.objects.create(enterprise=company, tier=Tier.INNOVATIVE, batch="示范批次",
                                       certificate_no="C-FH-1", valid_from=starts, valid_until=ends)
    for year in range(starts.year, today.year + 1):
        InfoUpdate.objects.create(enterprise=company, year=year, figures_year=year - 1,
                                  submitted_by=user, submitted_at=timezone.now())
    # A 专精特新 title ending at the same time: its 复核 needs a digital assessment first.
    Recognition.objects.create(enterprise=company, tier=Tier.SPECIALIZED, batch="示范批次",
                               certificate_no="Z-FH-1", valid_from=starts - relativedelta(years=1),
                               valid_until=ends)
    login(browser, live_server.url, "fuhe")

    open_page(browser, f"{live_server.url}/enterprise/profile/")
    click_through(browser, By.LINK_TEXT, "认证到期管理")
    card = browser.find_element(By.CSS_SELECTOR, f"[data-testid=title-{title.pk}]")
    assert "有效" in card.find_element(By.CSS_SELECTOR, "[data-testid=status]").text
    assert ends.isoformat() in card.find_element(By.CSS_SELECTOR, "[data-testid=validity]").text
    other = browser.find_element(
        By.CSS_SELECTOR, f"[data-testid=titles] .card:not([data-testid=title-{title.pk}])")
    refusals = other.find_element(By.CSS_SELECTOR, "[data-testid=refusals]")
    assert "须先完成数字化水平评测" in refusals.text
    assert refusals.find_element(By.LINK_TEXT, "去自评").get_attribute("href").endswith("/assessment/")
    screenshot(browser, "rereview-titles")

    click_through(browser, By.CSS_SELECTOR, f"[data-testid=title-{title.pk}] [data-testid=apply]")
    draft = Declaration.objects.get()
    assert draft.kind == "rereview" and browser.current_url.endswith(f"/{draft.public_id}/edit/")
    assert "复核（有效期至" in browser.page_source
    filled(draft, user)  # the form itself is driven in test_declaration.py
    open_page(browser, browser.current_url)
    click(browser, By.ID, "id_pledge")
    click_through(browser, By.CSS_SELECTOR, "[data-testid=submit]", confirm=True)
    draft.refresh_from_db()
    assert draft.status == "at_county"

    click_through(browser, By.LINK_TEXT, "认证到期管理")
    card = browser.find_element(By.CSS_SELECTOR, f"[data-testid=title-{title.pk}]")
    assert card.find_element(By.CSS_SELECTOR, "[data-testid=rereview-status]").text == "县级审核中"
    assert absent(browser, By.CSS_SELECTOR, f"[data-testid=title-{title.pk}] [data-testid=apply]")
    row = browser.find_element(By.CSS_SELECTOR, "[data-testid=rereview-row]")
    assert draft.number in row.text and "县级审核中" in row.text
    click_through(browser, By.CSS_SELECTOR, "[data-testid=rereview-row] [data-testid=detail]")
    assert draft.number in browser.page_source
    screenshot(browser, "rereview-detail")
