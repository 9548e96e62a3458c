"""Importing households from an XLSX sheet: one row per person in a household; all rows or none.

The first row names the columns (Chinese or English headers, any order):

=========  ==========  =============================================
小区        estate      the estate's Chinese name or code (required)
楼栋        building    required
单元        unit        optional
室号        room        required
建筑面积    area        m², at most two decimals (optional)
姓名        name        the person (optional: a household without people)
电话        phone       mobile or landline (optional)
关系        relation    业主 / 共有业主 / 租户 / 家庭成员 / 其他 (or the English keys)
=========  ==========  =============================================

An address already recorded is reused (its area is set when the row gives one); a person
with the same name and phone is reused. Every row is checked first; when any row is wrong
nothing is written and the errors name the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.forms.formats import area_to_hundredths, normalize_phone
from core.i18n import gettext as _
from core.models import Household, HouseholdMember, OrgUnit, OrgUnitKind, Person
from core.refusal import ServiceError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("ImportResult", "import_households")

MAX_ROWS = 5000
HEADERS = {
    "小区": "estate",
    "estate": "estate",
    "楼栋": "building",
    "building": "building",
    "单元": "unit",
    "unit": "unit",
    "室号": "room",
    "room": "room",
    "建筑面积": "area",
    "area": "area",
    "姓名": "name",
    "name": "name",
    "电话": "phone",
    "phone": "phone",
    "关系": "relation",
    "relation": "relation",
}
RELATION_WORDS = {
    "业主": "owner",
    "共有业主": "co_owner",
    "租户": "tenant",
    "家庭成员": "family",
    "其他": "other",
    "owner": "owner",
    "co_owner": "co_owner",
    "tenant": "tenant",
    "family": "family",
    "other": "other",
}


@dataclass
class ImportResult:
    """What an import wrote."""

    households: int = 0
    people: int = 0
    members: int = 0


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows(data: bytes) -> list[dict[str, str]]:
    from openpyxl import load_workbook  # noqa: PLC0415 - only imports need it

    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ServiceError(_("This is not an XLSX file that can be read."), "file") from exc
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = next(lines, None) or ()
    keys = [HEADERS.get(_cell(h).lower() if _cell(h).isascii() else _cell(h), "") for h in header]
    missing = [k for k in ("estate", "building", "room") if k not in keys]
    if missing:
        raise ServiceError(_("The first row must name the columns 小区, 楼栋 and 室号."), "file")
    rows = []
    for line in lines:
        row = {k: _cell(v) for k, v in zip(keys, line, strict=False) if k}
        if any(row.values()):
            rows.append(row)
        if len(rows) > MAX_ROWS:
            raise ServiceError(_("At most %(n)s rows can be imported at once.", n=MAX_ROWS), "file")
    book.close()
    return rows


def _check(row: dict[str, str], estates: dict[str, int]) -> tuple[dict[str, Any], list[str]]:
    problems: list[str] = []
    estate = estates.get(row.get("estate", ""))
    if estate is None:
        problems.append(_("no estate called %(name)s", name=row.get("estate", "")))
    for key, label in (("building", _("Building")), ("room", _("Room"))):
        if not row.get(key) or len(row[key]) > 20:
            problems.append(_("%(field)s is missing or too long", field=label))
    area = area_to_hundredths(row["area"]) if row.get("area") else None
    if row.get("area") and area is None:
        problems.append(_("the floor area %(value)s is not valid", value=row["area"]))
    phone = normalize_phone(row["phone"]) if row.get("phone") else ""
    if phone is None:
        problems.append(_("the phone %(value)s is not valid", value=row["phone"]))
    relation = RELATION_WORDS.get(row.get("relation") or "owner")
    if relation is None:
        problems.append(
            _("the relation %(value)s is not one of 业主, 共有业主, 租户, 家庭成员, 其他", value=row["relation"])
        )
    name = row.get("name", "")
    if len(name) > 50:
        problems.append(_("The name is too long (at most 50 characters)."))
    clean = {
        "estate_id": estate,
        "building": row.get("building", ""),
        "unit": row.get("unit", ""),
        "room": row.get("room", ""),
        "area_centi": area,
        "name": name,
        "phone": phone or "",
        "relation": relation,
    }
    return clean, problems


async def import_households(session: AsyncSession, district_id: int, data: bytes) -> ImportResult:
    """Import the sheet into the district (a district-bound session); every row or none."""
    rows = _rows(data)
    if not rows:
        raise ServiceError(_("The sheet has no rows below its header."), "file")
    units = (await session.execute(select(OrgUnit).where(OrgUnit.kind == OrgUnitKind.ESTATE))).scalars()
    estates: dict[str, int] = {}
    for unit in units:
        estates[unit.name_zh] = estates[unit.code] = unit.id
    checked: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for number, raw in enumerate(rows, start=2):
        clean, problems = _check(raw, estates)
        if problems:
            errors[f"row {number}"] = _("Row %(n)s: %(problems)s", n=number, problems="；".join(problems))
        checked.append(clean)
    if errors:
        message = _("Nothing was imported: correct these rows and import the file again.")
        raise ServiceError(message, errors={"_": message, **errors})
    result = ImportResult()
    async with session.begin_nested():
        households: dict[tuple[int, str, str, str], Household] = {}
        people: dict[tuple[str, str], Person] = {}
        for row in checked:
            address = (row["estate_id"], row["building"], row["unit"], row["room"])
            household = households.get(address) or await _household(session, district_id, row, result)
            households[address] = household
            if row["area_centi"] is not None:
                household.area_centi = row["area_centi"]
            if not row["name"]:
                continue
            person = people.get((row["name"], row["phone"])) or await _person(session, district_id, row, result)
            people[(row["name"], row["phone"])] = person
            known = await session.execute(
                select(HouseholdMember.id).where(
                    HouseholdMember.household_id == household.id, HouseholdMember.person_id == person.id
                )
            )
            if known.first() is None:
                session.add(
                    HouseholdMember(
                        district_id=district_id,
                        household_id=household.id,
                        person_id=person.id,
                        relation=row["relation"],
                    )
                )
                result.members += 1
                await session.flush()
    return result


async def _household(session: AsyncSession, district_id: int, row: dict[str, Any], result: ImportResult) -> Household:
    query = select(Household).where(
        Household.estate_id == row["estate_id"],
        Household.building == row["building"],
        Household.unit == row["unit"],
        Household.room == row["room"],
    )
    found = (await session.execute(query)).scalar_one_or_none()
    if found is not None:
        return found
    household = Household(
        district_id=district_id,
        estate_id=row["estate_id"],
        building=row["building"],
        unit=row["unit"],
        room=row["room"],
        area_centi=row["area_centi"],
        notes="",
    )
    session.add(household)
    await session.flush()
    result.households += 1
    return household


async def _person(session: AsyncSession, district_id: int, row: dict[str, Any], result: ImportResult) -> Person:
    query = select(Person).where(Person.name == row["name"], Person.phone == row["phone"])
    found = (await session.execute(query)).scalar_one_or_none()
    if found is not None:
        return found
    person = Person(
        district_id=district_id, name=row["name"], phone=row["phone"], gender="", consent_method="", notes=""
    )
    session.add(person)
    await session.flush()
    result.people += 1
    return person
