"""At the window, in a real browser (Debian's Chromium through Playwright): a walk-in resident, an item with a
missing document, the one-time notice printed, the document brought two days later (the promise moves by the two
working days waited), the departments act from their queue, and the resident looks up the progress on a phone."""

from __future__ import annotations

import io
from datetime import date

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from core.testing import log_in_page
from plugins.one_window import intake as window
from plugins.one_window.tests.support import catalogue, resident

RECEIVED = date(2026, 11, 18)  # a Wednesday
BROUGHT = date(2026, 11, 20)  # the Friday after: two working days later


@pytest.mark.sanshe_db("sqlite")
def test_a_walk_in_resident_with_a_missing_document(
    sanshe_page, sanshe_browser, sanshe_live_url, sanshe_factory, sanshe_district, monkeypatch
):
    """On Wednesday 18 Nov a community worker finds the item (医保参保登记, 3 working days) and the resident (the
    form fills itself), leaves 户口簿 unticked and records the request: the notice lists exactly 户口簿, to bring by
    Wednesday 25 Nov (5 working days), and prints as a PDF that says so; the clock is paused. On Friday 20 Nov the
    resident brings it: the clock resumes and the promise is Wednesday 25 Nov (3 working days + the 2 waited), not
    Monday 23 Nov. 医保工作站's officer opens the request from the department queue and agrees; on a phone, with no
    login, the resident enters the reference and phone and sees it finished, granted, without a sideways scroll."""
    catalogue(sanshe_factory)
    resident(sanshe_factory, "周敏", "13957423456")
    sanshe_factory.user("worker", role="community_worker")
    sanshe_factory.user("yibao", role="one_window_department", org_unit="gulou-yb")
    monkeypatch.setattr(window, "today_local", lambda: RECEIVED)  # the server runs in this process

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
    expect(page.locator("#ow-notice")).to_contain_text("2026年11月25日")
    expect(page.locator("#ow-promised")).to_contain_text("材料补齐前暂停计时")
    reference = page.locator("h1 small").inner_text().strip()

    printed = page.get_by_role("button", name="打印一次性告知单")
    notice = page.request.get(printed.get_attribute("href") or "")
    assert notice.ok and notice.headers["content-type"].startswith("application/pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(notice.body())).pages)
    text = text.replace("\x00", "").replace(" ", "")  # the font's two-byte codes
    assert "一次性告知单" in text and reference in text and "户口簿" in text and "身份证" not in text
    assert "2026年11月25日" in text  # the day to bring it by

    monkeypatch.setattr(window, "today_local", lambda: BROUGHT)
    page.reload()
    page.check("#ow-late-1")
    page.get_by_role("button", name="保存补交材料").click()
    expect(page.locator("#ow-notice")).to_contain_text("申请材料已齐全")
    expect(page.locator("#ow-promised")).to_contain_text("2026年11月25日")
    expect(page.locator("#ow-promised")).to_contain_text("2 个工作日")

    officer = sanshe_browser.new_context(locale="zh-CN", base_url=sanshe_live_url).new_page()
    log_in_page(officer, "yibao")
    officer.goto(f"/d/{sanshe_district.code}/")
    officer.get_by_role("link", name="部门办件").first.click()
    officer.get_by_role("link", name=reference).click()
    officer.fill("#f-opinion", "已办理参保登记，次月生效。")
    officer.get_by_role("button", name="提交办理意见").click()
    expect(officer.locator(".ow-route")).to_contain_text("已办理")
    officer.context.close()

    phone = sanshe_browser.new_context(
        locale="zh-CN", base_url=sanshe_live_url, viewport={"width": 390, "height": 844}, is_mobile=True
    ).new_page()
    phone.goto(f"/d/{sanshe_district.code}/public/one_window/progress")
    phone.fill("#f-reference", reference)
    phone.fill("#f-phone", "13957423456")
    phone.get_by_role("button", name="查询").click()
    expect(phone.locator("#ow-progress")).to_contain_text("已办结")
    expect(phone.locator("#ow-progress")).to_contain_text("准予办理")
    expect(phone.locator("#ow-progress")).not_to_contain_text("周敏")
    assert phone.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    phone.context.close()
