"""The plugin's table. Its name starts with the plugin key, so plugins never collide."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, BigId, DistrictScoped, IdPrimaryKey, Timestamps, utcnow

__all__ = ("Notice",)


class Notice(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A notice (公告) for the whole district, or for one community when ``org_unit_id`` is set."""

    __tablename__ = "notices_notice"
    __table_args__ = (Index("ix_notices_notice_listing", "district_id", "pinned", "published_at"),)

    org_unit_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("org_units.id", ondelete="SET NULL"), index=True, default=None
    )
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    # Public: anyone reads it on the district's public pages (/d/{district}/public/notices), no login.
    is_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A notice published in the future stays hidden from readers until then.
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)

    def is_published(self, now: datetime | None = None) -> bool:
        """Whether readers see the notice yet."""
        return self.published_at <= (now or utcnow())
