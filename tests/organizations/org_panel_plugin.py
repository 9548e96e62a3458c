"""A test-only plugin: profile panels and a standing (``organization_panels``, ``organization_standing``)."""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl
from core.organizations import Standing
from core.plugins import Manifest
from core.plugins.manifest import Panel


@hookimpl
def plugin_manifest() -> Manifest:
    return Manifest(key="org_panel_test", name_zh="组织面板测试", name_en="Organization panel test", version="1.0")


@hookimpl
async def organization_panels(ctx: Any, organization: Any) -> list[Panel]:
    if not organization.is_hub and "disability" not in organization.field_keys:
        return []
    return [
        Panel("时间银行时长", "org_panel_test/panel.html", {"hours": 120, "note": "<b>plugin</b>"}, order=20),
        Panel("星级评价", "org_panel_test/panel.html", {"hours": 5, "note": "first"}, order=1),
    ]


@hookimpl
def organization_standing(ctx: Any, organization: Any) -> list[Standing]:
    if "disability" not in organization.field_keys:
        return []
    return [Standing("probation", "连续两期评价末位", "Bottom decile two periods running", "org_panel_test")]
