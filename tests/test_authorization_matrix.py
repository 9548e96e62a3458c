"""Every core route × every default role (plus anonymous and platform admin) → allowed or denied,
and no read or write across districts.

The routes are enumerated from the app: a new core route without an entry in ``ACCESS``
fails :func:`test_every_core_route_has_an_expected_access`.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from core.auth.tokens import create_token
from core.models import Membership, Notification, OrgUnitKind
from core.plugins import PluginHost
from core.rbac.roles import DEFAULT_ROLES
from core.services.roles import create_role
from core.testing import csrf_of, login
from core.testing.apps import lease
from core.testing.factories import make_district, make_org_unit, make_user
from tests.fakeplugins import alpha, beta

ANON, PLATFORM = "anonymous", "platform_admin"
ROLES = [r.key for r in DEFAULT_ROLES]
PRINCIPALS = [ANON, *ROLES, PLATFORM]

EVERYONE = frozenset(ROLES)
STAFF = frozenset({"district_admin", "community_worker", "social_worker", "org_staff"})
USER_VIEWERS = frozenset({"district_admin", "community_worker", "social_worker"})
ADMINS = frozenset({"district_admin"})
# The unfiltered queue's export: only who may export every type they see (a social worker may
# export resident requests but not casework, so only a type-filtered export: tests/queues).
# The department and the town office see (and may export) only resident requests: theirs.
# A casework supervisor sees (and may export) only casework.
CASE_EXPORTERS = frozenset({"district_admin", "department_staff", "town_office", "casework_supervisor"})
# The read log of protected cases and casework per service line (docs/casework.md).
CASEWORK_OVERSIGHT = frozenset({"district_admin", "casework_supervisor"})
PUBLIC, LOGIN, PLATFORM_ONLY = "public", "login", "platform"
# Routes of one case or case type: who may see it is decided per record (404 when not visible,
# 403 when visible but not permitted), tested with real cases in tests/api_cases. Here: anonymous
# callers are sent to log in, and no logged-in caller gets a server error or a 401.
RECORD = "record"
CASE_CREATORS = frozenset({"district_admin", "community_worker", "social_worker", "resident", "volunteer"})
RESIDENT_STAFF = frozenset({"district_admin", "community_worker", "social_worker"})  # resident: view, edit
RESIDENT_SENSITIVE = frozenset({"district_admin", "community_worker"})  # resident: view_sensitive
# The organization registry: staff see it (org staff only their own organizations, a record rule
# tested in tests/organizations/test_access.py); workers and admins edit; admins import.
ORG_EDITORS = frozenset({"district_admin", "community_worker", "social_worker"})

REGISTRATION_CONFIRMERS = frozenset({"district_admin", "community_worker"})
D = "/d/{district_code:str}"
API = "/api/v1/districts/{district_code:str}"

# (method, route path) -> who may: PUBLIC, LOGIN (anyone logged in), PLATFORM_ONLY, or the
# set of district roles allowed (platform admins may always).
ACCESS: dict[tuple[str, str], Any] = {
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("GET", "/logout"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("POST", "/lang"): PUBLIC,
    ("GET", "/schema"): PUBLIC,
    ("GET", "/schema/openapi.json"): PUBLIC,
    ("GET", "/schema/openapi.yaml"): PUBLIC,
    ("GET", "/schema/openapi.yml"): PUBLIC,
    ("GET", "/schema/{path:str}"): PUBLIC,
    ("GET", "/"): LOGIN,
    ("POST", "/switch-district"): LOGIN,
    ("GET", "/me"): LOGIN,
    ("POST", "/me/password"): LOGIN,
    ("POST", "/me/tokens"): LOGIN,
    ("POST", "/me/tokens/{token_id:int}/revoke"): LOGIN,
    ("GET", "/api/v1/me"): LOGIN,
    ("GET", "/api/v1/districts"): LOGIN,
    ("GET", "/admin/districts"): PLATFORM_ONLY,
    ("POST", "/admin/districts"): PLATFORM_ONLY,
    ("POST", "/api/v1/districts"): PLATFORM_ONLY,
    ("GET", D): EVERYONE,
    ("GET", f"{D}/admin/org-units"): STAFF,
    ("POST", f"{D}/admin/org-units"): ADMINS,
    ("GET", f"{D}/admin/org-units/{{unit_id:int}}"): STAFF,
    ("POST", f"{D}/admin/org-units/{{unit_id:int}}"): ADMINS,
    ("POST", f"{D}/admin/org-units/{{unit_id:int}}/delete"): ADMINS,
    ("GET", f"{D}/admin/users"): USER_VIEWERS,
    ("POST", f"{D}/admin/users"): ADMINS,
    ("GET", f"{D}/admin/users/{{user_id:int}}"): USER_VIEWERS,
    ("POST", f"{D}/admin/users/{{user_id:int}}/memberships"): ADMINS,
    ("POST", f"{D}/admin/users/{{user_id:int}}/memberships/{{membership_id:int}}/delete"): ADMINS,
    ("POST", f"{D}/admin/users/{{user_id:int}}/password"): ADMINS,
    ("GET", f"{D}/admin/roles"): ADMINS,
    ("POST", f"{D}/admin/roles"): ADMINS,
    ("GET", f"{D}/admin/roles/{{role_key:str}}"): ADMINS,
    ("POST", f"{D}/admin/roles/{{role_key:str}}"): ADMINS,
    ("POST", f"{D}/admin/roles/{{role_key:str}}/permissions"): ADMINS,
    ("POST", f"{D}/admin/roles/{{role_key:str}}/delete"): ADMINS,
    ("GET", f"{D}/admin/modules"): ADMINS,
    ("GET", f"{D}/admin/modules/{{key:str}}"): ADMINS,
    ("POST", f"{D}/admin/modules/{{key:str}}"): ADMINS,
    ("POST", f"{D}/admin/modules/{{key:str}}/enable"): ADMINS,
    ("POST", f"{D}/admin/modules/{{key:str}}/disable"): ADMINS,
    # The working-day calendar and scheduled jobs (core/web/admin/workdays.py, jobs.py, core/api/workdays.py).
    ("GET", f"{D}/admin/calendar"): ADMINS,
    ("POST", f"{D}/admin/calendar"): ADMINS,
    ("POST", f"{D}/admin/calendar/{{day:str}}/delete"): ADMINS,
    ("GET", f"{D}/admin/jobs"): ADMINS,
    ("GET", f"{D}/admin/jobs/{{job_key:str}}"): ADMINS,
    ("POST", f"{D}/admin/jobs/{{job_key:str}}/run"): PLATFORM_ONLY,  # job_key is a platform job here
    ("GET", f"{API}/calendar"): EVERYONE,
    ("GET", f"{API}/calendar/days/{{day:str}}"): EVERYONE,
    ("GET", f"{API}/calendar/add-working-days"): EVERYONE,
    ("PUT", f"{API}/calendar/overrides/{{day:str}}"): ADMINS,
    ("DELETE", f"{API}/calendar/overrides/{{day:str}}"): ADMINS,
    ("GET", f"{API}/jobs"): ADMINS,
    ("GET", f"{API}/jobs/{{job_key:str}}/runs"): ADMINS,
    ("POST", f"{API}/jobs/{{job_key:str}}/run"): PLATFORM_ONLY,  # job_key is a platform job here
    # The case-type builder (core/web/admin/case_types.py): district admins only.
    ("GET", f"{D}/admin/case-types"): ADMINS,
    ("POST", f"{D}/admin/case-types"): ADMINS,
    ("POST", f"{D}/admin/case-types/import"): ADMINS,
    ("GET", f"{D}/admin/case-types/{{type_key:str}}"): ADMINS,
    ("POST", f"{D}/admin/case-types/{{type_key:str}}/draft"): ADMINS,
    ("POST", f"{D}/admin/case-types/{{type_key:str}}/check"): ADMINS,
    ("POST", f"{D}/admin/case-types/{{type_key:str}}/preview"): ADMINS,
    ("POST", f"{D}/admin/case-types/{{type_key:str}}/publish"): ADMINS,
    ("POST", f"{D}/admin/case-types/{{type_key:str}}/retire"): ADMINS,
    ("POST", f"{D}/admin/case-types/{{type_key:str}}/migrate"): ADMINS,
    ("GET", f"{D}/admin/case-types/{{type_key:str}}/migration"): ADMINS,
    ("GET", f"{D}/admin/case-types/{{type_key:str}}/export.yaml"): ADMINS,
    # The builder API (core/api/builder.py): district admins only.
    ("GET", f"{API}/builder/case-types"): ADMINS,
    ("POST", f"{API}/builder/case-types"): ADMINS,
    ("GET", f"{API}/builder/case-types/{{type_key:str}}"): ADMINS,
    ("PUT", f"{API}/builder/case-types/{{type_key:str}}/draft"): ADMINS,
    ("POST", f"{API}/builder/case-types/{{type_key:str}}/publish"): ADMINS,
    ("GET", f"{API}/builder/case-types/{{type_key:str}}/export"): ADMINS,
    ("GET", f"{API}/builder/case-types/{{type_key:str}}/migration"): ADMINS,
    ("POST", f"{API}/builder/case-types/{{type_key:str}}/migration"): ADMINS,
    ("GET", f"{API}/roles"): ADMINS,
    ("POST", f"{API}/roles"): ADMINS,
    ("GET", f"{API}/roles/{{role_key:str}}"): ADMINS,
    ("PATCH", f"{API}/roles/{{role_key:str}}"): ADMINS,
    ("PUT", f"{API}/roles/{{role_key:str}}/permissions"): ADMINS,
    ("DELETE", f"{API}/roles/{{role_key:str}}"): ADMINS,
    # The case pages (core/web/case_routes.py): each is decided per case (visibility in SQL,
    # then the type's permissions); tests/web_cases proves the 404s and 403s case by case.
    ("GET", f"{D}/cases/new"): EVERYONE - {"resident_pending"},  # not confirmed yet: 403 with the reason
    ("GET", f"{D}/cases/new/{{type_key:str}}"): RECORD,
    ("POST", f"{D}/cases/new/{{type_key:str}}"): RECORD,
    ("POST", f"{D}/forms/{{type_key:str}}/field"): RECORD,
    ("POST", f"{D}/forms/{{type_key:str}}/row"): RECORD,
    ("GET", f"{D}/cases/{{reference:str}}"): RECORD,
    ("GET", f"{D}/cases/{{reference:str}}/fields/{{key:str}}"): RECORD,
    ("GET", f"{D}/cases/{{reference:str}}/fields/{{key:str}}/edit"): RECORD,
    ("POST", f"{D}/cases/{{reference:str}}/fields/{{key:str}}"): RECORD,
    ("GET", f"{D}/cases/{{reference:str}}/transitions/{{key:str}}"): RECORD,
    ("POST", f"{D}/cases/{{reference:str}}/transitions/{{key:str}}"): RECORD,
    ("POST", f"{D}/cases/{{reference:str}}/claim"): RECORD,
    ("POST", f"{D}/cases/{{reference:str}}/assign"): RECORD,
    ("POST", f"{D}/cases/{{reference:str}}/comments"): RECORD,
    ("POST", f"{D}/cases/{{reference:str}}/attachments"): RECORD,
    ("GET", f"{D}/cases/{{reference:str}}/attachments/{{attachment_id:int}}"): RECORD,
    # Linked tasks (core.tasks): read as the case; adding and changing need its edit permission.
    ("POST", f"{D}/cases/{{reference:str}}/tasks"): RECORD,
    ("POST", f"{D}/cases/{{reference:str}}/tasks/{{task_id:int}}/status"): RECORD,
    ("GET", f"{D}/my-tasks"): EVERYONE,
    # The case queue (core/web/queues.py): what each user sees is filtered in SQL; exports need `export`.
    ("GET", f"{D}/cases"): EVERYONE,  # residents and volunteers are sent on to 我的诉求
    ("GET", f"{D}/my-requests"): EVERYONE,
    ("GET", f"{D}/queues/counts"): EVERYONE,
    ("GET", f"{D}/queues/menu"): EVERYONE,
    ("POST", f"{D}/queues/act"): EVERYONE,
    ("POST", f"{D}/queues/bulk"): EVERYONE,
    ("GET", f"{D}/queues/bulk-steps"): EVERYONE,
    # Public pages (no login) and residents' self-registration, confirmed by community workers.
    ("GET", f"{D}/public"): PUBLIC,
    ("GET", "/register"): PUBLIC,
    ("POST", "/register"): PUBLIC,
    ("GET", f"{D}/case-reads"): CASEWORK_OVERSIGHT,
    ("GET", f"{API}/case-reads"): CASEWORK_OVERSIGHT,
    ("GET", f"{D}/casework/report"): CASEWORK_OVERSIGHT,
    ("GET", f"{D}/casework/report.xlsx"): CASEWORK_OVERSIGHT,
    ("GET", f"{API}/casework/report"): CASEWORK_OVERSIGHT,
    ("GET", f"{D}/registrations"): REGISTRATION_CONFIRMERS,
    ("POST", f"{D}/registrations/{{user_id:int}}/{{decision:str}}"): REGISTRATION_CONFIRMERS,
    ("GET", f"{API}/registrations"): REGISTRATION_CONFIRMERS,
    ("POST", f"{API}/registrations/{{user_id:int}}/confirm"): REGISTRATION_CONFIRMERS,
    ("POST", f"{API}/registrations/{{user_id:int}}/refuse"): REGISTRATION_CONFIRMERS,
    ("POST", f"{D}/queues/saved"): EVERYONE,
    ("POST", f"{D}/queues/saved/delete"): EVERYONE,
    ("POST", f"{D}/queues/saved/rename"): EVERYONE,
    # The queue builder (core/web/admin/queues.py): district admins only.
    ("GET", f"{D}/admin/queues"): ADMINS,
    ("GET", f"{D}/admin/queues/edit"): ADMINS,
    ("POST", f"{D}/admin/queues"): ADMINS,
    ("POST", f"{D}/admin/queues/preview"): ADMINS,
    ("POST", f"{D}/admin/queues/move"): ADMINS,
    ("POST", f"{D}/admin/queues/delete"): ADMINS,
    # Saved queues by API (core/api/queues.py): one's own for everyone, shared ones for district admins.
    ("GET", f"{API}/queues"): EVERYONE,
    ("POST", f"{API}/queues"): EVERYONE,
    ("PATCH", f"{API}/queues/{{key:str}}"): EVERYONE,
    ("DELETE", f"{API}/queues/{{key:str}}"): EVERYONE,
    ("GET", f"{D}/queues/export.csv"): CASE_EXPORTERS,
    ("GET", f"{D}/queues/export.xlsx"): CASE_EXPORTERS,
    ("GET", API): EVERYONE,
    ("GET", f"{API}/org-units"): STAFF,
    ("POST", f"{API}/org-units"): ADMINS,
    ("GET", f"{API}/org-units/{{unit_id:int}}"): STAFF,
    ("PATCH", f"{API}/org-units/{{unit_id:int}}"): ADMINS,
    ("DELETE", f"{API}/org-units/{{unit_id:int}}"): ADMINS,
    ("GET", f"{API}/users"): USER_VIEWERS,
    ("POST", f"{API}/users"): ADMINS,
    ("GET", f"{API}/memberships"): USER_VIEWERS,
    ("POST", f"{API}/memberships"): ADMINS,
    ("DELETE", f"{API}/memberships/{{membership_id:int}}"): ADMINS,
    ("GET", f"{API}/plugins"): ADMINS,
    ("GET", f"{API}/plugins/{{key:str}}"): ADMINS,
    ("PATCH", f"{API}/plugins/{{key:str}}"): ADMINS,
    # The case API (core/api/cases.py, case_activity.py, case_types.py).
    ("GET", f"{API}/case-types"): EVERYONE,
    ("GET", f"{API}/case-types/{{type_key:str}}"): RECORD,
    ("GET", f"{API}/case-types/{{type_key:str}}/schema"): RECORD,
    ("POST", f"{API}/case-types/{{type_key:str}}/attachments"): RECORD,  # a file for a new case or a step
    ("GET", f"{API}/cases"): EVERYONE,
    ("POST", f"{API}/cases"): CASE_CREATORS,
    ("GET", f"{API}/cases/{{reference:str}}"): RECORD,
    ("PATCH", f"{API}/cases/{{reference:str}}"): RECORD,
    ("GET", f"{API}/cases/{{reference:str}}/transitions"): RECORD,
    ("POST", f"{API}/cases/{{reference:str}}/transitions"): RECORD,
    ("GET", f"{API}/cases/{{reference:str}}/comments"): RECORD,
    ("POST", f"{API}/cases/{{reference:str}}/comments"): RECORD,
    ("GET", f"{API}/cases/{{reference:str}}/attachments"): RECORD,
    ("POST", f"{API}/cases/{{reference:str}}/attachments"): RECORD,
    ("GET", f"{API}/cases/{{reference:str}}/attachments/{{attachment_id:int}}"): RECORD,
    ("GET", f"{API}/cases/{{reference:str}}/timeline"): RECORD,
    ("GET", f"{API}/cases/{{reference:str}}/tasks"): RECORD,
    ("POST", f"{API}/cases/{{reference:str}}/tasks"): RECORD,
    ("POST", f"{API}/cases/{{reference:str}}/tasks/{{task_id:int}}/status"): RECORD,
    ("GET", f"{API}/my-tasks"): EVERYONE,
    ("POST", f"{API}/cases/{{reference:str}}/claim"): RECORD,
    ("POST", f"{API}/cases/{{reference:str}}/assign"): RECORD,
    # Notifications (core/notifications): each member's own inbox; another person's notice is 404.
    ("GET", f"{D}/notifications"): EVERYONE,
    ("GET", f"{D}/notifications/bell"): EVERYONE,
    ("POST", f"{D}/notifications/read-all"): EVERYONE,
    ("GET", f"{D}/notifications/preferences"): EVERYONE,
    ("POST", f"{D}/notifications/preferences"): EVERYONE,
    ("POST", f"{D}/notifications/{{notice_id:int}}/read"): RECORD,
    ("GET", f"{D}/notifications/{{notice_id:int}}/open"): RECORD,
    ("GET", f"{API}/notifications"): EVERYONE,
    ("GET", f"{API}/notifications/unread-count"): EVERYONE,
    ("POST", f"{API}/notifications/read-all"): EVERYONE,
    ("GET", f"{API}/notifications/preferences"): EVERYONE,
    ("PUT", f"{API}/notifications/preferences"): EVERYONE,
    ("POST", f"{API}/notifications/{{notice_id:int}}/read"): RECORD,
    # Residents and households (core/residents/web.py, api.py).
    ("GET", f"{D}/residents"): RESIDENT_STAFF,
    ("GET", f"{D}/residents/picker"): RESIDENT_STAFF,
    ("GET", f"{D}/residents/new"): RESIDENT_STAFF,
    ("POST", f"{D}/residents"): RESIDENT_STAFF,
    ("GET", f"{D}/residents/{{person_id:int}}"): RESIDENT_STAFF,
    ("GET", f"{D}/residents/{{person_id:int}}/id-number"): RESIDENT_SENSITIVE,
    ("GET", f"{D}/residents/{{person_id:int}}/edit"): RESIDENT_STAFF,
    ("POST", f"{D}/residents/{{person_id:int}}"): RESIDENT_STAFF,
    ("POST", f"{D}/residents/{{person_id:int}}/vehicles"): RESIDENT_STAFF,
    ("POST", f"{D}/residents/vehicles/{{vehicle_id:int}}/delete"): RESIDENT_STAFF,
    ("GET", f"{D}/households"): RESIDENT_STAFF,
    ("GET", f"{D}/households/estate/{{estate_id:int}}"): RESIDENT_STAFF,
    ("GET", f"{D}/households/new"): RESIDENT_STAFF,
    ("POST", f"{D}/households"): RESIDENT_STAFF,
    ("GET", f"{D}/households/{{household_id:int}}"): RESIDENT_STAFF,
    ("GET", f"{D}/households/{{household_id:int}}/edit"): RESIDENT_STAFF,
    ("POST", f"{D}/households/{{household_id:int}}"): RESIDENT_STAFF,
    ("POST", f"{D}/households/{{household_id:int}}/members"): RESIDENT_STAFF,
    ("POST", f"{D}/households/{{household_id:int}}/members/{{member_id:int}}/delete"): RESIDENT_STAFF,
    ("POST", f"{D}/households/{{household_id:int}}/vehicles"): RESIDENT_STAFF,
    ("GET", f"{D}/households/import"): RESIDENT_STAFF,
    ("POST", f"{D}/households/import"): RESIDENT_STAFF,
    ("GET", f"{D}/admin/access-log"): ADMINS,
    ("GET", f"{API}/residents"): RESIDENT_STAFF,
    ("POST", f"{API}/residents"): RESIDENT_STAFF,
    ("GET", f"{API}/residents/{{person_id:int}}"): RESIDENT_STAFF,
    ("PATCH", f"{API}/residents/{{person_id:int}}"): RESIDENT_STAFF,
    ("DELETE", f"{API}/residents/{{person_id:int}}"): RESIDENT_STAFF,
    ("GET", f"{API}/households"): RESIDENT_STAFF,
    ("POST", f"{API}/households"): RESIDENT_STAFF,
    ("GET", f"{API}/households/{{household_id:int}}"): RESIDENT_STAFF,
    ("PATCH", f"{API}/households/{{household_id:int}}"): RESIDENT_STAFF,
    ("POST", f"{API}/households/{{household_id:int}}/members"): RESIDENT_STAFF,
    ("DELETE", f"{API}/households/{{household_id:int}}/members/{{member_id:int}}"): RESIDENT_STAFF,
    ("POST", f"{API}/vehicles"): RESIDENT_STAFF,
    ("DELETE", f"{API}/vehicles/{{vehicle_id:int}}"): RESIDENT_STAFF,
    # The organization registry (core/organizations/pages.py, api.py).
    ("GET", f"{D}/organizations"): STAFF,
    ("GET", f"{D}/organizations/new"): ORG_EDITORS,
    ("POST", f"{D}/organizations"): ORG_EDITORS,
    ("GET", f"{D}/organizations/import"): ADMINS,
    ("GET", f"{D}/organizations/import/template.xlsx"): ADMINS,
    ("POST", f"{D}/organizations/import"): ADMINS,
    ("GET", f"{D}/organizations/{{organization_id:int}}"): RECORD,
    ("GET", f"{D}/organizations/{{organization_id:int}}/edit"): RECORD,
    ("POST", f"{D}/organizations/{{organization_id:int}}"): RECORD,
    ("POST", f"{D}/organizations/{{organization_id:int}}/members"): RECORD,
    ("POST", f"{D}/organizations/{{organization_id:int}}/members/{{member_id:int}}"): RECORD,
    ("GET", f"{API}/organizations"): STAFF,
    ("POST", f"{API}/organizations"): ORG_EDITORS,
    ("GET", f"{API}/organizations/{{organization_id:int}}"): RECORD,
    ("PATCH", f"{API}/organizations/{{organization_id:int}}"): RECORD,
    ("GET", f"{API}/organizations/{{organization_id:int}}/members"): RECORD,
    ("POST", f"{API}/organizations/{{organization_id:int}}/members"): RECORD,
    ("PATCH", f"{API}/organizations/{{organization_id:int}}/members/{{member_id:int}}"): RECORD,
    ("DELETE", f"{API}/organizations/{{organization_id:int}}/members/{{member_id:int}}"): RECORD,
}

# Well-formed JSON bodies, so a denied caller is refused for its role, not for its body.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/districts"): {"code": "matrix-new", "name_zh": "矩阵区"},
    ("POST", f"{API}/builder/case-types"): {"key": "matrix_type", "name_zh": "矩阵类型"},
    ("PUT", f"{API}/builder/case-types/{{type_key:str}}/draft"): {"definition": {}},
    ("POST", f"{API}/org-units"): {"code": "mx", "name_zh": "矩阵街道", "kind": "street"},
    ("PATCH", f"{API}/org-units/{{unit_id:int}}"): {"name_zh": "矩阵改名"},
    ("PATCH", f"{API}/organizations/{{organization_id:int}}/members/{{member_id:int}}"): {"role": "staff"},
    ("POST", f"{API}/users"): {"username": "matrix-user", "password": "long-enough-1", "role": "volunteer"},
    ("POST", f"{API}/memberships"): {"username": "target", "role": "resident"},
    ("PATCH", f"{API}/plugins/{{key:str}}"): {"settings": {}},
    ("PUT", f"{API}/calendar/overrides/{{day:str}}"): {"working": False, "note": "矩阵"},
    ("POST", f"{API}/queues"): {"label_zh": "矩阵队列"},
    ("POST", f"{API}/builder/case-types/{{type_key:str}}/migration"): {"mapping": {}},
    ("POST", f"{API}/roles"): {"key": "matrix_role", "name_zh": "矩阵角色"},
    ("PATCH", f"{API}/roles/{{role_key:str}}"): {"name_zh": "矩阵角色"},
    ("PUT", f"{API}/roles/{{role_key:str}}/permissions"): {"permissions": []},
    ("POST", f"{API}/organizations"): {"name": "矩阵团队", "kind": "informal"},
    ("PATCH", f"{API}/queues/{{key:str}}"): {"label_zh": "矩阵队列"},
    ("PUT", f"{API}/notifications/preferences"): {"preferences": []},
    ("POST", f"{API}/cases"): {
        "type": "resident_request",
        "title": "矩阵诉求",
        "channel": "web",
        "data": {"requester": "张阿姨", "phone": "13800138000", "category": "other", "description": "矩阵"},
    },
    ("POST", f"{API}/residents"): {"name": "矩阵居民", "phone": "0574-87650000"},
    ("PATCH", f"{API}/residents/{{person_id:int}}"): {"notes": "矩阵"},
    ("POST", f"{API}/households"): {"estate_id": 0, "building": "1", "room": "101"},
    ("PATCH", f"{API}/households/{{household_id:int}}"): {"notes": "矩阵"},
    ("POST", f"{API}/households/{{household_id:int}}/members"): {"person_id": 0, "relation": "owner"},
    ("POST", f"{API}/vehicles"): {"plate": "浙B00000", "household_id": 0},
}

B_SECRETS = ("鄞州", "yz-secret", "Yinzhou")
PARAM_RE = re.compile(r"\{(\w+)(?::\w+)?\}")


def core_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every core route: not static files, not a plugin's."""
    found = []
    for route in app.routes:
        if route.path.startswith("/static"):
            continue
        for handler in getattr(route, "route_handlers", []):
            if handler.opt.get("plugin"):
                continue
            for method in sorted(handler.http_methods or ()):
                if method not in {"OPTIONS", "HEAD"}:
                    found.append((method, route.path))
    return found


async def _residents(session: Any, district_id: int, estate_id: int, name: str, phone: str) -> dict[str, int]:
    """A person (with an ID number), a household, their membership and a car in one district: the route ids."""
    from core.db.tenancy import for_district
    from core.residents import service

    for_district(session, district_id)
    data = {"name": name, "phone": phone, "id_number": "330203196203150425", "consent_method": "written"}
    person = await service.create_person(session, district_id, None, data)
    household = await service.create_household(
        session, district_id, {"estate_id": estate_id, "building": "1", "room": "101", "area": "80"}
    )
    member = await service.add_member(session, district_id, household, person.id, "owner")
    vehicle = await service.add_vehicle(session, district_id, f"浙B{district_id}0000"[:7], household_id=household.id)
    for_district(session, None)
    return {
        "person_id": person.id,
        "household_id": household.id,
        "estate_id": estate_id,
        "member_id": member.id,
        "vehicle_id": vehicle.id,
    }


def fill(path: str, params: dict[str, Any]) -> str:
    """The route path with its parameters replaced by ``params``."""
    return PARAM_RE.sub(lambda m: str(params[m.group(1)]), path)


@pytest.fixture
def world(settings: Any, seed: Any) -> dict[str, Any]:
    """District A (haishu) with one user per default role, district B (yinzhou) with its own objects."""

    async def data(session):
        a = await make_district(session)
        b = await make_district(session, "yinzhou", "鄞州区", name_en="Yinzhou")
        community = await make_org_unit(session, a, "pingqiao", "平桥社区", OrgUnitKind.COMMUNITY)
        estate = await make_org_unit(session, a, "huayuan", "华园小区", OrgUnitKind.ESTATE, community)
        b_unit = await make_org_unit(session, b, "yz-street", "鄞州某街道", OrgUnitKind.STREET)
        for role in ROLES:
            await make_user(session, f"u-{role}", district=a, roles=(role,))
        await make_user(session, "u-platform", platform_admin=True)
        target = await make_user(session, "target", district=a, roles=("volunteer",))
        secret = await make_user(session, "yz-secret", district=b, roles=("resident",))
        await create_role(session, b, key="yz_custom", name_zh="鄞州自定义角色")
        _raw, b_token = await create_token(session, secret, b.id, "yz-secret token")
        b_notice = Notification(
            district_id=b.id, user_id=secret.id, kind="core.assigned", params={"actor": "yz-secret"}
        )
        session.add(b_notice)
        await session.flush()
        a_res = await _residents(session, a.id, estate.id, "华园居民", "13700000001")
        b_estate = await make_org_unit(session, b, "yz-estate", "鄞州小区", OrgUnitKind.ESTATE)
        b_res = await _residents(session, b.id, b_estate.id, "鄞州居民", "13700000002")
        memberships = {
            m.user_id: m.id
            for m in (await session.execute(select(Membership))).scalars()
            if m.user_id in {target.id, secret.id}
        }
        return {
            "a": {
                "district_code": "haishu",
                "unit_id": estate.id,
                "user_id": target.id,
                "membership_id": memberships[target.id],
                "role_key": "volunteer",
                "key": "alpha",
                "token_id": 999_999,
                "path": "openapi.json",
                "type_key": "resident_request",
                "reference": "HS-2026-999999",
                "attachment_id": 999_999,
                "task_id": 999_999,
                "notice_id": 999_999,
                "day": "2026-11-20",
                "job_key": "workdays.next_year_check",
                **a_res,
                "organization_id": 999_999,
                "member_id": 999_999,
                "decision": "confirm",
            },
            "b": {
                "district_code": "yinzhou",
                "unit_id": b_unit.id,
                "user_id": secret.id,
                "membership_id": memberships[secret.id],
                "role_key": "yz_custom",
                "key": "alpha",
                "token_id": b_token.id,
                "path": "openapi.json",
                "type_key": "resident_request",
                "reference": "YI-2026-999999",
                "attachment_id": 999_999,
                "task_id": 999_999,
                "notice_id": b_notice.id,
                "day": "2026-11-20",
                "job_key": "workdays.next_year_check",
                **b_res,
                "organization_id": 999_999,
                "member_id": 999_999,
                "decision": "confirm",
            },
        }

    return seed(data)


@pytest.fixture
def matrix_app(settings: Any) -> Any:
    """The app with only the test plugins (their routes are not core routes)."""
    host = PluginHost.load(frozenset(), entry_points=False, extra_modules=(alpha, beta))
    return lease(settings, host)


def _request(client: TestClient[Any], method: str, route: str, params: dict[str, Any], token: str) -> Any:
    url = fill(route, params)
    if route.startswith("/api/"):
        body = BODIES.get((method, route))
        return client.request(method, url, json=body, headers={"x-csrftoken": token}, follow_redirects=False)
    data = {"_csrf_token": token} if method != "GET" else None
    return client.request(method, url, data=data, follow_redirects=False)


def _order(routes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Reads first, then writes (which may delete the objects read), logging out last."""
    return sorted(routes, key=lambda r: (r[1].startswith("/logout"), r[0] != "GET", r[1], r[0]))


def test_every_core_route_has_an_expected_access(matrix_app):
    """Each core route and method is in the expected table, and the table names no route that is gone."""
    routes = set(core_routes(matrix_app))
    missing = sorted(routes - set(ACCESS))
    stale = sorted(set(ACCESS) - routes)
    assert not missing, f"add these routes to ACCESS in {__file__}: {missing}"
    assert not stale, f"these ACCESS entries match no route: {stale}"


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_route_by_role_matrix(matrix_app, world, principal):
    """Allowed callers get their page or a validation answer; denied ones get 401/login or 403, never data."""
    params = world["a"]
    with TestClient(app=matrix_app) as client:
        if principal != ANON:
            login(client, "u-platform" if principal == PLATFORM else f"u-{principal}")
        token = csrf_of(client, "/login")
        failures = []
        for method, route in _order(core_routes(matrix_app)):
            if (method, route) not in ACCESS:
                continue
            access = ACCESS[(method, route)]
            response = _request(client, method, route, params, token)
            status = response.status_code
            is_api = route.startswith("/api/")
            if access == RECORD:
                if principal == ANON and status != (401 if is_api else 303):
                    failures.append((method, route, status, "expected to log in"))
                elif principal != ANON and (status >= 500 or status == 401):
                    failures.append((method, route, status, "per-record route failed"))
                continue
            if access == PUBLIC:
                allowed = True
            elif principal == ANON:
                allowed = False
            elif access == LOGIN or principal == PLATFORM:
                allowed = True
            elif access == PLATFORM_ONLY:
                allowed = False
            else:
                allowed = principal in access
            if status >= 500:
                failures.append((method, route, status, "server error"))
            elif allowed and status in {401, 403}:
                failures.append((method, route, status, "expected allowed"))
            elif allowed and method == "GET" and status not in {200, 303}:
                failures.append((method, route, status, "expected 200"))
            elif not allowed and principal == ANON:
                expected = 401 if is_api else 303
                if status != expected or (not is_api and not response.headers["location"].startswith("/login")):
                    failures.append((method, route, status, f"expected {expected} to log in"))
            elif not allowed and status != 403:
                failures.append((method, route, status, "expected 403"))
        assert not failures, failures


def test_no_access_across_districts(matrix_app, world):
    """A district admin of A gets 404/403 for every district-B URL and B object id, never B's data."""
    with TestClient(app=matrix_app) as client:
        login(client, "u-district_admin")
        token = csrf_of(client, "/login")
        routes = [r for r in _order(core_routes(matrix_app)) if r[1] != "/logout"]
        leaks = []
        # A district's public pages are for everyone, district B's too (they show only what B publishes).
        b_urls = [r for r in routes if "{district_code" in r[1] and ACCESS.get(r) != PUBLIC]
        for method, route in b_urls:
            response = _request(client, method, route, world["b"], token)
            if response.status_code not in {403, 404} or any(s in response.text for s in B_SECRETS):
                leaks.append(("B district", method, route, response.status_code))
        # District A's URLs with district B's object ids.
        mixed = {**world["a"], **{k: v for k, v in world["b"].items() if k not in {"district_code", "key", "path"}}}
        for method, route in routes:
            object_ids = {"unit_id", "user_id", "membership_id", "role_key", "token_id"}
            object_ids |= {"person_id", "household_id", "estate_id", "member_id", "vehicle_id"}
            if not (object_ids & set(PARAM_RE.findall(route))):
                continue
            response = _request(client, method, route, mixed, token)
            if response.status_code not in {403, 404} or any(s in response.text for s in B_SECRETS):
                leaks.append(("B object", method, route, response.status_code))
        lists = ["/api/v1/districts", "/api/v1/me", "/d/haishu/admin/users", "/api/v1/districts/haishu/memberships"]
        for url in lists:
            body = client.get(url).text
            if any(s in body for s in B_SECRETS):
                leaks.append(("listing", "GET", url, 200))
        assert not leaks, leaks


def test_api_token_of_one_district_cannot_reach_another(matrix_app, world, seed):
    """A personal API token scoped to district A answers 404 for district B, even for a member of both."""

    async def make(session):
        from core.models import District, User

        user = (await session.execute(select(User).where(User.username == "u-district_admin"))).scalar_one()
        a = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        b = (await session.execute(select(District).where(District.code == "yinzhou"))).scalar_one()
        session.add(Membership(user_id=user.id, district_id=b.id, role_key="district_admin"))
        raw, _row = await create_token(session, user, a.id, "matrix")
        return raw

    raw = seed(make)
    with TestClient(app=matrix_app) as client:
        headers = {"Authorization": f"Bearer {raw}"}
        assert client.get("/api/v1/districts/haishu/org-units", headers=headers).status_code == 200
        response = client.get("/api/v1/districts/yinzhou/org-units", headers=headers)
        assert response.status_code == 404
        assert "鄞州" not in response.text
        assert [d["code"] for d in client.get("/api/v1/districts", headers=headers).json()] == ["haishu"]
