"""How a case's facts read to people: channel and priority names, SLA badges, who and which team.

Shared by the queue page and the exports so a list and its spreadsheet say the same thing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.casetypes.definition import CHANNELS
from core.db import utcnow
from core.i18n import gettext
from core.models import OrgUnit, User
from core.models.district import localized_name

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from core.casetypes.definition import CaseTypeDef
    from core.context import RequestContext
    from core.models.cases import Case

__all__ = (
    "DUE_SOON",
    "Names",
    "as_text",
    "channel_label",
    "channel_labels",
    "priority_label",
    "sla_badge",
    "state_label",
)

DUE_SOON = timedelta(hours=24)  # the same window as the "due soon" queue


def channel_labels() -> dict[str, str]:
    """Every channel a case can come in by, with its name in the current language."""
    names = {
        "web": gettext("Web"),
        "mobile": gettext("Mobile app"),
        "phone": gettext("Phone"),
        "walk_in": gettext("Walk-in"),
        "door_to_door": gettext("Door-to-door"),
    }
    return {key: names.get(key, key) for key in CHANNELS}


def channel_label(channel: str) -> str:
    """The name of one channel."""
    return channel_labels().get(channel, channel)


def priority_label(priority: int) -> str:
    """Low, normal, high or urgent."""
    names = {0: gettext("Low"), 1: gettext("Normal"), 2: gettext("High"), 3: gettext("Urgent")}
    return names.get(priority, str(priority))


def sla_badge(case: Case, now: datetime | None = None) -> str:
    """``"overdue"``, ``"due_soon"`` (within 24 hours) or ``""`` for an open case's due time."""
    if not case.is_open or case.due_at is None:
        return ""
    now = now or utcnow()
    if case.due_at < now:
        return "overdue"
    if case.due_at < now + DUE_SOON:
        return "due_soon"
    return ""


def state_label(definition: CaseTypeDef | None, state: str, locale: str) -> str:
    """The state's label in the type's workflow (its key when the type no longer has it)."""
    found = definition.workflow.state(state) if definition is not None else None
    return found.label(locale) if found is not None else state


class Names:
    """User and org-unit names for the cases on a page or in an export batch, loaded once and kept."""

    def __init__(self, ctx: RequestContext) -> None:
        self.ctx = ctx
        self.users: dict[int, str] = {}
        self.units: dict[int, str] = {}

    async def load(self, cases: Iterable[Case]) -> None:
        """Fetch the names this batch needs that are not known yet (two queries at most)."""
        user_ids: set[int] = set()
        unit_ids: set[int] = set()
        for case in cases:
            if case.assignee_id is not None and case.assignee_id not in self.users:
                user_ids.add(case.assignee_id)
            if case.team_id is not None and case.team_id not in self.units:
                unit_ids.add(case.team_id)
        session = self.ctx.session
        if user_ids:  # the columns the names need, not whole users (no ORM objects to build)
            people = select(User.id, User.label).where(User.id.in_(user_ids))
            self.users.update((uid, label) for uid, label in await session.execute(people))
        if unit_ids:
            units = select(OrgUnit.id, OrgUnit.name_zh, OrgUnit.name_en).where(OrgUnit.id.in_(unit_ids))
            for unit_id, name_zh, name_en in await session.execute(units):
                self.units[unit_id] = localized_name(name_zh, name_en, self.ctx.locale)

    def user(self, user_id: int | None) -> str:
        """A user's display name ("" for nobody)."""
        return self.users.get(user_id, "") if user_id is not None else ""

    def unit(self, unit_id: int | None) -> str:
        """An org unit's name ("" for none)."""
        return self.units.get(unit_id, "") if unit_id is not None else ""


def as_text(value: Any) -> str:
    """A stored form value as plain text (lists joined, references by name)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, dict):
        return str(value.get("name") or value.get("label") or ", ".join(f"{k}: {v}" for k, v in value.items()))
    if isinstance(value, list):
        return "; ".join(as_text(v) for v in value)
    return str(value)
