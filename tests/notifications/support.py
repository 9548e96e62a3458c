"""Helpers of the notification tests: cases to talk about, and reading someone's notices."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.cases import service
from core.models import User
from core.models.notifications import Notification
from tests.cases.conftest import RESIDENT_REQUEST


def new_request(as_user: Any, who: str = "worker") -> str:
    """A resident request filed by ``who``; its reference."""

    async def create(ctx: Any) -> str:
        case = await service.create_case(
            ctx, "resident_request", title="楼道垃圾", data=dict(RESIDENT_REQUEST), channel="phone"
        )
        return case.reference

    return as_user(who, create)  # type: ignore[no-any-return]


def new_casework(as_user: Any, team_id: int, who: str = "social") -> str:
    """A casework case of ``team_id``'s team (visible to that team, not to other communities)."""

    async def create(ctx: Any) -> str:
        case = await service.create_case(
            ctx,
            "casework",
            title="个案：车祸受伤的女儿",
            data={"client_name": "王女士", "service_line": "family", "presenting_problem": "车祸后康复与法律问题"},
            channel="walk_in",
            team_id=team_id,
        )
        return case.reference

    return as_user(who, create)  # type: ignore[no-any-return]


def notices_of(seed: Any, username: str) -> list[Notification]:
    """Every notice of ``username``, oldest first."""

    async def read(session: Any) -> list[Notification]:
        uid = (await session.execute(select(User.id).where(User.username == username))).scalar_one()
        rows = await session.execute(select(Notification).where(Notification.user_id == uid).order_by(Notification.id))
        return list(rows.scalars())

    return seed(read)  # type: ignore[no-any-return]


def act(as_user: Any, who: str, reference: str, fn: Any) -> Any:
    """Run ``await fn(ctx, case, definition)`` as ``who`` on the case ``reference``."""

    async def run(ctx: Any) -> Any:
        case, definition = await service.get_case(ctx, reference)
        return await fn(ctx, case, definition)

    return as_user(who, run)
