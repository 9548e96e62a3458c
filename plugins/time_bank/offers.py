"""Services volunteers offer (需求/服务): checking an offer, saving it, listing and withdrawing one's own.

An offer is a category, a community (or anywhere) and the times the volunteer is free;
matching reads the active ones (see ``queries.score``). Choosing several communities
saves one offer per community, so each can be withdrawn on its own. Withdrawing keeps
the row (``active`` false): nothing a volunteer offered is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.plugin_api import OrgUnit, OrgUnitKind
from core.plugin_api import gettext as _
from plugins.time_bank import banks
from plugins.time_bank.models import Bank, Category, Member, MemberStatus, Offer
from plugins.time_bank.queries import WEEKDAYS

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "SLOTS",
    "OfferDraft",
    "check_offer",
    "create_offers",
    "my_offers",
    "offer_context",
    "volunteer_banks",
    "withdraw_offer",
)

SLOTS = [f"{day}_{part}" for day in WEEKDAYS for part in ("am", "pm", "eve")]
MAX_DESCRIPTION = 500


@dataclass
class OfferDraft:
    """An offer as checked from a form: ready to save when ``errors`` is empty."""

    bank: Bank | None = None
    category: str = ""
    areas: list[int] = field(default_factory=list)
    availability: list[str] = field(default_factory=list)
    description: str = ""
    errors: dict[str, str] = field(default_factory=dict)


async def volunteer_banks(session: AsyncSession, user_id: int) -> list[tuple[Bank, dict[str, Category]]]:
    """The active banks the user is an approved volunteer of, with their categories."""
    query = (
        select(Bank)
        .join(Member, Member.bank_id == Bank.id)
        .where(
            Member.user_id == user_id,
            Member.status == MemberStatus.APPROVED,
            Member.is_volunteer.is_(True),
            Bank.active.is_(True),
        )
        .order_by(Bank.id)
    )
    return [(b, await banks.categories(session, b.id)) for b in (await session.execute(query)).scalars()]


async def communities(session: AsyncSession) -> list[OrgUnit]:
    query = select(OrgUnit).where(OrgUnit.kind == OrgUnitKind.COMMUNITY).order_by(OrgUnit.code)
    return list((await session.execute(query)).scalars())


async def check_offer(
    session: AsyncSession,
    user_id: int,
    *,
    bank_id: str,
    category: str,
    areas: list[str],
    availability: list[str],
    description: str,
) -> OfferDraft:
    """Check what a volunteer typed; every problem is reported against its field."""
    draft = OfferDraft(category=category, description=description.strip())
    choices = {b.id: cats for b, cats in await volunteer_banks(session, user_id)}
    bank_key = int(bank_id) if bank_id.isdigit() else 0
    if bank_key not in choices:
        draft.errors["bank"] = _("Only the bank's approved volunteers can offer its services.")
    else:
        draft.bank = await banks.bank_or_404(session, bank_key)
        if category not in choices[bank_key]:
            names = "、".join(c.name_zh for c in choices[bank_key].values())
            draft.errors["category"] = _("Choose one of this bank's categories: %(names)s.", names=names)
    known = {u.id for u in await communities(session)}
    picked = [int(a) for a in areas if str(a).isdigit()]
    if any(a not in known for a in picked) or len(picked) != len(areas):
        draft.errors["areas"] = _("Choose communities from the list.")
    draft.areas = sorted(set(picked))
    if any(s not in SLOTS for s in availability):
        draft.errors["availability"] = _("Choose times from the list.")
    draft.availability = [s for s in SLOTS if s in availability]
    if not draft.description:
        draft.errors["description"] = _("Say what you offer, e.g. what you can help with and how.")
    elif len(draft.description) > MAX_DESCRIPTION:
        draft.errors["description"] = _("At most %(count)s characters.", count=MAX_DESCRIPTION)
    return draft


async def create_offers(session: AsyncSession, user_id: int, draft: OfferDraft) -> list[Offer]:
    """Save a checked draft: one offer per community chosen (one for anywhere when none)."""
    assert draft.bank is not None and not draft.errors
    areas: list[int | None] = [*draft.areas] or [None]
    made = [
        Offer(
            district_id=draft.bank.district_id,
            bank_id=draft.bank.id,
            user_id=user_id,
            category=draft.category,
            area_id=area,
            availability=list(draft.availability),
            description=draft.description,
        )
        for area in areas
    ]
    session.add_all(made)
    await session.flush()
    return made


async def my_offers(session: AsyncSession, user_id: int) -> list[Offer]:
    """The user's active offers, newest first."""
    query = select(Offer).where(Offer.user_id == user_id, Offer.active.is_(True)).order_by(Offer.id.desc())
    return list((await session.execute(query)).scalars())


async def withdraw_offer(session: AsyncSession, user_id: int, offer_id: int) -> Offer | None:
    """Withdraw one of the user's active offers; ``None`` when it is not theirs or already withdrawn."""
    query = select(Offer).where(Offer.id == offer_id, Offer.user_id == user_id, Offer.active.is_(True))
    offer = (await session.execute(query)).scalar_one_or_none()
    if offer is not None:
        offer.active = False
        await session.flush()
    return offer


async def offer_context(
    session: AsyncSession, user_id: int, form: dict[str, Any] | None = None, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    """What the phone page's offer section needs: banks to offer in, the form, my offers."""
    choices = await volunteer_banks(session, user_id)
    cats_of = {b.id: cats for b, cats in choices}
    return {
        "offer_banks": choices,
        "offer_form": form or {"areas": [], "availability": []},
        "offer_errors": errors or {},
        "my_offers": await my_offers(session, user_id),
        "offer_cats": cats_of,
        "communities": {u.id: u for u in await communities(session)},
        "slots": SLOTS,
    }
