"""The bell, the inbox and the preferences page, as a logged-in member sees them (full load and htmx)."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from core.cases import service
from core.models import User
from core.notifications import web as notification_pages
from tests.notifications.support import act, new_request, notices_of
from tests.web_cases.conftest import HTMX, csrf

INBOX = "/d/haishu/notifications"


def _mention(as_user, reference, text="@social 请上门看看"):
    act(as_user, "worker", reference, lambda ctx, case, d: service.comment(ctx, case, d, text))


def test_every_page_carries_a_bell_that_loads_its_count_by_htmx(world, as_user, browser):
    """The dashboard's header has the bell (htmx, no inline script); its fragment shows social's one unread notice."""
    _mention(as_user, new_request(as_user))
    social = browser("social")
    home = social.get("/d/haishu/")
    assert 'id="notification-bell"' in home.text
    assert f'hx-get="{INBOX}/bell"' in home.text and 'hx-trigger="load, every 60s' in home.text
    assert "<script>" not in home.text

    bell = social.get(f"{INBOX}/bell", headers=HTMX)
    assert bell.status_code == 200 and bell.headers["content-type"].startswith("text/html")
    assert 'aria-label="消息：1 条未读"' in bell.text
    assert '<span class="bell-count">1</span>' in bell.text
    assert browser("worker").get(f"{INBOX}/bell", headers=HTMX).text.count("bell-count") == 0

    plain = social.get(f"{INBOX}/bell", follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == INBOX


def test_the_inbox_lists_unread_first_and_marks_read(world, as_user, seed, browser):
    """Two notices: the one read goes below the unread one; 全部标为已读 empties the count and tells the bell."""
    first, second = new_request(as_user), new_request(as_user)
    _mention(as_user, first, "@social 第一条")
    _mention(as_user, second, "@social 第二条")
    _older, newer = notices_of(seed, "social")
    social = browser("social")

    page = social.get(INBOX)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "未读（2）" in page.text
    assert page.text.index("第二条") < page.text.index("第一条")  # newest first among the unread

    token = csrf(page.text)
    done = social.post(f"{INBOX}/{newer.id}/read", data={"_csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    page = social.get(INBOX).text
    assert "未读（1）" in page
    assert page.index("第一条") < page.index("第二条")  # the unread one now comes first

    fragment = social.post(f"{INBOX}/read-all", data={"_csrf_token": token}, headers=HTMX)
    assert fragment.status_code == 200 and fragment.headers["hx-trigger"] == "notifications-changed"
    assert "已将 1 条消息标为已读" in fragment.text and "<html" not in fragment.text
    assert "未读（0）" in social.get(INBOX).text
    assert "没有未读消息" in social.get(f"{INBOX}?show=unread").text


def test_opening_a_notice_marks_it_read_and_goes_to_the_case(world, as_user, seed, browser):
    """The notice's link opens the case page and counts as read."""
    reference = new_request(as_user)
    _mention(as_user, reference)
    (notice,) = notices_of(seed, "social")
    social = browser("social")
    opened = social.get(f"{INBOX}/{notice.id}/open", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == f"/d/haishu/cases/{reference}"
    assert notices_of(seed, "social")[0].read_at is not None
    assert "楼道垃圾" in social.get(opened.headers["location"]).text


def test_opening_a_notice_while_someone_else_writes_still_marks_it_read(world, as_user, seed, browser, monkeypatch):
    """Opening a notice is a GET that writes: another writer committing meanwhile costs nothing visible.

    On SQLite the GET's transaction began as a read; its write then fails at once (its
    snapshot is stale). The request is run again as a writer, so the user gets the case
    page, not 503 ("服务器繁忙"), as the crawl once did. PostgreSQL just writes.
    """
    reference = new_request(as_user)
    _mention(as_user, reference)
    (notice,) = notices_of(seed, "social")
    real, runs = notification_pages.mark_read, []

    async def meanwhile_another_writer_commits(session, user_id, notice_id):
        runs.append(notice_id)
        if len(runs) == 1:
            await session.execute(select(User.id).where(User.id == user_id))  # the read: its snapshot is taken
            async with session.bind.begin() as other:
                await other.execute(update(User).where(User.username == "worker").values(display_name="改名"))
        return await real(session, user_id, notice_id)

    monkeypatch.setattr(notification_pages, "mark_read", meanwhile_another_writer_commits)
    opened = browser("social").get(f"{INBOX}/{notice.id}/open", follow_redirects=False)
    assert opened.status_code == 303, opened.text[:300]
    assert opened.headers["location"] == f"/d/haishu/cases/{reference}"
    assert notices_of(seed, "social")[0].read_at is not None


def test_nobody_reads_or_marks_another_persons_notice(world, as_user, seed, browser):
    """social2 gets 404 for social's notice, and it stays unread."""
    _mention(as_user, new_request(as_user))
    (notice,) = notices_of(seed, "social")
    other = browser("social2")
    token = csrf(other.get(INBOX).text)
    assert other.post(f"{INBOX}/{notice.id}/read", data={"_csrf_token": token}).status_code == 404
    assert other.get(f"{INBOX}/{notice.id}/open", follow_redirects=False).status_code == 404
    assert "@social" not in other.get(INBOX).text
    assert notices_of(seed, "social")[0].read_at is None


def test_preferences_are_saved_and_respected(world, as_user, seed, browser):
    """social switches mentions off on the page: the next mention leaves nothing; a bad mode is refused (400)."""
    social = browser("social")
    page = social.get(f"{INBOX}/preferences")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for label in ("评论中提到我", "案件分配给我", "我的案件即将到期", "我的案件已逾期", "即时提醒", "每日摘要"):
        assert label in page.text
    assert '<label for="on-core-mentioned">' in page.text and 'id="mode-core-mentioned"' in page.text
    token = csrf(page.text)
    base = {"_csrf_token": token, "on:core.assigned": "1", "mode:core.assigned": "digest"}

    bad = social.post(f"{INBOX}/preferences", data={**base, "mode:core.mentioned": "hourly"})
    assert bad.status_code == 400 and "请选择“即时提醒”或“每日摘要”" in bad.text

    saved = social.post(f"{INBOX}/preferences", data=base, follow_redirects=False)
    assert saved.status_code == 303
    page = social.get(f"{INBOX}/preferences").text
    assert "消息提醒设置已保存" in page
    assert re.search(r'id="on-core-mentioned" name="on:core.mentioned" value="1" >', page)  # unticked
    assert re.search(r'<option value="digest" selected>每日摘要</option>', page)

    _mention(as_user, new_request(as_user))
    assert notices_of(seed, "social") == []


def test_the_comment_box_says_which_names_found_nobody(world, as_user, browser):
    """A comment naming @nobody is saved, and the box says that no one of that name was notified."""
    reference = new_request(as_user)
    worker = browser("worker")
    token = csrf(worker.get(f"/d/haishu/cases/{reference}").text)
    answer = worker.post(
        f"/d/haishu/cases/{reference}/comments",
        data={"_csrf_token": token, "text": "@nobody 和 @social 请看"},
        headers=HTMX,
    )
    assert answer.status_code == 200
    assert "本区没有名为 nobody 的用户，未发送提醒" in answer.text


def test_the_inbox_speaks_english_to_an_english_reader(world, as_user, browser):
    """With the English interface the inbox and the notice are in English."""
    reference = new_request(as_user)
    _mention(as_user, reference)
    social = browser("social")
    social.cookies.set("sanshe_lang", "en")
    page = social.get(INBOX).text
    assert "Mark all as read" in page and f"worker mentioned you on case {reference}" in page
