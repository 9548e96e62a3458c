"""The demo's 居民诉求 at every level of the three-level response (see docs/three-level-response.md).

Each request is filed and moved by the demo user whose step it is, through the case service
(so timelines, SLA clocks and permissions are real): one waiting for triage, one returned
to the volunteer for more information, one triaged, one with each department (民政 and
城管, so ``dept-civil`` sees only the first), one escalated straight to the town office
meeting and one the meeting decided on. Idempotent: nothing is added once they exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.cases import service
from core.models import User
from core.models.cases import Case

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.context import RequestContext
    from core.models import District
    from core.plugins import PluginHost

__all__ = ("seed_requests",)

TYPE = "resident_request"
TRIAGE_DEPT = ("social", "triage", {"difficulty": "departmental"})

# (title, reporter, category, address, description, [(who, step, data or reason)])
REQUESTS: tuple[tuple[str, str, str, str, str, list[tuple[str, str, Any]]], ...] = (
    ("楼道堆放杂物", "volunteer", "safety", "偃月小区 5 幢 2 单元", "巡查发现楼道堆放纸箱和旧家具，堵塞消防通道。", []),
    (
        "路灯不亮需核实位置",
        "volunteer",
        "facilities",
        "平桥社区",
        "巡查发现有路灯不亮。",
        [("social", "return_for_info", "请补充具体路段和灯杆编号")],
    ),
    (
        "小区路灯不亮",
        "volunteer",
        "facilities",
        "偃月小区 3 幢旁",
        "3 幢旁两盏路灯连续一周不亮，老人夜间出行不便。",
        [("social", "triage", {"difficulty": "simple"})],
    ),
    (
        "独居老人申请低保咨询",
        "worker",
        "services",
        "偃月小区 3 幢 1 单元 502",
        "王建国老人独居，收入较低，咨询低保申请条件。",
        [
            ("social", "triage", {"difficulty": "departmental", "department": "civil_affairs"}),
            ("social", "to_department", None),
        ],
    ),
    (
        "菜场门口占道经营",
        "volunteer",
        "traffic",
        "平桥菜场东门",
        "早市摊贩占用人行道，行人需绕行机动车道。",
        [
            ("social", "triage", {"difficulty": "departmental", "department": "city_management"}),
            ("social", "to_department", None),
        ],
    ),
    (
        "老旧小区加装电梯意见不一",
        "worker",
        "neighbours",
        "偃月小区 5 幢",
        "5 幢加装电梯，低层住户反对，协商多次未果，涉及规划和资金。",
        [
            ("social", "triage", {"difficulty": "hard", "department": "housing"}),
            ("social", "escalate", "涉及规划、资金和多户协商，需镇长办公会议协调"),
        ],
    ),
    (
        "困难家庭房屋漏水",
        "volunteer",
        "services",
        "偃月小区 5 幢 2 单元 302",
        "黄美华老人家屋顶漏水，家庭困难无力维修。",
        [
            ("social", "triage", {"difficulty": "simple"}),
            ("social", "to_community", None),
            (
                "worker",
                "refer_to_department",
                ("社区无维修资金，需民政救助", {"difficulty": "departmental", "department": "civil_affairs"}),
            ),
            ("dept-civil", "escalate", "需住建与民政共同出资，提交镇长办公会议"),
            (
                "town-office",
                "record_decision",
                {
                    "meeting_date": "2026-12-02",
                    "meeting_decision": "民政办牵头、住建配合，两周内完成维修。",
                    "meeting_actor": "civil_affairs",
                },
            ),
        ],
    ),
)


async def seed_requests(session: AsyncSession, district: District, host: PluginHost, ctx_for: Any) -> list[str]:
    """File and move the demo requests (``ctx_for(username)`` → a request context); their references."""
    titles = [r[0] for r in REQUESTS]
    if (await session.execute(select(Case.id).where(Case.case_type_key == TYPE, Case.title.in_(titles)))).first():
        return []
    contexts: dict[str, RequestContext] = {}

    async def as_user(name: str) -> RequestContext:
        if name not in contexts:
            user = (await session.execute(select(User).where(User.username == name))).scalar_one()
            contexts[name] = await ctx_for(user)
        return contexts[name]

    made = []
    for title, reporter, category, address, description, steps in REQUESTS:
        data = {
            "requester": "张伟" if reporter == "volunteer" else "李娜",
            "phone": "13858012345",
            "address": address,
            "category": category,
            "description": description,
        }
        ctx = await as_user(reporter)
        case = await service.create_case(ctx, TYPE, title=title, data=data, channel="door_to_door")
        for who, step, payload in steps:
            ctx = await as_user(who)
            case, definition = await service.get_case(ctx, case.reference)
            reason, fields = "", None
            if isinstance(payload, str):
                reason = payload
            elif isinstance(payload, tuple):
                reason, fields = payload
            else:
                fields = payload
            await service.perform_transition(ctx, case, definition, step, reason=reason, data=fields)
        made.append(case.reference)
    return made
