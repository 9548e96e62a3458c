"""After the award: the organization's progress reports and their acceptance (the mid-term tranche waits for
it), evaluations scored on the call's form (a worked weighted score), closing with a grade (then no more
reports or payments), sustainability follow-ups and their reminders, the staff dashboard's figures, and the
pages (a report with a photo submitted from the project page, accepted by staff)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select, update

from core.db import for_district, utcnow
from core.models import District
from core.models.district import OrgUnit, OrgUnitKind
from core.models.notifications import Notification
from core.models.organizations import OrganizationArea
from core.plugin_api import TIMEZONE, JobContext
from core.testing import login
from core.testing.browser import serve
from core.testing.cpu import thread_cpu
from core.testing.races import Call, fire
from core.testing.web import csrf_of
from plugins.grants.evaluation import send_follow_up_reminders
from plugins.grants.models import Application, Tranche
from plugins.grants.models_evaluation import GrantFollowUp, GrantOutcome, GrantReport
from plugins.grants.tests.support import add_application, budget

API = "/api/v1/districts/haishu/grants"
REPORT = {
    "indicators": "服务老人 120 人次",
    "activities": "每周两次智能手机课",
    "beneficiaries": 120,
    "spending": [{"line": "人员劳务费", "fen": 2_400_000}, {"line": "活动物料费", "fen": 1_150_000}],
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _auth(world, user="staff"):
    return {"Authorization": f"Bearer {world.tokens[user]}"}


def _signed(client, world, seed, title="银发课堂") -> int:
    """A funded project (award 100,000.00 yuan) with its agreement signed and the first tranche paid."""
    app_id = seed(
        lambda s: add_application(s, world, status="approved", award_fen=10_000_000, decision="approved", title=title)
    )
    signed = client.post(
        f"{API}/applications/{app_id}/agreement",
        headers=_auth(world),
        json={"starts_on": "2026-03-01", "ends_on": "2027-02-28", "budget": budget(11_000_000)},
    )
    assert signed.status_code == 200, signed.text
    assert client.post(f"{API}/applications/{app_id}/tranches/1/release", headers=_auth(world)).status_code == 200
    return app_id


def _report(client, world, app_id, kind):
    return client.post(
        f"{API}/projects/{app_id}/reports", json={"kind": kind, **REPORT}, headers=_auth(world, "leader")
    )


def _decide(client, world, report_id, decision, message=""):
    return client.post(
        f"{API}/reports/{report_id}/decision",
        json={"decision": decision, "message": message},
        headers=_auth(world),
    )


def _to_final_accepted(client, world, seed, title="银发课堂") -> int:
    app_id = _signed(client, world, seed, title)
    assert _decide(client, world, _report(client, world, app_id, "midterm").json()["id"], "accept").status_code == 200
    assert _decide(client, world, _report(client, world, app_id, "final").json()["id"], "accept").status_code == 200
    return app_id


def test_accepting_the_midterm_report_unlocks_the_second_tranche(client, world, seed):
    """The second tranche waits for the mid-term report to be accepted: not when it is only submitted, not
    when it is sent back (a message is required), only once staff accept the corrected report. The old
    “accept mid-term” step is refused while no report was submitted; the organization cannot decide."""
    app_id = _signed(client, world, seed)
    second = f"{API}/applications/{app_id}/tranches/2/release"
    assert client.post(f"{API}/applications/{app_id}/midterm", headers=_auth(world)).status_code == 409
    assert _report(client, world, app_id, "final").status_code == 409  # the mid-term report comes first
    submitted = _report(client, world, app_id, "midterm")
    assert submitted.status_code == 200, submitted.text
    report = submitted.json()
    assert report["status"] == "submitted" and report["beneficiaries"] == 120
    assert [s["fen"] for s in report["spending"]] == [2_400_000, 1_150_000]
    assert client.post(second, headers=_auth(world)).status_code == 409
    assert (
        client.post(
            f"{API}/reports/{report['id']}/decision", json={"decision": "accept"}, headers=_auth(world, "leader")
        ).status_code
        == 403
    )
    no_message = _decide(client, world, report["id"], "return")
    assert no_message.status_code == 400 and "message" in no_message.json()["errors"]
    returned = _decide(client, world, report["id"], "return", "请补充场地费票据")
    assert returned.json()["status"] == "returned" and returned.json()["message"] == "请补充场地费票据"
    assert client.post(second, headers=_auth(world)).status_code == 409
    again = _report(client, world, app_id, "midterm")
    assert again.status_code == 200 and again.json()["status"] == "submitted" and again.json()["id"] == report["id"]
    assert _decide(client, world, report["id"], "accept").json()["status"] == "accepted"
    assert _decide(client, world, report["id"], "accept").status_code == 409  # dealt with already
    paid = client.post(second, headers=_auth(world))
    assert paid.status_code == 200, paid.text
    assert paid.json()["balance_fen"] == 8_000_000


def test_a_closed_project_takes_no_more_reports_or_payments(client, world, seed):
    """Closing needs the final report accepted and a grade. Once closed (良好) a tranche not paid by then
    (the second) is refused, the closing tranche is paid; reports and evaluations are refused; a project
    closed as failed (不合格) does not get its closing tranche. Two follow-ups are set one and two years on."""
    app_id = _signed(client, world, seed)
    early = client.post(f"{API}/projects/{app_id}/closing", json={"grade": "good"}, headers=_auth(world))
    assert early.status_code == 409 and "结项报告" in early.json()["detail"]
    assert _decide(client, world, _report(client, world, app_id, "midterm").json()["id"], "accept").status_code == 200
    assert _decide(client, world, _report(client, world, app_id, "final").json()["id"], "accept").status_code == 200
    no_grade = client.post(f"{API}/projects/{app_id}/closing", json={"note": "完成"}, headers=_auth(world))
    assert no_grade.status_code == 400 and "grade" in no_grade.json()["errors"]
    closed = client.post(
        f"{API}/projects/{app_id}/closing", json={"grade": "good", "note": "服务 320 人次"}, headers=_auth(world)
    )
    assert closed.status_code == 200, closed.text
    track = closed.json()
    assert track["grade"] == "good" and track["closed_at"] is not None
    today = utcnow().astimezone(TIMEZONE).date()
    assert [(f["year"], f["due_on"]) for f in track["follow_ups"]] == [
        (1, today.replace(year=today.year + 1).isoformat()),
        (2, today.replace(year=today.year + 2).isoformat()),
    ]
    refused = client.post(f"{API}/applications/{app_id}/tranches/2/release", headers=_auth(world))
    assert refused.status_code == 409 and "结项" in refused.json()["detail"]
    last = client.post(f"{API}/applications/{app_id}/tranches/3/release", headers=_auth(world))
    assert last.status_code == 200 and last.json()["balance_fen"] == 7_000_000
    report = _report(client, world, app_id, "final")
    assert report.status_code == 409 and "已经结项" in report.json()["detail"]
    evaluated = client.put(
        f"{API}/projects/{app_id}/evaluations/final", json={"scores": {"1": 5}}, headers=_auth(world)
    )
    assert evaluated.status_code == 409
    twice = client.post(f"{API}/projects/{app_id}/closing", json={"grade": "good"}, headers=_auth(world))
    assert twice.status_code == 409
    failed = _to_final_accepted(client, world, seed, title="失败项目")
    closing = client.post(f"{API}/projects/{failed}/closing", json={"grade": "fail"}, headers=_auth(world))
    assert closing.status_code == 200
    assert client.post(f"{API}/applications/{failed}/tranches/3/release", headers=_auth(world)).status_code == 409


def test_evaluation_weighted_score_on_the_calls_form(client, world, seed):
    """The call's form: 项目管理 weight 20 (0–10), 目标达成 40 (0–10), 服务成效 25 (0–5), 财务规范 15 (60–100).
    Scores 8, 7, 4, 96 give (20·0.8 + 40·0.7 + 25·0.8 + 15·0.9) / 100 · 100 = 77.5. The evaluator given the
    stage scores it (a draft, then submitted once); another expert may not; scores outside the range are
    refused; nothing is evaluated before the report is in."""
    form = [
        {"name": "项目管理", "weight": 20, "min_score": 0, "max_score": 10},
        {"name": "目标达成", "weight": 40, "min_score": 0, "max_score": 10},
        {"name": "服务成效", "weight": 25, "min_score": 0, "max_score": 5},
        {"name": "财务规范", "weight": 15, "min_score": 60, "max_score": 100},
    ]
    saved = client.put(f"{API}/calls/{world.call}/evaluation-form", json={"criteria": form}, headers=_auth(world))
    assert saved.status_code == 200, saved.text
    assert [c["max"] for c in saved.json()] == [10, 10, 5, 100]
    app_id = _signed(client, world, seed)
    url = f"{API}/projects/{app_id}/evaluations/midterm"
    given = client.post(
        f"{url}/evaluator",
        json={"evaluator_id": world.users["r1"], "agency": "宁波市社会组织评估中心"},
        headers=_auth(world),
    )
    assert given.status_code == 200, given.text
    assert client.put(url, json={"scores": {"1": 8}}, headers=_auth(world, "r1")).status_code == 409  # no report
    _report(client, world, app_id, "midterm")
    assert client.put(url, json={"scores": {"1": 8}}, headers=_auth(world, "r3")).status_code == 404
    wrong = client.put(url, json={"scores": {"3": 6}}, headers=_auth(world, "r1"))
    assert wrong.status_code == 400 and "score_3" in wrong.json()["errors"]
    draft = client.put(url, json={"scores": {"1": 8, "2": 7}}, headers=_auth(world, "r1"))
    assert draft.status_code == 200 and draft.json()["score"] is None and draft.json()["submitted_at"] is None
    done = client.put(
        url,
        json={"scores": {"1": 8, "2": 7, "3": 4, "4": 96}, "comment": "执行规范", "submit": True},
        headers=_auth(world, "r1"),
    )
    assert done.status_code == 200, done.text
    assert done.json()["score"] == 77.5
    assert done.json()["agency"] == "宁波市社会组织评估中心"
    again = client.put(
        url, json={"scores": {"1": 1, "2": 1, "3": 1, "4": 60}, "submit": True}, headers=_auth(world, "r1")
    )
    assert again.status_code == 409


async def _district(session):
    district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
    for_district(session, district.id)
    return district


def test_follow_ups_the_two_year_figure_and_reminders(client, world, seed):
    """Five projects answered their two-year follow-up: 3 still running, 2 not (a one-year answer and an
    unanswered two-year follow-up do not count): the dashboard says 3 of 5. A follow-up is not answered
    before it opens (30 days before its day). The daily job reminds once when a follow-up is 3 working days
    away (the weekend left out) and once when it is overdue."""
    ids = [
        seed(lambda s, i=i: add_application(s, world, status="closed", title=f"项目{i}", signed_at=utcnow()))
        for i in range(7)
    ]

    async def rows(session):
        await _district(session)
        for i, app_id in enumerate(ids[:5]):
            session.add(GrantOutcome(application_id=app_id, grade="pass"))
            session.add(
                GrantFollowUp(
                    application_id=app_id, year=2, due_on=date(2026, 1, 10), running=i < 3, answered_at=utcnow()
                )
            )
        session.add(
            GrantFollowUp(application_id=ids[5], year=1, due_on=date(2026, 1, 10), running=True, answered_at=utcnow())
        )
        later = GrantFollowUp(application_id=ids[5], year=2, due_on=date(2099, 3, 16))
        session.add_all([later, GrantFollowUp(application_id=ids[6], year=2, due_on=date(2027, 1, 11))])
        await session.flush()
        for_district(session, None)
        return later.id

    later = seed(rows)
    figures = client.get(f"{API}/dashboard", headers=_auth(world)).json()
    assert (figures["still_running"], figures["follow_ups_answered"]) == (3, 5)
    login(client, "staff")
    assert "5 个项目中的 3 个" in client.get("/d/haishu/grants/dashboard").text
    early = client.post(f"{API}/follow-ups/{later}", json={"running": True}, headers=_auth(world, "leader"))
    assert early.status_code == 409 and "2099-02-14" in early.json()["detail"]

    def run(day):
        async def job(session):
            district = await _district(session)
            now = datetime(day.year, day.month, day.day, 8, 40, tzinfo=TIMEZONE)
            result = await send_follow_up_reminders(
                JobContext(session, district, now, now, "grants.follow_up_reminders")
            )
            for_district(session, None)
            return result.counts

        return seed(job)

    # ids[6] is due Monday 2027-01-11: Wednesday the 6th is 3 working days before (Thu, Fri, Mon).
    assert run(date(2027, 1, 5)) == {"due": 0, "overdue": 0}
    assert run(date(2027, 1, 6)) == {"due": 1, "overdue": 0}
    assert run(date(2027, 1, 7)) == {"due": 0, "overdue": 0}
    assert run(date(2027, 1, 12)) == {"due": 0, "overdue": 1}

    async def kinds(session):
        return sorted((await session.execute(select(Notification.kind))).scalars())

    assert seed(kinds) == ["grants.follow_up_due", "grants.follow_up_overdue"]


def test_dashboard_figures_against_a_hand_count(client, world, seed):
    """Hand-counted fixture. Call 2026: 3 submitted (a draft not counted), 2 funded — 为老服务 100,000.00
    yuan (its first tranche, 50,000.00, paid) and 青少年成长 50,000.00 (its first tranche paid and reversed:
    nothing disbursed); award rate 2/3 = 66.7 %. Call 2025: 1 submitted, none funded, 0.0 %. By community:
    阳光社工服务社 serves 南门社区 (100,000.00 / 50,000.00); 新芽青年社 serves none. Reports: 3, 2 on time."""
    funded = seed(lambda s: add_application(s, world, status="approved", award_fen=10_000_000, title="甲"))
    second = seed(lambda s: add_application(s, world, org="young", status="closed", award_fen=5_000_000, title="乙"))
    seed(lambda s: add_application(s, world, status="dismissed", title="丙"))
    seed(lambda s: add_application(s, world, status="draft", title="丁"))
    seed(lambda s: add_application(s, world, status="rejected", call_id=world.closed_call, title="戊"))

    async def rows(session):
        district = await _district(session)
        await session.execute(
            update(Application).where(Application.id == second).values(category_id=world.categories[1])
        )
        unit = OrgUnit(district_id=district.id, kind=OrgUnitKind.COMMUNITY, code="nanmen", name_zh="南门社区")
        session.add(unit)
        await session.flush()
        session.add(OrganizationArea(organization_id=world.orgs["sunshine"], org_unit_id=unit.id))
        now = utcnow()
        session.add_all(
            [
                Tranche(
                    application_id=funded,
                    position=1,
                    percent=50,
                    amount_fen=5_000_000,
                    condition="signed",
                    released_at=now,
                ),
                Tranche(application_id=funded, position=2, percent=50, amount_fen=5_000_000, condition="midterm"),
                Tranche(
                    application_id=second,
                    position=1,
                    percent=100,
                    amount_fen=5_000_000,
                    condition="signed",
                    released_at=now,
                    reversed_at=now,
                ),
            ]
        )
        for app_id, kind, on_time in ((funded, "midterm", True), (second, "midterm", False), (second, "final", True)):
            session.add(
                GrantReport(
                    application_id=app_id,
                    kind=kind,
                    due_on=date(2026, 8, 30),
                    on_time=on_time,
                    first_submitted_at=now,
                    submitted_at=now,
                )
            )
        await session.flush()
        for_district(session, None)

    seed(rows)
    figures = client.get(f"{API}/dashboard", headers=_auth(world)).json()
    assert figures["by_category"] == [
        {"name": "为老服务", "projects": 1, "committed_fen": 10_000_000, "disbursed_fen": 5_000_000},
        {"name": "青少年成长", "projects": 1, "committed_fen": 5_000_000, "disbursed_fen": 0},
    ]
    assert sorted(figures["by_community"], key=lambda r: r["name"]) == [
        {"name": "", "projects": 1, "committed_fen": 5_000_000, "disbursed_fen": 0},
        {"name": "南门社区", "projects": 1, "committed_fen": 10_000_000, "disbursed_fen": 5_000_000},
    ]
    calls = {c["call_id"]: (c["submitted"], c["awarded"], c["award_rate_pct"]) for c in figures["calls"]}
    assert calls == {world.call: (3, 2, 66.7), world.closed_call: (1, 0, 0.0)}
    assert (figures["reports"], figures["reports_on_time"]) == (3, 2)
    assert client.get(f"{API}/dashboard", headers=_auth(world, "leader")).status_code == 403
    login(client, "staff")
    page = client.get("/d/haishu/grants/dashboard")
    assert page.status_code == 200
    assert "南门社区" in page.text and "66.7%" in page.text and "未指定" in page.text


def test_a_report_submitted_twice_at_once_is_stored_once(app, world, seed):
    """Six identical mid-term report submissions at the same moment (a real server): one is stored (200),
    the others are told it was submitted already (409); none fails with 5xx."""
    app_id = seed(
        lambda s: add_application(
            s,
            world,
            status="approved",
            award_fen=1_000_000,
            signed_at=utcnow(),
            starts_on=date(2026, 3, 1),
            ends_on=date(2027, 2, 28),
        )
    )
    calls = [
        Call(
            "POST", f"{API}/projects/{app_id}/reports", json={"kind": "midterm", **REPORT}, token=world.tokens["leader"]
        )
        for _ in range(6)
    ]
    with serve(app) as url:
        responses = fire(url, calls)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409, 409, 409, 409, 409], [r.text[:200] for r in responses]

    async def count(session):
        return (await session.execute(select(func.count(GrantReport.id)))).scalar_one()

    assert seed(count) == 1


def test_pages_report_with_a_photo_accepted_by_staff(client, world, seed):
    """The organization's leader opens the project from its list, submits the mid-term report with a photo
    from the project page; staff see it with the photo and accept it on the page; the second tranche is then
    ready. The project page is not open to an unrelated organization's leader."""
    app_id = _signed(client, world, seed)
    login(client, "leader")
    assert f"/grants/projects/{app_id}" in client.get("/d/haishu/grants").text
    page = client.get(f"/d/haishu/grants/projects/{app_id}")
    assert page.status_code == 200 and "提交中期报告" in page.text
    token = csrf_of(client, f"/d/haishu/grants/projects/{app_id}")
    bad = client.post(
        f"/d/haishu/grants/projects/{app_id}/reports",
        data={"_csrf_token": token, "kind": "midterm", "indicators": "", "activities": "课", "beneficiaries": "x"},
        files={"files": ("photo.png", PNG, "image/png")},
    )
    assert bad.status_code == 400 and "请写明指标完成情况" in bad.text

    async def no_reports(session):
        return (await session.execute(select(func.count(GrantReport.id)))).scalar_one()

    assert seed(no_reports) == 0
    sent = client.post(
        f"/d/haishu/grants/projects/{app_id}/reports",
        data={
            "_csrf_token": token,
            "kind": "midterm",
            "indicators": "服务老人 120 人次",
            "activities": "智能手机课",
            "beneficiaries": "120",
            "spending": "人员劳务费 | 24000\n活动物料费 | 11500",
        },
        files={"files": ("photo.png", PNG, "image/png")},
        follow_redirects=True,
    )
    assert sent.status_code == 200 and "等待验收" in sent.text
    login(client, "groupie")
    assert client.get(f"/d/haishu/grants/projects/{app_id}").status_code == 404
    login(client, "staff")
    page = client.get(f"/d/haishu/grants/projects/{app_id}")
    assert "35500.00 元" in page.text and "photo.png" in page.text

    async def report_id(session):
        return (await session.execute(select(GrantReport.id))).scalar_one()

    rid = seed(report_id)
    photo = client.get(f"/d/haishu/grants/reports/{rid}/files/1")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/png" and photo.content == PNG
    token = csrf_of(client, f"/d/haishu/grants/projects/{app_id}")
    accepted = client.post(
        f"/d/haishu/grants/reports/{rid}/decision",
        data={"_csrf_token": token, "decision": "accept"},
        follow_redirects=True,
    )
    assert accepted.status_code == 200 and "已通过验收" in accepted.text

    async def midterm(session):
        return (
            await session.execute(select(Application.midterm_accepted_at).where(Application.id == app_id))
        ).scalar_one()

    assert seed(midterm) is not None


def test_demo_reports_evaluations_and_follow_ups(world, seed):
    """The demo after the awards: reports in every state (each within its agreement's budget lines, one
    line flagged over its plan), evaluations, the closed 2026 project graded 优秀, the 2023 matching contest
    (14 projects pitched and scored, 8 funded, each with a company co-funder whose money is on the ledger,
    "5 of 8 still running two years later"); a clean ledger; under 1 s; a second run adds nothing."""

    from core.ledger import verify
    from plugins.grants.budget import budget_of
    from plugins.grants.dashboard import dashboard
    from plugins.grants.models import Call, Funder, Review
    from plugins.grants.models_extra import GrantCoPayment
    from plugins.grants.seed import seed_grants
    from plugins.grants.seed_evaluation import PAST_CALL, seed_evaluation

    async def run(session):
        district = await _district(session)
        await seed_grants(session, district)
        with thread_cpu() as cpu:  # this thread's CPU, the garbage collector paused
            added = await seed_evaluation(session, district)
        took = cpu.seconds
        again = await seed_evaluation(session, district)
        states = sorted((await session.execute(select(GrantReport.kind, GrantReport.status))).all())
        figures = await dashboard(session)
        problems = await verify(session, district_id=district.id)
        contest = (await session.execute(select(Call).where(Call.title == PAST_CALL))).scalar_one()
        pitched = list((await session.execute(select(Application).where(Application.call_id == contest.id))).scalars())
        reviewed = (
            await session.execute(
                select(func.count(func.distinct(Review.application_id))).where(
                    Review.application_id.in_([a.id for a in pitched]), Review.submitted_at.is_not(None)
                )
            )
        ).scalar_one()
        companies = (
            await session.execute(
                select(Funder.application_id, GrantCoPayment.amount_fen)
                .join(GrantCoPayment, GrantCoPayment.funder_id == Funder.id)
                .where(Funder.kind == "company", Funder.application_id.in_([a.id for a in pitched]))
            )
        ).all()
        overspent = []
        for report in (await session.execute(select(GrantReport))).scalars():
            lines = {b.line: b.planned_fen for b in await budget_of(session, report.application_id)}
            assert {s["line"] for s in report.spending} <= set(lines)
            assert sum(s["fen"] for s in report.spending) <= sum(lines.values())
            overspent += [s["line"] for s in report.spending if s["fen"] > lines[s["line"]]]
        for_district(session, None)
        contest_figures = (len(pitched), sum(1 for a in pitched if a.status == "closed"), reviewed, len(companies))
        return added, again, took, states, figures, problems, contest_figures, overspent

    added, again, took, states, figures, problems, contest, overspent = seed(run)
    assert contest == (14, 8, 14, 8)
    assert overspent == ["场地与宣传"]
    assert added > 0 and again == 0
    assert took < 1.0
    assert {s for _k, s in states} == {"accepted", "submitted", "returned"}
    assert (figures.still_running, figures.follow_ups_answered) == (5, 8)
    assert figures.grades == {"excellent": 3, "good": 3, "pass": 2, "fail": 1}
    assert problems == []
