"""The window in a real browser (Debian's Chromium through Playwright): a walk-in resident, a missing document,
the one-time notice, the document brought later and the promised date."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.testing import log_in_page
from plugins.one_window.tests.support import catalogue, resident


@pytest.mark.sanshe_db("sqlite")
def test_a_walk_in_resident_with_a_missing_document(sanshe_page, sanshe_factory, sanshe_district):
    """A community worker finds the item and the resident, leaves one document unticked, sees the notice, then
    ticks it when it is brought: the clock resumes and the promised date appears."""
    catalogue(sanshe_factory)
    resident(sanshe_factory, "周敏", "13957423456")
    sanshe_factory.user("worker", role="community_worker")
    page = log_in_page(sanshe_page, "worker")
    page.get_by_role("link", name="一窗受理").first.click()
    page.get_by_role("link", name="窗口受理").first.click()
    page.fill("#ow-item-q", "参保登记")
    page.get_by_role("button", name="查找事项").click()
    page.get_by_role("link", name="城乡居民医保参保登记").click()
    page.fill("#ow-who", "周敏")
    page.get_by_role("button", name="查找居民").click()
    page.get_by_role("link", name="周敏").click()
    expect(page.locator("#f-applicant")).to_have_value("周敏")
    page.check("#ow-doc-0")
    page.get_by_role("button", name="登记受理").click()
    expect(page.locator(".ow-missing li")).to_have_text(["户口簿（原件及复印件 1 份）"])
    expect(page.locator("#ow-promised")).to_contain_text("材料补齐前暂停计时")
    page.check("#ow-late-1")
    page.get_by_role("button", name="保存补交材料").click()
    expect(page.locator("#ow-notice")).to_contain_text("申请材料已齐全")
    expect(page.locator("#ow-promised")).to_contain_text("年")
