"""What the time bank plugin declares about itself."""

from __future__ import annotations

from core.plugin_api import Manifest, Permission

__all__ = ("CASE_TYPE", "KEY", "MANIFEST")

KEY = "time_bank"
CASE_TYPE = "time_bank_service"

MANIFEST = Manifest(
    key=KEY,
    name_zh="时间银行",
    name_en="Time bank",
    version="0.1.0",
    description_zh="志愿者存入经核实的服务时长，需要时兑换服务；由社会组织运营，规则按银行设定。",
    description_en="Volunteers deposit verified service hours and spend them when they need help; "
    "each bank is run by a social organization with its own rules.",
    permissions=(
        Permission(KEY, "use", "使用时间银行（加入、发布需求、查看本人账户）", "Use the time bank"),
        Permission(KEY, "staff", "时间银行工作人员（仅限本人所在银行）", "Work as time-bank staff (own banks only)"),
        Permission(KEY, "admin", "管理全区时间银行与规则", "Manage the district's time banks and rules"),
    ),
    settings_schema={
        "type": "object",
        "properties": {
            "show_on_dashboard": {
                "type": "boolean",
                "default": True,
                "title": "在工作台显示时间银行余额 / Show the time-bank balance on the dashboard",
            },
        },
        "additionalProperties": False,
    },
)
