"""The officials' admin in a real browser: the 评测记录 list fits a 1366 px wide screen."""

import pytest

from enterprises.services import enterprise_for_account
from tests.assessment.conftest import submitted, with_industry
from tests.browser.conftest import screenshot
from tests.browser.test_enterprise_profile import login
from tests.conftest import enterprise, official
from tests.enterprises.conftest import complete

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_attempts_list_fits_a_1366_px_screen(browser, live_server):
    for seq, name in enumerate(["广州天河高端精密智能装备制造股份有限公司", "广州越秀新一代信息技术研究院有限公司"]):
        account = enterprise(f"wide{seq}", "440106", 950 + seq, name)
        firm = complete(enterprise_for_account(user=account), 2025)
        submitted(with_industry(firm, "3311"))
    official("o_wide", "province", "440000")
    browser.set_window_size(1366, 768)
    login(browser, live_server.url, "o_wide", admin=True)
    browser.get(f"{live_server.url}/admin/assessment/attempt/")
    assert "广州天河高端精密智能装备制造股份有限公司" in browser.page_source
    screenshot(browser, "admin-attempts-1366")
    # Neither the page nor the results table (Django lets it scroll sideways) is wider than
    # the screen: every column is readable without scrolling.
    page, table = browser.execute_script(
        "const r = document.querySelector('#changelist .results');"
        "return [document.documentElement.scrollWidth - document.documentElement.clientWidth,"
        "        r.scrollWidth - r.clientWidth];")
    assert page <= 0 and table <= 0
