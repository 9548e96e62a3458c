"""A test-only plugin implementing ``organization_standing``: organizations named “…（已除名）” are removed."""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl
from core.organizations import Standing
from core.plugins import Manifest


@hookimpl
def plugin_manifest() -> Manifest:
    return Manifest(key="grants_standing_test", name_zh="资格测试", name_en="Standing test", version="1.0")


@hookimpl
def organization_standing(ctx: Any, organization: Any) -> list[Standing]:
    if "已除名" not in organization.name:
        return []
    return [Standing("removed", "星级评价末位淘汰", "Removed by the star rating", "grants_standing_test")]
