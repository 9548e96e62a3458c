"""Migration 5e1a7ed0c0de fills cases.contact_phone from each version's phone fields, on both backends."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from core.cases.service import create_case
from core.models.cases import Case
from core.plugins.migrations import downgrade, migration_sets, upgrade_all
from tests.cases.conftest import RESIDENT_REQUEST

if TYPE_CHECKING:
    from core.context import RequestContext

pytestmark = pytest.mark.usefixtures("world")


def test_upgrade_fills_contact_phone(as_user, seed, database_url, host, all_plugins_host):
    """Cases made before the column get the first phone field with a value; cases with none stay empty."""

    async def cases(ctx: RequestContext) -> None:
        await create_case(ctx, "resident_request", title="诉求", data=dict(RESIDENT_REQUEST), channel="phone")
        await create_case(
            ctx,
            "casework",
            title="个案",
            data={
                "client_name": "李",
                "client_phone": "13900139000",
                "service_line": "youth",
                "presenting_problem": "x",
            },
            channel="walk_in",
        )
        await create_case(
            ctx,
            "casework",
            title="无电话",
            data={"client_name": "王", "service_line": "youth", "presenting_problem": "y"},
            channel="walk_in",
        )

    as_user("social", cases)
    # The plugins' tables go first: they reference core tables newer than that revision (organizations …).
    for migration_set in migration_sets(all_plugins_host):
        if migration_set.key != "core":
            asyncio.run(downgrade(database_url, "base", plugin=migration_set.key, host=all_plugins_host))
    asyncio.run(downgrade(database_url, "c3ddd0f1286f", host=host))
    asyncio.run(upgrade_all(database_url, host=host))

    async def phones(session: Any) -> dict[str, str | None]:
        rows = await session.execute(select(Case.title, Case.contact_phone))
        return dict(rows.tuples().all())

    assert seed(phones) == {"诉求": RESIDENT_REQUEST["phone"], "个案": "13900139000", "无电话": None}
