"""Which plugin each district has switched on, with its settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, DistrictScoped, IdPrimaryKey, JsonB, Timestamps

__all__ = ("DistrictPlugin",)


class DistrictPlugin(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """District × plugin: enabled or not, and the district's settings for it."""

    __tablename__ = "district_plugins"
    __table_args__ = (UniqueConstraint("district_id", "plugin_key"),)

    plugin_key: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
