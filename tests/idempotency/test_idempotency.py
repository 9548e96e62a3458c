"""A retry creates nothing: ``Idempotency-Key`` on the API, a one-time ``_form_token`` on every form.

On SQLite and PostgreSQL: a retried API request gets the first answer (status, body,
headers) and no second case; the same key with another body is a 422 (core.web.idempotency); a crash after the
commit gives the retry the saved case; parallel requests with one key create one case;
a form sent twice (in turn or at once) files one case and one comment; expired keys are
purged by the core job; the header is in the OpenAPI document.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import func, select

from core.db.base import utcnow
from core.models import Case, CaseEvent, IdempotencyKey
from core.testing.browser import serve
from core.testing.races import Call, fire, logged_in
from core.web.idempotency import FormTokenExtension, purge_expired
from tests.api_cases.conftest import API
from tests.cases.conftest import RESIDENT_REQUEST
from tests.web_cases.conftest import csrf, file_case

BODY = {"type": "resident_request", "title": "楼道灯坏了", "channel": "phone", "data": RESIDENT_REQUEST}
FORM_TOKEN = re.compile(r'name="_form_token" value="([^"]+)"')


def _count(seed: Any, model: Any, *where: Any) -> int:
    async def run(session: Any) -> int:
        return int((await session.execute(select(func.count()).select_from(model).where(*where))).scalar_one())

    return int(seed(run))


def test_a_retry_gets_the_first_answer_and_creates_nothing(world, api, seed):
    """The same key twice: the second answer is the first one again (201, same case, same Location-like headers)."""
    worker = api("worker")
    first = worker.post(f"{API}/cases", json=BODY, headers={"Idempotency-Key": "a1b2c3-retry"})
    second = worker.post(f"{API}/cases", json=BODY, headers={"Idempotency-Key": "a1b2c3-retry"})
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["content-type"] == first.headers["content-type"]
    assert second.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    assert _count(seed, Case) == 1
    other = worker.post(f"{API}/cases", json=BODY, headers={"Idempotency-Key": "another-key"})
    assert other.status_code == 201 and other.json()["reference"] != first.json()["reference"]
    without = worker.post(f"{API}/cases", json=BODY)
    assert without.status_code == 201
    assert _count(seed, Case) == 3


def test_the_answer_stored_is_the_answer_returned(world, api, seed):
    """The row keeps the first answer byte for byte; it expires a day later."""
    worker = api("worker")
    first = worker.post(f"{API}/cases", json=BODY, headers={"Idempotency-Key": "stored-1"})

    async def row(session: Any) -> IdempotencyKey:
        return (await session.execute(select(IdempotencyKey))).scalar_one()

    stored = seed(row)
    assert stored.state == "done" and stored.response_status == 201
    assert stored.response_body == first.content
    assert dict(stored.response_headers)["content-type"] == first.headers["content-type"]
    assert timedelta(hours=23) < stored.expires_at - utcnow() <= timedelta(hours=24)


def test_same_key_other_body_is_422_and_changes_nothing(world, api, seed):
    """Reusing a key for another request answers 422 in Chinese (English when asked) and files nothing."""
    worker = api("worker")
    worker.post(f"{API}/cases", json=BODY, headers={"Idempotency-Key": "k-422"})
    other = worker.post(f"{API}/cases", json={**BODY, "title": "别的事"}, headers={"Idempotency-Key": "k-422"})
    assert other.status_code == 422
    assert "Idempotency-Key 已用于另一个请求" in other.json()["detail"]
    english = worker.post(
        f"{API}/cases",
        json={**BODY, "title": "别的事"},
        headers={"Idempotency-Key": "k-422", "Accept-Language": "en"},
    )
    assert "already used for a different request" in english.json()["detail"]
    assert _count(seed, Case) == 1


def test_a_bad_key_is_400_and_a_failed_request_frees_its_key(world, api, seed):
    """A key with spaces is refused; a refused request (400) keeps nothing, so the corrected one may use the key."""
    worker = api("worker")
    bad = worker.post(f"{API}/cases", json=BODY, headers={"Idempotency-Key": "has spaces"})
    assert bad.status_code == 400 and "Idempotency-Key" in bad.json()["detail"]
    refused = worker.post(f"{API}/cases", json={**BODY, "title": ""}, headers={"Idempotency-Key": "fix-me"})
    assert refused.status_code == 400
    fixed = worker.post(f"{API}/cases", json=BODY, headers={"Idempotency-Key": "fix-me"})
    assert fixed.status_code == 201
    assert _count(seed, Case) == 1


def test_keys_belong_to_their_user(world, api, seed):
    """Another user's request with the same key is a request of its own."""
    worker, social = api("worker"), api("social")
    one = worker.post(f"{API}/cases", json=BODY, headers={"Idempotency-Key": "shared"})
    two = social.post(f"{API}/cases", json=BODY, headers={"Idempotency-Key": "shared"})
    assert one.status_code == two.status_code == 201
    assert one.json()["reference"] != two.json()["reference"]
    assert _count(seed, Case) == 2


def test_a_crash_between_commit_and_answer_returns_the_saved_case_on_retry(world, app, seed, token_for):
    """The server commits the case, then dies before the answer leaves (simulated): the retry gets that case."""
    token = token_for("worker")
    crashed = {"done": False}

    async def die_after_commit(message: Any, scope: Any) -> None:
        if message["type"] == "http.response.start" and not crashed["done"] and scope["method"] == "POST":
            crashed["done"] = True
            raise ConnectionResetError("the process died before the answer was sent")

    app.before_send.append(die_after_commit)  # after the auto-commit handler: the transaction is committed
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "crash-1"}
    with TestClient(app=app, raise_server_exceptions=False) as client:
        lost = client.post(f"{API}/cases", json=BODY, headers=headers)
        assert lost.status_code == 500  # the client saw no answer of the creation
        assert _count(seed, Case) == 1  # …but the case was saved
        retry = client.post(f"{API}/cases", json=BODY, headers=headers)
    assert retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"

    async def reference(session: Any) -> str:
        return str((await session.execute(select(Case.reference))).scalar_one())

    assert retry.json()["reference"] == seed(reference)
    assert _count(seed, Case) == 1


def test_a_claim_left_by_a_dead_request_is_taken_over(world, api, seed):
    """A key claimed by a request that died before committing (lease passed) is run by the retry, once."""
    worker = api("worker")
    first = worker.post(f"{API}/cases", json=BODY, headers={"Idempotency-Key": "dead-1"})

    async def forget_answer(session: Any) -> None:
        row = (await session.execute(select(IdempotencyKey))).scalar_one()
        row.state, row.response_status, row.response_body = "processing", None, None
        row.locked_until = utcnow() - timedelta(seconds=1)

    seed(forget_answer)
    retry = worker.post(f"{API}/cases", json=BODY, headers={"Idempotency-Key": "dead-1"})
    assert first.status_code == retry.status_code == 201
    assert "idempotent-replayed" not in retry.headers  # run again: the first left no answer
    again = worker.post(f"{API}/cases", json=BODY, headers={"Idempotency-Key": "dead-1"})
    assert again.json() == retry.json() and again.headers["idempotent-replayed"] == "true"


def test_parallel_requests_with_one_key_create_one_case(world, app, seed, token_for):
    """8 identical requests with one key at once: one case; each answer is that case (201) or 409 "正在处理"."""
    token = token_for("worker")
    calls = [Call("POST", f"{API}/cases", json=BODY, token=token, headers={"Idempotency-Key": "race-1"})] * 8
    with serve(app) as url:
        responses = fire(url, calls)
    assert _count(seed, Case) == 1
    created = [r for r in responses if r.status_code == 201]
    assert created, [r.status_code for r in responses]
    assert {r.json()["reference"] for r in created} == {created[0].json()["reference"]}
    busy = [r for r in responses if r.status_code != 201]
    assert all(r.status_code == 409 and "正在处理" in r.json()["detail"] for r in busy)


# -- Forms ----------------------------------------------------------------------------------


def _token_of(page: str, action: str) -> str:
    """The one-time token of the form posting to ``action`` (written right after its opening tag)."""
    pattern = rf'action="{re.escape(action)}"[^>]*>\s*<input type="hidden" name="_form_token" value="([^"]+)"'
    match = re.search(pattern, page)
    assert match, f"the form of {action} carries no one-time token"
    return match.group(1)


def _new_case_post(client: TestClient[Any]) -> dict[str, str]:
    page = client.get("/d/haishu/cases/new/resident_request").text
    nonce = re.search(r'name="_nonce" value="([^"]+)"', page)
    assert nonce
    return {
        "_csrf_token": csrf(page),
        "_nonce": nonce.group(1),
        "_form_token": _token_of(page, "/d/haishu/cases/new/resident_request"),
        "title": "楼道垃圾",
        "channel": "phone",
        **RESIDENT_REQUEST,
    }


def test_the_case_form_sent_twice_files_one_case(browser, seed):
    """Two identical posts of the filing form (double click, back and send again): both go to the one case."""
    worker = browser("worker")
    data = _new_case_post(worker)
    first = worker.post("/d/haishu/cases/new/resident_request", data=data, follow_redirects=False)
    second = worker.post("/d/haishu/cases/new/resident_request", data=data, follow_redirects=False)
    assert first.status_code == second.status_code == 303, first.text
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["idempotent-replayed"] == "true"  # answered by the form token, before the handler
    assert _count(seed, Case) == 1
    edited = worker.post(
        "/d/haishu/cases/new/resident_request", data={**data, "title": "改过的"}, follow_redirects=False
    )
    assert edited.status_code == 422
    assert "该表单已提交" in edited.text
    assert _count(seed, Case) == 1


def _comment_form(client: TestClient[Any], reference: str) -> dict[str, str]:
    page = client.get(f"/d/haishu/cases/{reference}").text
    token = _token_of(page, f"/d/haishu/cases/{reference}/comments")
    return {"_csrf_token": csrf(page), "_form_token": token, "text": "已联系物业"}


def test_a_comment_sent_twice_is_one_comment(browser, seed):
    """The same comment form posted twice (htmx) makes one comment; a new form makes a second."""
    worker = browser("worker")
    reference = file_case(worker)
    data = _comment_form(worker, reference)
    url = f"/d/haishu/cases/{reference}/comments"
    first = worker.post(url, data=data, headers={"HX-Request": "true"})
    second = worker.post(url, data=data, headers={"HX-Request": "true"})
    assert first.status_code == second.status_code == 200
    assert second.text == first.text
    comments = (CaseEvent.kind == "comment",)
    assert _count(seed, CaseEvent, *comments) == 1
    fresh = _token_of(first.text, url)  # the form comes back with a new token for the next comment
    assert fresh != data["_form_token"]
    worker.post(url, data={**data, "_form_token": fresh}, headers={"HX-Request": "true"})
    assert _count(seed, CaseEvent, *comments) == 2


def test_the_case_form_sent_at_once_files_one_case(app, world, seed):
    """8 posts of one filing form at the same moment (a frantic double click): one case, every answer goes there."""
    with serve(app) as url:
        client = logged_in(url, "worker", csrf_path="/d/haishu/cases/new/resident_request")
        try:
            page = client.get("/d/haishu/cases/new/resident_request").text
            token = _token_of(page, "/d/haishu/cases/new/resident_request")
            nonce = re.search(r'name="_nonce" value="([^"]+)"', page)
            assert nonce
            data = {"_form_token": token, "_nonce": nonce.group(1), "title": "并发提交", "channel": "phone"}
            data.update(RESIDENT_REQUEST)
            call = Call("POST", "/d/haishu/cases/new/resident_request", data=data, client=client, csrf=True)
            responses = fire(url, [call] * 8)
        finally:
            client.close()
    assert _count(seed, Case) == 1, [(r.status_code, r.text[:300]) for r in responses]
    locations = {r.headers.get("location") for r in responses if r.status_code == 303}
    assert len(locations) == 1, [(r.status_code, r.text[:200]) for r in responses]
    assert all(r.status_code in (303, 409) for r in responses)
    assert any(r.headers.get("idempotent-replayed") == "true" for r in responses)  # the form token answered


def test_every_post_form_gets_a_token_and_get_forms_none():
    """The template extension writes a fresh token after each POST form's tag (Jinja inside the tag too)."""
    import jinja2

    env = jinja2.Environment(extensions=[FormTokenExtension], autoescape=True)
    source = (
        '<form method="post" action="/a">x</form>'
        '<form {{ attrs }} class="{% if n > 1 %}wide{% endif %}">y</form>'
        '<form method="get" action="/search">z</form>'
        '<form action="/find">w</form>'
    )
    html = env.from_string(source).render(attrs='method="post"', n=2)
    tokens = FORM_TOKEN.findall(html)
    assert len(tokens) == 2 and tokens[0] != tokens[1]
    assert 'class="wide"><input type="hidden" name="_form_token"' in html
    assert '<form method="get" action="/search">z</form>' in html
    assert '<form action="/find">w</form>' in html  # no method: a GET
    assert FORM_TOKEN.findall(env.from_string(source).render(attrs="", n=0))[0] != tokens[0]


# -- Expiry and documentation --------------------------------------------------------------


def test_expired_keys_are_purged_by_the_core_job(world, api, seed):
    """The job deletes keys past their expiry and leaves the others; the key can then be used anew."""
    worker = api("worker")
    worker.post(f"{API}/cases", json=BODY, headers={"Idempotency-Key": "old"})
    worker.post(f"{API}/cases", json=BODY, headers={"Idempotency-Key": "young"})

    async def age_and_purge(session: Any) -> int:
        old = (await session.execute(select(IdempotencyKey).where(IdempotencyKey.path.like("%cases")))).scalars()
        rows = sorted(old, key=lambda r: r.id)
        rows[0].expires_at = utcnow() - timedelta(minutes=1)
        await session.flush()
        return await purge_expired(session)

    assert seed(age_and_purge) == 1
    assert _count(seed, IdempotencyKey) == 1
    again = worker.post(f"{API}/cases", json=BODY, headers={"Idempotency-Key": "old"})
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers
    assert _count(seed, Case) == 3


def test_the_header_is_described_in_openapi(world, api):
    """Every POST/PUT/PATCH of /api/v1 documents the optional Idempotency-Key header; GETs do not."""
    document = api("worker").get("/schema/openapi.json").json()
    paths = document["paths"].items()
    writes = [(path, op) for path, item in paths for m, op in item.items() if m in ("post", "put", "patch")]
    assert writes
    for path, operation in writes:
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert "Idempotency-Key" in names, path
    case_list = document["paths"]["/api/v1/districts/{district_code}/cases"]["get"]
    assert "Idempotency-Key" not in [p["name"] for p in case_list.get("parameters", [])]
