"""In Debian's Chromium: a group applies, is screened and filed, gets a desk and a mentor, has a supervision session
and an assessment, registers, and graduates once its criterion is met."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from plugins.incubation.seed import credit_code

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

GROUP = "月湖社区亲子读书会"


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


def _open(details: object) -> None:
    """Open a <details> (clicking its summary would close one that is open already)."""
    details.evaluate("d => { d.open = true }")  # type: ignore[attr-defined]


def _step(page: Page, label: str, fields: dict[str, str] | None = None) -> None:
    box = page.locator("#steps details", has_text=label).first
    _open(box)
    for name, value in (fields or {}).items():
        box.locator(f"[name={name}]").fill(value)
    box.get_by_role("button", name=label).click()


def test_a_group_goes_from_application_to_graduation(live_server, browser):
    """resident applies for a new group on a phone; centre staff screen, file, sign, admit and give a desk; the mentor
    records a 督导 and an assessment; staff register the group, mark the criterion met, and it graduates."""
    base = f"{live_server}/d/haishu/incubation"
    applicant = _login(browser, live_server, "resident", viewport={"width": 390, "height": 844}, is_mobile=True)
    applicant.goto(f"{base}/apply")
    applicant.select_option("#apply-incubator", label="海曙区社会组织孵化基地")
    applicant.fill("#apply-group", GROUP)
    applicant.fill("#apply-phone", "13805740099")
    applicant.fill("#apply-summary", "二十户家庭每周六在社区图书角共读。")
    applicant.get_by_role("button", name="提交申请").click()
    expect(applicant.locator("h1")).to_have_text(GROUP)
    expect(applicant.locator("main")).to_contain_text("已申请")
    case_url = applicant.url

    staff = _login(browser, live_server, "incubator")
    staff.goto(f"{base}/queues")
    staff.locator("#to-screen").get_by_role("link", name=GROUP).click()
    _step(staff, "通过筛选", {"screening_notes": "需求真实，骨干稳定。"})
    expect(staff.locator(".inc-stages .current")).to_have_text("已筛选")
    _step(staff, "备案", {"filing_number": "海曙备字 2026-188"})
    expect(staff.locator(".inc-stages .current")).to_have_text("已备案")
    _open(staff.locator("#agreement details", has_text="签订或修改协议").first)
    staff.select_option("#agr-mentor", label="王晓红")
    staff.fill("#agr-custom", "会员 20 户以上")
    staff.get_by_role("button", name="保存协议").click()
    expect(staff.locator("#agreement")).to_contain_text("会员 20 户以上")
    _step(staff, "入驻")
    expect(staff.locator(".inc-stages .current")).to_have_text("在孵（入驻）")
    _open(staff.locator("#desks details", has_text="分配工位").first)
    desk = staff.locator("#alloc-space option").first.inner_text()
    staff.get_by_role("button", name="分配", exact=True).click()
    expect(staff.locator("#desks")).to_contain_text(desk)

    mentor = _login(browser, live_server, "mentor", viewport={"width": 390, "height": 844}, is_mobile=True)
    mentor.goto(f"{base}/mentors")
    mentor.locator("#my-caseload").get_by_role("link", name=GROUP).click()
    _open(mentor.locator("#mentoring details", has_text="记录一次督导").first)
    mentor.fill("#session-notes", "讨论章程草案与志愿者排班。")
    mentor.get_by_role("button", name="保存督导记录").click()
    expect(mentor.locator("#mentoring")).to_contain_text("讨论章程草案")
    _open(mentor.locator("#assessments details", has_text="记录一次评估").first)
    scores = mentor.locator("#assessments input[type=number]")  # every indicator of the instrument in use
    assert scores.count() >= 10
    for field in scores.all():
        field.fill("6")
    mentor.get_by_role("button", name="保存评估").click()
    expect(mentor.locator("#assessments li").first).to_contain_text("入驻评估")

    staff.goto(case_url)
    _step(
        staff,
        "登记",
        {"registration_number": "海民社证字第 0188 号", "credit_code": credit_code("social_group", "MJ880188")},
    )
    expect(staff.locator(".inc-stages .current")).to_have_text("已登记")
    _step(staff, "出壳")
    expect(staff.locator("main")).to_contain_text("还有出壳条件未达成")
    _open(staff.locator("#agreement .inc-criteria details").first)
    staff.locator("#agreement .inc-criteria [name=evidence]").first.fill("会员名册 23 户")
    staff.locator("#agreement .inc-criteria").get_by_role("button", name="保存").first.click()
    expect(staff.locator("#agreement")).to_contain_text("已达成")
    _step(staff, "出壳")
    expect(staff.locator(".inc-stages .current")).to_have_text("已出壳")
    applicant.goto(case_url)
    expect(applicant.locator(".inc-stages .current")).to_have_text("已出壳")
