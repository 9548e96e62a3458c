"""In Chromium, a phone request goes from ``worker``'s intake through ``social``'s queue to a guard's refusal.

``worker`` files a 居民诉求 taken by phone; ``social`` finds it in the queue, assigns it to
``worker`` from the row menu and opens 分派 from there (difficulty: needs a department);
passing it to the community is refused by the guard with its Chinese reason; it is sent
back for more information instead. The case page's timeline shows the filing, the
assignment and the two state changes (the refusal leaves nothing), in Chinese and English.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

TITLE = "小区东门路灯不亮（浏览器测试）"
WORKER = "社区工作者 李娜"
SOCIAL = "社工 陈静"
TO_COMMUNITY_REFUSED = "只有简单诉求才能交社区办理；需部门或疑难的请选其他路径。"


@pytest.fixture(autouse=True)
def patient_expect() -> Iterator[None]:
    """Give ``expect`` the browser context's 15 s (a loaded test machine is slow), then Playwright's 5 s again."""
    expect.set_options(timeout=15_000)
    try:
        yield
    finally:
        expect.set_options(timeout=5_000)


def log_in(browser: Browser, base: str, username: str) -> Page:
    """A new browser session (Chinese, dialogs accepted) logged in as ``username``."""
    context = browser.new_context(locale="zh-CN", base_url=base, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # steps with a confirmation text ask first
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", "sanshe-demo")
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/d/haishu/$"))
    return page


def file_phone_request(worker: Page) -> str:
    """``worker`` files a resident request taken by phone and lands on its page; returns the reference."""
    worker.goto("/d/haishu/cases/new/resident_request")
    expect(worker.locator("h1")).to_contain_text("居民诉求")
    expect(worker.locator("#f-in-channel")).to_have_value("phone")  # staff intake defaults to the phone
    worker.locator("#f-in-channel").select_option(label="电话")
    worker.locator("#f-in-title").fill(TITLE)
    worker.locator("#f-in-requester").fill("周建国")
    worker.locator("#f-in-phone").fill("13900139000")
    worker.locator("#f-in-address").fill("平桥社区 3 幢东门")
    worker.locator("#f-in-category").select_option("facilities")
    worker.locator("#f-in-description").fill("东门两盏路灯一周没亮，老人晚上出门看不清路。")
    worker.get_by_role("button", name="提交登记").click()

    header = worker.locator("header.case-header")
    expect(header.locator("h1")).to_have_text(TITLE)
    expect(header.locator(".case-badges")).to_contain_text("已登记")
    expect(header.locator(".case-facts")).to_contain_text("电话")
    reference = header.locator(".case-ref").inner_text().strip()
    assert re.fullmatch(r"HS-\d{4}-\d{6}", reference), reference
    expect(worker).to_have_url(re.compile(rf"/d/haishu/cases/{reference}$"))
    return reference


def test_phone_request_triaged_assigned_from_queue_refused_by_guard_and_on_timeline(live_server, browser):
    """Phone intake, assignment and triage from the queue, a guard's refusal with its reason, a full timeline."""
    worker = log_in(browser, live_server, "worker")
    reference = file_phone_request(worker)

    # social opens the queue searched for the reference (a shareable URL) and assigns it to worker from the row menu.
    social = log_in(browser, live_server, "social")
    social.goto(f"/d/haishu/cases?q={reference}")
    expect(social.locator("#queue-q")).to_have_value(reference)
    row = social.locator("[data-queue-table] tbody tr", has=social.locator("a.case-ref", has_text=reference))
    expect(row).to_have_count(1)
    expect(social.locator("[data-queue-table] tbody tr[data-href]")).to_have_count(1)  # the search narrowed it
    expect(row.locator(".col-title")).to_have_text(TITLE)
    expect(row.locator(".col-state")).to_have_text("已登记")
    expect(row.locator(".col-assignee")).to_have_text("—")
    row.locator("details.row-menu summary").click()
    menu = row.locator(".row-menu-body")
    menu.get_by_label("分配给").select_option(label=WORKER)
    menu.get_by_role("button", name="分配").click()
    expect(row.locator(".row-message")).to_have_text(f"已分配给 {WORKER}。")
    expect(row.locator(".col-assignee")).to_have_text(WORKER)

    # The triage step needs the difficulty: the row menu links to its form on the case page.
    row.locator("details.row-menu summary").click()
    row.locator(".row-menu-body").get_by_role("link", name="分派 →").click()
    expect(social).to_have_url(re.compile(rf"/cases/{reference}\?step=triage"))
    step = social.locator("#case-actions form.step-form")
    expect(step.locator("h3")).to_have_text("分派")
    expect(step.locator("#t-in-category")).to_have_value("facilities")  # filed by worker, kept
    step.locator("#t-in-difficulty").select_option(label="需职能部门办理")
    step.get_by_role("button", name="分派").click()
    header = social.locator("header.case-header")
    expect(header.locator(".case-badges")).to_contain_text("已分派")
    expect(header.locator(".case-facts")).to_contain_text(WORKER)

    # 交社区办理 is only for simple requests: refused in place, with the guard's reason, nothing changed.
    actions = social.locator("#case-actions")
    actions.get_by_role("button", name="交社区办理").click()
    expect(actions.locator(".refusal")).to_have_text(TO_COMMUNITY_REFUSED)
    expect(header.locator(".case-badges")).to_contain_text("已分派")

    # social sends it back for more information instead: a step with a required reason.
    actions.get_by_role("button", name="退回补充材料…").click()
    reason = actions.locator("#t-in-reason")
    reason.fill("请补充路灯位置照片")
    actions.locator("form.step-form").get_by_role("button", name="退回补充材料").click()
    expect(header.locator(".case-badges")).to_contain_text("待补充材料")

    # The assignee sees it all on the case page's timeline, oldest first.
    worker.goto(f"/d/haishu/cases/{reference}")
    expect(worker.locator("header.case-header .case-facts")).to_contain_text(WORKER)
    events = worker.locator("#case-events > li")
    expect(events).to_have_count(4)
    expect(events.nth(0)).to_contain_text(f"{WORKER} 登记了案件（电话）")
    expect(events.nth(1)).to_contain_text(f"{SOCIAL} 将案件分配给 {WORKER}")
    expect(events.nth(2)).to_contain_text(f"{SOCIAL} 分派：已登记 → 已分派")
    expect(events.nth(2).locator(".event-changes")).to_contain_text("需职能部门办理")
    expect(events.nth(3)).to_contain_text(f"{SOCIAL} 退回补充材料：已分派 → 待补充材料")
    expect(events.nth(3).locator(".event-reason")).to_contain_text("请补充路灯位置照片")
    expect(worker.locator("#case-events")).not_to_contain_text("交社区办理")  # a refusal leaves no event

    # The same page in English.
    worker.locator("header.shell-header button[name=lang][value=en]").click()
    expect(worker.locator("html")).to_have_attribute("lang", "en")
    expect(worker).to_have_url(re.compile(rf"/d/haishu/cases/{reference}$"))
    expect(worker.locator("header.case-header .case-badges")).to_contain_text("Returned for more information")
    expect(events).to_have_count(4)
    expect(events.nth(0)).to_contain_text("Filed the case (Phone)")
    expect(events.nth(2)).to_contain_text("Triage: Reported → Triaged")
    expect(events.nth(3)).to_contain_text("Return for more information: Triaged → Returned for more information")
    expect(worker.locator("#case-timeline h2")).to_have_text("Timeline")
