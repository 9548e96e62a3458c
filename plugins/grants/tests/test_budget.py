"""The agreement's budget lines and the spending reports state against them: the agreement must list lines
adding up to award + own contribution + co-funders; a report naming a line the agreement does not have, a
line beyond the call's overspend tolerance or a total beyond the budget is refused in Chinese and nothing
is stored; within the tolerance it is accepted and the line flagged; the project page and the API show
planned / reported / accepted per line and the money paid in; parallel reports store one."""

from __future__ import annotations

from sqlalchemy import func, select

from core.testing import login
from core.testing.browser import serve
from core.testing.races import Call, fire
from core.testing.web import csrf_of
from plugins.grants.models import Tranche
from plugins.grants.models_evaluation import GrantReport
from plugins.grants.models_extra import GrantBudgetLine
from plugins.grants.tests.support import add_application, budget

API = "/api/v1/districts/haishu/grants"
# award 100,000.00 + own contribution 10,000.00 = 110,000.00 yuan: 66,000 / 33,000 / 11,000 by line
TOTAL = 11_000_000
REPORT = {"kind": "midterm", "indicators": "服务老人 120 人次", "activities": "智能手机课", "beneficiaries": 120}


def _auth(world, user="staff"):
    return {"Authorization": f"Bearer {world.tokens[user]}"}


def _funded(seed, world) -> int:
    return seed(lambda s: add_application(s, world, status="approved", award_fen=10_000_000, decision="approved"))


def _sign(client, world, app_id, **extra):
    return client.post(
        f"{API}/applications/{app_id}/agreement",
        headers=_auth(world),
        json={"starts_on": "2026-03-01", "ends_on": "2027-02-28", **extra},
    )


def _report(client, world, app_id, spending, kind="midterm"):
    return client.post(
        f"{API}/projects/{app_id}/reports",
        json={**REPORT, "kind": kind, "spending": spending},
        headers=_auth(world, "leader"),
    )


def _counts(seed, app_id):
    async def run(session):
        lines = select(func.count(GrantBudgetLine.id)).where(GrantBudgetLine.application_id == app_id)
        tranches = select(func.count(Tranche.id)).where(Tranche.application_id == app_id)
        reports = select(func.count(GrantReport.id)).where(GrantReport.application_id == app_id)
        return tuple([(await session.execute(q)).scalar_one() for q in (lines, tranches, reports)])

    return seed(run)


def test_the_agreement_needs_budget_lines_adding_up_to_the_project(client, world, seed):
    """No lines, lines off the total (named with both amounts), a line given twice: refused, nothing written.
    With a co-funder the lines add up to award + own contribution + the co-funder's commitment."""
    app_id = _funded(seed, world)
    missing = _sign(client, world, app_id)
    assert missing.status_code == 400 and "请按科目填写项目预算" in missing.json()["errors"]["budget"]
    short = _sign(client, world, app_id, budget=budget(TOTAL - 100))
    assert short.status_code == 400
    assert "各科目合计 109,999.00 元，应等于项目总预算 110,000.00 元" in short.json()["errors"]["budget"]
    twice = _sign(client, world, app_id, budget=[{"line": "场地费", "fen": 1}, {"line": "场地费", "fen": TOTAL - 1}])
    assert twice.status_code == 400 and "“场地费”填写了两次" in twice.json()["errors"]["budget"]
    assert _counts(seed, app_id) == (0, 0, 0)
    co = [{"kind": "company", "name": "甬城银行", "committed_fen": 2_000_000}]
    assert _sign(client, world, app_id, co_funders=co, budget=budget(TOTAL)).status_code == 400
    signed = _sign(client, world, app_id, co_funders=co, budget=budget(TOTAL + 2_000_000))
    assert signed.status_code == 200, signed.text
    lines = signed.json()["budget"]["lines"]
    assert [(x["line"], x["planned_fen"], x["reported_fen"]) for x in lines] == [
        ("人员劳务费", 7_800_000, 0),
        ("活动物料费", 3_900_000, 0),
        ("场地与宣传", 1_300_000, 0),
    ]
    assert _counts(seed, app_id) == (3, 3, 0)


def test_reports_are_checked_against_the_budget_lines(client, world, seed):
    """The call allows 10 %: an unknown line (the agreement's lines named), a line 10 % + 1 fen over, and a
    total over the budget are refused with nothing stored; 10 % over one line with the total kept is accepted,
    flagged in the API; the final report's figures replace the mid-term's as the project's spending."""
    app_id = _funded(seed, world)
    assert _sign(client, world, app_id, budget=budget(TOTAL)).status_code == 200
    unknown = _report(client, world, app_id, [{"line": "餐费", "fen": 100}])
    assert unknown.status_code == 400
    assert unknown.json()["errors"]["spending"] == (
        "“餐费”不是协议预算中的科目。协议的预算科目：人员劳务费、活动物料费、场地与宣传。"
    )
    over = _report(client, world, app_id, [{"line": "场地与宣传", "fen": 1_210_001}])
    assert over.status_code == 400
    assert over.json()["errors"]["spending"] == (
        "“场地与宣传”支出 12,100.01 元，超过预算 11,000.00 元的 10% 调整上限（最多 12,100.00 元）。"
    )
    total = _report(
        client,
        world,
        app_id,
        [
            {"line": "人员劳务费", "fen": 6_600_000},
            {"line": "活动物料费", "fen": 3_300_000},
            {"line": "场地与宣传", "fen": 1_110_000},
        ],
    )
    assert total.status_code == 400
    assert total.json()["errors"]["spending"] == "支出合计 110,100.00 元，超过协议预算总额 110,000.00 元。"
    assert _counts(seed, app_id) == (3, 3, 0)
    fine = _report(
        client, world, app_id, [{"line": "场地与宣传", "fen": 1_210_000}, {"line": "人员劳务费", "fen": 100}]
    )
    assert fine.status_code == 200, fine.text
    project = client.get(f"{API}/applications/{app_id}/project", headers=_auth(world, "leader")).json()["budget"]
    assert [(x["line"], x["reported_fen"], x["accepted_fen"], x["over_fen"]) for x in project["lines"]] == [
        ("人员劳务费", 100, 0, 0),
        ("活动物料费", 0, 0, 0),
        ("场地与宣传", 1_210_000, 0, 110_000),
    ]
    assert (project["reported_kind"], project["accepted_kind"], project["overspend_pct"]) == ("midterm", "", 10)
    assert project["paid_in_fen"] == 0
    assert client.post(f"{API}/applications/{app_id}/tranches/1/release", headers=_auth(world)).status_code == 200
    report_id = fine.json()["id"]
    decided = client.post(f"{API}/reports/{report_id}/decision", json={"decision": "accept"}, headers=_auth(world))
    assert decided.status_code == 200
    final = _report(client, world, app_id, [{"line": "人员劳务费", "fen": 6_000_000}], kind="final")
    assert final.status_code == 200, final.text
    project = client.get(f"{API}/applications/{app_id}/project", headers=_auth(world)).json()["budget"]
    assert [(x["reported_fen"], x["accepted_fen"]) for x in project["lines"]] == [
        (6_000_000, 100),
        (0, 0),
        (0, 1_210_000),
    ]
    assert (project["reported_kind"], project["accepted_kind"], project["paid_in_fen"]) == (
        "final",
        "midterm",
        5_000_000,
    )


def test_a_call_without_tolerance_refuses_any_overspend(client, world, seed):
    """``overspend_pct`` 0 (set through the API, shown on the call): one fen over a line is refused."""
    app_id = _funded(seed, world)
    changed = client.patch(f"{API}/calls/{world.call}", json={"overspend_pct": 0}, headers=_auth(world))
    assert changed.status_code == 200 and changed.json()["overspend_pct"] == 0
    wrong = client.patch(f"{API}/calls/{world.call}", json={"overspend_pct": 101}, headers=_auth(world))
    assert wrong.status_code == 400 and "overspend_pct" in wrong.json()["errors"]
    assert _sign(client, world, app_id, budget=budget(TOTAL)).status_code == 200
    refused = _report(client, world, app_id, [{"line": "场地与宣传", "fen": 1_100_001}])
    assert refused.status_code == 400 and "0% 调整上限" in refused.json()["errors"]["spending"]
    assert _report(client, world, app_id, [{"line": "场地与宣传", "fen": 1_100_000}]).status_code == 200


def test_the_pages_sign_with_a_budget_and_show_it_against_the_report(client, world, seed):
    """Staff sign on the application page with lines as ``line | yuan``; the organization's report form
    starts from the agreement's lines; an unknown line is refused on the page in Chinese with the input
    kept; the project page shows planned, reported and accepted per line and flags the overspent line."""
    app_id = _funded(seed, world)
    login(client, "staff")
    url = f"/d/haishu/grants/applications/{app_id}"
    token = csrf_of(client, url)
    form = {"_csrf_token": token, "starts_on": "2026-03-01", "ends_on": "2027-02-28"}
    bad = client.post(f"{url}/agreement", data={**form, "budget": "人员劳务费 | 100000"})
    assert bad.status_code == 400 and "应等于项目总预算 110,000.00 元" in bad.text
    good = client.post(
        f"{url}/agreement", data={**form, "budget": "人员劳务费 | 80000\n活动物料费 | 20000\n场地费 | 10000"}
    )
    assert good.status_code in (200, 303), good.text
    login(client, "leader")
    project = f"/d/haishu/grants/projects/{app_id}"
    page = client.get(project)
    assert "人员劳务费 | 0.00\n活动物料费 | 0.00\n场地费 | 0.00" in page.text  # the form starts from the lines
    token = csrf_of(client, project)
    report = {"_csrf_token": token, "kind": "midterm", "indicators": "服务 120 人次", "activities": "智能手机课"}
    refused = client.post(
        f"{project}/reports", data={**report, "beneficiaries": "120", "spending": "人员劳务费 | 30000\n餐费 | 500"}
    )
    assert refused.status_code == 400
    assert "“餐费”不是协议预算中的科目。协议的预算科目：人员劳务费、活动物料费、场地费。" in refused.text
    assert "餐费 | 500" in refused.text  # the input is kept
    sent = client.post(
        f"{project}/reports",
        data={**report, "beneficiaries": "120", "spending": "人员劳务费 | 30000\n场地费 | 10500"},
        follow_redirects=True,
    )
    assert sent.status_code == 200 and "等待验收" in sent.text
    login(client, "staff")
    page = client.get(project).text
    table = page[page.index("预算执行") :]
    assert "80000.00 元" in table and "30000.00 元" in table and "超支 500.00 元（5.0%）" in table
    assert "超支科目" in table and "场地费" in table


def test_parallel_reports_store_one_within_the_budget(app, client, world, seed):
    """Eight mid-term reports at once, half within the budget and half a line over the tolerance: exactly one
    within the budget is stored; the rest answer 409 (submitted already) or 400 (over), none 5xx."""
    app_id = _funded(seed, world)
    assert _sign(client, world, app_id, budget=budget(TOTAL)).status_code == 200
    calls = [
        Call(
            "POST",
            f"{API}/projects/{app_id}/reports",
            json={**REPORT, "spending": [{"line": "场地与宣传", "fen": 1_000_000 if i % 2 else 5_000_000}]},
            token=world.tokens["leader"],
        )
        for i in range(8)
    ]
    with serve(app) as url:
        responses = fire(url, calls)
    statuses = [r.status_code for r in responses]
    assert [s for s in statuses if s >= 500] == [], [r.text[:200] for r in responses if r.status_code >= 500]
    assert set(statuses[0::2]) <= {400, 409}  # over the tolerance, or after the one stored
    assert sorted(statuses[1::2]) == [200, 409, 409, 409]

    async def stored(session):
        rows = (await session.execute(select(GrantReport).where(GrantReport.application_id == app_id))).scalars()
        return [r.spending for r in rows]

    assert seed(stored) == [[{"line": "场地与宣传", "fen": 1_000_000}]]
