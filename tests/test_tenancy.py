"""A session bound to a district sees only that district's rows, however the query is written (core.db.tenancy)."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, literal, select

from core.db import for_district
from core.models import OrgUnit, OrgUnitKind
from core.testing.factories import make_district, make_org_unit


def _two_districts(seed) -> tuple[int, int]:
    async def make(session):
        haishu = await make_district(session, "haishu", "海曙区", ref_prefix="HS")
        yinzhou = await make_district(session, "yinzhou", "鄞州区", ref_prefix="YZ")
        await make_org_unit(session, haishu, "gulou", "鼓楼街道", OrgUnitKind.STREET)
        for code in ("a", "b", "c"):
            await make_org_unit(session, yinzhou, code, f"街道{code}", OrgUnitKind.STREET)
        return haishu.id, yinzhou.id

    return seed(make)


def test_every_shape_of_query_sees_only_its_district(seed) -> None:
    haishu, _yinzhou = _two_districts(seed)

    async def counts(session):
        for_district(session, haishu)
        count = select(func.count()).select_from(OrgUnit)
        return {
            "entities": len((await session.execute(select(OrgUnit))).scalars().all()),
            "count": (await session.execute(count)).scalar_one(),
            "scalar subquery, no entity outside": (await session.execute(select(count.scalar_subquery()))).scalar_one(),
            "subquery beside a literal": (
                await session.execute(
                    select(literal(1), count.where(OrgUnit.kind == OrgUnitKind.STREET).scalar_subquery())
                )
            ).one()[1],
            "count of a column": (await session.execute(select(func.count(OrgUnit.id)))).scalar_one(),
            "max of a column": (await session.execute(select(func.max(OrgUnit.code)))).scalar_one(),
            "a column": len((await session.execute(select(OrgUnit.code))).all()),
            "exists": (
                await session.execute(select(select(OrgUnit.id).where(OrgUnit.code == "a").exists()))
            ).scalar_one(),
        }

    assert seed(counts) == {
        "entities": 1,
        "count": 1,
        "scalar subquery, no entity outside": 1,
        "subquery beside a literal": 1,
        "count of a column": 1,
        "max of a column": "gulou",
        "a column": 1,
        "exists": False,
    }


BARE_COUNT = re.compile(r"select\(\s*func\.count\(\)\s*\)(?!\s*\.select_from)")


def test_a_bare_count_names_no_table_so_it_is_never_written(seed) -> None:
    """``select(func.count()).where(Model.x == …)`` takes its FROM from the WHERE clause and names no
    entity, so the district filter cannot see it and it counts every district's rows; the core and the
    plugins write ``select(func.count()).select_from(Model)`` instead (docs/architecture.md, tenancy)."""
    haishu, _yinzhou = _two_districts(seed)

    async def bare(session):
        for_district(session, haishu)
        return (await session.execute(select(func.count()).where(OrgUnit.kind == OrgUnitKind.STREET))).scalar_one()

    assert seed(bare) == 4  # why the rule exists: 1 street here, 3 in 鄞州区
    root = Path(__file__).resolve().parent.parent
    found = [
        f"{path.relative_to(root)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in [*root.glob("core/**/*.py"), *root.glob("plugins/**/*.py")]
        if "tests" not in path.parts
        for text in [path.read_text(encoding="utf-8")]
        for m in BARE_COUNT.finditer(text)
    ]
    assert found == [], f"name the table: select(func.count()).select_from(Model) — {found}"
