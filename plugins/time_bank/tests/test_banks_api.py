"""Creating a bank, its settings, joining, approval, redemption and gifts through the API, the pages and the CLI.

The three doors share one service each: the same refusals whichever is used, and nothing
written when a request is refused.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from core import ledger
from core.testing import csrf_of, login
from core.testing.browser import serve
from core.testing.races import Call, fire
from plugins.time_bank.models import Bank, Member
from plugins.time_bank.tests.support import balance
from plugins.time_bank.tests.test_accounts import _pay
from plugins.time_bank.tests.test_seed_and_cli import _cli

API = "/api/v1/districts/haishu/time-bank"
TB = "/d/haishu/time-bank"


def _auth(world, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[name]}"}


def _bank_count(seed) -> int:
    async def count(session):
        return (await session.execute(select(func.count()).select_from(Bank))).scalar_one()

    return seed(count)


def test_admin_creates_a_bank_through_the_api(client, world, seed):
    """district-admin creates 白云时间银行 (2 categories, 100 h maximum); staff may not; wrong input changes nothing."""
    body = {"name": "白云时间银行", "organization": "白云社工站", "categories": ["chat", "visit"], "max_balance": 6000}
    assert client.post(f"{API}/banks", json=body, headers=_auth(world, "tb-staff")).status_code == 403
    before = _bank_count(seed)
    wrong = client.post(
        f"{API}/banks", json={**body, "name": "", "categories": ["karaoke"]}, headers=_auth(world, "district-admin")
    )
    assert wrong.status_code == 400
    assert set(wrong.json()["errors"]) == {"name", "categories"}
    taken = client.post(f"{API}/banks", json={**body, "name": "平桥时间银行"}, headers=_auth(world, "district-admin"))
    assert taken.status_code == 400 and "已有同名" in taken.json()["errors"]["name"]
    assert _bank_count(seed) == before
    made = client.post(f"{API}/banks", json=body, headers=_auth(world, "district-admin"))
    assert made.status_code == 201, made.text
    out = made.json()
    assert (out["name"], out["max_balance"]) == ("白云时间银行", 6000)
    assert [c["name_zh"] for c in out["categories"]] == ["陪聊", "探访"]
    listed = client.get(f"{API}/banks", headers=_auth(world, "volunteer")).json()
    assert "白云时间银行" in [b["name"] for b in listed]


def test_bank_settings_through_the_api(client, world):
    """The bank's staff change its limits, not its name; admins change both; another district's bank is 404."""
    staff, admin = _auth(world, "tb-staff"), _auth(world, "district-admin")
    done = client.patch(f"{API}/banks/{world.bank}", json={"yearly_cap": 12000}, headers=staff)
    assert done.status_code == 200 and done.json()["yearly_cap"] == 12000
    assert client.patch(f"{API}/banks/{world.bank}", json={"name": "新名字"}, headers=staff).status_code == 403
    assert client.patch(f"{API}/banks/{world.other_bank}", json={"yearly_cap": 60}, headers=staff).status_code == 403
    renamed = client.patch(f"{API}/banks/{world.bank}", json={"name": "平桥社区时间银行"}, headers=admin)
    assert renamed.json()["name"] == "平桥社区时间银行" and renamed.json()["yearly_cap"] == 12000
    bad = client.patch(f"{API}/banks/{world.bank}", json={"expiry_months": 500}, headers=admin)
    assert bad.status_code == 400 and "expiry_months" in bad.json()["errors"]
    assert client.patch(f"{API}/banks/{world.yz_bank}", json={"yearly_cap": 60}, headers=admin).status_code == 404


def test_join_and_approval_through_the_api(client, world):
    """newbie applies (a wrong skill is refused by field), staff list and approve once; others may not decide."""
    newbie, staff = _auth(world, "newbie"), _auth(world, "tb-staff")
    wrong = client.post(f"{API}/banks/{world.bank}/join", json={"skills": ["karaoke"]}, headers=newbie)
    assert wrong.status_code == 400 and "skills" in wrong.json()["errors"]
    applied = client.post(
        f"{API}/banks/{world.bank}/join",
        json={"skills": ["chat"], "availability": ["sat_am"], "areas": [world.pingqiao], "phone": "0574-87654321"},
        headers=newbie,
    )
    assert applied.status_code == 201, applied.text
    member = applied.json()
    assert (member["status"], member["skills"], member["balance"]) == ("applied", ["chat"], None)
    waiting = client.get(f"{API}/banks/{world.bank}/members?status=applied", headers=staff).json()
    assert [m["user_id"] for m in waiting] == [world.users["newbie"]]
    path = f"{API}/banks/{world.bank}/members/{member['id']}/decision"
    assert client.post(path, json={"decision": "approve"}, headers=newbie).status_code == 403
    other_bank = f"{API}/banks/{world.other_bank}/members/{member['id']}/decision"
    assert client.post(other_bank, json={"decision": "approve"}, headers=_auth(world, "tb-staff2")).status_code == 404
    approved = client.post(path, json={"decision": "approve"}, headers=staff)
    assert approved.status_code == 201 and approved.json()["status"] == "approved"
    again = client.post(path, json={"decision": "reject"}, headers=staff)
    assert again.status_code == 409 and "已经处理" in again.json()["detail"]
    members = client.get(f"{API}/banks/{world.bank}/members", headers=staff).json()
    assert {"newbie": 0}.items() <= {m["name"]: m["balance"] for m in members}.items()
    assert client.get(f"{API}/banks/{world.bank}/members", headers=_auth(world, "volunteer")).status_code == 403


def test_redeem_and_gift_through_the_api(client, world, seed):
    """resident (5 h) redeems a 1 h haircut; gifts too large, to someone unlinked or in minutes are refused clearly."""
    _pay(seed, world, "resident", 300)
    resident, volunteer = _auth(world, "resident"), _auth(world, "volunteer")
    items = client.get(f"{API}/catalogue?bank_id={world.bank}", headers=resident).json()
    assert [(i["name"], i["price"]) for i in items] == [("上门理发", 60)]
    done = client.post(f"{API}/redeem", json={"item_id": world.haircut_item, "key": "r1"}, headers=resident)
    assert done.status_code == 201, done.text
    assert (done.json()["amount"], done.json()["balance"], done.json()["reason"]) == (60, 240, "兑换：上门理发")
    retry = client.post(f"{API}/redeem", json={"item_id": world.haircut_item, "key": "r1"}, headers=resident)
    assert retry.json()["balance"] == 240  # the same key moves hours once
    poor = client.post(
        f"{API}/gifts",
        json={"bank_id": world.bank, "to_user": world.users["resident"], "hours": "1"},
        headers=volunteer,
    )
    assert poor.status_code == 409 and "余额不足" in poor.json()["detail"]
    _pay(seed, world, "volunteer", 120)
    unlinked = {"bank_id": world.bank, "to_user": world.users["volunteer2"], "hours": "1"}
    assert client.post(f"{API}/gifts", json=unlinked, headers=volunteer).status_code == 409
    minutes = {"bank_id": world.bank, "to_user": world.users["resident"], "hours": "90分钟"}
    wrong = client.post(f"{API}/gifts", json=minutes, headers=volunteer)
    assert wrong.status_code == 400 and "不是分钟" in wrong.json()["errors"]["hours"]
    given = client.post(
        f"{API}/gifts",
        json={"bank_id": world.bank, "to_user": world.users["resident"], "hours": "1.5"},
        headers=volunteer,
    )
    assert given.status_code == 201 and given.json()["amount"] == 90
    assert seed(lambda s: balance(s, world.bank, world.users["resident"])) == 240 + 90


def test_admin_creates_and_edits_a_bank_on_the_pages(client, world, seed):
    """The form keeps what was typed and says what is wrong; once right, the bank exists and its settings save."""
    login(client, "tb-staff")
    assert client.get(f"{TB}/banks/new").status_code == 403
    client.cookies.clear()
    login(client, "district-admin")
    assert "新建时间银行" in client.get(f"{TB}/banks").text
    token = csrf_of(client, f"{TB}/banks/new")
    form = {"name": "白云时间银行", "organization": "", "categories": ["chat"], "_csrf_token": token}
    wrong = client.post(f"{TB}/banks/new", data=form, follow_redirects=False)
    assert wrong.status_code == 400
    assert 'value="白云时间银行"' in wrong.text and 'aria-invalid="true"' in wrong.text
    assert "请选择运营本银行的社会组织，或填写其名称" in wrong.text
    made = client.post(f"{TB}/banks/new", data={**form, "organization": "白云社工站"}, follow_redirects=False)
    assert made.status_code == 303, made.text
    console = client.get(made.headers["location"])
    assert "白云时间银行" in console.text and "已创建" in console.text
    bank_id = made.headers["location"].rsplit("/", 1)[-1]
    settings = f"{TB}/banks/{bank_id}/settings"
    saved = client.post(
        settings,
        data={"name": "白云社区时间银行", "organization": "白云社工站", "active": "on", "_csrf_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert 'value="白云社区时间银行"' in client.get(settings).text


@pytest.fixture
def cli_database(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))


def test_cli_creates_a_bank_and_lists_members(world, cli_database):
    """``create-bank`` uses the same checks (a taken name is refused); ``members`` lists names and balances."""
    runner = CliRunner()
    args = ["time-bank", "create-bank", "--district", "haishu", "--organization", "白云社工站"]
    taken = runner.invoke(_cli(), [*args, "--name", "平桥时间银行"])
    assert taken.exit_code != 0 and "已有同名" in taken.output
    made = runner.invoke(_cli(), [*args, "--name", "白云时间银行", "--category", "chat", "--yearly-cap", "200"])
    assert made.exit_code == 0, made.output
    assert "白云时间银行" in runner.invoke(_cli(), ["time-bank", "banks", "--district", "haishu"]).output
    listed = runner.invoke(_cli(), ["time-bank", "members", "--district", "haishu", "--bank", str(world.bank)])
    assert listed.exit_code == 0, listed.output
    assert "volunteer" in listed.output and "志愿者" in listed.output and "resident2" in listed.output
    waiting = runner.invoke(
        _cli(), ["time-bank", "members", "--district", "haishu", "--bank", str(world.bank), "--status", "applied"]
    )
    assert "volunteer" not in waiting.output


def test_parallel_api_gifts_never_pass_the_yearly_gift_limit(app, world, seed):
    """Gift limit 5 h; 8 API gifts of 1 h at once (distinct keys): 5 given, 3 answered 409 with the limit, no 5xx."""
    from plugins.time_bank import banks
    from plugins.time_bank.tests.support import bank_of

    async def rules(session):
        await banks.update_rules(session, await bank_of(session, world.bank), banks.BankRules(gift_yearly_max=300))

    seed(rules)
    _pay(seed, world, "volunteer", 1_200)
    body = {"bank_id": world.bank, "to_user": world.users["resident"], "hours": "1"}
    calls = [
        Call("POST", f"{API}/gifts", json={**body, "key": f"g{i}"}, token=world.tokens["volunteer"]) for i in range(8)
    ]
    with serve(app) as url:
        responses = fire(url, calls)
    assert sorted(r.status_code for r in responses) == [201] * 5 + [409] * 3, [r.text[:200] for r in responses]
    assert all("每年最多转赠" in r.json()["detail"] for r in responses if r.status_code == 409)
    assert seed(lambda s: balance(s, world.bank, world.users["resident"])) == 300
    assert seed(ledger.verify) == []


def test_parallel_api_redemptions_never_overdraw(app, world, seed):
    """3 h on the account; 6 API redemptions of a 1 h haircut at once: 3 redeemed, 3 answered 409 余额不足."""
    _pay(seed, world, "resident", 180)
    calls = [
        Call(
            "POST",
            f"{API}/redeem",
            json={"item_id": world.haircut_item, "key": f"r{i}"},
            token=world.tokens["resident"],
        )
        for i in range(6)
    ]
    with serve(app) as url:
        responses = fire(url, calls)
    assert sorted(r.status_code for r in responses) == [201] * 3 + [409] * 3, [r.text[:200] for r in responses]
    assert seed(lambda s: balance(s, world.bank, world.users["resident"])) == 0
    assert seed(ledger.verify) == []


def test_parallel_creations_of_one_name_make_one_bank(app, world, seed):
    """6 admins' requests create 白云时间银行 at once: one bank, the others refused by name (4xx), no 5xx."""
    body = {"name": "白云时间银行", "organization": "白云社工站", "categories": ["chat"]}
    calls = [Call("POST", f"{API}/banks", json=body, token=world.tokens["district-admin"]) for _ in range(6)]
    before = _bank_count(seed)
    with serve(app) as url:
        responses = fire(url, calls)
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 1 and all(c in (400, 409) for c in codes if c != 201), [r.text[:200] for r in responses]
    assert _bank_count(seed) == before + 1


def test_parallel_decisions_decide_an_application_once(app, world, seed, client):
    """One application, 6 approvals/rejections at once by the bank's staff: exactly one decides (201), 5 get 409."""
    applied = client.post(f"{API}/banks/{world.bank}/join", json={"skills": ["chat"]}, headers=_auth(world, "newbie"))
    path = f"{API}/banks/{world.bank}/members/{applied.json()['id']}/decision"
    calls = [
        Call("POST", path, json={"decision": "approve" if i % 2 else "reject"}, token=world.tokens["tb-staff"])
        for i in range(6)
    ]
    with serve(app) as url:
        responses = fire(url, calls)
    assert sorted(r.status_code for r in responses) == [201] + [409] * 5, [r.text[:200] for r in responses]
    winner = next(r.json()["status"] for r in responses if r.status_code == 201)

    async def status(session):
        query = select(Member.status).where(Member.bank_id == world.bank, Member.user_id == world.users["newbie"])
        return (await session.execute(query)).scalar_one()

    assert seed(status) == winner


def test_join_page_refuses_a_wrong_phone_by_the_field(client, world, seed):
    """The join form (ui macros) keeps the choices and puts the phone's message under the phone; nothing is saved."""
    login(client, "newbie")
    token = csrf_of(client, f"{TB}/join/{world.bank}")
    data = {"volunteer": "on", "skills": ["visit"], "phone": "12345", "_csrf_token": token}
    response = client.post(f"{TB}/join/{world.bank}", data=data, follow_redirects=False)
    assert response.status_code == 400
    assert 'id="f-phone-error"' in response.text and "0574-87654321" in response.text
    assert 'value="visit" checked' in response.text
    assert _members_of(seed, world.bank, world.users["newbie"]) == 0
    data["phone"] = "0574 8765 4321"
    assert client.post(f"{TB}/join/{world.bank}", data=data, follow_redirects=False).status_code == 303
    assert _members_of(seed, world.bank, world.users["newbie"]) == 1


def _members_of(seed, bank_id: int, user_id: int) -> int:
    async def count(session):
        query = select(func.count()).select_from(Member).where(Member.bank_id == bank_id, Member.user_id == user_id)
        return (await session.execute(query)).scalar_one()

    return seed(count)
