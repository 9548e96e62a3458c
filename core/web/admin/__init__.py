"""Admin pages: district admins (org units, users, roles, modules) and platform admins (districts)."""

from __future__ import annotations

__all__ = ("ADMIN_DISTRICT_ROUTES", "ADMIN_PLATFORM_ROUTES")

ADMIN_DISTRICT_ROUTES: list[object] = []
ADMIN_PLATFORM_ROUTES: list[object] = []
