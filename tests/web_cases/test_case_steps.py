"""Steps on the case page: buttons per role, step forms with required fields or a reason, guard refusals."""

from __future__ import annotations

from tests.web_cases.conftest import HTMX, csrf, file_case, lock_of


def step(client, reference, key, **data):
    page = client.get(f"/d/haishu/cases/{reference}").text
    body = {"_csrf_token": csrf(page), "lock_version": lock_of(page), **data}
    return client.post(f"/d/haishu/cases/{reference}/transitions/{key}", data=body, headers=HTMX)


def actions_of(html):
    start = html.index('id="case-actions"')
    return html[start : html.index("</section>", start)]


def test_buttons_only_for_allowed_roles(browser):
    """On a new request a social worker may triage; a community worker may only return it; the reporter neither."""
    resident = browser("resident")
    reference = file_case(resident)
    social = actions_of(browser("social").get(f"/d/haishu/cases/{reference}").text)
    worker = actions_of(browser("worker").get(f"/d/haishu/cases/{reference}").text)
    own = actions_of(resident.get(f"/d/haishu/cases/{reference}").text)
    assert "分派" in social and "退回补充材料" in social
    assert "分派" not in worker and "退回补充材料" in worker
    assert "分派" not in own and "退回补充材料" not in own
    assert "/transitions/" not in own


def test_required_field_step_form(browser):
    """Triage opens a small form with its fields; a missing difficulty is marked there, then the step goes through."""
    social = browser("social")
    reference = file_case(browser("worker"))
    form = social.get(f"/d/haishu/cases/{reference}/transitions/triage", headers=HTMX)
    assert 'name="difficulty"' in form.text and 'name="category"' in form.text
    refused = step(social, reference, "triage", category="safety", difficulty="")
    assert 'id="t-err-difficulty"' in refused.text
    assert 'value="safety" selected' in refused.text
    done = step(social, reference, "triage", category="safety", difficulty="departmental")
    assert done.headers["hx-location"].startswith('{"path": "/d/haishu/cases/')
    page = social.get(f"/d/haishu/cases/{reference}").text
    assert "已分派" in page
    events = page[page.index('id="case-events"') :]
    assert "分派：已登记 → 已分派" in events
    assert "需职能部门办理" in events


def test_guard_refusal_shows_its_reason(browser):
    """Passing a departmental request to the community is refused with the guard's message, in place."""
    social = browser("social")
    reference = file_case(browser("worker"))
    step(social, reference, "triage", category="safety", difficulty="departmental")
    refused = step(social, reference, "to_community")
    assert refused.status_code == 200
    assert 'id="case-actions"' in refused.text
    assert "只有简单诉求才能交社区办理" in refused.text
    assert "已分派" in social.get(f"/d/haishu/cases/{reference}").text


def test_reason_required(browser):
    """Returning for more information needs a reason; it is then shown on the timeline."""
    worker = browser("worker")
    reference = file_case(worker)
    refused = step(worker, reference, "return_for_info", reason="")
    assert 'id="t-err-reason"' in refused.text
    step(worker, reference, "return_for_info", reason="请补充照片")
    page = worker.get(f"/d/haishu/cases/{reference}").text
    assert "待补充材料" in page
    assert "请补充照片" in page


def test_step_without_htmx_redirects(browser):
    """A plain form post of a step answers 303 back to the case."""
    worker = browser("worker")
    reference = file_case(worker)
    page = worker.get(f"/d/haishu/cases/{reference}").text
    response = worker.post(
        f"/d/haishu/cases/{reference}/transitions/return_for_info",
        data={"_csrf_token": csrf(page), "lock_version": lock_of(page), "reason": "缺地址"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/d/haishu/cases/{reference}"


def test_stale_step_is_refused_with_changes(browser):
    """A step from a page that is out of date is refused and says what changed."""
    worker, social = browser("worker"), browser("social")
    reference = file_case(worker)
    old = social.get(f"/d/haishu/cases/{reference}").text
    step(worker, reference, "return_for_info", reason="缺地址")
    response = social.post(
        f"/d/haishu/cases/{reference}/transitions/info_supplied",
        data={"_csrf_token": csrf(old), "lock_version": lock_of(old)},
        headers=HTMX,
    )
    assert "他人已修改此案件" in response.text
    assert "<del>已登记</del> → <ins>待补充材料</ins>" in response.text
