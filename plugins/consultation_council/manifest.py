"""What the consultation council plugin declares about itself."""

from __future__ import annotations

from core.plugin_api import Manifest, Permission, RoleDef

__all__ = ("CASE_TYPE", "KEY", "MANIFEST")

KEY = "consultation_council"
CASE_TYPE = "council_topic"

MANIFEST = Manifest(
    key=KEY,
    name_zh="议事协商",
    name_en="Consultation council",
    version="0.1.0",
    description_zh="社区议事会：居民提出议题、附议，议事会开会协商表决，决议公示、落实、评议。",
    description_en="Community councils: residents raise and support topics; the council meets, deliberates and "
    "votes; resolutions are published, carried out and reviewed.",
    permissions=(
        Permission(KEY, "view", "查看议事协商（议题、会议、决议、落实进度）", "View topics, meetings and resolutions"),
        Permission(KEY, "participate", "附议议题、报名会议、对公示决议提出异议", "Support topics, register, object"),
        Permission(KEY, "vote", "作为议事会成员投票", "Vote as a council member"),
        Permission(KEY, "manage", "管理议事会、会议、表决、纪要、决议与落实", "Run councils and meetings"),
    ),
    roles=(RoleDef("council_secretary", "议事会秘书", "Council secretary"),),
    settings_schema={
        "type": "object",
        "properties": {
            "show_on_dashboard": {
                "type": "boolean",
                "default": True,
                "title": "在工作台显示议事协商 / Show the council on the dashboard",
            },
            "default_support_threshold": {
                "type": "integer",
                "minimum": 1,
                "maximum": 1000,
                "default": 10,
                "title": "新议事会的附议门槛 / Supports needed to reach the agenda (new councils)",
            },
            "default_objection_days": {
                "type": "integer",
                "minimum": 1,
                "maximum": 60,
                "default": 7,
                "title": "决议公示天数 / Days a resolution is published for objections (new councils)",
            },
            "sign_in_opens_minutes": {
                "type": "integer",
                "minimum": 0,
                "maximum": 1440,
                "default": 60,
                "title": "会前多少分钟开放签到 / Minutes before a meeting that sign-in opens",
            },
        },
        "additionalProperties": False,
    },
)
