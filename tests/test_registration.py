"""A resident registers with a phone number and password; a community worker confirms before they may file or vote."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.models import Membership, OrgUnitKind, User
from core.testing import csrf_of, login
from tests.factories import make_district, make_org_unit, make_user

PASSWORD = "Haishu-2026-pq"


def _world(seed: Any) -> dict[str, int]:
    async def data(session):
        district = await make_district(session)
        street = await make_org_unit(session, district, "gulou", "鼓楼街道", OrgUnitKind.STREET)
        community = await make_org_unit(session, district, "pingqiao", "平桥社区", OrgUnitKind.COMMUNITY, street)
        await make_user(session, "worker", district=district, roles=("community_worker",), org_unit=community)
        await make_user(session, "resident", district=district, roles=("resident",))
        return {"community": community.id}

    return seed(data)


def _register(client: Any, **over: str) -> Any:
    token = csrf_of(client, "/register?district=haishu")
    data = {
        "district": "haishu",
        "name": "李秀兰",
        "phone": "138 0574 6677",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "_csrf_token": token,
        **over,
    }
    return client.post("/register", data=data)


def _user(seed: Any, username: str) -> tuple[int, set[str]]:
    async def find(session):
        user = (await session.execute(select(User).where(User.username == username))).scalar_one()
        roles = set((await session.execute(select(Membership.role_key).where(Membership.user_id == user.id))).scalars())
        return user.id, roles

    return seed(find)


def test_register_wait_for_confirmation_then_file(client, seed):
    """Registered → may log in but filing is refused with the reason; the worker confirms → the form opens."""
    world = _world(seed)
    client.cookies.clear()
    form = client.get("/register?district=haishu")
    assert form.status_code == 200 and "平桥社区" in form.text and 'type="password"' in form.text
    done = _register(client, community_id=str(world["community"]))
    assert done.status_code == 200 and "注册已提交" in done.text and "13805746677" in done.text
    user_id, roles = _user(seed, "13805746677")
    assert roles == {"resident_pending"}

    login(client, "13805746677", PASSWORD)
    home = client.get("/d/haishu/")
    assert "您的注册正在等待社区工作者确认" in home.text and 'href="/d/haishu/cases/new"' not in home.text
    refused = client.get("/d/haishu/cases/new/resident_request")
    assert refused.status_code == 403 and "确认前不能提交诉求" in refused.text

    client.cookies.clear()
    login(client, "worker")
    queue = client.get("/d/haishu/registrations").text
    assert "李秀兰" in queue and "13805746677" in queue and "平桥社区" in queue
    token = csrf_of(client, "/d/haishu/registrations")
    confirmed = client.post(
        f"/d/haishu/registrations/{user_id}/confirm", data={"_csrf_token": token}, follow_redirects=False
    )
    assert confirmed.status_code == 303
    assert "没有待确认的注册。" in client.get("/d/haishu/registrations").text
    assert _user(seed, "13805746677")[1] == {"resident"}

    client.cookies.clear()
    login(client, "13805746677", PASSWORD)
    assert client.get("/d/haishu/cases/new/resident_request").status_code == 200


def test_bad_registrations_are_refused_with_the_field_and_nothing_is_written(client, seed):
    """A landline or two different passwords answer 400, a taken number 409, each with its message; one account."""
    _world(seed)
    client.cookies.clear()
    landline = _register(client, phone="0574-87654321")
    assert landline.status_code == 400 and "请填写 11 位手机号码" in landline.text and 'value="李秀兰"' in landline.text
    mismatch = _register(client, password_again="other-Password-1")
    assert mismatch.status_code == 400 and "两次输入的密码不一致。" in mismatch.text
    assert PASSWORD not in mismatch.text
    assert _register(client).status_code == 200
    again = _register(client, name="别人")
    assert again.status_code == 409 and "这个手机号已经注册过" in again.text

    async def count(session):
        return len(list((await session.execute(select(User.id).where(User.username == "13805746677"))).scalars()))

    assert seed(count) == 1


def test_registration_api_for_the_worker(client, seed):
    """The worker's API lists the pending registration, confirms it once (a second time 404); a resident gets 403."""
    _world(seed)
    client.cookies.clear()
    _register(client)
    user_id, _roles = _user(seed, "13805746677")
    login(client, "resident")
    assert client.get("/api/v1/districts/haishu/registrations").status_code == 403
    client.cookies.clear()
    login(client, "worker")
    headers = {"x-csrftoken": csrf_of(client, "/d/haishu/")}
    listed = client.get("/api/v1/districts/haishu/registrations").json()
    assert [(r["name"], r["phone"]) for r in listed] == [("李秀兰", "13805746677")]
    url = f"/api/v1/districts/haishu/registrations/{user_id}/confirm"
    assert client.post(url, headers=headers).json() == {"status": "confirmed", "username": "13805746677"}
    assert client.post(url, headers=headers).status_code == 404
