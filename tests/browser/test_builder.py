"""In Chromium, ``district-admin`` builds 独居老人送餐申请 in the builder and publishes it; ``worker`` then
files a case of it and moves it along its workflow, on the same running server (no restart).

Screenshots go to docs/images/builder-*.png for docs/builder.md when ``SANSHE_DOCS_SCREENSHOTS=1``
(a test run must not change tracked files); otherwise to a temporary folder.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from core.testing.suite import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

IMAGES = (
    ROOT / "docs" / "images"
    if os.environ.get("SANSHE_DOCS_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "sanshe-builder-shots"
)
FIELDS = [
    ("elder_name", "text", "老人姓名"),
    ("phone", "phone", "联系电话"),
    ("address", "address", "住址"),
    ("diet", "choice", "饮食要求"),
    ("diet_note", "long_text", "特殊饮食说明"),
]


def shot(page: Page, name: str, target: str = "") -> None:
    """Save the viewport (or only the element ``target``) as docs/images/builder-<name>.png."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    path = str(IMAGES / f"builder-{name}.png")
    if target:
        page.locator(target).first.screenshot(path=path)
    else:
        page.screenshot(path=path)


def log_in(browser: Browser, base: str, username: str) -> Page:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", "sanshe-demo")
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/d/haishu/$"))
    return page


def add_field(page: Page, key: str, kind: str, label: str) -> None:
    form = page.locator("#add-field")
    form.locator("[name=label_zh]").fill(label)
    form.locator("[name=key]").fill(key)
    form.locator("[name=type]").select_option(kind)
    form.locator("button[type=submit]").click()
    expect(page.locator(f"#fields [data-field={key}]")).to_be_visible()


def add_state(page: Page, key: str, label: str) -> None:
    form = page.locator("#add-state")
    form.locator("[name=label_zh]").fill(label)
    form.locator("[name=key]").fill(key)
    form.locator("button[type=submit]").click()
    expect(page.locator(f"#workflow [data-state={key}]").first).to_be_visible()


def add_step(page: Page, key: str, label: str, source: str, target: str) -> None:
    form = page.locator("#add-transition")
    form.locator("[name=label_zh]").fill(label)
    form.locator("[name=key]").fill(key)
    form.locator(f"[name=from][value={source}]").check()
    form.locator("[name=to]").select_option(target)
    form.locator("[name=roles][value=community_worker]").check()
    form.locator("button[type=submit]").click()
    expect(page.locator(f"[data-transition={key}]")).to_be_visible()


def test_admin_builds_meal_delivery_and_worker_uses_it(live_server, browser):
    """Five fields (one conditional), four states, published; the worker files and moves a case at once."""
    admin = log_in(browser, live_server, "district-admin")
    admin.locator("nav a[href='/d/haishu/admin/case-types']").click()
    expect(admin.locator("#case-types")).to_contain_text("resident_request")
    new = admin.locator("#new-type")
    new.locator("[name=name_zh]").fill("独居老人送餐申请")
    new.locator("[name=name_en]").fill("Meal delivery for elderly people living alone")
    new.locator("[name=key]").fill("meal_delivery")
    shot(admin, "1-list")
    new.locator("button[type=submit]").click()
    expect(admin.locator("h1")).to_contain_text("独居老人送餐申请")

    for key, kind, label in FIELDS:
        add_field(admin, key, kind, label)
    diet = admin.locator("#field-3")
    diet.locator("summary").click()
    diet.locator("[name=choices]").fill("normal | 普通饮食\nspecial | 特殊饮食（糖尿病、软食等）")
    diet.locator("details form button[type=submit]").click()
    expect(admin.locator("#pv-in-diet option[value=special]")).to_have_count(1)

    note = admin.locator("#field-4")
    note.locator("summary").click()
    condition = note.locator("[name=show_if]")
    condition.fill('dite == "special"')
    expect(note.locator(".cond-check .field-error").first).to_contain_text("dite")
    shot(admin, "2-condition-error", "#field-4")
    condition.fill('diet == "special"')
    expect(note.locator(".cond-check .success").first).to_be_visible()
    note.locator("[name=required_if]").fill('diet == "special"')
    note.locator("details form button[type=submit]").click()
    expect(admin.locator("#field-4 .field-head .tag")).to_have_count(2)  # long_text, conditional

    # The preview: the note appears only for a special diet, and is validated like the staff form.
    expect(admin.locator("#pv-w-diet_note")).to_be_hidden()
    admin.locator("#pv-in-diet").select_option("special")
    expect(admin.locator("#pv-in-diet_note")).to_be_visible()
    admin.locator("#pv-in-phone").fill("12345")
    admin.locator("#pv-in-address").click()
    expect(admin.locator("#pv-w-phone .field-error")).to_be_visible()
    shot(admin, "3-form-preview", ".builder-grid")

    # The workflow: 新登记 → 已评估 → 送餐中 → 已办结.
    add_state(admin, "assessed", "已评估")
    expect(admin.locator("#problems")).to_contain_text("assessed")
    expect(admin.locator("#publish")).to_be_disabled()
    shot(admin, "4-problems", "#problems")
    add_state(admin, "delivering", "送餐中")
    add_step(admin, "assess", "评估", "new", "assessed")
    add_step(admin, "start", "开始送餐", "assessed", "delivering")
    add_step(admin, "stop", "停止送餐", "delivering", "done")
    expect(admin.locator("#diagram svg g.state")).to_have_count(4)
    expect(admin.locator("#diagram svg path.transition")).to_have_count(4)
    expect(admin.locator("#publish")).to_be_enabled()
    shot(admin, "5-workflow", "#diagram")
    shot(admin, "5-steps", "#add-transition")
    admin.locator("#publish").click()
    expect(admin.locator("#versions")).to_contain_text("v1")
    shot(admin, "6-published")

    # The worker, on the same server: file a case of the new type and move it.
    worker = log_in(browser, live_server, "worker")
    worker.goto(f"{live_server}/d/haishu/cases/new/meal_delivery")
    worker.locator("#f-in-diet").select_option("special")
    expect(worker.locator("#f-in-diet_note")).to_be_visible()
    worker.locator("#f-in-title").fill("王奶奶送餐申请")
    worker.locator("#f-in-elder_name").fill("王秀英")
    worker.locator("#f-in-phone").fill("13800138000")
    worker.locator("#f-in-address").fill("平桥社区 5 幢 302")
    worker.locator("#f-in-diet_note").fill("糖尿病，少盐少糖")
    shot(worker, "7-worker-new-case", "form.case-form")
    worker.locator("form.case-form button[type=submit]").click()
    expect(worker.locator("#case-actions")).to_contain_text("评估")
    worker.locator("#case-actions button", has_text="评估").click()
    expect(worker.locator("#case-actions")).to_contain_text("开始送餐")
    worker.locator("#case-actions button", has_text="开始送餐").click()
    expect(worker.locator("#case-actions")).to_contain_text("停止送餐")
    worker.reload()
    expect(worker.locator("main")).to_contain_text("送餐中")
    shot(worker, "8-worker-case")
