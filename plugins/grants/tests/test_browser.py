"""In Debian's Chromium: an organization applies from a phone, staff screen it, an expert scores it on a phone,
the results are announced, the first tranche is paid on the ledger, the organization submits its mid-term
report from the phone and staff accept it (the second tranche becomes payable)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TITLE = "星空下的融合课堂"


def _login(chromium: Browser, base: str, username: str, **options: object) -> Page:
    context = chromium.new_context(locale="zh-CN", **options)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", "sanshe-demo")
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/d/haishu/$"))
    return page


def test_apply_review_decide_and_pay_the_first_tranche(live_server, browser):
    """orgstaff applies on a 390×844 phone (draft, a PDF attached, then submit); grants-staff screens and
    assigns expert; expert sees the PDF and scores every criterion on a phone; staff announce the results,
    record the agreement, pay tranche 1; the organization sees the award and the payment and submits its
    mid-term report on the phone; staff accept it and the second tranche is ready to pay."""
    grants = f"{live_server}/d/haishu/grants"
    org = _login(browser, live_server, "orgstaff", viewport=PHONE, is_mobile=True, has_touch=True)
    org.goto(grants)
    org.get_by_role("link", name="2027 年度社区微创投（征集中）").click()
    org.get_by_role("button", name="申报", exact=True).click()
    org.locator("#app-org").select_option(label="海曙区自闭症儿童家长互助协会")
    org.fill("#app-title", TITLE)
    org.locator("#app-category").select_option(label="助残服务")
    org.fill("#app-summary", "每周六为自闭症儿童和普通儿童开设融合艺术课，全年 40 次。")
    org.fill("#app-requested", "60000")
    org.fill("#app-own", "8000")
    org.get_by_role("button", name="保存草稿").click()
    expect(org.locator("h1")).to_have_text(TITLE)
    org.locator("#app-files").set_input_files(
        {"name": "项目计划书.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"0" * 64}
    )
    org.get_by_role("button", name="上传", exact=True).click()
    expect(org.locator("#documents")).to_contain_text("项目计划书.pdf")
    org.get_by_role("button", name="提交", exact=True).click()
    expect(org.locator(".grants-head")).to_contain_text("已提交，待形式审查")
    application_url = org.url
    assert org.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    staff = _login(browser, live_server, "grants-staff")
    staff.goto(application_url)
    for i in range(3):
        staff.locator(f"#check-{i}").check()
    staff.locator("#screen-decision").select_option("pass")
    staff.get_by_role("button", name="保存审查结论").click()
    expect(staff.locator(".grants-head")).to_contain_text("评审中")
    staff.locator("#assign-reviewer").select_option(label="评审专家 赵敏")
    staff.get_by_role("button", name="分配", exact=True).click()
    expect(staff.locator("main")).to_contain_text("待评审")

    expert = _login(browser, live_server, "expert", viewport=PHONE, is_mobile=True, has_touch=True)
    expert.goto(f"{grants}/reviews")
    expert.get_by_role("link", name=TITLE).click()
    scores = expert.locator("select[name^=score_]")
    expect(expert.locator("#documents")).to_contain_text("项目计划书.pdf")  # the reviewer sees the documents
    expect(scores.first).to_be_visible()  # the review page has loaded: count its criteria only then
    for i in range(scores.count()):
        scores.nth(i).select_option("8")
    expert.get_by_role("button", name="提交评审").click()
    expect(expert.locator("main")).to_contain_text("我的评审")
    expect(expert.locator("article", has_text=TITLE)).to_contain_text("已提交评审")

    staff.goto(application_url)
    staff.get_by_role("link", name="2027 年度社区微创投（征集中）").click()
    staff.get_by_role("button", name="立项评选").click()
    expect(staff.locator("table")).to_contain_text(TITLE)
    staff.get_by_role("button", name="公布结果").click()
    expect(staff.locator("main")).to_contain_text("立项结果")
    staff.goto(application_url)
    expect(staff.locator(".grants-head")).to_contain_text("获资助")
    staff.fill("#agree-start", "2027-03-01")
    staff.fill("#agree-end", "2028-02-28")
    staff.fill("#agree-budget", "授课老师劳务 | 48000\n美术材料 | 20000")  # the award 60000 + own 8000
    staff.get_by_role("button", name="登记已签订的协议").click()
    staff.get_by_role("button", name="拨付").first.click()
    expect(staff.locator("main")).to_contain_text("已于")

    org.goto(application_url)
    expect(org.locator("main")).to_contain_text("获得资助 60000.00 元")
    expect(org.locator("main")).to_contain_text("30000.00 元")  # paid so far: the first half
    org.get_by_role("link", name="报告与评估").click()
    org.fill("#report-indicators", "融合艺术课 20 次，服务儿童 36 人")
    org.fill("#report-activities", "每周六融合艺术课；两次家长沙龙")
    org.fill("#report-beneficiaries", "36")
    org.fill("#report-spending", "授课老师劳务 | 12000\n美术材料 | 3000")
    org.get_by_role("button", name="提交报告").click()
    expect(org.locator("main")).to_contain_text("等待验收")
    assert org.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    staff.goto(org.url)
    expect(staff.locator("main")).to_contain_text("15000.00 元")  # the spending's total
    staff.locator("select[name=decision]").select_option("accept")
    staff.get_by_role("button", name="保存审查结论").click()
    expect(staff.locator("main")).to_contain_text("已验收")
    staff.goto(application_url)
    expect(staff.get_by_role("button", name="拨付")).to_have_count(1)  # the second tranche is now payable
