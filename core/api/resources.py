"""The core's API resources."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar import get

from core.api.admin import ADMIN_DISTRICT_API, ADMIN_GLOBAL_API
from core.api.builder import BUILDER_API
from core.api.case_activity import ACTIVITY_API
from core.api.case_tasks import TASK_API
from core.api.case_type_migrate import MIGRATION_API
from core.api.case_types import CASE_TYPE_API
from core.api.cases import CASE_API
from core.api.queues import QUEUE_API
from core.api.registrations import REGISTRATION_API
from core.api.roles import ROLE_API
from core.api.workdays import WORKDAYS_API
from core.casework.api import CASEWORK_API
from core.context import RequestContext
from core.notifications.api import NOTIFICATION_API
from core.organizations.api import ORGANIZATION_API
from core.residents.api import RESIDENT_API

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

__all__ = ("DISTRICT_API", "GLOBAL_API")


@get("/me", summary="The current user and their districts")
async def me(ctx: RequestContext) -> dict[str, object]:
    assert ctx.user is not None
    return {
        "id": ctx.user.id,
        "username": ctx.user.username,
        "display_name": ctx.user.display_name,
        "is_platform_admin": ctx.user.is_platform_admin,
        "districts": [{"code": d.code, "name_zh": d.name_zh, "name_en": d.name_en} for d in ctx.districts],
    }


GLOBAL_API: list[ControllerRouterHandler] = [me, *ADMIN_GLOBAL_API]
DISTRICT_API: list[ControllerRouterHandler] = [
    *ADMIN_DISTRICT_API,
    *WORKDAYS_API,
    CASE_TYPE_API,
    CASE_API,
    ACTIVITY_API,
    TASK_API,
    BUILDER_API,
    MIGRATION_API,
    ROLE_API,
    QUEUE_API,
    NOTIFICATION_API,
    *RESIDENT_API,
    *ORGANIZATION_API,
    *REGISTRATION_API,
    *CASEWORK_API,
]
