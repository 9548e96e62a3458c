"""Role-based access control with Casbin (``pycasbin``), one domain per district.

Use :func:`authorize` everywhere: routes (through ``RequestContext.can``), templates
(``ctx.can(...)`` to hide buttons) and the API.
"""

from __future__ import annotations

from core.rbac.enforcer import authorize, bump_policy_version, ensure_loaded, invalidate
from core.rbac.roles import CORE_PERMISSIONS, DEFAULT_ROLES

__all__ = ("CORE_PERMISSIONS", "DEFAULT_ROLES", "authorize", "bump_policy_version", "ensure_loaded", "invalidate")
