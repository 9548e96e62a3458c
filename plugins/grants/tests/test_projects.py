"""Projects: tranches 50/30/20 released on the core ledger only when their condition is met; balances after
disbursements and a reversal; co-funders recorded."""

from __future__ import annotations

from sqlalchemy import select

from core.ledger import verify
from core.models.ledger import LedgerAccount
from plugins.grants.tests.support import add_application, budget

API = "/api/v1/districts/haishu/grants"


def _auth(world, user="staff"):
    return {"Authorization": f"Bearer {world.tokens[user]}"}


def test_tranches_follow_their_conditions_and_the_ledger_balances(client, world, seed):
    """Award 100,001.00 yuan: tranches 50 % / 30 % / the rest (20 %), the first payable at signing, the second
    only after the mid-term report (submitted by the organization) is accepted, the last only at closing (the
    final report accepted); a reversal brings the balance back; the ledger verifies clean."""
    app_id = seed(lambda s: add_application(s, world, status="approved", award_fen=10_000_100, decision="approved"))
    url = f"{API}/applications/{app_id}"
    early = client.post(f"{url}/tranches/1/release", headers=_auth(world))
    assert early.status_code == 404  # no agreement yet: no tranches
    signed = client.post(
        f"{url}/agreement",
        headers=_auth(world),
        json={
            "starts_on": "2026-03-01",
            "ends_on": "2027-02-28",
            "milestones": "6 月中期评估",
            "co_funders": [{"kind": "company", "name": "宁波某银行海曙支行", "committed_fen": 2_000_000}],
            "budget": budget(13_000_100),
        },
    )
    assert signed.status_code == 200, signed.text
    project = signed.json()
    assert [t["amount_fen"] for t in project["tranches"]] == [5_000_050, 3_000_030, 2_000_020]
    assert sum(t["amount_fen"] for t in project["tranches"]) == 10_000_100
    assert [f["name"] for f in project["funders"]] == ["区公益创投资金", "宁波某银行海曙支行"]
    first = client.post(f"{url}/tranches/1/release", headers=_auth(world))
    assert first.status_code == 200, first.text
    assert first.json()["balance_fen"] == 5_000_050
    assert client.post(f"{url}/tranches/1/release", headers=_auth(world)).status_code == 409
    too_early = client.post(f"{url}/tranches/2/release", headers=_auth(world))
    assert too_early.status_code == 409
    assert "中期报告验收" in too_early.json()["detail"]
    assert client.post(f"{url}/close", json={"result": "完成"}, headers=_auth(world)).status_code == 409
    report = {"indicators": "服务 120 人次", "activities": "每周两次课", "beneficiaries": 120, "spending": []}
    midterm = f"/api/v1/districts/haishu/grants/projects/{app_id}/reports"
    assert client.post(midterm, json={"kind": "midterm", **report}, headers=_auth(world, "leader")).status_code == 200
    assert client.post(f"{url}/midterm", headers=_auth(world)).status_code == 200  # accepts the submitted report
    second = client.post(f"{url}/tranches/2/release", headers=_auth(world))
    assert second.json()["balance_fen"] == 8_000_080
    assert client.post(f"{url}/tranches/3/release", headers=_auth(world)).status_code == 409
    reversed_ = client.post(f"{url}/tranches/2/reverse", json={"reason": "账号填错"}, headers=_auth(world))
    assert reversed_.status_code == 200, reversed_.text
    assert reversed_.json()["balance_fen"] == 5_000_050
    final = client.post(midterm, json={"kind": "final", **report}, headers=_auth(world, "leader")).json()
    accepted = client.post(
        f"/api/v1/districts/haishu/grants/reports/{final['id']}/decision",
        json={"decision": "accept"},
        headers=_auth(world),
    )
    assert accepted.status_code == 200
    closed = client.post(
        f"{url}/close", json={"result": "按期完成，服务 320 人次", "grade": "good"}, headers=_auth(world)
    )
    assert closed.json()["status"] == "closed"
    third = client.post(f"{url}/tranches/3/release", headers=_auth(world))
    assert third.json()["balance_fen"] == 7_000_070

    async def ledger_state(session):
        accounts = {a.owner_ref: a.balance for a in (await session.execute(select(LedgerAccount))).scalars()}
        return accounts, await verify(session)

    accounts, problems = seed(ledger_state)
    assert problems == []
    assert accounts["grants:fund"] == -7_000_070
    assert accounts[f"grants:project:{app_id}"] == 7_000_070


def test_only_funded_projects_sign(client, world, seed):
    """An application under review has no agreement (409); the applicant can read the project but not pay."""
    app_id = seed(lambda s: add_application(s, world))
    assert (
        client.post(
            f"{API}/applications/{app_id}/agreement",
            json={"starts_on": "2026-03-01", "ends_on": "2026-12-31"},
            headers=_auth(world),
        ).status_code
        == 409
    )
    funded = seed(lambda s: add_application(s, world, status="approved", award_fen=1_000_000, decision="approved"))
    assert client.get(f"{API}/applications/{funded}/project", headers=_auth(world, "leader")).status_code == 200
    assert (
        client.post(f"{API}/applications/{funded}/tranches/1/release", headers=_auth(world, "leader")).status_code
        == 403
    )
