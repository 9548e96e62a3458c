"""Which core web handlers exist: the shell (not in a district) and the district pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.casework.web import CASEWORK_ROUTES
from core.notifications.web import NOTIFICATION_ROUTES
from core.organizations.pages import ORGANIZATION_ROUTES
from core.residents.web import RESIDENT_ROUTES
from core.web.admin import ADMIN_DISTRICT_ROUTES, ADMIN_PLATFORM_ROUTES
from core.web.case_routes import CASE_ROUTES
from core.web.case_tasks import CASE_TASK_ROUTES
from core.web.dashboard import dashboard
from core.web.my_requests import MY_REQUESTS_ROUTES
from core.web.profile import PROFILE_ROUTES
from core.web.queues import QUEUE_ROUTES
from core.web.registration import REGISTRATION_DISTRICT_ROUTES, REGISTRATION_SHELL_ROUTES
from core.web.shell import healthz, home, set_language, switch_district

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

__all__ = ("DISTRICT_ROUTES", "SHELL_ROUTES")

SHELL_ROUTES: list[ControllerRouterHandler] = [
    home,
    healthz,
    set_language,
    switch_district,
    *ADMIN_PLATFORM_ROUTES,
    *PROFILE_ROUTES,
    *REGISTRATION_SHELL_ROUTES,
]
DISTRICT_ROUTES: list[ControllerRouterHandler] = [
    dashboard,
    *ADMIN_DISTRICT_ROUTES,
    *QUEUE_ROUTES,
    *MY_REQUESTS_ROUTES,
    *CASE_ROUTES,
    *CASE_TASK_ROUTES,
    *NOTIFICATION_ROUTES,
    *RESIDENT_ROUTES,
    *ORGANIZATION_ROUTES,
    *REGISTRATION_DISTRICT_ROUTES,
    *CASEWORK_ROUTES,
]
