"""The world of tests/cases (海曙区 with staff) and a meal-delivery definition to build on."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from core.app import create_app
from core.plugins import PluginHost
from tests.cases.conftest import as_user, host, world

__all__ = ("app", "as_user", "host", "meal_delivery", "world")


@pytest.fixture
def app(settings: Any) -> Any:
    """The app with the core only (the builder needs no plugin)."""
    return create_app(settings, plugin_host=PluginHost.load(frozenset(), entry_points=False))


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
