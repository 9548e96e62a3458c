"""Service deliveries (服务记录): any module declares that an organization served a resident.

A time bank marks a service verified, a grants project records an activity attended, a
case is closed by an organization: the module calls :func:`record` in its own
transaction; the core keeps the delivery once (its ``reference`` is unique in the
district) and then fires the ``service_delivered`` hook, so a rating module can invite
the resident to rate it — neither module imports the other. See docs/plugins/hooks.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite

from core.db.base import utcnow
from core.models.deliveries import DELIVERY_STATUSES, ServiceDelivery
from core.models.organizations import Organization
from core.models.residents import Person
from core.models.user import User
from core.plugins.asyncio import call_hook
from core.refusal import NotFound, Refusal

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.ext.asyncio import AsyncSession

    from core.context import RequestContext

__all__ = (
    "DELIVERY_STATUSES",
    "Resident",
    "ServiceDelivery",
    "cancel",
    "for_user",
    "get_delivery",
    "record",
    "residents_of",
)

KIND_MAX = 40
REFERENCE_MAX = 120
TITLE_MAX = 200


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


async def _check(session: AsyncSession, organization_id: int, person_id: int | None, user_id: int | None) -> None:
    if (await session.execute(select(Organization.id).where(Organization.id == organization_id))).first() is None:
        raise NotFound("没有这个社会组织", "No such organization", errors={"organization_id": "没有这个社会组织"})
    if person_id is None and user_id is None:
        raise Refusal(
            "请指明接受服务的居民", "Say which resident was served", errors={"resident_id": "请指明接受服务的居民"}
        )
    if (
        person_id is not None
        and (await session.execute(select(Person.id).where(Person.id == person_id))).first() is None
    ):
        raise NotFound("没有这位居民", "No such resident", errors={"resident_id": "没有这位居民"})


async def record(
    ctx: RequestContext,
    *,
    organization_id: int,
    kind: str,
    reference: str,
    delivered_at: datetime,
    resident_id: int | None = None,
    user_id: int | None = None,
    verified_by: int | None = None,
    title: str = "",
    source: str = "manual",
    status: str = "completed",
) -> ServiceDelivery:
    """Record that ``organization_id`` served a resident; return the delivery (the existing one for a known reference).

    ``resident_id`` is the residents registry's person, ``user_id`` the resident's login
    (one of them at least). ``reference`` names the module's own record and makes the
    call idempotent: a second call with it changes nothing and fires no hook, even when
    two requests record it at the same moment. ``verified_by`` (a user id) marks it
    verified now; only a completed, verified delivery can be rated. Written in
    ``ctx.session``'s transaction; ``service_delivered`` is fired once, after the insert.
    """
    session = ctx.session
    if ctx.district is None:
        msg = "deliveries.record() needs a context inside a district"
        raise ValueError(msg)
    reference = reference.strip()
    if not reference or len(reference) > REFERENCE_MAX:
        raise Refusal("服务记录的编号无效", "The delivery's reference is not valid", errors={"reference": "编号无效"})
    if not kind or len(kind) > KIND_MAX:
        raise Refusal("服务类别无效", "The kind of service is not valid", errors={"kind": "服务类别无效"})
    if status not in DELIVERY_STATUSES:
        raise Refusal("服务状态无效", "The delivery's status is not valid", errors={"status": "服务状态无效"})
    await _check(session, organization_id, resident_id, user_id)
    now = utcnow()
    values = {
        "district_id": ctx.district.id,
        "organization_id": organization_id,
        "person_id": resident_id,
        "user_id": user_id,
        "kind": kind,
        "title": title.strip()[:TITLE_MAX],
        "reference": reference,
        "source": source[:KIND_MAX],
        "delivered_at": _aware(delivered_at),
        "status": status,
        "verified_by_id": verified_by,
        "verified_at": now if verified_by is not None else None,
        "created_at": now,
        "updated_at": now,
    }
    await session.flush()
    insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(ServiceDelivery)
    statement = (
        insert.values(**values)
        .on_conflict_do_nothing(index_elements=["district_id", "reference"])
        .returning(ServiceDelivery.id)
    )
    new_id = (await session.execute(statement)).scalar_one_or_none()
    if new_id is None:
        query = select(ServiceDelivery).where(ServiceDelivery.reference == reference)
        return (await session.execute(query)).scalar_one()
    delivery = (await session.execute(select(ServiceDelivery).where(ServiceDelivery.id == new_id))).scalar_one()
    await call_hook(ctx.hooks.service_delivered, ctx=ctx, delivery=delivery)
    return delivery


async def get_delivery(session: AsyncSession, delivery_id: int) -> ServiceDelivery:
    """The district's delivery with this id, or :class:`~core.refusal.NotFound`."""
    found = (
        await session.execute(select(ServiceDelivery).where(ServiceDelivery.id == delivery_id))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("没有这条服务记录", "No such service delivery")
    return found


async def cancel(session: AsyncSession, reference: str) -> ServiceDelivery:
    """Mark the delivery with ``reference`` cancelled (it can no longer be rated); NotFound if unknown."""
    found = (
        await session.execute(select(ServiceDelivery).where(ServiceDelivery.reference == reference))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("没有这条服务记录", "No such service delivery")
    found.status = "cancelled"
    found.updated_at = utcnow()
    await session.flush()
    return found


@dataclass(frozen=True)
class Resident:
    """Who was served: the person's name and phone (or the login's display name) and their login, if any."""

    name: str
    phone: str
    user_id: int | None


async def residents_of(session: AsyncSession, rows: Iterable[ServiceDelivery]) -> dict[int, Resident]:
    """The resident of each delivery, by delivery id (for pages: a name to show, a login to check)."""
    items = list(rows)
    person_ids = {d.person_id for d in items if d.person_id is not None}
    user_ids = {d.user_id for d in items if d.user_id is not None}
    people = {
        p.id: p for p in (await session.execute(select(Person).where(Person.id.in_(person_ids or {0})))).scalars()
    }
    users = {u.id: u for u in (await session.execute(select(User).where(User.id.in_(user_ids or {0})))).scalars()}
    found: dict[int, Resident] = {}
    for d in items:
        person = people.get(d.person_id or 0)
        user = users.get(d.user_id or 0)
        name = person.name if person else (user.display_name if user else "")
        login = d.user_id if d.user_id is not None else (person.user_id if person else None)
        found[d.id] = Resident(name=name, phone=person.phone if person else "", user_id=login)
    return found


async def for_user(session: AsyncSession, user_id: int) -> list[ServiceDelivery]:
    """The district's deliveries to this login, directly or through the person linked to it, newest first."""
    people = select(Person.id).where(Person.user_id == user_id)
    query = (
        select(ServiceDelivery)
        .where(or_(ServiceDelivery.user_id == user_id, ServiceDelivery.person_id.in_(people)))
        .order_by(ServiceDelivery.delivered_at.desc(), ServiceDelivery.id.desc())
    )
    return list((await session.execute(query)).scalars())
