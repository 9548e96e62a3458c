"""A test plugin that depends on alpha, has per-district settings and one page."""

from __future__ import annotations

from typing import Any

from litestar import get

from core.hookspecs import hookimpl
from core.plugins import Manifest, Permission, PolicyDefault, RoleDef

SCHEMA = {
    "type": "object",
    "properties": {
        "hours_per_month": {
            "type": "integer",
            "minimum": 1,
            "default": 10,
            "title_zh": "每月时数",
            "title_en": "Hours",
        },
        "mode": {"type": "string", "enum": ["open", "review"], "default": "open", "title_zh": "模式"},
        "notify": {"type": "boolean", "default": True, "title_zh": "发送提醒"},
        "rate": {"type": "number", "minimum": 0, "title_zh": "费率"},
        "greeting": {"type": "string", "maxLength": 10, "title_zh": "问候语"},
        "intro": {"type": "string", "maxLength": 50, "title": "页面说明 / Text at the top of the page"},
    },
    "required": ["hours_per_month"],
}


@hookimpl
def plugin_manifest() -> Manifest:
    return Manifest(
        key="beta",
        name_zh="乙模块",
        name_en="Beta",
        version="2.1.0",
        description_zh="依赖甲模块的测试模块",
        depends_on=("alpha",),
        permissions=(Permission("beta_things", "manage", "管理乙事项", "Manage beta things"),),
        roles=(RoleDef("beta_keeper", "乙管理员", "Beta keeper"),),
        settings_schema=SCHEMA,
    )


@hookimpl
def default_policies() -> list[PolicyDefault]:
    return [PolicyDefault("beta_keeper", "beta_things", "manage")]


@get("/beta", include_in_schema=False)
async def beta_page() -> str:
    return "beta page"


@hookimpl
def register_routes() -> list[Any]:
    return [beta_page]
