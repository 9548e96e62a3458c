"""A test-only plugin adding a panel to the case page of resident requests."""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl
from core.plugins import Manifest
from core.plugins.manifest import Panel


@hookimpl
def plugin_manifest() -> Manifest:
    return Manifest(key="panel_test", name_zh="面板测试", name_en="Panel test", version="1.0")


@hookimpl
async def case_panels(ctx: Any, case: Any, case_type: Any) -> list[Panel]:
    if case_type.key != "resident_request":
        return []
    return [
        Panel("服务时长", "panel_test/panel.html", {"minutes": 90, "note": "<b>plugin</b>"}, order=10),
        Panel("先显示", "panel_test/panel.html", {"minutes": 5, "note": "first"}, order=1),
    ]
