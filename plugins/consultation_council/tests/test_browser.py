"""In Debian's Chromium: a resident's topic goes from the phone to a council vote and back as a published resolution."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TITLE = "7幢门口路灯不亮"


def _login(chromium: Browser, base: str, username: str, **options: object) -> Page:
    context = chromium.new_context(locale="zh-CN", **options)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", "sanshe-demo")
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/d/haishu/$"))
    return page


def test_resident_topic_to_published_resolution_on_the_phone(live_server, browser):
    """resident raises and supports; the secretary puts it on a meeting, signs members in, the vote passes and the
    resolution is published; the resident sees it on a 390×844 page."""
    council = f"{live_server}/d/haishu/council"
    resident = _login(browser, live_server, "resident", viewport=PHONE, is_mobile=True, has_touch=True)
    resident.goto(f"{council}/topics/new")
    resident.fill("input[name=title]", TITLE)
    resident.select_option("select[name=category]", "facilities")
    resident.fill("textarea[name=description]", "7幢门口路灯坏了两周，晚上老人出门看不见台阶。")
    resident.fill("textarea[name=proposal]", "请社区联系维修，更换路灯。")
    resident.get_by_role("button", name="提交议题").click()
    expect(resident.locator("h1")).to_have_text(TITLE)
    resident.get_by_role("button", name="附议", exact=True).click()
    expect(resident.get_by_test_id("supports")).to_contain_text("1 人附议")
    topic_url = resident.url

    secretary = _login(browser, live_server, "secretary")
    secretary.goto(topic_url)
    secretary.get_by_role("button", name="列入议程", exact=True).click()
    expect(secretary.get_by_test_id("topic-state")).to_have_text("已列入议程")
    secretary.goto(f"{council}/admin")
    secretary.get_by_role("link", name="平桥路垃圾分类恳谈会").first.click()
    secretary.locator("form", has_text=TITLE).get_by_role("button", name="加入议程").click()
    item = secretary.locator("article", has_text=TITLE)
    expect(item).to_be_visible()
    secretary.get_by_role("button", name="开始会议").click()
    expect(secretary.get_by_test_id("meeting-status")).to_have_text("进行中")
    sign_in = secretary.get_by_role("button", name="签到", exact=True)
    while n := sign_in.count():
        sign_in.first.click()
        expect(sign_in).to_have_count(n - 1)  # the sign-in list is swapped in place (htmx), not reloaded
    expect(secretary.get_by_test_id("quorum")).to_contain_text("达到法定人数")

    item = secretary.locator("article", has_text=TITLE)
    item.locator("textarea[name=motion]").fill("请社区在一周内更换 7 幢门口路灯，费用由公共维修资金列支。")
    item.get_by_role("button", name="开始表决").click()
    item = secretary.locator("article", has_text=TITLE)
    expect(item).to_contain_text("表决进行中")
    item.locator("input[name=for]").fill("6")
    item.get_by_role("button", name="录入举手结果").click()
    # the item is swapped in place (htmx): wait for the count before pressing the new item's button
    expect(secretary.locator("article", has_text=TITLE)).to_contain_text("已投 6/6")
    secretary.locator("article", has_text=TITLE).get_by_role("button", name="结束表决").click()
    expect(secretary.locator("article", has_text=TITLE)).to_contain_text("通过")

    secretary.goto(topic_url)
    expect(secretary.get_by_test_id("topic-state")).to_have_text("决议通过")
    secretary.get_by_role("link", name=TITLE).click()
    secretary.get_by_role("button", name="公示").click()
    expect(secretary.get_by_test_id("resolution-status")).to_contain_text("公示中")

    resident.goto(council)
    resolution = resident.locator("#resolutions article", has_text=TITLE)
    expect(resolution).to_contain_text("公示中")
    resolution.get_by_role("link", name=TITLE).click()
    expect(resident.get_by_test_id("resolution-text")).to_contain_text("更换 7 幢门口路灯")
    assert resident.viewport_size == PHONE
    width = resident.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is wider than the phone: {width}px"
