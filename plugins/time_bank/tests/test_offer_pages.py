"""Offering services from the phone page (需求/服务): post an offer with htmx, errors by the fields, withdraw."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.testing import csrf_of, login
from plugins.time_bank.models import Offer

ME = "/d/haishu/time-bank"
HTMX = {"HX-Request": "true"}


def _offers(seed: Any, user_id: int) -> list[tuple[str, int | None, list[str], bool]]:
    async def load(session: Any) -> list[tuple[str, int | None, list[str], bool]]:
        rows = (await session.execute(select(Offer).where(Offer.user_id == user_id).order_by(Offer.id))).scalars()
        return [(o.category, o.area_id, list(o.availability), o.active) for o in rows]

    return seed(load)


def _post(client: Any, path: str, data: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    token = csrf_of(client, ME)
    return client.post(path, data={**data, "_csrf_token": token}, headers=headers or {}, follow_redirects=False)


def test_volunteer_offers_a_service_with_htmx(client, world, seed):
    """The phone page has the form; an htmx post answers the section with the new offer (one per community)."""
    login(client, "volunteer")
    page = client.get(ME).text
    assert "我提供的服务" in page and "发布一项服务" in page
    assert 'hx-post="/d/haishu/time-bank/offers"' in page and 'name="_csrf_token"' in page
    assert 'name="availability" value="sat_am"' in page and "平桥社区" in page
    data = {
        "bank": str(world.bank),
        "category": "chat",
        "areas": [str(world.pingqiao)],
        "availability": ["sat_am", "sun_pm"],
        "description": "周末可以陪老人聊天、散步",
    }
    response = _post(client, f"{ME}/offers", data, HTMX)
    assert response.status_code == 200, response.text
    assert "<html" not in response.text and 'id="tb-offers"' in response.text
    assert "您的服务已发布" in response.text
    assert "陪聊" in response.text and "周六上午" in response.text and "周末可以陪老人聊天、散步" in response.text
    assert "撤回" in response.text
    assert _offers(seed, world.users["volunteer"]) == [("chat", world.pingqiao, ["sat_am", "sun_pm"], True)]
    page = client.get(ME).text
    assert "周末可以陪老人聊天、散步" in page and "平桥社区" in page


def test_offer_without_community_is_for_anywhere_and_plain_post_redirects(client, world, seed):
    """Without htmx a good offer redirects to the page with a notice; no community chosen means any community."""
    login(client, "volunteer2")
    data = {"bank": str(world.bank), "category": "visit", "description": "可以上门探访"}
    response = _post(client, f"{ME}/offers", data)
    assert response.status_code == 303
    page = client.get(ME).text
    assert "您的服务已发布" in page and "任意社区" in page and "可以上门探访" in page
    assert _offers(seed, world.users["volunteer2"]) == [("visit", None, [], True)]


def test_offer_errors_are_next_to_the_fields_and_input_is_kept(client, world, seed):
    """A category the bank does not have and no description: messages by the fields, ticks kept, nothing saved."""
    login(client, "volunteer")
    data = {"bank": str(world.bank), "category": "flying", "availability": ["mon_eve"], "description": "  "}
    response = _post(client, f"{ME}/offers", data, HTMX)
    assert response.status_code == 200
    text = response.text
    assert "请修改标出的字段；尚未保存任何内容。" in text
    assert 'id="tb-category-error"' in text and "请选择本银行的服务类别之一" in text
    assert 'id="tb-description-error"' in text and "请写明您能提供什么服务" in text
    assert 'value="mon_eve" checked' in text
    plain = _post(client, f"{ME}/offers", {**data, "description": "会理发"})
    assert plain.status_code == 400
    assert "<html" in plain.text and "会理发" in plain.text and 'id="tb-category-error"' in plain.text
    assert _offers(seed, world.users["volunteer"]) == []


def test_only_approved_volunteers_can_offer(client, world, seed):
    """A resident sees no offer form; a post for a bank they do not volunteer in is refused by the bank field."""
    login(client, "resident")
    assert 'hx-post="/d/haishu/time-bank/offers"' not in client.get(ME).text
    data = {"bank": str(world.bank), "category": "chat", "description": "陪聊"}
    response = _post(client, f"{ME}/offers", data, HTMX)
    assert response.status_code == 200 and "只有本银行已通过审核的志愿者可以发布服务" in response.text
    assert _offers(seed, world.users["resident"]) == []
    client.cookies.clear()
    login(client, "volunteer")
    other = {"bank": str(world.other_bank), "category": "chat", "description": "陪聊"}
    assert _post(client, f"{ME}/offers", other).status_code == 400
    assert _offers(seed, world.users["volunteer"]) == []


def test_withdraw_own_offer_but_not_anothers(client, world, seed):
    """The volunteer withdraws their offer (kept, inactive, gone from the list); someone else's answers 404."""
    login(client, "volunteer")
    data = {"bank": str(world.bank), "category": "meals", "description": "可以送餐"}
    assert _post(client, f"{ME}/offers", data).status_code == 303
    offer_id = seed(
        lambda s: _first_offer_id(s, world.users["volunteer"]),
    )
    client.cookies.clear()
    login(client, "volunteer2")
    assert _post(client, f"{ME}/offers/{offer_id}/withdraw", {}).status_code == 404
    client.cookies.clear()
    login(client, "volunteer")
    response = _post(client, f"{ME}/offers/{offer_id}/withdraw", {}, HTMX)
    assert response.status_code == 200 and "您提供的服务已撤回" in response.text
    assert "可以送餐" not in response.text and "您还没有提供服务" in response.text
    assert _offers(seed, world.users["volunteer"]) == [("meals", None, [], False)]
    assert _post(client, f"{ME}/offers/{offer_id}/withdraw", {}).status_code == 404


async def _first_offer_id(session: Any, user_id: int) -> int:
    return (await session.execute(select(Offer.id).where(Offer.user_id == user_id))).scalars().first()
