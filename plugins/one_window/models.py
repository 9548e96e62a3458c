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

__all__ = ("Intake", "IntakeStatus", "Item", "ItemVersion", "Scan")


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
    # The age rule of the conditions, in whole years (None: no bound); checked at the window against the register.
    min_age: Mapped[int | None] = mapped_column(Integer, default=None)
    max_age: Mapped[int | None] = mapped_column(Integer, default=None)
    # The other conditions checked against the register at the window (plugins/one_window/eligibility.py):
    # ``{"gender": "female"|"male", "residence": 0 (the district) | org unit id, "relations": [...],
    # "no_duplicate": true}``; a key left out is no condition.
    checks: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
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
    # The published version: each change of the item writes the next ``ItemVersion`` (never changed afterwards).
    version: Mapped[int] = mapped_column(Integer, default=1)


# The columns an item's version keeps (what a resident was told and a case is worked by).
VERSIONED = (
    "code",
    "title",
    "keywords",
    "department_id",
    "conditions",
    "min_age",
    "max_age",
    "checks",
    "documents",
    "time_limit_days",
    "fee",
    "legal_basis",
    "case_type_key",
    "route",
    "is_active",
)


class ItemVersion(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """One published version of an item: a copy of its ``VERSIONED`` columns, written once and never changed.

    Version 1 is written when the item is added; each change that alters any of those
    columns writes the next. An intake keeps the version it was received under
    (``Intake.item_version``): its notice, receipt and back-office route follow that version
    even after the catalogue changes.
    """

    __tablename__ = "one_window_item_version"
    __table_args__ = (UniqueConstraint("item_id", "version"),)

    item_id: Mapped[int] = mapped_column(BigId, ForeignKey("one_window_item.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    keywords: Mapped[str] = mapped_column(String(200), default="")
    department_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("org_units.id", ondelete="SET NULL"), default=None
    )
    conditions: Mapped[str] = mapped_column(Text, default="")
    # The age rule of the conditions, in whole years (None: no bound); checked at the window against the register.
    min_age: Mapped[int | None] = mapped_column(Integer, default=None)
    max_age: Mapped[int | None] = mapped_column(Integer, default=None)
    checks: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)
    time_limit_days: Mapped[int] = mapped_column(Integer, default=20)
    fee: Mapped[str] = mapped_column(String(100), default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    case_type_key: Mapped[str] = mapped_column(String(64), default="one_window_request")
    route: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
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
    item_version: Mapped[int] = mapped_column(Integer, default=1)  # the item's version it was received under
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
    # The item's conditions checked against the register at intake: ``[{"kind", "status", "text"}]``
    # (status meets / fails / unknown, text in Chinese); ``acknowledged``: the staff received it
    # although a condition was not met (also written on the case's timeline).
    eligibility: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)
    acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)
    # The back office: the stage of the route being worked (-1 before it starts), the result when done.
    stage: Mapped[int] = mapped_column(Integer, default=-1)
    result: Mapped[str] = mapped_column(String(20), default="")
    result_text: Mapped[str] = mapped_column(Text, default="")
    finished_on: Mapped[date | None] = mapped_column(Date, default=None)
    created_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)


class Scan(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A scan (photo or PDF) of a document received at the window, attached to the intake's checklist line.

    ``document`` is the index of the document in ``Intake.documents``; ``key`` where the
    bytes are in the installation's storage.
    """

    __tablename__ = "one_window_scan"

    intake_id: Mapped[int] = mapped_column(BigId, ForeignKey("one_window_intake.id", ondelete="CASCADE"), index=True)
    document: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(300))
    created_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)


from plugins.one_window.models_backoffice import Lookup, Missing, Step, StepStatus  # noqa: E402, F401 - the back office
