"""What the one_window plugin declares about itself."""

from __future__ import annotations

from core.plugin_api import Manifest, Permission

__all__ = ("KEY", "MANIFEST")

KEY = "one_window"

MANIFEST = Manifest(
    key=KEY,
    name_zh="一窗受理",
    name_en="One window",
    version="0.1.0",
    description_zh="服务事项清单、窗口受理与一次性告知 / Service catalogue, window intake and the one-time notice",
    description_en="One window: a Sanshe plugin.",
    permissions=(
        Permission(KEY, "view", "查看一窗受理", "View One window"),
        Permission(KEY, "manage", "管理一窗受理", "Manage One window"),
    ),
    # Per-district settings (JSON Schema): the modules page renders a form from it and
    # validates what a district admin saves; service.intro() reads the value.
    settings_schema={
        "type": "object",
        "properties": {
            "intro": {
                "type": "string",
                "maxLength": 200,
                "default": "",
                "title": "页面说明 / Text shown at the top of the page",
            },
        },
        "additionalProperties": False,
    },
)
