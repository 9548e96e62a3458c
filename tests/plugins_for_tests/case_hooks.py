"""A test-only plugin implementing every case hook, each with an effect a test can see."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.cases.errors import TransitionRefused
from core.cases.timeline import append_event
from core.hookspecs import hookimpl
from core.models.cases import Case
from core.plugins import Manifest


@hookimpl
def plugin_manifest() -> Manifest:
    return Manifest(key="hook_cases", name_zh="案件钩子测试", name_en="Case hooks test", version="1.0")


@hookimpl
def case_types() -> list[Path]:
    return [Path(__file__).with_name("hook_cases.yaml")]


@hookimpl
async def on_case_created(ctx: Any, case: Case, case_type: Any) -> None:
    if case.case_type_key != "hook_demo":
        return
    if case.title == "explode":
        msg = "on_case_created failed"
        raise RuntimeError(msg)
    if case.data.get("urgent"):
        case.priority = 3


@hookimpl
def before_transition(ctx: Any, case: Case, case_type: Any, transition: Any, data: dict[str, Any]) -> str | None:
    if transition.key == "finish" and not data.get("checked"):
        return "请先完成检查再办结。"
    return None


@hookimpl
async def after_transition(ctx: Any, case: Case, case_type: Any, transition: Any) -> None:
    if transition.key != "finish":
        return
    if case.title == "fail-after":
        msg = "archive service unavailable"
        raise RuntimeError(msg)
    if case.title == "refuse-after":  # a refusal after the state was written (like the time bank's ledger)
        raise TransitionRefused("档案系统拒收：编号重复。")
    await append_event(ctx.session, case, "comment", None, {"text": "已归档（插件）", "mentions": []})


@hookimpl
def case_record_rules(ctx: Any, case_type: Any) -> list[Any]:
    if "district_admin" in ctx.roles:
        return []
    return [Case.title.notlike("机密%")]
