"""Service deliveries (服务记录): an organization served a resident; the star rating rates only these."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, BigId, DistrictScoped, IdPrimaryKey, Timestamps

__all__ = ("DELIVERY_STATUSES", "ServiceDelivery")

DELIVERY_STATUSES = ("completed", "cancelled")


class ServiceDelivery(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """One service an organization delivered to one resident, declared by the module that knows it.

    ``reference`` names the module's own record (``time_bank:service:42``) and is unique in
    the district, so declaring the same delivery twice records it once.
    """

    __tablename__ = "service_deliveries"
    __table_args__ = (
        UniqueConstraint("district_id", "reference"),
        CheckConstraint("status IN ('completed', 'cancelled')", name="status"),
        CheckConstraint("person_id IS NOT NULL OR user_id IS NOT NULL", name="has_resident"),
    )

    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    # The resident served: the residents registry's person and/or their login.
    person_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("persons.id", ondelete="SET NULL"), index=True, default=None
    )
    user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200), default="")
    reference: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(40))  # the plugin key that declared it, or "manual"
    delivered_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="completed", index=True)
    verified_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    verified_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def is_rateable(self) -> bool:
        """Completed and verified: the only deliveries a resident may rate."""
        return self.status == "completed" and self.verified_at is not None
