"""The grade evaluation process (社会组织等级评估, 1A–5A), issue 16 part 7: eligibility, self-assessment,
expert panel (mean per indicator, conflicted experts excluded), bands per jurisdiction, publicity with
objections, review, confirmation, validity, certificate, the organization's profile, indicator versions."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from core.auth.tokens import create_token
from core.models import District, User
from core.models.organizations import MemberRole, Organization, OrganizationMember, OrgKind, RegisteredType
from core.plugins import PluginHost
from core.refusal import Refusal
from core.services.enablement import enable_plugin
from core.testing import csrf_of, login
from core.testing.browser import serve
from core.testing.factories import make_user
from core.testing.races import Call, fire
from plugins.rating import grading, service
from plugins.rating.models_grades import GradeEvaluation, GradeExpertScore, GradePanelMember

CHANHE = "5A:900,4A:800,3A:700,2A:600,1A:0"  # 洛阳瀍河 2025
ANQING = "5A:951,4A:901,3A:851,2A:801,1A:0"  # 安庆/怀宁 2021


def _setup(seed: Any, world: Any, bands: str = CHANHE) -> dict[str, int]:
    """海曙区青少年成长服务中心 becomes a 社会服务机构 registered in 2015; experts e1–e3, and e4 who is
    the organization's staff; a district admin; the district's bands."""

    async def work(session: Any) -> dict[str, int]:
        haishu = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        youth = await session.get(Organization, world.youth)
        youth.kind, youth.registered_type, youth.registered_on = (
            OrgKind.REGISTERED,
            RegisteredType.SOCIAL_SERVICE,
            date(2015, 3, 1),
        )
        users = {
            name: await make_user(session, name, district=haishu, roles=("expert",)) for name in ("e1", "e2", "e3")
        }
        users["e4"] = await make_user(session, "e4", district=haishu, roles=("expert",))  # staff of the organization
        session.add(
            OrganizationMember(
                district_id=haishu.id, organization_id=youth.id, user_id=users["e4"].id, role=MemberRole.STAFF
            )
        )
        users["admin"] = await make_user(session, "dadmin", district=haishu, roles=("district_admin",))
        await enable_plugin(
            session, haishu, PluginHost.load(None, entry_points=False), "rating", settings={"grade_bands": bands}
        )
        await session.flush()
        ids = {k: u.id for k, u in users.items()}
        ids["district"] = haishu.id
        return ids

    return seed(work)


def _all(tree: list[Any], minus: dict[str, str] | None = None) -> dict[str, tuple[object, str]]:
    """Full points on every indicator, except ``minus`` (code → points given instead)."""
    minus = minus or {}
    return {i.code: (minus.get(i.code, str(i.max_points)), "") for i in tree}


async def _to_scoring(ctx: Any, org_id: int, year: int) -> int:
    """Apply (staff for the organization), self-assess everything at full points and hand it in."""
    ev = await grading.apply(ctx, organization_id=org_id, year=year, annual_report_filed=True)
    tree = await grading.indicators(ctx.session, ev.org_type, ev.tree_version)
    await grading.save_self_assessment(ctx, ev, _all(tree), submit=True)
    return ev.id


def _score(as_user: Any, who: str, ev_id: int, minus: dict[str, str] | None = None) -> None:
    async def work(ctx: Any) -> None:
        ev = await grading.get_evaluation(ctx.session, ev_id)
        tree = await grading.indicators(ctx.session, ev.org_type, ev.tree_version)
        await grading.submit_expert_scores(ctx, ev, _all(tree, minus))

    as_user(who, work)


def test_eligibility_refusals_say_why_in_chinese(client, world, as_user, seed):
    """Not registered, registered less than two years ago, or last year's annual report not filed: the
    application is refused with the reasons in Chinese, on the page too (422), and nothing is created."""
    _setup(seed, world)

    async def recent(session: Any) -> None:
        youth = await session.get(Organization, world.youth)
        youth.registered_on = date(service.local_today().year - 1, 1, 1)

    async def refusals(ctx: Any) -> list[str]:
        found = []
        for org, filed in ((world.elderly, True), (world.youth, False)):
            with pytest.raises(Refusal) as refused:
                await grading.apply(ctx, organization_id=org, year=2026, annual_report_filed=filed)
            found.append(refused.value.zh)
        return found

    filed_group, no_report = as_user("worker", refusals)
    assert "只有已登记的社会组织（社会团体、社会服务机构、基金会）可以申请等级评估" in filed_group
    assert "未按规定报送上一年度工作报告（年检/年报），不能申请等级评估" in no_report
    seed(recent)
    login(client, "worker")
    page = client.post(
        "/d/haishu/rating/grade-evaluations",
        data={
            "organization_id": str(world.youth),
            "year": "2026",
            "annual_report_filed": "on",
            "_csrf_token": csrf_of(client, "/d/haishu/rating/grade-evaluations"),
        },
    )
    assert page.status_code == 422
    assert "登记满 2 年方可申请" in page.text

    async def count(session: Any) -> int:
        return (await session.execute(select(func.count()).select_from(GradeEvaluation))).scalar_one()

    assert seed(count) == 0


def test_panel_mean_conflict_objection_review_validity_certificate(client, world, as_user, seed):
    """The whole flow. Panel mean golden value: e1 full points, e2 half a point less on 2.2, 3.1 and 4.1
    → mean 79.75 on 2.2 and total 1,099.25 → 1,099 (5A); e3 scored zero everywhere but has since joined
    the organization: excluded from the mean and shown as conflicted; a member cannot be put on the panel.
    An objection in publicity blocks the review and the confirmation until staff answer it. Announced
    2026-12-20 → valid 2027-01-01 to 2031-12-31; the certificate PDF names the organization and the
    grade; the organization's profile shows the grade."""
    ids = _setup(seed, world)

    async def start(ctx: Any) -> tuple[int, str]:
        ev_id = await _to_scoring(ctx, world.youth, 2026)
        ev = await grading.get_evaluation(ctx.session, ev_id)
        for name in ("e1", "e2", "e3"):
            await grading.assign_expert(ctx, ev, ids[name])
        with pytest.raises(Refusal) as refused:
            async with ctx.session.begin_nested():
                await grading.assign_expert(ctx, ev, ids["e4"])
        return ev_id, refused.value.zh

    ev_id, conflicted = as_user("worker", start)
    assert conflicted == "该专家是被评估组织的工作人员或成员，须回避"
    _score(as_user, "e1", ev_id)
    _score(as_user, "e2", ev_id, {"2.2": "79.5", "3.1": "119.5", "4.1": "59.5"})
    _score(as_user, "e3", ev_id, dict.fromkeys(("1.1", "1.2", "1.3", "2.1", "2.2"), "0"))

    async def join(session: Any) -> None:
        session.add(
            OrganizationMember(
                district_id=ids["district"], organization_id=world.youth, user_id=ids["e3"], role=MemberRole.MEMBER
            )
        )

    seed(join)

    async def close(ctx: Any) -> tuple[Any, ...]:
        ev = await grading.get_evaluation(ctx.session, ev_id)
        with pytest.raises(Refusal) as not_expert:
            await grading.assign_expert(ctx, ev, ids["admin"])
        means = await grading.panel_means(ctx, ev)
        tree = {i.code: i.id for i in await grading.indicators(ctx.session, ev.org_type, ev.tree_version)}
        await grading.close_scoring(ctx, ev, today=date(2026, 12, 10))
        grade = await service.get_grade(ctx.session, ev.grade_id)
        return (
            not_expert.value.zh,
            grading.show_points(means[tree["2.2"]][0]),
            means[tree["2.2"]][1],
            ev.total,
            ev.grade,
            grade.id,
        )

    refused, mean_22, counted, total, grade, grade_id = as_user("worker", close)
    assert refused == "请选择一位评估专家"
    assert (mean_22, counted, total, grade) == ("79.75", 2, 1099, "5A")

    async def objection(ctx: Any) -> int:
        grade = await service.get_grade(ctx.session, grade_id)
        return (await service.object_to_grade(ctx, grade, "社会评价分偏高", today=date(2026, 12, 12))).id

    objection_id = as_user("other", objection)

    async def blocked(ctx: Any) -> list[str]:
        ev = await grading.get_evaluation(ctx.session, ev_id)
        grade = await service.get_grade(ctx.session, grade_id)
        found = []
        for attempt in (
            lambda: grading.end_publicity(ctx, ev, today=date(2026, 12, 18)),
            lambda: service.confirm_grade(ctx, grade, today=date(2026, 12, 18)),
        ):
            with pytest.raises(Refusal) as refused:
                await attempt()
            found.append(refused.value.zh)
        return found

    assert as_user("worker", blocked) == ["还有 1 条异议未答复，答复后才能确认"] * 2

    async def answer_and_confirm(ctx: Any) -> tuple[Any, ...]:
        await service.answer_objection(ctx, await service.get_objection(ctx.session, objection_id), "经复核维持评分")
        ev = await grading.get_evaluation(ctx.session, ev_id)
        await grading.end_publicity(ctx, ev, today=date(2026, 12, 18))
        await grading.confirm(ctx, ev, "评估委员会审核通过", today=date(2026, 12, 20))
        grade = await service.get_grade(ctx.session, grade_id)
        return ev.status, grade.status, grade.valid_from, grade.valid_until

    assert as_user("worker", answer_and_confirm) == ("confirmed", "confirmed", date(2027, 1, 1), date(2031, 12, 31))

    login(client, "worker")
    detail = client.get(f"/d/haishu/rating/grade-evaluations/{ev_id}")
    assert "已确认" in detail.text
    assert "79.75" in detail.text
    assert "须回避" in detail.text  # e3 on the panel, marked
    assert "经复核维持评分" in detail.text
    pdf = client.get(f"/d/haishu/rating/grades/{grade_id}/certificate.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().replace("\x00", "")  # UTF-16 glyph text
    assert "海曙区青少年成长服务中心" in text
    assert "5A" in text
    assert "2027-01-01" in text
    profile = client.get(f"/d/haishu/organizations/{world.youth}")
    assert "<strong>5A</strong>" in profile.text


def test_bands_of_the_jurisdiction_decide_the_grade(world, as_user, seed):
    """905 points from the panel: 5A under 洛阳瀍河's bands, 4A under 安庆's (the district's setting)."""
    ids = _setup(seed, world, bands=ANQING)
    minus = {"5.1": "0", "5.2": "5"}  # 1,100 − 50 − 45 = 1,005 … then the rest below
    minus.update({"3.1": "20"})  # − 100 → 905

    def run(year: int) -> tuple[int | None, str | None]:
        async def start(ctx: Any) -> int:
            ev_id = await _to_scoring(ctx, world.youth, year)
            await grading.assign_expert(ctx, await grading.get_evaluation(ctx.session, ev_id), ids["e1"])
            return ev_id

        ev_id = as_user("worker", start)
        _score(as_user, "e1", ev_id, minus)

        async def close(ctx: Any) -> tuple[int | None, str | None]:
            ev = await grading.close_scoring(ctx, await grading.get_evaluation(ctx.session, ev_id))
            return ev.total, ev.grade

        return as_user("worker", close)

    assert run(2025) == (905, "4A")

    async def chanhe(session: Any) -> None:
        haishu = await session.get(District, ids["district"])
        await enable_plugin(
            session, haishu, PluginHost.load(None, entry_points=False), "rating", settings={"grade_bands": CHANHE}
        )

    seed(chanhe)
    assert run(2026) == (905, "5A")


def test_two_experts_handing_in_at_once_are_both_kept(app, world, as_user, seed):
    """Two experts post their scores at the same moment (a real server): both 200, both kept."""
    ids = _setup(seed, world)

    async def start(ctx: Any) -> int:
        ev_id = await _to_scoring(ctx, world.youth, 2026)
        for name in ("e1", "e2"):
            await grading.assign_expert(ctx, await grading.get_evaluation(ctx.session, ev_id), ids[name])
        return ev_id

    ev_id = as_user("worker", start)

    async def tokens_and_tree(session: Any) -> tuple[list[str], list[dict[str, Any]]]:
        haishu = await session.get(District, ids["district"])
        tokens = [
            (await create_token(session, await session.get(User, ids[n]), haishu.id, "tests"))[0] for n in ("e1", "e2")
        ]
        tree = await grading.indicators(session, "social_service", 1)
        return tokens, [{"code": i.code, "points": i.max_points - 1, "note": "现场查阅台账"} for i in tree]

    tokens, scores = seed(tokens_and_tree)
    path = f"/api/v1/districts/haishu/rating/grade-evaluations/{ev_id}/expert-scores"
    with serve(app) as url:
        responses = fire(url, [Call("POST", path, json={"scores": scores}, token=t) for t in tokens])
    assert [r.status_code for r in responses] == [201, 201], [r.text[:200] for r in responses]

    async def kept(session: Any) -> tuple[int, int]:
        rows = (await session.execute(select(func.count()).select_from(GradeExpertScore))).scalar_one()
        done = (
            await session.execute(
                select(func.count()).select_from(GradePanelMember).where(GradePanelMember.submitted_at.is_not(None))
            )
        ).scalar_one()
        return rows, done

    assert seed(kept) == (2 * len(scores), 2)


def test_indicator_edit_makes_a_new_version_and_evaluations_keep_theirs(client, world, as_user, seed):
    """The district admin changes an indicator of a tree an evaluation uses: version 2 is made, the
    evaluation stays on version 1; a community worker may not edit (403); a bad maximum is refused."""
    _setup(seed, world)
    ev_id = as_user("worker", lambda ctx: _to_scoring(ctx, world.youth, 2026))

    async def edit(ctx: Any) -> tuple[int, int, int]:
        row = await grading.save_indicator(
            ctx, org_type="social_service", code="3.5", section="performance", name="品牌项目", max_points="40"
        )
        ev = await grading.get_evaluation(ctx.session, ev_id)
        v1 = {i.code: i.max_points for i in await grading.indicators(ctx.session, "social_service", 1)}
        return row.version, ev.tree_version, v1["3.5"]

    assert as_user("dadmin", edit) == (2, 1, 50)
    login(client, "worker")
    denied = client.post(
        "/d/haishu/rating/grade-indicators",
        data={
            "org_type": "social_service",
            "code": "3.6",
            "section": "performance",
            "name": "x",
            "max_points": "5",
            "_csrf_token": csrf_of(client, "/d/haishu/rating/grade-indicators"),
        },
    )
    assert denied.status_code == 403
    login(client, "dadmin")
    bad = client.post(
        "/d/haishu/rating/grade-indicators",
        data={
            "org_type": "social_service",
            "code": "3.6",
            "section": "performance",
            "name": "新指标",
            "max_points": "999",
            "_csrf_token": csrf_of(client, "/d/haishu/rating/grade-indicators"),
        },
    )
    assert bad.status_code == 400
    assert "分值应为 1 到 500 的整数" in bad.text
    page = client.get("/d/haishu/rating/grade-indicators?org_type=social_service")
    assert "品牌项目" in page.text
    assert "第 2 版" in page.text
    # A version beyond a database integer is refused, not a server error on PostgreSQL (found by the fuzzer).
    huge = client.get("/api/v1/districts/haishu/rating/grade-indicators?version=2199023255552")
    assert huge.status_code == 400, huge.text
