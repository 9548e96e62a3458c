"""In Debian's Chromium: a resident rates from a phone by token, the 1-star rating opens a follow-up, the
organization answers it, and the public ranking shows the rating."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from core.i18n import TIMEZONE

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
ORG = "海曙区自闭症儿童家长互助协会"  # the demo organization the demo user orgstaff leads


def _login(chromium: Browser, base: str, username: str) -> Page:
    context = chromium.new_context(locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", "sanshe-demo")
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/d/haishu/$"))
    return page


def _ratings_of(page: Page, base: str) -> int:
    page.goto(f"{base}/d/haishu/rating/ranking")
    row = page.locator("tr", has_text=ORG)
    return int(row.locator("td").nth(2).inner_text())


def test_phone_rating_follow_up_answer_and_ranking(live_server, browser):
    """worker records a service and copies its link; the resident opens it on a phone without logging in and
    gives 1 star; the rating has a follow-up; orgstaff answers it; the public ranking counts the rating."""
    public = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    public.set_default_timeout(15_000)
    phone = public.new_page()
    before = _ratings_of(phone, live_server)

    worker = _login(browser, live_server, "worker")
    worker.goto(f"{live_server}/d/haishu/rating/deliveries")
    worker.get_by_text("补录一次服务").click()
    worker.select_option("#delivery-org", label=ORG)
    worker.fill("#delivery-phone", "13605741234")  # 陈立, a demo resident of 偃月小区
    worker.fill("#delivery-title", "自闭症儿童家庭喘息服务")
    when = (datetime.now(TIMEZONE) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    worker.fill("#delivery-when", when)
    worker.get_by_role("button", name="登记并核实").click()
    expect(worker.locator("h1")).to_have_text("自闭症儿童家庭喘息服务")
    link = worker.get_by_test_id("rating-link").get_attribute("href")
    assert link is not None

    phone.goto(link)
    expect(phone.get_by_role("heading", name="评价这次服务")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.locator("label[for='stars-1']").click()
    phone.fill("#rating-comment", "约好的时间没有来")
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_role("status")).to_have_text("谢谢！您的评价已提交。")
    phone.goto(link)
    expect(phone.get_by_role("status")).to_have_text("这次服务已经评价过了。")

    worker.reload()
    worker.locator("#entry").get_by_role("link", name="详细信息").click()
    rating_url = worker.url
    expect(worker.get_by_test_id("follow-up-link")).to_contain_text("待回访")

    org = _login(browser, live_server, "orgstaff")
    org.goto(rating_url)
    org.get_by_test_id("follow-up-link").click()
    org.fill("#fu-contact", "电话联系陈立先生")
    org.fill("#fu-action", "致歉并改约周六上午重新上门")
    org.fill("#fu-response", "家长表示接受")
    org.get_by_role("button", name="提交回访结果").click()
    expect(org.locator("#follow-up-status")).to_have_text("已回访")

    assert _ratings_of(phone, live_server) == before + 1
    expect(phone.locator("tr", has_text=ORG)).to_be_visible()
