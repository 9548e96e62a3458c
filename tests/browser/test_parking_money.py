"""The parking fund in a real browser on a phone: the treasurer pays an approved expense and publishes the month;
anyone reads the statement without logging in."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _phone(browser: Browser, live_server: str, username: str | None) -> Page:
    context = browser.new_context(viewport=PHONE, base_url=live_server, locale="zh-CN")
    page = context.new_page()
    if username:
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", "sanshe-demo")
        page.locator("form[action='/login'] button[type=submit]").click()
        page.wait_for_url(re.compile(r"^(?!.*/login).*$"))
    return page


def test_treasurer_pays_and_publishes_and_a_passer_by_reads_the_statement(browser, live_server):
    """东大街西里: the treasurer pays the approved 450-yuan remote-control replacement (the balance drops by it),
    publishes this month's statement (confirming), and a visitor without login finds it on the public page with
    the payment, the closing balance and the SHA-256."""
    treasurer = _phone(browser, live_server, "parking-treasurer")
    treasurer.goto("/d/haishu/parking")
    treasurer.get_by_role("link", name="东大街西里").click()
    treasurer.get_by_role("link", name="停车基金与月度收支表").click()
    before = treasurer.locator("#pk-fund-balance").inner_text()
    expense = treasurer.locator(".pk-card", has_text="道闸遥控器更换")
    expense.get_by_role("button", name="从基金支付").click()
    treasurer.locator(".pk-notice", has_text="已从基金支付").wait_for()
    after = treasurer.locator("#pk-fund-balance").inner_text()
    assert float(before.split()[0].replace(",", "")) - float(after.split()[0].replace(",", "")) == 450.0
    treasurer.once("dialog", lambda dialog: dialog.accept())
    treasurer.locator("#pk-publish").click()
    treasurer.locator(".pk-notice", has_text="收支表已发布").wait_for()
    assert treasurer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    visitor = _phone(browser, live_server, None)
    visitor.goto("/d/haishu/public/parking")
    month = visitor.locator("[id^=public-statements] + ul a").first
    month.click()
    text = visitor.locator("main").inner_text()
    assert "道闸遥控器更换" in text and "期末余额" in text and "SHA-256" in text
    assert len(visitor.locator("#pk-sha256").inner_text()) == 64
    assert visitor.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
