"""The case page: header, escaped data, field edits with optimistic locking, steps, comments."""

from __future__ import annotations

import re

from tests.web_cases.conftest import HTMX, csrf, file_case, lock_of


def open_case(client, reference):
    page = client.get(f"/d/haishu/cases/{reference}")
    assert page.status_code == 200, page.text
    return page.text


def test_header_shows_the_facts(browser):
    """Reference, title, type, state, assignee, channel and the due time are in the header."""
    worker = browser("worker")
    reference = file_case(worker, title="路灯不亮", channel="phone")
    response = worker.get(f"/d/haishu/cases/{reference}")
    assert response.headers["content-type"].startswith("text/html")
    text = response.text
    header = text[text.index('<header class="case-header">') : text.index("</header>", text.index("case-header"))]
    for expected in (reference, "路灯不亮", "居民诉求", "已登记", "未分配", "电话", "<time"):
        assert expected in header


def test_values_formatted_and_html_escaped(browser):
    """Choices show their label and markup typed into a field is shown as text, never run."""
    worker = browser("worker")
    reference = file_case(worker, description="<script>alert(1)</script>", requester="<b>王</b>")
    text = open_case(worker, reference)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>alert(1)" not in text
    assert "&lt;b&gt;王&lt;/b&gt;" in text
    assert "环境卫生" in text


def test_edit_one_field(browser):
    """Editing the address inline saves it and the timeline shows old → new."""
    worker = browser("worker")
    reference = file_case(worker)
    text = open_case(worker, reference)
    form = worker.get(f"/d/haishu/cases/{reference}/fields/address/edit", headers=HTMX)
    assert 'name="address"' in form.text
    assert "偃月小区 3 幢 201" in form.text
    saved = worker.post(
        f"/d/haishu/cases/{reference}/fields/address",
        data={"_csrf_token": csrf(text), "lock_version": lock_of(text), "address": "偃月小区 5 幢"},
        headers=HTMX,
    )
    assert saved.status_code == 200
    assert "偃月小区 5 幢" in saved.text
    assert 'id="case-lock" name="page_lock_version" value="2" hx-swap-oob="true"' in saved.text
    events = saved.text[saved.text.index('id="case-events"') :]
    assert "偃月小区 3 幢 201" in events
    assert "偃月小区 5 幢" in events


def test_edit_error_keeps_input(browser):
    """A bad value in an inline edit is refused next to the field and stays in the input."""
    worker = browser("worker")
    reference = file_case(worker)
    text = open_case(worker, reference)
    response = worker.post(
        f"/d/haishu/cases/{reference}/fields/phone",
        data={"_csrf_token": csrf(text), "lock_version": lock_of(text), "phone": "110"},
        headers=HTMX,
    )
    assert "手机号" in response.text
    assert 'value="110"' in response.text


def test_two_editors_second_gets_conflict(browser):
    """Two people edit at once: the second is told who changed what, sees the current value and keeps their text."""
    worker, social = browser("worker"), browser("social")
    reference = file_case(worker)
    first, second = open_case(worker, reference), open_case(social, reference)
    ok = worker.post(
        f"/d/haishu/cases/{reference}/fields/description",
        data={"_csrf_token": csrf(first), "lock_version": lock_of(first), "description": "垃圾已堆三天"},
        headers=HTMX,
    )
    assert ok.status_code == 200
    stale = social.post(
        f"/d/haishu/cases/{reference}/fields/description",
        data={"_csrf_token": csrf(second), "lock_version": lock_of(second), "description": "我的补充说明"},
        headers=HTMX,
    )
    assert stale.status_code == 200
    assert "其他人已修改了此案件" in stale.text
    assert "worker" in stale.text
    assert "楼道垃圾无人清理" in stale.text  # the old value in the list of changes
    assert re.search(r'class="current-value">垃圾已堆三天<', stale.text)
    assert "我的补充说明" in stale.text  # nothing typed is lost
    assert 'name="lock_version" value="2"' in stale.text
    again = social.get(f"/d/haishu/cases/{reference}").text
    assert "垃圾已堆三天" in again and "我的补充说明" not in again


def test_stale_edit_without_htmx_is_409(browser):
    """Without htmx the conflict is a 409 page with the same message."""
    worker = browser("worker")
    reference = file_case(worker)
    text = open_case(worker, reference)
    response = worker.post(
        f"/d/haishu/cases/{reference}/fields/address",
        data={"_csrf_token": csrf(text), "lock_version": "0", "address": "别处"},
    )
    assert response.status_code == 409
    assert "其他人已修改了此案件" in response.text
    assert 'value="别处"' in response.text


def test_comment_with_mention(browser):
    """A comment mentioning @social highlights the mention in the timeline; the box is emptied."""
    worker = browser("worker")
    reference = file_case(worker)
    text = open_case(worker, reference)
    response = worker.post(
        f"/d/haishu/cases/{reference}/comments",
        data={"_csrf_token": csrf(text), "text": "请 @social 跟进 <i>急</i>"},
        headers=HTMX,
    )
    assert '<mark class="mention">@social</mark>' in response.text
    assert "&lt;i&gt;急&lt;/i&gt;" in response.text
    assert 'hx-swap-oob="true"' in response.text
    empty = worker.post(
        f"/d/haishu/cases/{reference}/comments", data={"_csrf_token": csrf(text), "text": "  "}, headers=HTMX
    )
    assert 'id="comment-error"' in empty.text


def test_related_cases_by_phone(browser):
    """Another case with the same phone number is listed as related."""
    worker = browser("worker")
    first = file_case(worker, title="第一次")
    second = file_case(worker, title="第二次")
    other = file_case(worker, title="别人", phone="13900139000", requester="李先生")
    text = open_case(worker, second)
    related = text[text.index('id="case-related"') :]
    assert first in related
    assert other not in related


def test_claim_and_assign(browser):
    """A worker takes an unassigned case, then gives it to a colleague; the header follows."""
    worker = browser("worker")
    reference = file_case(worker)
    text = open_case(worker, reference)
    claimed = worker.post(f"/d/haishu/cases/{reference}/claim", data={"_csrf_token": csrf(text)}, follow_redirects=True)
    assert "认领了案件" in claimed.text
    options = dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', claimed.text))
    social_id = next(k for k, v in options.items() if v == "social")
    assigned = worker.post(
        f"/d/haishu/cases/{reference}/assign",
        data={"_csrf_token": csrf(claimed.text), "assignee_id": social_id, "lock_version": lock_of(claimed.text)},
        follow_redirects=True,
    )
    assert "将案件分配给 social" in assigned.text


def test_step_after_a_field_edit_is_not_a_false_conflict(browser):
    """A step form rendered before a field was saved still goes through: the page's newer lock version counts."""
    social = browser("social")
    reference = file_case(browser("worker"))
    text = open_case(social, reference)
    old_lock = lock_of(text)
    saved = social.post(
        f"/d/haishu/cases/{reference}/fields/address",
        data={"_csrf_token": csrf(text), "lock_version": old_lock, "address": "偃月小区 5 幢"},
        headers=HTMX,
    )
    assert 'name="page_lock_version" value="2"' in saved.text
    step = social.post(
        f"/d/haishu/cases/{reference}/transitions/triage",
        data={
            "_csrf_token": csrf(text),
            "lock_version": old_lock,
            "page_lock_version": "2",
            "category": "environment",
            "difficulty": "simple",
        },
        headers=HTMX,
    )
    assert "他人已修改" not in step.text
    assert "已分派" in open_case(social, reference)


def test_step_form_conditions_see_the_saved_case(browser):
    """In a step form, a field shown by a condition on saved data stays shown when checked."""
    social = browser("social")
    reference = file_case(browser("worker"))
    text = open_case(social, reference)
    social.post(
        f"/d/haishu/cases/{reference}/transitions/triage",
        data={
            "_csrf_token": csrf(text),
            "lock_version": lock_of(text),
            "category": "environment",
            "difficulty": "departmental",
        },
        headers=HTMX,
    )
    checked = social.post(
        "/d/haishu/forms/resident_request/field?field=department&prefix=t",
        data={"_csrf_token": csrf(text), "_case": reference, "department": "traffic_police"},
        headers=HTMX,
    )
    assert checked.status_code == 200
    assert 'name="department"' in checked.text
    assert 'class="field-slot" hidden' not in checked.text
