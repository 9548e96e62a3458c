"""Parking in a real browser on phones, the issue's whole tour: a resident applies for a card, the committee approves
and issues it, a patroller records a violation (with a second patroller as witness), the treasurer pays an approved
expense and publishes the month, and the resident reads the statement without logging in."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PK = "/d/haishu/parking"


def _phone(browser: Browser, live_server: str, username: str | None) -> Page:
    """A new phone-sized browser session, logged in as ``username`` (none: a visitor)."""
    context = browser.new_context(viewport=PHONE, base_url=live_server, locale="zh-CN")
    page = context.new_page()
    if username:
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", "sanshe-demo")
        page.locator("form[action='/login'] button[type=submit]").click()
        page.wait_for_url(re.compile(r"^(?!.*/login).*$"))
    return page


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_card_violation_expense_and_statement_on_phones(browser, live_server):
    """1. 刘洋 applies for 浙B8K2M6; 偃月小区's pool is full, so it waits (ahead of the second cars); the chair revokes
    a card, the application moves up, is approved and issued; 刘洋 sees the card number on the phone.
    2. The patroller records 浙B70008 blocking the fire lane, 王强 witnessing: a first violation is a warning, and it
    is on the committee's violations list. 3. 东大街西里's treasurer pays the approved 450-yuan remote-control
    replacement (the balance drops by it) and publishes this month's statement. 4. Logged out, the resident finds the
    statement on the public page with the payment, the closing balance and its SHA-256."""
    resident = _phone(browser, live_server, "resident")
    resident.goto(f"{PK}/mine")
    resident.select_option("#pk-a-plate", "浙B8K2M6")
    resident.get_by_role("button", name="申请", exact=True).click()
    assert "候补" in resident.locator(".pk-notice").first.inner_text()
    assert "候补中" in resident.locator(".pk-card", has_text="浙B8K2M6").inner_text()

    chair = _phone(browser, live_server, "parking-chair")
    chair.goto(PK)
    chair.get_by_role("link", name="偃月小区").click()
    estate_url = chair.url
    chair.get_by_role("button", name="停车卡与申请").click()
    chair.get_by_role("button", name="注销 浙B70000").click()
    chair.get_by_role("button", name="批准 浙B8K2M6").click()  # the first car moved up, ahead of second cars
    chair.get_by_role("button", name="发卡 浙B8K2M6").click()
    assert "P-0051" in chair.locator("tr", has_text="浙B8K2M6").inner_text()

    resident.goto(f"{PK}/mine")
    card = resident.locator(".pk-card", has_text="浙B8K2M6")
    assert "已发卡" in card.inner_text() and "P-0051" in card.inner_text()
    _fits(resident)

    patroller = _phone(browser, live_server, "patroller")
    patroller.goto(f"{estate_url}/patrol")
    patroller.fill("#pk-v-plate", "浙B70008")
    patroller.fill("#pk-v-place", "6 幢消防通道")
    patroller.fill("#pk-v-desc", "占用消防通道")
    witness = patroller.locator("#pk-v-witness option", has_text="王强").get_attribute("value")
    patroller.select_option("#pk-v-witness", witness)
    patroller.get_by_role("button", name="记录违规", exact=True).click()
    assert "警告" in patroller.locator(".pk-notice").first.inner_text()
    _fits(patroller)
    patroller.goto(f"{estate_url}/violations")
    listed = patroller.locator(".pk-card", has_text="浙B70008").first.inner_text()
    assert "6 幢消防通道" in listed and "警告" in listed

    treasurer = _phone(browser, live_server, "parking-treasurer")
    treasurer.goto(PK)
    treasurer.get_by_role("link", name="东大街西里").click()
    treasurer.get_by_role("link", name="停车基金与月度收支表").click()
    dongdajie = re.search(r"/estates/(\d+)/", treasurer.url).group(1)
    before = treasurer.locator("#pk-fund-balance").inner_text()
    treasurer.locator(".pk-card", has_text="道闸遥控器更换").get_by_role("button", name="从基金支付").click()
    treasurer.locator(".pk-notice", has_text="已从基金支付").wait_for()
    after = treasurer.locator("#pk-fund-balance").inner_text()
    assert float(before.split()[0].replace(",", "")) - float(after.split()[0].replace(",", "")) == 450.0
    treasurer.once("dialog", lambda dialog: dialog.accept())
    treasurer.locator("#pk-publish").click()
    treasurer.locator(".pk-notice", has_text="收支表已发布").wait_for()
    _fits(treasurer)

    logged_out = _phone(browser, live_server, None)
    logged_out.goto("/d/haishu/public/parking")
    logged_out.locator(f"#public-statements-{dongdajie} + ul a").first.click()
    text = logged_out.locator("main").inner_text()
    assert "道闸遥控器更换" in text and "期末余额" in text and "SHA-256" in text
    assert len(logged_out.locator("#pk-sha256").inner_text()) == 64
    _fits(logged_out)
