"""A test-only plugin adding a sidebar queue and an export column, each visible to a test."""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl
from core.plugins import Manifest
from core.plugins.manifest import ExportColumn, QueueLink


@hookimpl
def plugin_manifest() -> Manifest:
    return Manifest(key="queue_hooks", name_zh="队列钩子测试", name_en="Queue hooks test", version="1.0")


@hookimpl
def queue_definitions(ctx: Any) -> list[QueueLink]:
    return [QueueLink("urgent_requests", "紧急诉求", {"type": ["resident_request"], "q": "紧急"}, order=5)]


@hookimpl
async def case_export_columns(ctx: Any, case_type: Any) -> list[ExportColumn]:
    if case_type.key != "resident_request":
        return []
    return [ExportColumn("title_length", "标题字数", lambda case: len(case.title))]
