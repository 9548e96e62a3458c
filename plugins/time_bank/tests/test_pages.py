"""The member's pages as people use them: post a need, take it, record hours, confirm, see the balance."""

from __future__ import annotations

import re
from typing import Any

from core.testing import csrf_of, login
from plugins.time_bank.tests.support import balance

ME = "/d/haishu/time-bank"


def _post(client: Any, path: str, data: dict[str, str]) -> Any:
    token = csrf_of(client, ME)
    return client.post(path, data={**data, "_csrf_token": token}, follow_redirects=False)


def _post_need(client: Any, world: Any, **extra: str) -> str:
    data = {
        "title": "陪李阿姨去菜场",
        "bank_id": str(world.bank),
        "category": "chat",
        "description": "周六上午",
        **extra,
    }
    response = _post(client, f"{ME}/needs", data)
    assert response.status_code == 303, response.text
    page = client.get(ME).text
    match = re.search(r"HS-\d{4}-\d{6}", page)
    assert match, page
    return match.group(0)


def test_resident_volunteer_full_round_shows_balance(client, world, seed):
    """resident posts, volunteer takes and records 1.5 hours, resident confirms: the volunteer sees 1 小时 30 分钟."""
    login(client, "resident")
    ref = _post_need(client, world)
    assert "陪李阿姨去菜场" in client.get(ME).text
    client.cookies.clear()
    login(client, "volunteer")
    page = client.get(ME).text
    assert "陪李阿姨去菜场" in page and "接单" in page
    assert _post(client, f"{ME}/services/{ref}/take", {}).status_code == 303
    assert _post(client, f"{ME}/services/{ref}/record", {"hours": "1.5"}).status_code == 303
    assert "已登记" in client.get(ME).text or "等待确认" in client.get(ME).text
    client.cookies.clear()
    login(client, "resident")
    assert "确认服务" in client.get(ME).text
    assert _post(client, f"{ME}/services/{ref}/confirm", {}).status_code == 303
    client.cookies.clear()
    login(client, "volunteer")
    assert "1 小时 30 分钟" in client.get(ME).text
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 90


def test_volunteer_confirming_own_hours_sees_the_reason(client, world, seed):
    """A volunteer who posts the confirm action for their own service is told why, and nothing is credited."""
    login(client, "resident")
    ref = _post_need(client, world)
    client.cookies.clear()
    login(client, "volunteer")
    _post(client, f"{ME}/services/{ref}/take", {})
    _post(client, f"{ME}/services/{ref}/record", {"hours": "2"})
    response = _post(client, f"{ME}/services/{ref}/confirm", {})
    assert response.status_code == 303
    assert "志愿者不能核实自己的服务时长" in client.get(ME).text
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 0


def test_minutes_typed_as_hours_are_refused(client, world):
    """Typing 90 in the hours box is refused as a wrong unit, and the service stays open."""
    login(client, "resident")
    ref = _post_need(client, world)
    client.cookies.clear()
    login(client, "volunteer")
    _post(client, f"{ME}/services/{ref}/take", {})
    _post(client, f"{ME}/services/{ref}/record", {"hours": "90"})
    page = client.get(ME).text
    assert "不是分钟" in page
    assert "登记服务时长" in page or "登记时长" in page


def test_need_form_shows_errors_and_keeps_input(client, world):
    """A need without details comes back with the error next to the field and the title kept."""
    login(client, "resident")
    token = csrf_of(client, ME)
    response = client.post(
        f"{ME}/needs",
        data={
            "title": "帮忙买药",
            "bank_id": str(world.bank),
            "category": "chat",
            "description": "",
            "_csrf_token": token,
        },
    )
    assert response.status_code == 400
    assert 'id="tb-description-error"' in response.text
    assert 'value="帮忙买药"' in response.text


def test_redeeming_more_than_the_balance_is_refused(client, world, seed):
    """With nothing in the account, redeeming 上门理发 shows 余额不足 and the balance stays 0."""
    login(client, "resident")
    assert _post(client, f"{ME}/redeem", {"item": str(world.haircut_item), "nonce": "a1"}).status_code == 303
    assert "余额不足" in client.get(ME).text
    assert seed(lambda s: balance(s, world.bank, world.users["resident"])) == 0


def test_join_application_then_staff_approval(client, world, seed):
    """newbie applies to join; the page says the application is waiting for approval."""
    login(client, "newbie")
    form = client.get(f"{ME}/join/{world.bank}")
    assert form.status_code == 200
    assert "陪聊" in form.text
    token = csrf_of(client, ME)
    response = client.post(
        f"{ME}/join/{world.bank}",
        data={"volunteer": "on", "skills": ["chat", "visit"], "availability": ["sat_am"], "_csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "等待工作人员审核" in client.get(ME).text


def test_time_bank_pages_are_404_where_the_plugin_is_off(client, world, seed, host):
    """A district without the plugin answers 404 on its time-bank pages."""
    from sqlalchemy import select

    from core.models import District
    from core.services.enablement import disable_plugin

    async def off(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        await disable_plugin(session, district, host, "time_bank")

    seed(off)
    login(client, "resident")
    assert client.get(ME).status_code == 404


def test_case_page_shows_the_time_bank_panel(client, world, as_user):
    """The core's case page of a 时间银行服务 shows the bank, the volunteer and the time recorded in a panel."""
    from plugins.time_bank.tests.support import post_need, step

    ref = as_user("resident", lambda ctx: post_need(ctx, world.bank, "visit"))
    as_user("volunteer", lambda ctx: step(ctx, ref, "match", volunteer=world.users["volunteer"]))
    as_user("volunteer", lambda ctx: step(ctx, ref, "complete", served_on="2026-01-05", minutes=75))
    login(client, "tb-staff")
    page = client.get(f"/d/haishu/cases/{ref}")
    assert page.status_code == 200
    assert "平桥时间银行" in page.text
    assert "1 小时 15 分钟" in page.text
