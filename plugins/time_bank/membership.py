"""Joining a bank and the staff's decision on an application: the one check used by the page and the API.

An application names what the person can do (the bank's categories), where (the
district's communities) and when (the offer slots); anything else is refused with a
message by field and nothing is written. The bank's staff approve (the member's account
is opened) or reject; a decision on an application that is no longer waiting is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from core.plugin_api import NotFound, OrgUnit, OrgUnitKind, Refusal, normalize_phone
from core.plugin_api import gettext as _
from plugins.time_bank import banks
from plugins.time_bank.models import Bank, Member, MemberStatus
from plugins.time_bank.offers import SLOTS

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("apply", "decide", "find_member")


async def apply(
    session: AsyncSession,
    bank: Bank,
    user_id: int,
    *,
    volunteer: bool,
    resident: bool,
    skills: Iterable[Any] = (),
    areas: Iterable[Any] = (),
    availability: Iterable[Any] = (),
    phone: Any = "",
) -> Member:
    """Apply to join ``bank`` (or update one's application or profile); refused by field when a value is wrong."""
    errors: dict[str, str] = {}
    if not bank.active:
        raise NotFound(_("No such time bank."))
    if not volunteer and not resident:
        errors["volunteer"] = _("Choose at least one: volunteering, or needing services.")
    cats = await banks.categories(session, bank.id)
    skill_keys = [str(s) for s in skills]
    if any(s not in cats for s in skill_keys):
        errors["skills"] = _("Choose from this bank's categories.")
    communities = set(
        (await session.execute(select(OrgUnit.id).where(OrgUnit.kind == OrgUnitKind.COMMUNITY))).scalars()
    )
    area_ids = [int(a) if str(a).isdigit() else -1 for a in areas]
    if any(a not in communities for a in area_ids):
        errors["areas"] = _("Choose from the district's communities.")
    slots = [str(s) for s in availability]
    if any(s not in SLOTS for s in slots):
        errors["availability"] = _("Choose from the times listed.")
    typed = str(phone or "").strip()
    number = normalize_phone(typed) if typed else ""
    if number is None or len(number) > 20:
        errors["phone"] = _("Enter a mobile or landline number, e.g. 13812345678 or 0574-87654321.")
    if errors:
        raise Refusal(_("Please correct the marked fields."), errors=errors)
    return await banks.apply_to_join(
        session,
        bank,
        user_id,
        volunteer=volunteer,
        resident=resident,
        skills=list(dict.fromkeys(skill_keys)),
        areas=list(dict.fromkeys(area_ids)),
        availability=list(dict.fromkeys(slots)),
        phone=number or "",
    )


async def find_member(session: AsyncSession, bank: Bank, member_id: int) -> Member:
    """A membership (or application) of ``bank`` by its id; 404 for another bank's."""
    query = select(Member).where(Member.id == member_id, Member.bank_id == bank.id)
    member = (await session.execute(query)).scalar_one_or_none()
    if member is None:
        raise NotFound(_("No such application."))
    return member


async def decide(session: AsyncSession, bank: Bank, member_id: int, decision: str, *, by: int) -> Member:
    """Approve or reject a waiting application (``decision``: ``approve`` or ``reject``)."""
    if decision not in {"approve", "reject"}:
        raise Refusal(_("Approve or reject."), errors={"decision": "approve, reject"})
    member = await find_member(session, bank, member_id)
    # One conditional UPDATE decides: two staff deciding at once decide once (the second is told it is done).
    status = MemberStatus.APPROVED if decision == "approve" else MemberStatus.REJECTED
    claimed = await session.execute(
        update(Member)
        .where(Member.id == member.id, Member.status == MemberStatus.APPLIED)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Refusal(_("This application has already been decided."), status_code=409)
    await session.refresh(member)
    await banks.decide_application(session, bank, member, approve=decision == "approve", by=by)
    return member
