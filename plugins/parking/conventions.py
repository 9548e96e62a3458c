"""Parking conventions (停车公约): versions, the owners' vote through ``core.votes``, adoption.

A convention is drafted (text, fee schedule, rules), put to the owners' vote with the
Civil Code art. 278 thresholds (``owners_ordinary``, or ``owners_major`` for the major
matters the law lists) and an electorate frozen from the households register (one
household one owner, weighted by its exact floor area), and takes effect only when the
vote passes. Ballots come online from the owner's own login, or are entered by staff
(paper, show of hands, door to door) — the core records who entered each and when.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from core.plugin_api import gettext as _
from core.plugin_api import residents, utcnow, votes
from plugins.parking.models import Convention, ParkingEstate
from plugins.parking.service import Conflict, Refused

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "DEFAULT_FEES",
    "DEFAULT_RULES",
    "adopted_convention",
    "cast",
    "close",
    "conventions",
    "create_convention",
    "enter_stack",
    "household_ref",
    "put_to_vote",
    "tally",
)

DEFAULT_FEES = {"first_car_fen": 0, "second_car_fen": 5000, "visitor_free_hours": 2}
DEFAULT_RULES = {"cards_per_household": 2, "suspend_after": 3, "violation_days": 30}
STAFF_CHANNELS = ("paper", "hands", "door_to_door")


def household_ref(household_id: int) -> str:
    """The voter reference of a household in an owners' vote."""
    return f"household:{household_id}"


def status_label(status: str) -> str:
    """A convention's status as people say it."""
    return {
        "draft": _("Draft"),
        "voting": _("Owners voting"),
        "adopted": _("In force"),
        "rejected": _("Not adopted"),
        "superseded": _("Superseded"),
    }.get(status, status)


def _int(raw: Any, field: str, low: int, high: int) -> int:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        value = low - 1
    if not low <= value <= high:
        raise Refused(
            f"{field} 须是 {low}–{high} 的整数",
            f"{field} is a whole number from {low} to {high}.",
            errors={field: _("A whole number from %(low)s to %(high)s.", low=low, high=high)},
        )
    return value


def _fen(raw: Any, field: str) -> int:
    """Yuan as typed ("50", "50.00") to fen, exactly."""
    text = str(raw if raw is not None else "").strip()
    try:
        yuan, _dot, cents = text.partition(".")
        if not yuan.isdigit() or (cents and (not cents.isdigit() or len(cents) > 2)):
            raise ValueError
        return int(yuan) * 100 + int((cents or "0").ljust(2, "0"))
    except ValueError:
        raise Refused(
            "金额格式有误", "An amount in yuan, e.g. 50.00.", errors={field: _("An amount in yuan, e.g. 50.00.")}
        ) from None


def clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """Check a draft's title, text, fees (yuan) and rules."""
    title = str(data.get("title") or "").strip()
    body = str(data.get("body") or "").strip()
    errors: dict[str, str] = {}
    if not title or len(title) > 200:
        errors["title"] = _("Enter a title (up to 200 characters).")
    if not body or len(body) > 20000:
        errors["body"] = _("Write the convention's text.")
    if errors:
        raise Refused("公约草案有误", "The draft was not saved.", errors=errors)
    fees = {
        "first_car_fen": _fen(data.get("first_car_yuan", "0"), "first_car_yuan"),
        "second_car_fen": _fen(data.get("second_car_yuan", "50"), "second_car_yuan"),
        "visitor_free_hours": _int(data.get("visitor_free_hours", 2), "visitor_free_hours", 0, 24),
    }
    rules = {
        "cards_per_household": _int(data.get("cards_per_household", 2), "cards_per_household", 1, 5),
        "suspend_after": _int(data.get("suspend_after", 3), "suspend_after", 1, 10),
        "violation_days": _int(data.get("violation_days", 30), "violation_days", 1, 365),
    }
    major = str(data.get("major") or "") in ("on", "true", "1", "True")
    return {"title": title, "body": body, "fees": fees, "rules": rules, "major": major}


async def conventions(session: AsyncSession, estate_id: int) -> list[Convention]:
    """The estate's convention versions, newest first."""
    query = select(Convention).where(Convention.parking_estate_id == estate_id).order_by(Convention.version.desc())
    return list((await session.execute(query)).scalars())


async def adopted_convention(session: AsyncSession, estate_id: int) -> Convention | None:
    """The convention in force (adopted by the owners), or ``None``."""
    query = select(Convention).where(Convention.parking_estate_id == estate_id, Convention.status == "adopted")
    return (await session.execute(query)).scalars().first()


async def create_convention(
    session: AsyncSession, estate: ParkingEstate, data: Mapping[str, Any], created_by: int | None
) -> Convention:
    """A new draft version (the next number)."""
    values = clean(data)
    last = (
        await session.execute(select(func.max(Convention.version)).where(Convention.parking_estate_id == estate.id))
    ).scalar_one()
    convention = Convention(
        district_id=estate.district_id,
        parking_estate_id=estate.id,
        version=(last or 0) + 1,
        status="draft",
        created_by=created_by,
        **values,
    )
    session.add(convention)
    await session.flush()
    return convention


async def electorate(session: AsyncSession, estate: ParkingEstate) -> list[votes.Voter]:
    """The owners of the estate from the households register: one voter per household, its area as weight."""
    owners = await residents.estate_owners(session, estate.estate_id)
    return [votes.Voter(household_ref(o.household_id), None, o.area) for o in owners]


async def put_to_vote(
    session: AsyncSession,
    convention: Convention,
    *,
    user_id: int | None,
    days: int = 14,
    opens_at: datetime | None = None,
) -> votes.Vote:
    """Put a draft to the owners' vote: Civil Code thresholds, electorate frozen now, ballots by name."""
    if convention.status != "draft":
        raise Conflict("只有草案可以付诸表决", "Only a draft is put to the vote.")
    estate = await session.get(ParkingEstate, convention.parking_estate_id)
    assert estate is not None
    voters = await electorate(session, estate)
    if not voters:
        raise Conflict(
            "住户登记中没有登记了面积的业主，无法表决",
            "The households register has no owners with floor areas: there is no one to vote.",
        )
    start = opens_at or utcnow()
    rules = votes.Rules.owners_major() if convention.major else votes.Rules.owners_ordinary()
    try:
        vote = await votes.create_vote(
            session,
            district_id=convention.district_id,
            subject_ref=f"parking_convention:{convention.id}",
            title=f"{convention.title}（第 {convention.version} 版）"[:300],
            method="for_against_abstain",
            options=None,
            rules=rules,
            secrecy="named",
            opens_at=start,
            closes_at=start + timedelta(days=days),
            created_by_id=user_id,
        )
        await votes.open_vote(session, vote.id, voters)
    except votes.VoteError as exc:
        raise Refused(exc.zh, exc.en) from exc
    convention.vote_id = vote.id
    convention.status = "voting"
    await session.flush()
    return vote


async def cast(
    session: AsyncSession,
    convention: Convention,
    household_id: int,
    choice: str,
    *,
    channel: str = "online",
    entered_by: int | None = None,
) -> votes.BallotReceipt:
    """A household's ballot: online by the owner, or entered by staff (paper, hands, door to door)."""
    if convention.status != "voting" or convention.vote_id is None:
        raise Conflict("该公约不在表决中", "This convention is not being voted on.")
    if channel != "online" and channel not in STAFF_CHANNELS:
        raise Refused("请选择投票方式", "Choose how the ballot came in.", errors={"channel": _("Choose a channel.")})
    if choice not in ("for", "against", "abstain"):
        raise Refused("请选择同意、反对或弃权", "Choose for, against or abstain.", errors={"choice": _("Choose.")})
    try:
        return await votes.cast_ballot(
            session,
            convention.vote_id,
            voter_ref=household_ref(household_id),
            choice=choice,
            channel=channel,
            entered_by_id=None if channel == "online" else entered_by,
        )
    except votes.AlreadyVoted as exc:
        raise Conflict("这一户已经投过票", "This household has already voted.") from exc
    except votes.VoteError as exc:
        raise Refused(exc.zh, exc.en) from exc


async def enter_stack(
    session: AsyncSession, convention: Convention, stack: list[tuple[int, str]], *, channel: str, entered_by: int
) -> int:
    """Enter a stack of ballots collected by staff (paper, hands, door to door) at once: all or nothing."""
    if convention.status != "voting" or convention.vote_id is None:
        raise Conflict("该公约不在表决中", "This convention is not being voted on.")
    if channel not in STAFF_CHANNELS:
        raise Refused("请选择投票方式", "Choose how the ballots came in.", errors={"channel": _("Choose a channel.")})
    try:
        return await votes.enter_ballots(
            session,
            convention.vote_id,
            [(household_ref(h), c) for h, c in stack],
            channel=channel,
            entered_by_id=entered_by,
        )
    except votes.AlreadyVoted as exc:
        raise Conflict("这批选票中有住户已经投过票", "A household in the stack has already voted.") from exc
    except votes.VoteError as exc:
        raise Refused(exc.zh, exc.en) from exc


async def owned_households(session: AsyncSession, user_id: int, estate: ParkingEstate) -> list[int]:
    """The households of the estate the user owns (their owner's ballot is theirs to cast)."""
    rows = await residents.households_of_user(session, user_id)
    return [r.household_id for r in rows if r.estate_id == estate.estate_id and r.relation in ("owner", "co_owner")]


@dataclass(frozen=True)
class Tally:
    """What the pages show of a convention's vote."""

    result: votes.VoteResult
    ballots: list[votes.NamedBallot]


async def tally(session: AsyncSession, convention: Convention) -> Tally | None:
    """The live (or final) result of the convention's vote, and the ballots by household."""
    if convention.vote_id is None:
        return None
    result = await votes.results(session, convention.vote_id)
    ballots = list(await votes.named_ballots(session, convention.vote_id))
    return Tally(result, ballots)


async def close(session: AsyncSession, convention: Convention) -> votes.VoteResult:
    """Close the vote: adopted (the former version superseded) if it passed, else not adopted."""
    if convention.status != "voting" or convention.vote_id is None:
        raise Conflict("该公约不在表决中", "This convention is not being voted on.")
    try:
        result = await votes.close_vote(session, convention.vote_id)
    except votes.VoteError as exc:
        raise Refused(exc.zh, exc.en) from exc
    if result.outcome == votes.Outcome.PASSED:
        previous = await adopted_convention(session, convention.parking_estate_id)
        if previous is not None:
            previous.status = "superseded"
            await session.flush()
        convention.status = "adopted"
        convention.adopted_at = utcnow()
    else:
        convention.status = "rejected"
    await session.flush()
    return result
