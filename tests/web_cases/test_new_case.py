"""Filing a case in the browser: staff per channel, residents on the web, errors, show_if, double submit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.models.cases import Case
from tests.cases.conftest import RESIDENT_REQUEST
from tests.web_cases.conftest import HTMX, file_case, new_case_form


@pytest.mark.parametrize(("channel", "label"), [("phone", "电话"), ("walk_in", "来访"), ("door_to_door", "上门")])
def test_staff_file_a_case_per_channel(browser, channel, label):
    """A community worker files a case for a resident by phone, walk-in or door-to-door; its page shows the channel."""
    worker = browser("worker")
    reference = file_case(worker, channel=channel)
    page = worker.get(f"/d/haishu/cases/{reference}")
    assert page.status_code == 200
    assert reference in page.text
    assert "楼道垃圾" in page.text
    assert label in page.text
    assert "已登记" in page.text


def test_staff_form_offers_channels_and_every_field(browser):
    """Staff choose channel, priority and team, and see the triage fields too."""
    page = browser("worker").get("/d/haishu/cases/new/resident_request")
    assert 'name="channel"' in page.text
    assert 'name="priority"' in page.text
    assert 'name="team_id"' in page.text
    assert 'name="difficulty"' in page.text


def test_resident_files_on_the_web_without_staff_fields(browser):
    """A resident's form has no channel, team or triage fields; the case comes in by the web channel."""
    resident = browser("resident")
    page = resident.get("/d/haishu/cases/new/resident_request")
    assert 'name="channel"' not in page.text
    assert 'name="team_id"' not in page.text
    assert 'name="difficulty"' not in page.text
    assert 'name="satisfaction"' not in page.text
    reference = file_case(resident, channel="phone", difficulty="hard")
    case_page = resident.get(f"/d/haishu/cases/{reference}")
    assert case_page.status_code == 200
    assert "网上" in case_page.text
    assert "疑难" not in case_page.text


def test_new_case_lists_only_creatable_types(browser):
    """A resident may file resident requests but not casework."""
    page = browser("resident").get("/d/haishu/cases/new")
    assert "居民诉求" in page.text
    assert "个案工作" not in page.text
    assert browser("resident").get("/d/haishu/cases/new/casework").status_code == 404


def test_errors_next_to_fields_and_input_kept(browser):
    """A wrong phone number is refused next to the phone field; everything typed is still in the form."""
    worker = browser("worker")
    token, nonce = new_case_form(worker)
    data = {**RESIDENT_REQUEST, "_csrf_token": token, "_nonce": nonce, "title": "", "phone": "12345"}
    data["description"] = "楼上漏水三天了"
    response = worker.post("/d/haishu/cases/new/resident_request", data=data)
    assert response.status_code == 400
    text = response.text
    phone_block = text[text.index('id="f-w-phone"') :]
    phone_block = phone_block[: phone_block.index("</div>")]
    assert "手机号" in phone_block
    assert 'value="12345"' in phone_block
    assert "楼上漏水三天了" in text
    assert 'value="张阿姨"' in text
    assert 'id="f-err-title"' in text


def test_field_validated_when_left(browser):
    """Leaving the phone field with a bad number answers that field's fragment with its error and the value."""
    worker = browser("worker")
    token, _ = new_case_form(worker)
    response = worker.post(
        "/d/haishu/forms/resident_request/field?field=phone",
        data={"_csrf_token": token, "phone": "999", "requester": ""},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response.text.strip().startswith('<div id="f-w-phone"')
    assert "手机号" in response.text
    assert 'value="999"' in response.text
    assert "requester" not in response.text


def test_show_if_reveals_department(browser):
    """Choosing a departmental difficulty brings the department field in, out of band; choosing simple hides it."""
    worker = browser("worker")
    page = worker.get("/d/haishu/cases/new/resident_request")
    assert 'name="department"' not in page.text
    assert 'id="f-w-department"' in page.text
    token, _ = new_case_form(worker)
    shown = worker.post(
        "/d/haishu/forms/resident_request/field?field=difficulty",
        data={"_csrf_token": token, "difficulty": "departmental", "_cond": "department"},
        headers=HTMX,
    )
    assert 'id="f-w-department"' in shown.text
    assert 'hx-swap-oob="true"' in shown.text
    assert 'name="department"' in shown.text
    hidden = worker.post(
        "/d/haishu/forms/resident_request/field?field=difficulty",
        data={"_csrf_token": token, "difficulty": "simple", "_cond": "department", "_visible": "department"},
        headers=HTMX,
    )
    assert 'name="department"' not in hidden.text
    assert 'id="f-w-department" class="field-slot" hidden hx-swap-oob="true"' in hidden.text


def test_group_rows_added_by_htmx(browser):
    """Adding a row to a repeating group answers the next row, numbered after those in the form."""
    social = browser("social")
    token, _ = new_case_form(social, "casework")
    response = social.post(
        "/d/haishu/forms/casework/row?group=goals",
        data={"_csrf_token": token, "goals.0._row": "1", "goals.0.goal": "就业"},
        headers=HTMX,
    )
    assert 'name="goals.1.goal"' in response.text
    assert "goals.0" not in response.text


def test_double_submit_creates_one_case(browser, seed):
    """The same form sent twice creates one case; the second send goes to that case."""
    worker = browser("worker")
    token, nonce = new_case_form(worker)
    data = {**RESIDENT_REQUEST, "_csrf_token": token, "_nonce": nonce, "title": "双击", "channel": "phone"}
    first = worker.post("/d/haishu/cases/new/resident_request", data=data, follow_redirects=False)
    second = worker.post("/d/haishu/cases/new/resident_request", data=data, headers=HTMX, follow_redirects=False)
    assert first.status_code == 303
    assert second.headers["hx-redirect"] == first.headers["location"]

    async def count(session):
        return (await session.execute(select(func.count()).select_from(Case))).scalar_one()

    assert seed(count) == 1


def test_new_case_by_htmx_redirects(browser):
    """An htmx submit gets HX-Redirect to the new case's page."""
    worker = browser("worker")
    token, nonce = new_case_form(worker)
    data = {**RESIDENT_REQUEST, "_csrf_token": token, "_nonce": nonce, "title": "htmx", "channel": "walk_in"}
    response = worker.post("/d/haishu/cases/new/resident_request", data=data, headers=HTMX)
    assert response.status_code == 200
    assert response.headers["hx-redirect"].startswith("/d/haishu/cases/HS-")
