"""Every hook the consultation council plugin implements. The core loads this module and nothing else.

Hooks are plain functions or ``async def``; see docs/plugins/hooks.md for each one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.hookspecs import hookimpl
from core.plugins import Manifest, PolicyDefault
from plugins.consultation_council import workflow
from plugins.consultation_council.manifest import CASE_TYPE, KEY, MANIFEST
from plugins.consultation_council.topics import on_created

if TYPE_CHECKING:
    from core.casetypes.definition import CaseTypeDef
    from core.models.cases import Case
    from core.web.context import RequestContext
    from core.workflows.definition import Transition

EVERYONE = (
    "district_admin",
    "community_worker",
    "social_worker",
    "org_staff",
    "volunteer",
    "resident",
    "expert",
    "council_member",
    "parking_committee",
    "council_secretary",
)
PARTICIPANTS = (
    "resident",
    "volunteer",
    "council_member",
    "parking_committee",
    "council_secretary",
    "org_staff",
    "community_worker",
    "social_worker",
    "district_admin",
)
MANAGERS = ("district_admin", "community_worker", "council_secretary")
VOTERS = ("council_member", "council_secretary")


@hookimpl
def plugin_manifest() -> Manifest:
    return MANIFEST


@hookimpl
def case_types() -> list[Path]:
    return [Path(__file__).parent / "case_types" / f"{CASE_TYPE}.yaml"]


@hookimpl
def default_policies() -> list[PolicyDefault]:
    return [
        *(PolicyDefault(role, KEY, "view") for role in EVERYONE),
        *(PolicyDefault(role, KEY, "participate") for role in PARTICIPANTS),
        *(PolicyDefault(role, KEY, "vote") for role in VOTERS),
        *(PolicyDefault(role, KEY, "manage") for role in MANAGERS),
    ]


@hookimpl
async def on_case_created(ctx: RequestContext, case: Case, case_type: CaseTypeDef) -> None:
    if case.case_type_key == CASE_TYPE:
        await on_created(ctx, case)


@hookimpl
async def before_transition(
    ctx: RequestContext, case: Case, case_type: CaseTypeDef, transition: Transition, data: dict[str, Any]
) -> str | None:
    if case.case_type_key != CASE_TYPE:
        return None
    return await workflow.refusal(ctx, case, transition)


@hookimpl
async def after_transition(ctx: RequestContext, case: Case, case_type: CaseTypeDef, transition: Transition) -> None:
    if case.case_type_key == CASE_TYPE:
        await workflow.after_step(ctx, case, transition)
