"""Database: declarative base, engine and sessions, tenant scoping."""

from __future__ import annotations

from core.db.base import Base, DistrictScoped, IdPrimaryKey, Timestamps, metadata, utcnow
from core.db.engine import create_engine, session_factory
from core.db.limits import ValueRefused
from core.db.tenancy import district_session, for_district, unscoped

__all__ = (
    "Base",
    "DistrictScoped",
    "IdPrimaryKey",
    "Timestamps",
    "ValueRefused",
    "create_engine",
    "district_session",
    "for_district",
    "metadata",
    "session_factory",
    "unscoped",
    "utcnow",
)
