"""The page in a real browser (Debian's Chromium through Playwright): adding an item without a reload."""

from __future__ import annotations

from playwright.sync_api import expect

from core.testing import log_in_page


def test_worker_adds_an_item_in_the_browser(sanshe_page, sanshe_factory, sanshe_district):
    """A community worker logs in, opens 一窗受理 from the menu and adds an item; it appears in the list."""
    sanshe_factory.user("worker", role="community_worker")
    page = log_in_page(sanshe_page, "worker")
    page.get_by_role("link", name="一窗受理").first.click()
    expect(page.locator("h1")).to_have_text("一窗受理")
    page.fill("#one_window-title", "浏览器里添加的")
    page.locator("#one_window-items button[type=submit]").click()
    expect(page.locator("#one_window-items")).to_contain_text("浏览器里添加的")
