"""The capacity instrument's indicator scores (the instrument's versions are ``incubation_instrument``).

An assessment scores every indicator of the version it used, from 0 to the indicator's maximum;
the dimension's score (0–5, on :class:`~plugins.incubation.models.Assessment`) is derived from
them. The rows keep the maximum the indicator had, so an assessment reads the same after a
newer version is published.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, BigId, DistrictScoped, IdPrimaryKey, Timestamps

__all__ = ("IndicatorScore",)


class IndicatorScore(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """One indicator's score in one assessment (0 … ``max_score``)."""

    __tablename__ = "incubation_score"
    __table_args__ = (UniqueConstraint("assessment_id", "dimension", "indicator"),)

    assessment_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("incubation_assessment.id", ondelete="CASCADE"), index=True
    )
    dimension: Mapped[str] = mapped_column(String(30))
    indicator: Mapped[str] = mapped_column(String(30))
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[int] = mapped_column(Integer)
