"""What the notices plugin declares about itself."""

from __future__ import annotations

from core.plugin_api import Manifest, Permission

__all__ = ("KEY", "MANIFEST")

KEY = "notices"

MANIFEST = Manifest(
    key=KEY,
    name_zh="社区公告",
    name_en="Community notices",
    version="0.1.0",
    description_zh="发布面向全区或某个社区的公告，可置顶，可定时发布。",
    description_en="Notices for the whole district or one community; pin the important ones, schedule the rest.",
    permissions=(
        Permission("notices", "view", "查看社区公告", "View community notices"),
        Permission("notices", "manage", "发布与管理社区公告", "Publish and manage community notices"),
    ),
    settings_schema={
        "type": "object",
        "properties": {
            "max_pinned": {
                "type": "integer",
                "minimum": 0,
                "maximum": 20,
                "default": 3,
                "title": "最多置顶条数 / Most pinned notices",
            },
            "show_on_dashboard": {
                "type": "boolean",
                "default": True,
                "title": "在工作台显示最新公告 / Show the latest notices on the dashboard",
            },
        },
        "additionalProperties": False,
    },
)
