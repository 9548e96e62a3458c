"""Councils and their members (五位一体), positions and terms; the quorum of members present.

Every function takes a district-bound session: the core adds the district filter, so a
council of another district is simply not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.plugin_api import TIMEZONE, Membership, NotFound, OrgUnit, OrgUnitKind, Refusal, User
from core.plugin_api import gettext as _
from plugins.consultation_council.models import PARTIES, POSITIONS, Council, Member

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "Quorum",
    "Refused",
    "add_member",
    "council_for_place",
    "council_or_404",
    "district_user",
    "format_label",
    "list_councils",
    "member_of_user",
    "members",
    "party_label",
    "position_label",
    "quorum_of",
    "secretary_user_ids",
    "today",
)


class Refused(Refusal):
    """A council action that can't be done, with the reason people read."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


def today() -> date:
    """Today in China time (terms, due dates and review dates are local days)."""
    return datetime.now(TIMEZONE).date()


def party_label(party: str) -> str:
    """The party's name as people read it."""
    return {
        "party_branch": _("Party branch"),
        "residents_committee": _("Residents' committee"),
        "social_organization": _("Social organization"),
        "local_unit": _("Local unit"),
        "resident": _("Resident representative"),
    }.get(party, party)


def position_label(position: str) -> str:
    """The position's name as people read it."""
    return {
        "chair": _("Chair"),
        "vice_chair": _("Vice chair"),
        "secretary": _("Secretary"),
        "member": _("Member"),
    }.get(position, position)


def format_label(fmt: str) -> str:
    """A meeting format's name (恳谈会, 议事会 …)."""
    return {
        "talk": _("Talk (恳谈会)"),
        "council": _("Council meeting (议事会)"),
        "review": _("Review meeting (评议会)"),
        "hearing": _("Hearing (听证会)"),
        "open_space": _("Open space (开放空间)"),
        "quarterly": _("Quarterly joint meeting (季度例会)"),
    }.get(fmt, fmt)


async def list_councils(session: AsyncSession) -> list[Council]:
    """The district's councils, by name."""
    return list((await session.execute(select(Council).order_by(Council.name))).scalars())


async def council_or_404(session: AsyncSession, council_id: int) -> Council:
    """A council of the session's district, or 404."""
    council = await session.get(Council, council_id)
    if council is None or council.district_id != session.info.get("district_id", council.district_id):
        raise NotFound(_("Not found."))
    return council


async def council_for_place(session: AsyncSession, org_unit_id: int | None) -> Council | None:
    """The active council of an estate or community: the unit's own, else its community's."""
    seen = 0
    while org_unit_id is not None and seen < 6:
        found = (
            (
                await session.execute(
                    select(Council)
                    .where(Council.org_unit_id == org_unit_id, Council.active.is_(True))
                    .order_by(Council.id)
                )
            )
            .scalars()
            .first()
        )
        if found is not None:
            return found
        unit = (await session.execute(select(OrgUnit).where(OrgUnit.id == org_unit_id))).scalar_one_or_none()
        if unit is None or unit.kind == OrgUnitKind.STREET:
            return None
        org_unit_id, seen = unit.parent_id, seen + 1
    return None


async def members(session: AsyncSession, council_id: int, *, on: date | None = None) -> list[Member]:
    """Members whose term covers ``on`` (default today), chair first."""
    day = on or today()
    rows = (await session.execute(select(Member).where(Member.council_id == council_id))).scalars()
    order = {p: i for i, p in enumerate(POSITIONS)}
    return sorted((m for m in rows if m.active_on(day)), key=lambda m: (order.get(m.position, 9), m.party, m.id))


async def member_of_user(session: AsyncSession, council_id: int, user_id: int) -> Member | None:
    """The user's current seat in the council, if any."""
    for member in await members(session, council_id):
        if member.user_id == user_id:
            return member
    return None


async def secretary_user_ids(session: AsyncSession, council_id: int) -> list[int]:
    """Users who take the council's paperwork: the secretaries (or the chair when there is none)."""
    current = await members(session, council_id)
    ids = [m.user_id for m in current if m.position == "secretary" and m.user_id]
    return ids or [m.user_id for m in current if m.position == "chair" and m.user_id]


async def district_user(
    session: AsyncSession, district_id: int, *, username: str = "", user_id: int | None = None
) -> User | None:
    """A user with a role in ``district_id``, by username or id; ``None`` for anyone else.

    Users are platform-wide; a council only seats people of its own district, and a look-up
    must not tell which usernames exist in other districts (both answer "no such user").
    """
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.district_id == district_id)
        .limit(1)
    )
    if user_id is not None:
        query = query.where(User.id == user_id)
    elif username:
        query = query.where(User.username == username)
    else:
        return None
    return (await session.execute(query)).scalar_one_or_none()


async def _lock_council(session: AsyncSession, council: Council) -> None:
    """Serialize seat changes of one council (a second seat for one user is checked under this lock).

    PostgreSQL locks the council's row; SQLite's write transactions hold the database's
    write lock from their start (core.db.engine), which serializes them already.
    """
    await session.execute(select(Council.id).where(Council.id == council.id).with_for_update())


async def add_member(
    session: AsyncSession,
    council: Council,
    *,
    name: str,
    party: str,
    position: str = "member",
    organization: str = "",
    user_id: int | None = None,
    term_start: date | None = None,
    term_end: date | None = None,
) -> Member:
    """Seat a member; refuses an unknown party or position, a user of another district, a second seat for a user."""
    name = (name or "").strip()
    if user_id is not None:
        user = await district_user(session, council.district_id, user_id=user_id)
        if user is None:
            raise Refused(_("No user %(name)s.", name=user_id))
        name = name or user.label
    if not name or len(name) > 100:
        raise Refused(_("Enter the member's name."))
    if party not in PARTIES:
        raise Refused(_("Choose one of the five parties."))
    if position not in POSITIONS:
        raise Refused(_("Choose a position."))
    start = term_start or today()
    if term_end is not None and term_end < start:
        raise Refused(_("A term can't end before it starts."))
    if user_id is not None:
        await _lock_council(session, council)
    if user_id is not None and await member_of_user(session, council.id, user_id):
        raise Refused(_("This person already has a seat on the council."))
    member = Member(
        district_id=council.district_id,
        council_id=council.id,
        user_id=user_id,
        name=name,
        party=party,
        position=position,
        organization=(organization or "").strip()[:100],
        term_start=start,
        term_end=term_end,
    )
    session.add(member)
    await session.flush()
    return member


@dataclass(frozen=True)
class Quorum:
    """Members present against the council's quorum rule (more than ``num/den`` of the active members)."""

    present: int
    total: int
    num: int
    den: int

    @property
    def met(self) -> bool:
        # Exact integers: present / total > num / den  ⇔  present × den > num × total.
        return self.total > 0 and self.present * self.den > self.num * self.total

    @property
    def needed(self) -> int:
        """The fewest members present that make the quorum."""
        return self.num * self.total // self.den + 1

    def text(self) -> str:
        return _(
            "%(present)s of %(total)s members present (at least %(needed)s needed)",
            present=self.present,
            total=self.total,
            needed=self.needed,
        )


def quorum_of(council: Council, present: int, total: int) -> Quorum:
    """The quorum figures for ``present`` signed-in members out of ``total`` active ones."""
    return Quorum(present, total, council.quorum_num, council.quorum_den)
