"""In Debian's Chromium, the demo's community worker logs in, sees the dashboard and switches to English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_worker_logs_in_sees_dashboard_and_switches_to_english(live_server, page):
    """``worker`` reaches 海曙区's 工作台; the header's English button turns it into "Dashboard"."""
    page.goto(f"{live_server}/login")
    page.fill("#username", "worker")
    page.fill("#password", "sanshe-demo")
    page.locator("form[action='/login'] button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/d/haishu/$"))
    expect(page.locator("header.shell-header")).to_contain_text("海曙区")
    expect(page.locator("main")).to_contain_text("工作台")

    page.locator("header.shell-header button[name=lang][value=en]").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main")).to_contain_text("Dashboard")
    expect(page.locator("main")).not_to_contain_text("工作台")
