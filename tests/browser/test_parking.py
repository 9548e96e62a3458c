"""Parking in a real browser on a phone: a resident applies for a card, the committee approves and issues it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PK = "/d/haishu/parking"


def _phone(browser: Browser, live_server: str, username: str) -> Page:
    """A new phone-sized browser session logged in as ``username``."""
    context = browser.new_context(viewport=PHONE, base_url=live_server, locale="zh-CN")
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", "sanshe-demo")
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"^(?!.*/login).*$"))
    return page


def test_resident_applies_on_the_phone_and_the_chair_issues_the_card(browser, live_server):
    """刘洋 applies for 浙B8K2M6; the pool of 偃月小区 is full, so it waits (ahead of the second cars); the chair
    revokes a card, the application moves up, is approved and issued; 刘洋 sees the card number on the phone."""
    resident = _phone(browser, live_server, "resident")
    resident.goto(f"{PK}/mine")
    resident.select_option("#pk-a-plate", "浙B8K2M6")
    resident.get_by_role("button", name="申请", exact=True).click()
    assert "候补" in resident.locator(".pk-notice").first.inner_text()
    card = resident.locator(".pk-card", has_text="浙B8K2M6")
    assert "候补中" in card.inner_text()

    chair = _phone(browser, live_server, "parking-chair")
    chair.goto(PK)
    chair.get_by_role("link", name="偃月小区").click()
    chair.get_by_role("button", name="停车卡与申请").click()
    chair.get_by_role("button", name="注销 浙B70000").click()
    chair.get_by_role("button", name="批准 浙B8K2M6").click()  # the first car moved up, ahead of second cars
    chair.get_by_role("button", name="发卡 浙B8K2M6").click()
    assert "P-0051" in chair.locator("tr", has_text="浙B8K2M6").inner_text()

    resident.goto(f"{PK}/mine")
    card = resident.locator(".pk-card", has_text="浙B8K2M6")
    assert "已发卡" in card.inner_text()
    assert "P-0051" in card.inner_text()
    assert resident.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
