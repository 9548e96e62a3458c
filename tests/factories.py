"""Moved to :mod:`core.testing.factories`: the core's tests and the plugins' tests share one kit."""

from __future__ import annotations

from core.testing.factories import PASSWORD, make_district, make_org_unit, make_user

__all__ = ("PASSWORD", "make_district", "make_org_unit", "make_user")
