"""The world of tests/cases (海曙区 with staff) and a meal-delivery definition to build on."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from core.builder import service as builder
from core.cases import service as cases
from core.plugins import PluginHost
from core.testing.apps import lease
from tests.cases.conftest import world

__all__ = ("app", "meal_delivery", "two_versions", "world")


@pytest.fixture
def app(settings: Any) -> Any:
    """The app with the core only (the builder needs no plugin)."""
    return lease(settings, PluginHost.load(frozenset(), entry_points=False))


MEAL = {
    "key": "meal_delivery",
    "name": {"zh": "独居老人送餐申请", "en": "Meal delivery for elderly people living alone"},
    "form": {
        "fields": [
            {"key": "elder_name", "type": "text", "label": {"zh": "老人姓名"}, "required": True},
            {"key": "phone", "type": "phone", "label": {"zh": "联系电话"}, "required": True},
            {"key": "address", "type": "address", "label": {"zh": "住址"}, "required": True},
            {
                "key": "diet",
                "type": "choice",
                "label": {"zh": "饮食要求"},
                "choices": [
                    {"value": "normal", "label": {"zh": "普通"}},
                    {"value": "special", "label": {"zh": "特殊"}},
                ],
            },
            {
                "key": "diet_note",
                "type": "long_text",
                "label": {"zh": "特殊饮食说明"},
                "show_if": 'diet == "special"',
                "required_if": 'diet == "special"',
            },
        ]
    },
    "workflow": {
        "initial": "applied",
        "states": [
            {"key": "applied", "label": {"zh": "已申请"}, "kind": "open", "sla": {"working_days": 2}},
            {"key": "assessed", "label": {"zh": "已评估"}, "kind": "open"},
            {"key": "delivering", "label": {"zh": "送餐中"}, "kind": "open"},
            {"key": "closed", "label": {"zh": "已结束"}, "kind": "closed"},
        ],
        "transitions": [
            {
                "key": "assess",
                "from": ["applied"],
                "to": "assessed",
                "label": {"zh": "评估"},
                "roles": ["community_worker"],
            },
            {
                "key": "start",
                "from": ["assessed"],
                "to": "delivering",
                "label": {"zh": "开始送餐"},
                "roles": ["community_worker"],
            },
            {
                "key": "stop",
                "from": ["applied", "assessed", "delivering"],
                "to": "closed",
                "label": {"zh": "结束"},
                "roles": ["community_worker"],
            },
        ],
    },
    "permissions": {
        "view": ["community_worker", "district_admin"],
        "create": ["community_worker", "district_admin"],
        "edit": ["community_worker"],
        "comment": ["community_worker"],
    },
}


@pytest.fixture
def meal_delivery() -> dict[str, Any]:
    """A fresh copy of the 独居老人送餐申请 definition (five fields, one conditional, four states)."""
    return copy.deepcopy(MEAL)


DATA = {"elder_name": "王奶奶", "phone": "13800138000", "address": "平桥社区 5 幢", "diet": "normal", "diet_note": ""}


@pytest.fixture
def two_versions(world, as_user, meal_delivery):
    """v1 with three open cases (two applied, one assessed), then v2 renaming applied → received, without diet_note."""

    async def v1(ctx):
        await builder.new_draft(ctx.session, ctx.district, meal_delivery, user_id=None)
        return (await builder.publish(ctx.session, ctx.district, "meal_delivery", user_id=None)).id

    as_user("dadmin", v1)

    async def file(ctx):
        refs = []
        for i in range(3):
            data = {**DATA, "diet": "special", "diet_note": "少盐"} if i == 0 else dict(DATA)
            case = await cases.create_case(ctx, "meal_delivery", title=f"送餐 {i}", data=data, channel="web")
            refs.append(case.reference)
        case, definition = await cases.get_case(ctx, refs[2])
        await cases.perform_transition(ctx, case, definition, "assess")
        return refs

    refs = as_user("worker", file)
    v2 = copy.deepcopy(meal_delivery)
    v2["form"]["fields"] = v2["form"]["fields"][:4]
    wf = v2["workflow"]
    wf["initial"] = "received"
    wf["states"][0]["key"] = "received"
    for t in wf["transitions"]:
        t["from"] = ["received" if s == "applied" else s for s in t["from"]]

    async def publish_v2(ctx):
        await builder.new_draft(ctx.session, ctx.district, v2, user_id=None)
        return (await builder.publish(ctx.session, ctx.district, "meal_delivery", user_id=None)).id

    return refs, as_user("dadmin", publish_v2)
