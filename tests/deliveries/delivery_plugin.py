"""A test-only plugin that notes every ``service_delivered`` call it receives."""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl
from core.plugins import Manifest

SEEN: list[tuple[str, int, str]] = []


@hookimpl
def plugin_manifest() -> Manifest:
    return Manifest(key="delivery_test", name_zh="服务记录测试", name_en="Delivery test", version="1.0")


@hookimpl
async def service_delivered(ctx: Any, delivery: Any) -> None:
    SEEN.append((ctx.district.code, delivery.organization_id, delivery.reference))
