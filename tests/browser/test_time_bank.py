"""Time bank in a real browser on a phone-sized screen: a need posted, served, confirmed, and the hours shown."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TB = "/d/haishu/time-bank"


def _phone(browser: Browser, live_server: str, username: str) -> Page:
    """A new phone-sized browser session logged in as ``username``."""
    context = browser.new_context(viewport=PHONE, base_url=live_server, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the 确认服务 button asks first
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", "sanshe-demo")
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"^(?!.*/login).*$"))
    return page


def test_need_served_confirmed_and_balance_shown_on_the_phone(browser, live_server):
    """resident posts a need, volunteer takes it and records 1.5 h, resident confirms: 1 小时 30 分钟 on the phone."""
    resident = _phone(browser, live_server, "resident")
    resident.goto(f"{TB}/needs/new")
    resident.fill("#tb-title", "陪我去菜场买菜（浏览器测试）")
    resident.select_option("#tb-category", label="陪聊")
    resident.fill("#tb-description", "周六上午九点，菜场离家五百米。")
    resident.locator(f"form[action='{TB}/needs'] button[type=submit]").click()
    notice = resident.locator(".tb-notice").first
    notice.wait_for()
    reference = re.search(r"HS-\d{4}-\d{6}", notice.inner_text()).group(0)

    volunteer = _phone(browser, live_server, "volunteer")
    volunteer.goto(TB)
    volunteer.locator(f"#open-{reference}").get_by_role("button", name="接单").click()
    card = volunteer.locator(f"#svc-{reference}")
    card.locator("input[name=hours]").fill("1.5")
    card.get_by_role("button", name="登记服务时长").click()
    assert "服务对象确认后计入" in volunteer.locator(".tb-notice").first.inner_text()

    resident.goto(TB)
    resident.locator(f"#need-{reference}").get_by_role("button", name="确认服务").click()
    assert "已计入" in resident.locator(".tb-notice").first.inner_text()

    volunteer.goto(TB)
    balance = volunteer.locator("[data-testid=balance]").first
    assert balance.inner_text().strip() == "1 小时 30 分钟"
    assert balance.is_visible()
    width = volunteer.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
