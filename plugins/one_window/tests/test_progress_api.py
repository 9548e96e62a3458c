"""The public progress lookup as JSON (``POST /api/v1/districts/{district}/one_window/progress``): no login, the
reference and the phone; the same privacy as the page (no name, no phone; a wrong phone answers exactly like an
unknown reference) and the same counter per address (the page's and the API's lookups count together, ten in
ten minutes, also when fired at once)."""

from __future__ import annotations

import secrets

import httpx

from core.testing.apps import lease
from core.testing.browser import serve
from core.testing.races import Call, fire
from plugins.one_window.tests.support import API
from plugins.one_window.tests.test_backoffice import _answer, _intake, _setup, _steps, api_token

PROGRESS = f"{API}/progress"


def _anonymous(url: str) -> httpx.Client:
    """A client without a login: its own CSRF cookie, sent back in the header (double submit)."""
    token = secrets.token_urlsafe(32)
    client = httpx.Client(base_url=url, timeout=30, cookies={"sanshe_csrf": token})
    client.headers["x-csrftoken"] = token
    return client


def test_the_lookup_answers_where_the_request_stands_without_a_name_or_phone(
    sanshe_factory, sanshe_district, sanshe_client_for, sanshe_settings, sanshe_host
):
    """Anonymous, the right reference and phone (written with spaces) answer the item, the promised day and each
    stage's departments: 民政办 and 残联 at work, the second stage not begun; after both agree the first stage
    shows them done. The answer never holds the applicant's name or phone."""
    item = _setup(sanshe_factory)
    made = _intake(sanshe_client_for("community_worker"), item)
    with serve(lease(sanshe_settings, sanshe_host)) as url:
        client = _anonymous(url)
        answer = client.post(PROGRESS, json={"reference": made["reference"].lower(), "phone": "139 5742 3456"})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["reference"] == made["reference"] and body["item_title"] == "最低生活保障申请"
        assert body["status"] == "accepted" and body["promised_on"] == made["promised_on"]
        assert [[(s["department"], s["status"]) for s in stage] for stage in body["stages"]] == [
            [("鼓楼街道民政办", "open"), ("鼓楼街道残联", "open")],
            [("鼓楼街道民政办", "waiting")],
        ]
        assert "周敏" not in answer.text and "13957423456" not in answer.text

        for name in ("mz-officer", "cl-officer"):
            token = api_token(sanshe_factory, name)
            step = _steps(client, token)[0]
            assert _answer(client, token, step["id"]).status_code == 200
        again = client.post(PROGRESS, json={"reference": made["reference"], "phone": "13957423456"}).json()
        assert [s["status"] for s in again["stages"][0]] == ["done", "done"]
        assert [s["status"] for s in again["stages"][1]] == ["open"]
        client.close()


def test_a_wrong_phone_is_refused_like_an_unknown_reference(
    sanshe_factory, sanshe_district, sanshe_client_for, sanshe_settings, sanshe_host
):
    """A wrong phone and an unknown reference get the same 404 with the same words (Chinese), so the lookup cannot
    tell which references exist; a request without the CSRF cookie and header is refused (403)."""
    item = _setup(sanshe_factory)
    made = _intake(sanshe_client_for("community_worker"), item)
    with serve(lease(sanshe_settings, sanshe_host)) as url:
        client = _anonymous(url)
        wrong_phone = client.post(PROGRESS, json={"reference": made["reference"], "phone": "13900000000"})
        unknown = client.post(PROGRESS, json={"reference": "HS-2026-999999", "phone": "13957423456"})
        assert wrong_phone.status_code == unknown.status_code == 404
        assert wrong_phone.json() == unknown.json()
        assert "未找到与该受理编号和电话相符的申请" in wrong_phone.json()["detail"]
        bare = httpx.post(f"{url}{PROGRESS}", json={"reference": made["reference"], "phone": "13957423456"})
        assert bare.status_code == 403
        client.close()


def test_the_page_and_the_api_share_ten_lookups_in_ten_minutes(
    sanshe_factory, sanshe_district, sanshe_client_for, sanshe_settings, sanshe_host
):
    """Four lookups on the page, then 12 API lookups fired at once from the same address: exactly 6 are answered
    (10 in all) and 6 are told to wait (429, in Chinese)."""
    from core.testing import csrf_of

    item = _setup(sanshe_factory)
    made = _intake(sanshe_client_for("community_worker"), item)
    page = "/d/haishu/public/one_window/progress"
    with serve(lease(sanshe_settings, sanshe_host)) as url:
        browser = httpx.Client(base_url=url, timeout=30)
        token = csrf_of(browser, page)
        for _ in range(4):
            seen = browser.post(page, data={"reference": made["reference"], "phone": "x", "_csrf_token": token})
            assert seen.status_code == 200
        client = _anonymous(url)
        body = {"reference": made["reference"], "phone": "13957423456"}
        answers = fire(url, [Call("POST", PROGRESS, json=body, client=client) for _ in range(12)])
        assert sorted(a.status_code for a in answers) == [200] * 6 + [429] * 6
        assert "查询过于频繁" in next(a for a in answers if a.status_code == 429).json()["detail"]
        browser.close()
        client.close()
