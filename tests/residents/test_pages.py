"""The residents pages: who may open them, masking per role, the access log, isolation, search, prefill."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, update

from core.models import Person, SensitiveAccess, User
from tests.residents.conftest import OWNER_ID

D = "/d/haishu"


def _log_rows(seed) -> list[SensitiveAccess]:
    async def rows(session):
        return list((await session.execute(select(SensitiveAccess).order_by(SensitiveAccess.id))).scalars())

    return seed(rows)


@pytest.mark.parametrize(
    ("username", "view", "edit"),
    [
        ("district-admin", 200, 200),
        ("worker", 200, 200),
        ("social", 200, 200),
        ("volunteer", 403, 403),
        ("resident", 403, 403),
    ],
)
def test_permissions_per_role(world, as_role, username, view, edit):
    """Staff who work with residents open the registry; volunteers and residents get 403 on every page."""
    client = as_role(username)
    assert client.get(f"{D}/residents").status_code == view
    assert client.get(f"{D}/residents/{world['owner']}").status_code == view
    assert client.get(f"{D}/households/{world['first']}").status_code == view
    assert client.get(f"{D}/households/estate/{world['estate']}").status_code == view
    assert client.get(f"{D}/residents/new").status_code == edit
    assert client.get(f"{D}/households/new").status_code == edit


def test_pages_are_html_and_fragments(world, as_role):
    """Each page answers text/html as a full page and, for htmx, only its content."""
    client = as_role("worker")
    for path in ("/residents", f"/residents/{world['owner']}", f"/households/{world['second']}", "/households"):
        full = client.get(D + path)
        assert full.headers["content-type"].startswith("text/html")
        assert "<html" in full.text
        part = client.get(D + path, headers={"HX-Request": "true"})
        assert part.status_code == 200
        assert "<html" not in part.text


def test_community_worker_sees_full_phone_and_masked_id(world, as_role):
    """A community worker sees the phone whole; the ID number stays masked until revealed."""
    page = as_role("worker").get(f"{D}/residents/{world['owner']}").text
    assert "13777812345" in page
    assert "3302**********0425" in page
    assert OWNER_ID not in page
    assert "显示完整号码" in page


def test_social_worker_sees_masked_phone_and_cannot_reveal(world, as_role, seed):
    """A social worker (no view_sensitive) sees 137****2345 and no reveal link; a reveal attempt is 403, unlogged."""
    client = as_role("social")
    page = client.get(f"{D}/residents/{world['owner']}").text
    assert "137****2345" in page
    assert "13777812345" not in page
    assert OWNER_ID not in page
    assert "显示完整号码" not in page
    members = client.get(f"{D}/households/{world['second']}").text
    assert "0574-****1234" in members and "0574-87351234" not in members
    assert client.get(f"{D}/residents/{world['owner']}/id-number").status_code == 403
    assert _log_rows(seed) == []


def test_every_full_id_view_is_logged(world, as_role, seed):
    """Each reveal of the full ID number writes one access-log row (who, whose, where, why); the admin reads them."""
    client = as_role("worker")
    for _ in range(2):
        shown = client.get(
            f"{D}/residents/{world['owner']}/id-number?reason=核对低保申请", headers={"HX-Request": "true"}
        )
        assert OWNER_ID in shown.text
        assert "本次查看已记录" in shown.text
    rows = _log_rows(seed)
    assert len(rows) == 2
    assert {r.person_id for r in rows} == {world["owner"]}
    assert rows[0].reason == "核对低保申请"
    assert rows[0].via.endswith("/id-number")
    assert client.get(f"{D}/admin/access-log").status_code == 403
    log = as_role("district-admin").get(f"{D}/admin/access-log").text
    assert "黄美华" in log and "worker" in log and "核对低保申请" in log


def test_other_districts_people_are_404(world, as_role):
    """A person, household or estate of another district answers 404, as if it did not exist."""
    client = as_role("worker")
    assert client.get(f"{D}/residents/{world['stranger']}").status_code == 404
    assert client.get(f"{D}/residents/{world['stranger']}/edit").status_code == 404
    assert client.get(f"{D}/cases/new/resident_request?person={world['stranger']}").status_code == 404
    outsider = as_role("yz-admin")
    assert outsider.get(f"/d/yinzhou/households/{world['first']}").status_code == 404
    assert outsider.get(f"/d/yinzhou/households/estate/{world['estate']}").status_code == 404
    assert outsider.get(f"/d/yinzhou/residents/{world['owner']}/id-number").status_code == 404


def test_search_by_phone_or_name(world, as_role):
    """Staff find people by a whole phone in any spelling, by its last digits, or by part of the name."""
    client = as_role("worker")

    def names(q):
        text = client.get(f"{D}/residents", params={"q": q}, headers={"HX-Request": "true"}).text
        return set(re.findall(r'/residents/\d+">([^<]+)</a>', text))

    assert names("(0574) 8735 1234") == {"王建国", "孙秀英"}
    assert names("2345") == {"黄美华"}
    assert names("美华") == {"黄美华"}
    assert names("外区人") == set()
    assert names("%") == set()


def test_estate_total_area_is_exact(world, as_role):
    """The estate page sums floor areas exactly: 89.55 + 76.32 = 165.87 m²."""
    page = as_role("worker").get(f"{D}/households/estate/{world['estate']}").text
    assert "共 2 户，总建筑面积 165.87 平方米" in page
    assert "王建国、孙秀英" in page or "孙秀英、王建国" in page


def test_create_person_inline_errors_and_nothing_saved(world, as_role, seed):
    """A bad phone, a wrong ID check digit and a missing consent come back next to their fields; nothing is saved."""
    client = as_role("worker")
    token = client.headers["x-csrftoken"]
    response = client.post(
        f"{D}/residents",
        data={"_csrf_token": token, "name": "李四", "phone": "12345", "id_number": "330203196203150421"},
    )
    assert response.status_code == 400
    assert "请输入手机号" in response.text
    assert "不是有效的身份证号" in response.text or "身份证号" in response.text

    async def count(session):
        return (await session.execute(select(func.count(Person.id)).where(Person.name == "李四"))).scalar_one()

    assert seed(count) == 0
    missing_consent = client.post(
        f"{D}/residents", data={"_csrf_token": token, "name": "李四", "phone": "0574 8765 4321", "id_number": OWNER_ID}
    )
    assert "请记录本人同意的方式" in missing_consent.text or "同意的方式" in missing_consent.text
    ok = client.post(
        f"{D}/residents",
        data={"_csrf_token": token, "name": "李四", "phone": "0574 8765 4321", "notes": "独居老人"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert "0574-87654321" in client.get(ok.headers["location"]).text


def test_same_name_and_phone_is_refused(world, as_role):
    """Recording the same name with the same phone again is a 409 naming the field; a family landline is shared."""
    client = as_role("worker")
    token = client.headers["x-csrftoken"]
    again = client.post(f"{D}/residents", data={"_csrf_token": token, "name": "王建国", "phone": "057487351234"})
    assert again.status_code == 409
    assert "同一姓名和电话的人已登记过" in again.text
    son = client.post(
        f"{D}/residents",
        data={"_csrf_token": token, "name": "王小明", "phone": "0574-87351234"},
        follow_redirects=False,
    )
    assert son.status_code == 303


def test_household_member_and_plate(world, as_role):
    """A member is added from the picker with a relation; plates are validated and shown normalised."""
    client = as_role("worker")
    token = client.headers["x-csrftoken"]
    picker = client.get(
        f"{D}/residents/picker", params={"q": "黄美华", "household": world["second"]}, headers={"HX-Request": "true"}
    )
    assert 'name="person_id"' in picker.text and "添加成员" in picker.text
    added = client.post(
        f"{D}/households/{world['second']}/members",
        data={"_csrf_token": token, "person_id": str(world["owner"]), "relation": "tenant"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    page = client.get(f"{D}/households/{world['second']}").text
    assert "黄美华" in page and "租户" in page
    bad = client.post(f"{D}/households/{world['second']}/vehicles", data={"_csrf_token": token, "plate": "浙B12"})
    assert bad.status_code == 400 and "请填写车牌号" in bad.text
    good = client.post(
        f"{D}/households/{world['second']}/vehicles",
        data={"_csrf_token": token, "plate": "浙bd 12345"},
        follow_redirects=False,
    )
    assert good.status_code == 303
    assert "浙BD12345" in client.get(f"{D}/households/{world['second']}").text
    taken = client.post(f"{D}/households/{world['first']}/vehicles", data={"_csrf_token": token, "plate": "浙BD12345"})
    assert taken.status_code == 409


def test_household_area_refused_when_not_exact(world, as_role):
    """A floor area with three decimals is refused rather than rounded."""
    client = as_role("worker")
    token = client.headers["x-csrftoken"]
    response = client.post(
        f"{D}/households",
        data={
            "_csrf_token": token,
            "estate_id": str(world["estate"]),
            "building": "7",
            "room": "101",
            "area": "80.125",
        },
    )
    assert response.status_code == 400
    assert "最多两位小数" in response.text


def test_case_form_prefilled_from_resident(world, as_role):
    """Filing for a chosen resident fills the name, the phone (a landline) and the household's address."""
    client = as_role("worker")
    form = client.get(f"{D}/cases/new/resident_request", params={"person": world["elder"]}).text
    assert 'value="王建国"' in form
    assert 'value="0574-87351234"' in form
    assert "偃月小区 3幢 1单元 502室" in form
    picker = client.get(
        f"{D}/residents/picker",
        params={"q": "87351234", "to": f"{D}/cases/new/resident_request"},
        headers={"HX-Request": "true"},
    ).text
    assert f"{D}/cases/new/resident_request?person={world['elder']}" in picker


def test_prefill_without_sensitive_permission_leaves_phone(world, as_role):
    """A social worker's prefill carries the name but not the phone (they may not see it whole)."""
    form = as_role("social").get(f"{D}/cases/new/resident_request", params={"person": world["elder"]}).text
    assert 'value="王建国"' in form
    assert "0574-87351234" not in form


def test_resident_request_accepts_a_landline(world, as_role):
    """A resident request filed with a landline is accepted and stored normalised."""
    client = as_role("worker")
    form = client.get(f"{D}/cases/new/resident_request").text
    nonce = re.search(r'name="_nonce" value="([^"]+)"', form).group(1)
    response = client.post(
        f"{D}/cases/new/resident_request",
        data={
            "_csrf_token": client.headers["x-csrftoken"],
            "_nonce": nonce,
            "title": "楼道灯坏了",
            "channel": "phone",
            "priority": "1",
            "requester": "王建国",
            "phone": "(0574) 8735 1234",
            "category": "facilities",
            "description": "3幢1单元楼道灯不亮",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    case_page = client.get(response.headers["location"]).text
    assert "0574-87351234" in case_page
    assert "楼道灯坏了" in client.get(f"{D}/residents/{world['elder']}").text


def test_estate_with_households_cannot_be_deleted(world, as_role):
    """Deleting an estate that still has households is refused with a reason (409), not a server error."""
    client = as_role("district-admin")
    response = client.delete(f"/api/v1/districts/haishu/org-units/{world['estate']}")
    assert response.status_code == 409
    assert "还登记有住户" in response.text


def test_a_resident_filing_for_themselves_gets_their_own_name_phone_and_address(world, as_role, seed):
    """A resident linked to 黄美华 in the registry finds the request form filled with her name, phone and home;
    a volunteer with no registry entry gets the name and phone of their account."""

    async def link(session):
        resident = (await session.execute(select(User.id).where(User.username == "resident"))).scalar_one()
        await session.execute(update(Person).where(Person.id == world["owner"]).values(user_id=resident))
        await session.execute(
            update(User).where(User.username == "volunteer").values(display_name="志愿者 李娟", phone="13805749988")
        )

    seed(link)
    form = as_role("resident").get(f"{D}/cases/new/resident_request").text
    assert 'value="黄美华"' in form and 'value="13777812345"' in form and 'value="偃月小区 5幢 2单元 302室"' in form
    other = as_role("volunteer").get(f"{D}/cases/new/resident_request").text
    assert 'value="志愿者 李娟"' in other and 'value="13805749988"' in other
    staff = as_role("worker").get(f"{D}/cases/new/resident_request").text
    assert 'value="worker"' not in staff  # staff file for someone else: nothing of their own is filled in
