"""Authorization: a volunteer sees only their own account; a bank's staff only their bank; other districts never."""

from __future__ import annotations

from typing import Any

from core.testing import csrf_of, login
from plugins.time_bank.tests.support import balance, post_need, step

TB = "/d/haishu/time-bank"


def _post(client: Any, path: str, data: dict[str, str] | None = None) -> Any:
    token = csrf_of(client, TB)
    return client.post(path, data={**(data or {}), "_csrf_token": token}, follow_redirects=False)


def test_volunteer_sees_only_their_own_statement(client, world, as_user):
    """The volunteer's statement page and PDF are theirs; another member's statement URL is refused."""
    login(client, "volunteer")
    assert client.get(f"{TB}/statement").status_code == 200
    other = f"{TB}/banks/{world.bank}/members/{world.users['resident']}/statement.pdf"
    assert client.get(other).status_code == 403
    assert client.get(f"{TB}/banks/{world.bank}").status_code == 403
    assert client.get(f"{TB}/banks").status_code == 403


def test_staff_see_their_bank_but_not_another(client, world):
    """平桥's staff open 平桥's queues and members; 牡丹's pages answer 403 and show nothing of 牡丹."""
    login(client, "tb-staff")
    page = client.get(f"{TB}/banks")
    assert "平桥时间银行" in page.text and "牡丹时间银行" not in page.text
    assert client.get(f"{TB}/banks/{world.bank}").status_code == 200
    assert client.get(f"{TB}/banks/{world.bank}/members").status_code == 200
    assert client.get(f"{TB}/banks/{world.bank}/dashboard").status_code == 200
    for path in ("", "/members", "/dashboard", "/activities", "/import"):
        response = client.get(f"{TB}/banks/{world.other_bank}{path}")
        assert response.status_code == 403, path
        assert "牡丹社区志愿者协会" not in response.text
    statement = f"{TB}/banks/{world.other_bank}/members/{world.users['tb-staff2']}/statement.xlsx"
    assert client.get(statement).status_code == 403


def test_staff_cannot_act_on_another_banks_service(client, world, as_user, seed):
    """牡丹's staff posting 平桥's verify action get 403, and the hours stay uncredited."""
    ref = as_user("resident", lambda ctx: post_need(ctx, world.bank))
    as_user("volunteer", lambda ctx: step(ctx, ref, "match", volunteer=world.users["volunteer"]))
    as_user("volunteer", lambda ctx: step(ctx, ref, "complete", served_on="2026-01-05", minutes=60))
    login(client, "tb-staff2")
    assert _post(client, f"{TB}/banks/{world.other_bank}/services/{ref}/verify").status_code == 404
    assert _post(client, f"{TB}/banks/{world.bank}/services/{ref}/verify").status_code == 403
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 0


def test_staff_match_and_verify_from_the_queues(client, world, as_user, seed):
    """平桥's staff match a suggested volunteer, then verify the recorded hours: the volunteer is credited."""
    ref = as_user("resident", lambda ctx: post_need(ctx, world.bank, "visit"))
    login(client, "tb-staff")
    console = client.get(f"{TB}/banks/{world.bank}")
    assert ref in console.text and "volunteer2" in console.text
    response = _post(
        client, f"{TB}/banks/{world.bank}/services/{ref}/match", {"volunteer": str(world.users["volunteer2"])}
    )
    assert response.status_code == 303
    as_user("volunteer2", lambda ctx: step(ctx, ref, "complete", served_on="2026-01-05", minutes=45))
    assert _post(client, f"{TB}/banks/{world.bank}/services/{ref}/verify").status_code == 303
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer2"])) == 45


def test_staff_approve_an_application(client, world, seed):
    """newbie's application appears in the queue; approval makes newbie a member with an account."""
    login(client, "newbie")
    token = csrf_of(client, TB)
    client.post(f"{TB}/join/{world.bank}", data={"volunteer": "on", "_csrf_token": token})
    client.cookies.clear()
    login(client, "tb-staff")
    console = client.get(f"{TB}/banks/{world.bank}").text
    assert "newbie" in console
    import re

    member_id = re.search(r"/members/(\d+)/approve", console).group(1)
    assert _post(client, f"{TB}/banks/{world.bank}/members/{member_id}/approve").status_code == 303
    client.cookies.clear()
    login(client, "newbie")
    assert "0 分钟" in client.get(TB).text


def test_other_districts_bank_is_not_found(client, world):
    """A haishu user asking for yinzhou's bank id through haishu's URL gets 404; yinzhou's URLs 404 too."""
    login(client, "district-admin")
    assert client.get(f"{TB}/banks/{world.yz_bank}").status_code == 404
    assert client.get("/d/yinzhou/time-bank").status_code == 404


def test_district_admin_sees_every_bank(client, world):
    """The district admin (time_bank:admin) sees both banks of the district."""
    login(client, "district-admin")
    page = client.get(f"{TB}/banks").text
    assert "平桥时间银行" in page and "牡丹时间银行" in page


def test_resident_and_anonymous_cannot_open_staff_pages(client, world):
    """A resident gets 403 on the staff pages; an anonymous visitor is sent to log in."""
    response = client.get(f"{TB}/banks", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    login(client, "resident")
    assert client.get(f"{TB}/banks").status_code == 403
    assert client.get(f"{TB}/banks/{world.bank}/import").status_code == 403


def test_two_members_of_one_name_are_told_apart(client, world, seed):
    """Two volunteers both called 张伟 show their phone's last four digits (or account) in the member list."""
    from sqlalchemy import select

    from core.models import District, User
    from core.testing.factories import make_user
    from plugins.time_bank.tests.support import _member, bank_of

    async def twins(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        bank = await bank_of(session, world.bank)
        first = await make_user(session, "zhangwei1", district=district, roles=("volunteer",))
        second = await make_user(session, "zhangwei2", district=district, roles=("volunteer",))
        first.display_name = second.display_name = "志愿者 张伟"
        first.phone = "13812345678"
        for user in (first, second):
            await _member(session, bank, user, is_volunteer=True)
        await session.flush()
        assert (await session.execute(select(User).where(User.display_name == "志愿者 张伟"))).scalars().all()

    seed(twins)
    login(client, "tb-staff")
    page = client.get(f"{TB}/banks/{world.bank}/members").text
    assert "志愿者 张伟（手机尾号 5678）" in page
    assert "志愿者 张伟（账号 zhangwei2）" in page
