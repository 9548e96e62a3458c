"""What the venture philanthropy plugin (公益创投) declares about itself."""

from __future__ import annotations

from core.plugin_api import Manifest, Permission

__all__ = ("KEY", "MANIFEST")

KEY = "grants"

MANIFEST = Manifest(
    key=KEY,
    name_zh="公益创投",
    name_en="Venture philanthropy",
    version="0.1.0",
    description_zh="年度公益创投：发布项目征集、社会组织申报、形式审查、专家评审打分、择优立项。",
    description_en="Yearly venture philanthropy: calls, applications, screening, expert review, awards.",
    permissions=(
        Permission("grants", "view", "查看公益创投", "View venture philanthropy"),
        Permission("grants", "apply", "代表社会组织申报项目", "Apply for a grant on behalf of an organization"),
        Permission("grants", "review", "评审公益创投项目", "Review grant applications"),
        Permission("grants", "manage", "管理公益创投大赛", "Manage venture philanthropy calls"),
    ),
    settings_schema={"type": "object", "properties": {}, "additionalProperties": False},
)
