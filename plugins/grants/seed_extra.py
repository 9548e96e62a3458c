"""Demo data of the grants remainder: the reviewer pools, and the company co-funder of the closed demo
project paid in on the ledger (so its statement and the public call page show co-funder money)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from core.plugin_api import ledger, utcnow
from plugins.grants.models import Funder
from plugins.grants.models_extra import GrantCoPayment, GrantPoolMember

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District

__all__ = ("pay_co_funders", "seed_extra")

POOLS = (("expert", "expert", ()), ("reviewer2", "expert", ()), ("reviewer3", "expert", ()),
         ("reviewer4", "finance", ()), ("reviewer5", "community", ("为老服务", "社区治理")))  # fmt: skip


async def seed_extra(session: AsyncSession, district: District, users: dict[str, int], staff: int) -> None:
    """Pools for the demo reviewers; the closed project's company co-funder paid into its account."""
    for username, pool, categories in POOLS:
        if username in users:
            session.add(GrantPoolMember(user_id=users[username], pool=pool, categories=list(categories)))
    companies = list((await session.execute(select(Funder).where(Funder.kind == "company"))).scalars())
    await pay_co_funders(session, district, companies, staff)


async def pay_co_funders(session: AsyncSession, district: District, funders: list[Funder], staff: int | None) -> None:
    """Each co-funder's commitment paid into its project's account (a balanced transfer, once per funder)."""
    for funder in funders:
        source = await ledger.open_account(
            session,
            district_id=district.id,
            owner_kind="system",
            owner_ref=f"grants:co-funder:{funder.id}",
            unit="fen",
            name=f"配套方：{funder.name}"[:100],
            min_balance=None,
        )
        project = await ledger.get_account(
            session, district_id=district.id, owner_ref=f"grants:project:{funder.application_id}", unit="fen"
        )
        if project is None:
            continue
        moved = await ledger.move(
            session,
            district_id=district.id,
            from_account=source.id,
            to_account=project.id,
            amount=funder.committed_fen,
            reason=f"配套资金到账：{funder.name}",
            category="grants.co_funding",
            idempotency_key=f"grants:co-funder:{funder.id}",
            created_by_id=staff,
        )
        session.add(
            GrantCoPayment(
                funder_id=funder.id,
                amount_fen=funder.committed_fen,
                transfer_id=moved.id,
                paid_at=utcnow(),
                paid_by=staff,
            )
        )
    await session.flush()
