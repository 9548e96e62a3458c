"""Admin pages: district admins (org units, users, roles, modules) and platform admins (districts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.web.admin.case_types import CASE_TYPE_ROUTES
from core.web.admin.districts import DISTRICT_ADMIN_ROUTES
from core.web.admin.jobs import JOB_ROUTES
from core.web.admin.modules import MODULE_ROUTES
from core.web.admin.org_units import ORG_UNIT_ROUTES
from core.web.admin.queues import QUEUE_ADMIN_ROUTES
from core.web.admin.roles import ROLE_ROUTES
from core.web.admin.users import USER_ROUTES
from core.web.admin.workdays import CALENDAR_ROUTES

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

__all__ = ("ADMIN_DISTRICT_ROUTES", "ADMIN_PLATFORM_ROUTES")

ADMIN_DISTRICT_ROUTES: list[ControllerRouterHandler] = [
    *ORG_UNIT_ROUTES,
    *USER_ROUTES,
    *ROLE_ROUTES,
    *MODULE_ROUTES,
    *CASE_TYPE_ROUTES,
    *QUEUE_ADMIN_ROUTES,
    *CALENDAR_ROUTES,
    *JOB_ROUTES,
]
ADMIN_PLATFORM_ROUTES: list[ControllerRouterHandler] = [*DISTRICT_ADMIN_ROUTES]
