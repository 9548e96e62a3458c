"""The one place where districts, org units, users, memberships, roles and plugin
enablement are written. Admin pages, the JSON API and the CLI all call these functions;
permission checks stay with the caller (``ctx.require``), validation and the tenancy
invariants live here.
"""

from __future__ import annotations

from core.services.errors import ConflictError, NotFoundError, ServiceError

__all__ = ("ConflictError", "NotFoundError", "ServiceError")
