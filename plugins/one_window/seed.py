"""Demo data for ``sanshe demo`` (the demo district 海曙区, ``haishu``): the street's five departments, the town's
catalogue of 89 items with their documents (20 written out here, the rest in ``seed_catalogue``), a morning at
the window (requests waiting for documents), and requests in every back-office state.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select

from core.plugin_api import OrgUnit, OrgUnitKind, Settings, User, context_for, residents
from plugins.one_window.backoffice import QUIET, answer_step, department_ids, parse_route, steps_of
from plugins.one_window.intake import IntakeInput, start_intake
from plugins.one_window.manifest import DEPARTMENT_ROLE, KEY
from plugins.one_window.models import Intake, Item, ItemVersion
from plugins.one_window.seed_catalogue import compact_items
from plugins.one_window.service import CASE_TYPE, department_keys, parse_documents

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District, RequestContext

__all__ = ("DEMO_DEPARTMENTS", "DEMO_ITEMS", "demo_items", "seed_one_window")

ID_CARD = "居民身份证，原件及复印件"
HUKOU = "户口簿，原件及复印件"
DEMO_DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("gulou-mz", "鼓楼街道民政办", "Civil Affairs Office"),
    ("gulou-sb", "鼓楼街道社保所", "Social Security Office"),
    ("gulou-yb", "鼓楼街道医保工作站", "Medical Insurance Station"),
    ("gulou-cl", "鼓楼街道残联", "Disabled Persons' Federation"),
    ("gulou-js", "鼓楼街道卫生健康和计划生育办公室", "Health and Family Planning Office"),
)
# (code, name, keywords, department code, days, fee, conditions, documents (one per line), legal basis)
# fmt: off
DEMO_ITEMS: tuple[tuple[str, str, str, str, int, str, str, str, str], ...] = (
    ("330203-MZ-001", "最低生活保障申请", "低保 救助", "gulou-mz", 20, "不收费",
     "本街道户籍居民，共同生活家庭成员人均收入低于当地低保标准，且家庭财产状况符合规定。",
     f"{ID_CARD}\n{HUKOU}\n家庭收入情况说明，原件\n家庭财产状况申报表，原件\n残疾证或病历，复印件，可后补",
     "《社会救助暂行办法》第九条至第十二条；《浙江省最低生活保障办法》"),
    ("330203-MZ-002", "特困人员救助供养申请", "特困 五保 供养", "gulou-mz", 20, "不收费",
     "无劳动能力、无生活来源，且无法定赡养、抚养、扶养义务人或其义务人无履行能力的老年人、残疾人和未成年人。",
     f"{ID_CARD}\n{HUKOU}\n特困人员救助供养申请书，原件\n无劳动能力证明材料，复印件",
     "《社会救助暂行办法》第十四条至第十九条"),
    ("330203-MZ-003", "临时救助申请", "临时救助 急难", "gulou-mz", 10, "不收费",
     "因火灾、交通事故、突发重大疾病等原因导致基本生活暂时出现严重困难的家庭或个人。",
     f"{ID_CARD}\n临时救助申请书，原件\n困难情况证明（医疗费用票据、事故证明等），复印件",
     "《社会救助暂行办法》第四十七条至第五十条"),
    ("330203-MZ-004", "高龄津贴申领", "高龄 老人 80周岁", "gulou-mz", 10, "不收费",
     "本街道户籍、年满80周岁的老年人。",
     f"{ID_CARD}\n{HUKOU}\n本人银行卡或存折，复印件",
     "《浙江省老年人权益保障条例》第二十八条"),
    ("330203-MZ-005", "居家养老服务补贴申请", "养老 居家 补贴", "gulou-mz", 15, "不收费",
     "本街道户籍、经能力评估为失能或半失能的低保、低边及特困老年人。",
     f"{ID_CARD}\n老年人能力评估报告，复印件\n低保或低边证明，复印件，可后补",
     "《浙江省社会养老服务促进条例》第二十二条"),
    ("330203-SB-001", "城乡居民基本养老保险参保登记", "养老保险 参保", "gulou-sb", 5, "不收费",
     "年满16周岁（不含在校学生），未参加职工基本养老保险的本地户籍居民。",
     f"{ID_CARD}\n{HUKOU}\n城乡居民基本养老保险参保登记表，原件",
     "《中华人民共和国社会保险法》第二十二条；《国务院关于建立统一的城乡居民基本养老保险制度的意见》"),
    ("330203-SB-002", "城乡居民养老保险待遇申领", "养老金 领取", "gulou-sb", 10, "不收费",
     "参保人年满60周岁、累计缴费满15年，且未领取国家规定的基本养老保障待遇。",
     f"{ID_CARD}\n本人社会保障卡，复印件\n待遇申领表，原件",
     "《中华人民共和国社会保险法》第二十一条"),
    ("330203-SB-003", "就业困难人员认定", "就业 失业 困难", "gulou-sb", 10, "不收费",
     "法定劳动年龄内、有劳动能力和就业愿望、处于失业状态的大龄、残疾、低保家庭等人员。",
     f"{ID_CARD}\n就业创业证，原件\n困难身份证明，复印件",
     "《中华人民共和国就业促进法》第五十二条"),
    ("330203-SB-004", "灵活就业人员社保补贴申请", "灵活就业 补贴", "gulou-sb", 15, "不收费",
     "已认定为就业困难人员、以灵活就业方式就业并缴纳社会保险费的人员。",
     f"{ID_CARD}\n社会保险缴费凭证，复印件\n灵活就业情况说明，原件",
     "《就业补助资金管理办法》第六条"),
    ("330203-YB-001", "城乡居民医保参保登记", "医保 参保 医疗保险", "gulou-yb", 3, "不收费",
     "未参加职工基本医疗保险的本地户籍居民及持居住证的非本地户籍居民。",
     f"{ID_CARD}\n{HUKOU}",
     "《中华人民共和国社会保险法》第二十五条"),
    ("330203-YB-002", "医疗救助申请", "医疗救助 大病", "gulou-yb", 15, "不收费",
     "低保对象、特困人员、低边家庭成员等救助对象，在定点医疗机构发生的政策范围内自付医疗费用。",
     f"{ID_CARD}\n医疗费用发票，原件\n费用结算单，原件\n出院小结，复印件",
     "《社会救助暂行办法》第二十八条至第三十五条"),
    ("330203-YB-003", "门诊慢特病待遇认定", "慢性病 特殊病 门诊", "gulou-yb", 10, "不收费",
     "参加基本医疗保险、患有规定病种并经定点医疗机构确诊的参保人员。",
     f"{ID_CARD}\n门诊慢特病申请表，原件\n近一年病历及检查报告，复印件",
     "《浙江省基本医疗保险门诊慢特病管理办法》"),
    ("330203-YB-004", "异地就医备案", "异地 就医 备案", "gulou-yb", 3, "不收费",
     "参加本市基本医疗保险、需要跨省或市外长期居住或转诊就医的参保人员。",
     f"{ID_CARD}\n异地就医备案表，原件\n居住证明或转诊证明，复印件，可后补",
     "《关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》"),
    ("330203-CL-001", "残疾人证新办", "残疾证 残疾人证", "gulou-cl", 20, "不收费",
     "本街道户籍、符合残疾标准的视力、听力、言语、肢体、智力、精神残疾人。",
     f"{ID_CARD}\n{HUKOU}\n近期两寸免冠彩色照片，原件，3份\n残疾评定表，原件",
     "《中华人民共和国残疾人保障法》第二条；《中华人民共和国残疾人证管理办法》"),
    ("330203-CL-002", "困难残疾人生活补贴申请", "残疾 生活补贴", "gulou-cl", 15, "不收费",
     "持第二代残疾人证、属于低保或低边家庭的残疾人。",
     f"{ID_CARD}\n残疾人证，原件及复印件\n低保或低边证明，复印件",
     "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》"),
    ("330203-CL-003", "重度残疾人护理补贴申请", "残疾 护理补贴 重度", "gulou-cl", 15, "不收费",
     "持第二代残疾人证、残疾等级为一级或二级且需要长期照护的残疾人。",
     f"{ID_CARD}\n残疾人证，原件及复印件\n本人银行卡，复印件",
     "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》"),
    ("330203-CL-004", "残疾人辅助器具适配申请", "辅具 轮椅 助听器", "gulou-cl", 20, "不收费",
     "持残疾人证、经评估需要适配辅助器具的残疾人。",
     f"{ID_CARD}\n残疾人证，复印件\n辅助器具适配评估表，原件",
     "《中华人民共和国残疾人保障法》第四十八条"),
    ("330203-JS-001", "生育登记", "生育 登记 出生", "gulou-js", 1, "不收费",
     "夫妻双方或一方户籍在本街道的生育家庭。",
     "夫妻双方居民身份证，原件\n结婚证，原件\n户口簿，原件",
     "《浙江省人口与计划生育条例》第十八条"),
    ("330203-JS-002", "计划生育特别扶助金申请", "特扶 失独 扶助", "gulou-js", 20, "不收费",
     "独生子女死亡或伤残、女方年满49周岁的计划生育家庭夫妻。",
     f"{ID_CARD}\n{HUKOU}\n独生子女死亡证明或残疾人证，复印件\n特别扶助申请表，原件",
     "《中华人民共和国人口与计划生育法》第三十一条"),
    ("330203-JS-003", "独生子女父母奖励扶助申请", "奖励扶助 独生子女 农村", "gulou-js", 20, "不收费",
     "农村户籍、只有一个子女或两个女孩、年满60周岁的计划生育家庭夫妻。",
     f"{ID_CARD}\n{HUKOU}\n独生子女父母光荣证，原件及复印件",
     "《中华人民共和国人口与计划生育法》第二十七条"),
)
# (submission key, item code, applicant's name in the register, indexes of documents NOT brought, refusal)
DEMO_INTAKES: tuple[tuple[str, str, str, tuple[int, ...], tuple[str, str] | None], ...] = (
    ("demo-intake-1", "330203-MZ-005", "王建国", (), None),
    ("demo-intake-2", "330203-YB-001", "刘洋", (), None),
    ("demo-intake-3", "330203-MZ-001", "周敏", (2,), None),
    ("demo-intake-4", "330203-YB-004", "孙秀英", (2,), None),
    ("demo-intake-5", "330203-JS-002", "刘洋", (), ("申请人女方未满49周岁，不符合特别扶助条件。",
                                                  "《浙江省计划生育家庭特别扶助制度实施办法》第三条")),
    ("demo-intake-9", "330203-MZ-011", "王建国", (), None),
    ("demo-intake-10", "330203-CL-005", "孙秀英", (2,), None),
    ("demo-intake-11", "330203-SB-005", "周敏", (1,), None),
    ("demo-intake-12", "330203-JS-004", "刘洋", (1,), None),
    # 周敏 lives in 刘洋's flat as family, not its owner or tenant: received with the window's acknowledgement.
    ("demo-intake-13", "330203-CL-009", "周敏", (), None),
)
# Back-office routes of three items (stages in order; the departments of a stage act in parallel).
# The age rules of the items whose conditions name an age (min, max in whole years; None: no bound).
DEMO_AGES: dict[str, tuple[int | None, int | None]] = {
    "330203-MZ-004": (80, None),  # 高龄津贴: 年满80周岁
    "330203-MZ-009": (None, 17),  # 孤儿基本生活费: 未满18周岁
    "330203-MZ-011": (60, None),  # 老年人优待证
    "330203-MZ-013": (60, None),  # 老年人能力评估
    "330203-SB-001": (16, None),  # 城乡居民养老保险参保登记
    "330203-SB-002": (60, None),  # 城乡居民养老保险待遇申领
    "330203-JS-002": (49, None),  # 计划生育特别扶助: 女方年满49周岁
    "330203-JS-003": (60, None),  # 独生子女父母奖励扶助
    "330203-CL-010": (0, 17),  # 残疾儿童康复救助: 0至17周岁
}
# The conditions checked against the register (Item.checks) of a few items; "residence" names the org unit by code.
DEMO_CHECKS: dict[str, dict[str, Any]] = {
    "330203-MZ-001": {"residence": "gulou", "no_duplicate": True},  # 低保: 本街道户籍, one request at a time
    "330203-MZ-004": {"residence": "gulou", "no_duplicate": True},  # 高龄津贴: 本街道户籍、年满80周岁
    "330203-CL-002": {"no_duplicate": True},  # 困难残疾人生活补贴: the certificate stays 需核对材料
    "330203-CL-003": {"no_duplicate": True},  # 重度残疾人护理补贴: likewise
    "330203-CL-009": {"residence": "gulou", "relations": ["owner", "co_owner", "tenant"]},  # 无障碍改造: 住房产权或租赁
    "330203-JS-011": {"gender": "female", "residence": "gulou"},  # 孕产妇健康管理建档: 居住在本街道的孕妇
}
DEMO_ROUTES = {
    "330203-MZ-001": "鼓楼街道民政办、鼓楼街道社保所，10\n鼓楼街道民政办，5",
    "330203-CL-002": "鼓楼街道残联、鼓楼街道民政办，8\n鼓楼街道残联，5",
    "330203-YB-002": "鼓楼街道医保工作站、鼓楼街道民政办，10",
}
# The departments' officers (password sanshe-demo): username, name, department.
DEMO_OFFICERS = (
    ("minzheng", "陈立新（民政办）", "gulou-mz"),
    ("shebao", "黄海（社保所）", "gulou-sb"),
    ("canlian", "吴芳（残联）", "gulou-cl"),
    ("yibao", "郑伟（医保工作站）", "gulou-yb"),
)
# Requests in the back office: (key, item, applicant, received on, answers (officer, day, decision, opinion)).
DEMO_ROUTED: tuple[tuple[str, str, str, date, tuple[tuple[str, date, str, str], ...]], ...] = (
    ("demo-intake-6", "330203-MZ-001", "孙秀英", date(2026, 12, 1),
     (("shebao", date(2026, 12, 3), "agree", "无就业登记、无社保缴费记录，收入核对无误。"),)),
    ("demo-intake-7", "330203-CL-002", "王建国", date(2026, 11, 16),
     (("canlian", date(2026, 11, 18), "agree", "残疾人证有效，肢体二级。"),
      ("minzheng", date(2026, 11, 19), "agree", "属低保家庭。"),
      ("canlian", date(2026, 11, 24), "agree", "自12月起按月发放生活补贴。"))),
    ("demo-intake-8", "330203-YB-002", "刘洋", date(2026, 11, 9),
     (("yibao", date(2026, 11, 20), "agree", "医疗费用票据核验无误，政策范围内自付 8,640 元。"),)),
)
# fmt: on


async def _departments(session: AsyncSession, district: District) -> dict[str, int]:
    """The demo departments' codes → their org units, made when missing.

    A department the district already has under the same Chinese name (the core demo's
    鼓楼街道民政办 of the three-level response) is that department: it is not made twice.
    """
    existing = list((await session.execute(select(OrgUnit))).scalars())
    units = {u.code: u for u in existing}
    named = {u.name_zh: u for u in existing if u.kind == OrgUnitKind.DEPARTMENT}
    street = units.get("gulou")
    for code, name_zh, name_en in DEMO_DEPARTMENTS:
        if code in units:
            continue
        unit = named.get(name_zh)
        if unit is None:
            unit = OrgUnit(
                district_id=district.id,
                code=code,
                name_zh=name_zh,
                name_en=name_en,
                kind=OrgUnitKind.DEPARTMENT,
                parent_id=street.id if street else None,
            )
            session.add(unit)
        units[code] = unit
    await session.flush()
    return {code: units[code].id for code, _zh, _en in DEMO_DEPARTMENTS}


def demo_items() -> list[tuple[str, str, str, str, int, str, str, str, str]]:
    """The town's 89 items: the 20 written out above, then the compact catalogue of ``seed_catalogue``."""
    return [*DEMO_ITEMS, *compact_items()]


def _demo_checks(code: str, units: dict[str, int]) -> dict[str, Any]:
    """The item's checked conditions; the residence's unit code becomes its id (left out when the district lacks it)."""
    checks = dict(DEMO_CHECKS.get(code, {}))
    if "residence" in checks:
        unit = units.get(str(checks.pop("residence")))
        if unit is not None:
            checks["residence"] = unit
    return checks


async def seed_items(session: AsyncSession, district: District) -> int:
    """Add the demo items ``district`` lacks (matched by code), each published as version 1; return how many.

    ``sanshe demo`` runs again on an existing database, so this must be idempotent. The items
    go in as one bulk insert, their first versions as another (``sanshe demo`` stays fast).
    The session is bound to ``district``: the query sees only its items.
    """
    departments = await _departments(session, district)
    units = {u.code: u.id for u in (await session.execute(select(OrgUnit))).scalars()}
    keys = await department_keys(session)
    existing = set((await session.execute(select(Item.code))).scalars())
    rows: list[dict[str, Any]] = []
    for code, title, keywords, department, days, fee, conditions, documents, basis in demo_items():
        if code in existing:
            continue
        docs, problem = parse_documents(documents)
        assert problem is None, (code, problem)
        route, problem = parse_route(DEMO_ROUTES[code], keys) if code in DEMO_ROUTES else ([], None)
        assert problem is None, (code, problem)
        rows.append(
            {
                "district_id": district.id,
                "code": code,
                "title": title,
                "keywords": keywords,
                "department_id": departments[department],
                "conditions": conditions,
                "min_age": DEMO_AGES.get(code, (None, None))[0],
                "max_age": DEMO_AGES.get(code, (None, None))[1],
                "checks": _demo_checks(code, units),
                "documents": docs,
                "time_limit_days": days,
                "fee": fee,
                "legal_basis": basis,
                "case_type_key": CASE_TYPE,
                "route": route,
                "is_active": True,
                "version": 1,
            }
        )
    if not rows:
        return 0
    ids = dict((await session.execute(insert(Item).returning(Item.code, Item.id), rows)).tuples().all())
    await session.execute(insert(ItemVersion), [{**row, "item_id": ids[row["code"]]} for row in rows])
    return len(rows)


async def _window_ctx(session: AsyncSession, district: District) -> RequestContext | None:
    worker = (await session.execute(select(User).where(User.username == "worker"))).scalar_one_or_none()
    if worker is None:
        return None
    return await _ctx_as(session, district, worker)


async def _ctx_as(session: AsyncSession, district: District, user: User) -> RequestContext:
    from core.plugin_api import PluginHost  # noqa: PLC0415

    settings = Settings(database_url="", secret_key="unused", var_dir=Path("var"))  # noqa: S106
    host = PluginHost.load(frozenset({KEY}), entry_points=False)  # the core and this plugin only: fast
    ctx = await context_for(session, settings=settings, host=host, user=user, district=district, locale="zh_CN")
    ctx.extra[QUIET] = True  # no notices to the departments for the demo's past requests
    return ctx


async def seed_intakes(session: AsyncSession, district: District) -> int:
    """A morning at the window, as the demo community worker (李娜): accepted, waiting and refused requests."""
    done = set((await session.execute(select(Intake.submission_key))).scalars())
    todo = [row for row in DEMO_INTAKES if row[0] not in done]
    if not todo:
        return 0
    ctx = await _window_ctx(session, district)
    if ctx is None:
        return 0
    items = {i.code: i for i in (await session.execute(select(Item))).scalars()}
    added = 0
    for key, code, name, not_brought, refusal in todo:
        people = await residents.find_applicants(session, name)
        item = items.get(code)
        if not people or item is None:
            continue
        person = people[0]
        received = frozenset(i for i in range(len(item.documents)) if i not in not_brought)
        given = IntakeInput(
            applicant=person.name,
            phone=person.phone,
            address=person.address,
            person_id=person.person_id,
            received=received,
            submission_key=key,
            acknowledge=True,  # the demo window received them whatever the check said (the timeline records it)
        )
        await start_intake(ctx, item, given, refusal=refusal)
        added += 1
    return added


async def seed_officers(session: AsyncSession, district: District) -> dict[str, User]:
    """The departments' officers: a membership of role ``one_window_department`` limited to their department."""
    from core.plugin_api import Membership, bump_policy_version, demo_password_hash  # noqa: PLC0415

    units = await _departments(session, district)
    found: dict[str, User] = {}
    for username, display, unit in DEMO_OFFICERS:
        user = (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()
        if user is None:
            user = User(username=username, display_name=display, password_hash=demo_password_hash())
            session.add(user)
            await session.flush()
            session.add(
                Membership(user_id=user.id, district_id=district.id, role_key=DEPARTMENT_ROLE, org_unit_id=units[unit])
            )
        found[username] = user
    await session.flush()
    await bump_policy_version(session, district)
    return found


async def seed_routed(session: AsyncSession, district: District) -> int:
    """Requests in every back-office state: one stage half answered, one finished, one overdue at a department."""
    done = set((await session.execute(select(Intake.submission_key))).scalars())
    todo = [row for row in DEMO_ROUTED if row[0] not in done]
    window = await _window_ctx(session, district) if todo else None
    if window is None:
        return 0
    officers = await seed_officers(session, district)
    items = {i.code: i for i in (await session.execute(select(Item))).scalars()}
    contexts: dict[str, RequestContext] = {}
    added = 0
    for key, code, name, received_on, answers in todo:
        people = await residents.find_applicants(session, name)
        item = items.get(code)
        if not people or item is None:
            continue
        person = people[0]
        given = IntakeInput(
            applicant=person.name,
            phone=person.phone,
            address=person.address,
            person_id=person.person_id,
            received=frozenset(range(len(item.documents))),
            submission_key=key,
        )
        intake = await start_intake(window, item, given, today=received_on)
        for officer, day, decision, opinion in answers:
            if officer not in contexts:
                contexts[officer] = await _ctx_as(session, district, officers[officer])
            ctx = contexts[officer]
            mine = department_ids(ctx)
            open_steps = [
                s for s in await steps_of(session, intake.id) if s.status == "open" and s.department_id in mine
            ]
            await answer_step(ctx, open_steps[0].id, decision, opinion, today=day)
        added += 1
    return added


async def seed_one_window(session: AsyncSession, district: District) -> None:
    """The catalogue and its routes, then the intakes (which need it), then requests in the back office."""
    await seed_items(session, district)
    await seed_intakes(session, district)
    await seed_routed(session, district)
