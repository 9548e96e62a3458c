"""The plugin's tables. Their names start with the plugin key, so plugins never collide.

``one_window_item`` is the service catalogue (服务事项清单): one public-service item behind
the window, with its required documents. ``one_window_intake`` is one resident's visit to
the window for one item: which documents were received, the case it opened, the clock.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, BigId, DistrictScoped, IdPrimaryKey, JsonB, Timestamps

__all__ = ("Intake", "IntakeStatus", "Item")


class Item(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A service item of the district's catalogue (``DistrictScoped``: queries see only that district's rows).

    ``documents`` is a list of ``{"name", "form", "count", "later"}``: ``form`` is
    ``original``, ``copy`` or ``both``; ``later`` says the window may accept the case
    without it (容缺受理) and collect it afterwards.
    """

    __tablename__ = "one_window_item"
    __table_args__ = (UniqueConstraint("district_id", "code"),)

    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    keywords: Mapped[str] = mapped_column(String(200), default="")
    department_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("org_units.id", ondelete="SET NULL"), default=None, index=True
    )
    conditions: Mapped[str] = mapped_column(Text, default="")
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)
    time_limit_days: Mapped[int] = mapped_column(Integer, default=20)
    fee: Mapped[str] = mapped_column(String(100), default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    case_type_key: Mapped[str] = mapped_column(String(64), default="one_window_request")
    # The back-office route: stages in order, each ``{"departments": [org unit ids], "days": n}``;
    # the departments of a stage act in parallel. Empty: the item's department alone, in its whole time limit.
    route: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)


class IntakeStatus:
    """Where an intake stands: waiting for documents (clock paused), accepted, or not accepted."""

    WAITING = "waiting"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    DONE = "done"


class Intake(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """One resident's request for one item at the window, and the case it opened.

    ``submission_key`` is the intake form's one-time token: a form posted twice (a double
    click, a retried request) finds the first intake instead of opening a second case.
    ``documents`` is the item's list as it was at intake; ``received`` the indexes ticked.
    Working days of the promise: ``accepted_on`` + the item's limit + ``paused_days``.
    """

    __tablename__ = "one_window_intake"
    __table_args__ = (UniqueConstraint("district_id", "submission_key"),)

    submission_key: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[int] = mapped_column(BigId, ForeignKey("one_window_item.id", ondelete="RESTRICT"), index=True)
    case_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("cases.id", ondelete="SET NULL"), default=None, index=True
    )
    reference: Mapped[str] = mapped_column(String(40), default="")
    person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("persons.id", ondelete="SET NULL"), default=None)
    applicant: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(32), default="")
    channel: Mapped[str] = mapped_column(String(20), default="walk_in")
    status: Mapped[str] = mapped_column(String(20), default=IntakeStatus.ACCEPTED)
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)
    received: Mapped[list[int]] = mapped_column(JsonB, default=list)
    time_limit_days: Mapped[int] = mapped_column(Integer, default=20)
    accepted_on: Mapped[date] = mapped_column(Date)
    paused_since: Mapped[date | None] = mapped_column(Date, default=None)
    paused_days: Mapped[int] = mapped_column(Integer, default=0)
    promised_on: Mapped[date | None] = mapped_column(Date, default=None)
    notice_deadline: Mapped[date | None] = mapped_column(Date, default=None)
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    refusal_basis: Mapped[str] = mapped_column(Text, default="")
    # The back office: the stage of the route being worked (-1 before it starts), the result when done.
    stage: Mapped[int] = mapped_column(Integer, default=-1)
    result: Mapped[str] = mapped_column(String(20), default="")
    result_text: Mapped[str] = mapped_column(Text, default="")
    finished_on: Mapped[date | None] = mapped_column(Date, default=None)
    created_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)


from plugins.one_window.models_backoffice import Lookup, Missing, Step, StepStatus  # noqa: E402, F401 - the back office
