"""The plugin's table. Its name starts with the plugin key, so plugins never collide."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, BigId, DistrictScoped, IdPrimaryKey, Timestamps

__all__ = ("Item",)


class Item(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """An entry of 一窗受理 in one district (``DistrictScoped``: queries see only that district's rows)."""

    __tablename__ = "one_window_item"

    title: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
