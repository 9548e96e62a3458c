"""Declarative base shared by the core and every plugin.

One ``MetaData`` with a naming convention, so that every constraint has a name and
Alembic's SQLite batch mode can drop or alter it later.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import BigInteger, ForeignKey, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

__all__ = ("Base", "BigId", "DistrictScoped", "IdPrimaryKey", "JsonB", "Timestamps", "metadata", "utcnow")

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# 64-bit ids on PostgreSQL; SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Base of every table of the core and of the plugins."""

    metadata = metadata
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: DateTimeUTC(timezone=True)}


class IdPrimaryKey:
    """An integer surrogate primary key ``id``."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)


class Timestamps:
    """``created_at`` / ``updated_at`` kept by the database session."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DistrictScoped:
    """Marks a table whose rows belong to one district (tenant).

    Every ORM ``SELECT`` that touches such a model in a session bound to a district is
    filtered by ``district_id`` automatically (see :mod:`core.db.tenancy`).
    """

    @declared_attr
    def district_id(cls) -> Mapped[int]:  # noqa: N805 - declared_attr takes the class
        return mapped_column(BigId, ForeignKey("districts.id", ondelete="CASCADE"), index=True)
