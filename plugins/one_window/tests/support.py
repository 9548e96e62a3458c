"""Test data for the one_window tests (kept apart from conftest so tests can import it)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from sqlalchemy import func, select

from core.auth.tokens import create_token
from core.db.tenancy import for_district
from core.models import District, OrgUnit, OrgUnitKind, User
from core.residents import service as registry
from core.testing.factories import make_org_unit
from plugins.one_window.models import Intake, Item

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.testing.factory import Factory

CATALOGUE = "/d/haishu/one_window"
WINDOW = "/d/haishu/one_window/intake"
API = "/api/v1/districts/haishu/one_window"


async def _district(session: AsyncSession, code: str = "haishu") -> District:
    return (await session.execute(select(District).where(District.code == code))).scalar_one()


def catalogue(factory: Factory) -> None:
    """The demo catalogue: the street's five departments and 20 items."""
    factory.seed_demo("one_window")


def item_id(factory: Factory, code: str) -> int:
    """The id of the item with ``code`` in 海曙区."""

    async def work(session: AsyncSession) -> int:
        district = await _district(session)
        query = select(Item.id).where(Item.district_id == district.id, Item.code == code)
        return int((await session.execute(query)).scalar_one())

    return factory.run(work)


def resident(factory: Factory, name: str, phone: str, room: str = "501") -> int:
    """A person of the register living in 偃月小区 3幢 1单元 ``room``; returns the person's id."""

    async def work(session: AsyncSession) -> int:
        district = await _district(session)
        community = (
            await session.execute(select(OrgUnit).where(OrgUnit.district_id == district.id, OrgUnit.code == "pingqiao"))
        ).scalar_one()
        estate = await make_org_unit(session, district, f"yanyue-{room}", "偃月小区", OrgUnitKind.ESTATE, community)
        for_district(session, district.id)
        person = await registry.create_person(session, district.id, None, {"name": name, "phone": phone})
        household = await registry.create_household(
            session, district.id, {"estate_id": estate.id, "building": "3", "unit": "1", "room": room}
        )
        await registry.add_member(session, district.id, household, person.id, "owner")
        for_district(session, None)
        return person.id

    return factory.run(work)


def api_token(factory: Factory, username: str) -> str:
    """An API token of ``username`` in 海曙区."""

    async def work(session: AsyncSession) -> str:
        district = await _district(session)
        user = (await session.execute(select(User).where(User.username == username))).scalar_one()
        raw, _row = await create_token(session, user, district.id, "one_window tests")
        return raw

    return factory.run(work)


def counts(factory: Factory) -> dict[str, int]:
    """How many items, intakes and one-window cases 海曙区 has."""
    from core.models.cases import Case

    async def work(session: AsyncSession) -> dict[str, int]:
        district = await _district(session)

        async def count(model: Any, *where: Any) -> int:
            query = select(func.count()).select_from(model).where(model.district_id == district.id, *where)
            return int((await session.execute(query)).scalar_one())

        return {
            "items": await count(Item),
            "intakes": await count(Intake),
            "cases": await count(Case, Case.case_type_key == "one_window_request"),
        }

    return factory.run(work)


def xlsx(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    """An XLSX file with the catalogue's header row and ``rows``."""
    from plugins.one_window.xlsx import COLUMNS

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header or [h for _k, h in COLUMNS])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
