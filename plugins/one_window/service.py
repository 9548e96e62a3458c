"""The service catalogue (服务事项清单): checking an item, reading and writing items, finding them.

The pages, the API, the XLSX import, the demo seed and the tests all go through here, so
an item is validated in one place. Queries take a district-bound session (``ctx.session``):
the core adds the district filter, nothing here filters by district by hand.

Required documents are written one per line (in the form and in an XLSX cell) as
``名称，原件，1份，可后补``: the name first, then in any order 原件 / 复印件 / 原件及复印件
(default 原件), a count ``N份`` (default 1) and ``可后补`` when the window may accept the
case without it and collect it later (容缺受理).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select

from core.plugin_api import OrgUnit, OrgUnitKind, plugin_settings
from core.plugin_api import gettext as _
from plugins.one_window.eligibility import parse_checks, place_names
from plugins.one_window.manifest import KEY
from plugins.one_window.models import VERSIONED, Item, ItemVersion

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District, PluginHost

__all__ = (
    "CASE_TYPE",
    "CHECK_FIELDS",
    "FIELDS",
    "WindowSettings",
    "add_item",
    "department_names",
    "departments",
    "document_text",
    "documents_text",
    "form_label",
    "get_item",
    "get_version",
    "list_items",
    "parse_documents",
    "update_item",
    "validate",
    "values_of",
    "versions_of",
    "window_settings",
)

CASE_TYPE = "one_window_request"
TITLE_MAX = 200
TEXT_MAX = 2000
MAX_DOCUMENTS = 30
MAX_COUNT = 20
MAX_DAYS = 365
MAX_AGE = 150
CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{1,39}$")
# The checked conditions' fields of the form, the API and the XLSX (``Item.checks``).
CHECK_FIELDS = ("gender", "residence", "relations", "no_duplicate")
# The item form's fields: the versioned columns but the case type and the route (each has its own page),
# with ``checks`` as its fields.
FIELDS = tuple(
    field
    for name in VERSIONED
    if name not in ("case_type_key", "route")
    for field in (CHECK_FIELDS if name == "checks" else (name,))
)
# Document forms: the stored key and its Chinese word (also what the XLSX and the PDF say).
FORMS_ZH = {"original": "原件", "copy": "复印件", "both": "原件及复印件"}
_FORM_WORDS = {
    "原件": "original",
    "复印件": "copy",
    "原件及复印件": "both",
    "原件和复印件": "both",
    "原件、复印件": "both",
}
_LATER_WORDS = {"可后补", "容缺", "可容缺", "容缺后补"}
_COUNT = re.compile(r"^(\d{1,3})\s*份?$")
_SPLIT = re.compile(r"[,，]")


def form_label(form: str) -> str:
    """原件 / 复印件 / 原件及复印件 in the user's language."""
    labels = {"original": _("original"), "copy": _("copy"), "both": _("original and copy")}
    return labels.get(form, form)


def document_text(doc: Mapping[str, Any]) -> str:
    """One document as its line: ``户口簿，原件，1份，可后补`` (always Chinese: the same as the import reads)."""
    parts = [str(doc["name"]), FORMS_ZH.get(str(doc.get("form")), "原件"), f"{int(doc.get('count', 1))}份"]
    if doc.get("later"):
        parts.append("可后补")
    return "，".join(parts)


def documents_text(docs: list[dict[str, Any]]) -> str:
    """The documents one per line, as the form's text area and the XLSX cell show them."""
    return "\n".join(document_text(d) for d in docs)


def parse_documents(text: str) -> tuple[list[dict[str, Any]], str | None]:
    """Read documents written one per line; return them, or the first problem in Chinese-first words."""
    docs: list[dict[str, Any]] = []
    for number, raw_line in enumerate((text or "").splitlines(), start=1):
        line = raw_line.strip().strip("；;。")
        if not line:
            continue
        parts = [p.strip() for p in _SPLIT.split(line)]
        name, rest = parts[0], [p for p in parts[1:] if p]
        if not name:
            return [], _("Line %(n)s: the document has no name.", n=number)
        if len(name) > 100:
            return [], _("Line %(n)s: a document name has at most 100 characters.", n=number)
        doc: dict[str, Any] = {"name": name, "form": "original", "count": 1, "later": False}
        for part in rest:
            count = _COUNT.match(part)
            if part in _FORM_WORDS:
                doc["form"] = _FORM_WORDS[part]
            elif part in _LATER_WORDS:
                doc["later"] = True
            elif count and 1 <= int(count.group(1)) <= MAX_COUNT:
                doc["count"] = int(count.group(1))
            else:
                return [], _(
                    "Line %(n)s: %(part)s is not understood (write 原件, 复印件 or 原件及复印件, a count such as "
                    "2份, or 可后补).",
                    n=number,
                    part=part,
                )
        if any(d["name"] == name for d in docs):
            return [], _("Line %(n)s: %(name)s is listed twice.", n=number, name=name)
        docs.append(doc)
    if len(docs) > MAX_DOCUMENTS:
        return [], _("At most %(n)s documents.", n=MAX_DOCUMENTS)
    return docs, None


async def departments(session: AsyncSession) -> list[OrgUnit]:
    """The district's departments (职能部门), the org units an item may be assigned to."""
    query = select(OrgUnit).where(OrgUnit.kind == OrgUnitKind.DEPARTMENT).order_by(OrgUnit.code, OrgUnit.id)
    return list((await session.execute(query)).scalars())


async def department_names(session: AsyncSession, locale: str) -> dict[int, str]:
    """Department id → its name in ``locale``."""
    return {unit.id: unit.name(locale) for unit in await departments(session)}


def _int(raw: Any) -> int | None:
    text = str(raw if raw is not None else "").strip()
    return int(text) if text.isdigit() else None


def _age(raw: Mapping[str, Any], name: str, item: Item | None, errors: dict[str, str]) -> int | None:
    """An age bound: whole years 0–150, or None when empty; kept from ``item`` when not given at all."""
    if name not in raw:
        return getattr(item, name) if item is not None else None
    text = str(raw[name] if raw[name] is not None else "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > MAX_AGE:
        errors[name] = _("Enter a whole number of years from 0 to %(max)s, or leave it empty.", max=MAX_AGE)
        return None
    return int(text)


def _flag(raw: Any) -> bool:
    return raw in (True, "on", "true", "1", 1, "是")


async def validate(
    session: AsyncSession, raw: Mapping[str, Any], *, item: Item | None = None
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Check ``raw`` (form strings, API values or an XLSX row); return the clean values, or the errors by field.

    ``documents`` may be the text (one per line) or a list of ``{name, form, count, later}``.
    """
    errors: dict[str, str] = {}
    code = str(raw.get("code") or "").strip().upper()
    title = str(raw.get("title") or "").strip()
    if not code:
        errors["code"] = _("Enter the item's code.")
    elif not CODE.match(code):
        errors["code"] = _("Use 2 to 40 letters, digits and hyphens, such as 330203-MZ-001.")
    else:
        same = select(Item.id).where(Item.code == code)
        if item is not None:
            same = same.where(Item.id != item.id)
        if (await session.execute(same.limit(1))).first():
            errors["code"] = _("Another item already has the code %(code)s.", code=code)
    if not title:
        errors["title"] = _("Enter the item's name.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("At most %(limit)s characters (now %(length)s).", limit=TITLE_MAX, length=len(title))
    clean: dict[str, Any] = {"code": code, "title": title}
    for name, limit in (("keywords", 200), ("fee", 100), ("conditions", TEXT_MAX), ("legal_basis", TEXT_MAX)):
        value = str(raw.get(name) or "").strip()
        if len(value) > limit:
            errors[name] = _("At most %(limit)s characters (now %(length)s).", limit=limit, length=len(value))
        clean[name] = value
    clean["fee"] = clean["fee"] or "不收费"
    department_id = _int(raw.get("department_id"))
    known = {unit.id for unit in await departments(session)}
    if department_id is None or department_id not in known:
        errors["department_id"] = _("Choose the responsible department.")
    clean["department_id"] = department_id
    clean["min_age"] = _age(raw, "min_age", item, errors)
    clean["max_age"] = _age(raw, "max_age", item, errors)
    if clean["min_age"] is not None and clean["max_age"] is not None and clean["min_age"] > clean["max_age"]:
        errors["max_age"] = _("The highest age cannot be below the lowest age.")
    clean["checks"] = parse_checks(raw, item, await place_names(session, "zh_CN"), errors)
    days = _int(raw.get("time_limit_days"))
    if days is None or not 1 <= days <= MAX_DAYS:
        errors["time_limit_days"] = _("Enter a whole number of working days from 1 to %(max)s.", max=MAX_DAYS)
    clean["time_limit_days"] = days
    clean["route"] = await _route(session, raw, item, errors)
    documents = raw.get("documents")
    if isinstance(documents, list):
        documents = documents_text([_doc_in(d) for d in documents if isinstance(d, Mapping)])
    docs, problem = parse_documents(str(documents or ""))
    if problem:
        errors["documents"] = problem
    clean["documents"] = docs
    clean["is_active"] = _flag(raw.get("is_active", True if item is None else item.is_active))
    if not errors and clean["route"] and sum(int(s["days"]) for s in clean["route"]) > int(days or 0):
        errors["route"] = _("The stages take more working days than the item's time limit.")
    if errors:
        return None, errors
    return clean, {}


async def department_keys(session: AsyncSession) -> dict[str, int]:
    """Each department's code and names (Chinese and English) → its id: how a route names departments."""
    known: dict[str, int] = {}
    for unit in await departments(session):
        for key in (unit.code, unit.code.lower(), unit.name_zh, unit.name_en or ""):
            if key:
                known.setdefault(key, unit.id)
    return known


async def _route(session: AsyncSession, raw: Mapping[str, Any], item: Item | None, errors: dict[str, str]) -> Any:
    """The route given as text (one stage per line) or as ``[{departments, days}]``; kept when not given."""
    from plugins.one_window.backoffice import parse_route, route_text  # noqa: PLC0415 - it imports this module

    given = raw.get("route")
    if given is None:
        return list(item.route) if item is not None else []
    if isinstance(given, list):
        names = {unit.id: unit.code for unit in await departments(session)}
        try:
            given = route_text([{"departments": list(s["departments"]), "days": int(s["days"])} for s in given], names)
        except (KeyError, TypeError, ValueError):
            errors["route"] = _("Give each stage its departments and working days.")
            return []
    route, problem = parse_route(str(given or ""), await department_keys(session))
    if problem:
        errors["route"] = problem
    return route


def _doc_in(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A document given as JSON, checked by :func:`parse_documents` like a typed line."""
    return {
        "name": str(doc.get("name") or "").replace(",", " ").replace("，", " "),
        "form": str(doc.get("form") or "original"),
        "count": doc.get("count", 1),
        "later": bool(doc.get("later")),
    }


def values_of(item: Item) -> dict[str, Any]:
    """The item's fields as the edit form shows them."""
    return {
        "code": item.code,
        "title": item.title,
        "keywords": item.keywords,
        "department_id": str(item.department_id or ""),
        "conditions": item.conditions,
        "min_age": "" if item.min_age is None else str(item.min_age),
        "max_age": "" if item.max_age is None else str(item.max_age),
        "gender": item.checks.get("gender", ""),
        "residence": "" if item.checks.get("residence") is None else str(item.checks["residence"]),
        "relations": ",".join(item.checks.get("relations", [])),
        "no_duplicate": "on" if item.checks.get("no_duplicate") else "",
        "documents": documents_text(item.documents),
        "time_limit_days": str(item.time_limit_days),
        "fee": item.fee,
        "legal_basis": item.legal_basis,
        "is_active": "on" if item.is_active else "",
        "route": item.route,
    }


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def list_items(
    session: AsyncSession, query: str = "", *, department_id: int | None = None, active_only: bool = False
) -> list[Item]:
    """Items whose name, code or keywords contain ``query`` (all when empty), by code."""
    statement = select(Item).order_by(Item.code, Item.id)
    text = query.strip()
    if text:
        pattern = _like(text)
        statement = statement.where(
            or_(
                Item.title.contains(pattern, escape="\\"),
                Item.code.icontains(pattern, escape="\\"),
                Item.keywords.contains(pattern, escape="\\"),
            )
        )
    if department_id is not None:
        statement = statement.where(Item.department_id == department_id)
    if active_only:
        statement = statement.where(Item.is_active.is_(True))
    return list((await session.execute(statement)).scalars())


async def get_item(session: AsyncSession, item_id: int) -> Item | None:
    """The district's item ``item_id`` (``None`` when there is none)."""
    return (await session.execute(select(Item).where(Item.id == item_id))).scalar_one_or_none()


async def add_item(
    session: AsyncSession, district: District, values: dict[str, Any], *, created_by: int | None
) -> Item:
    """Add a validated item to ``district``, published as its version 1."""
    item = Item(district_id=district.id, case_type_key=CASE_TYPE, created_by=created_by, version=1, **values)
    session.add(item)
    await session.flush()
    session.add(_snapshot(item, created_by))
    await session.flush()
    return item


def _snapshot(item: Item, by: int | None) -> ItemVersion:
    return ItemVersion(
        district_id=item.district_id,
        item_id=item.id,
        version=item.version,
        created_by=by,
        **{name: getattr(item, name) for name in VERSIONED},
    )


async def update_item(session: AsyncSession, item: Item, values: dict[str, Any], *, by: int | None) -> Item:
    """Write validated values onto ``item``; when anything published changes, publish the next version.

    The item's row is locked first (on PostgreSQL; SQLite's writers take turns), so two edits
    at once publish two versions one after the other, never the same number twice.
    """
    await session.refresh(item, with_for_update=True)
    changed = any(getattr(item, name) != value for name, value in values.items() if name in VERSIONED)
    for name, value in values.items():
        setattr(item, name, value)
    if changed:
        item.version += 1
        session.add(_snapshot(item, by))
    await session.flush()
    return item


async def versions_of(session: AsyncSession, item_id: int) -> list[ItemVersion]:
    """The item's published versions, newest first."""
    query = select(ItemVersion).where(ItemVersion.item_id == item_id).order_by(ItemVersion.version.desc())
    return list((await session.execute(query)).scalars())


async def get_version(session: AsyncSession, item_id: int, version: int) -> ItemVersion | None:
    """Version ``version`` of the district's item ``item_id``."""
    query = select(ItemVersion).where(ItemVersion.item_id == item_id, ItemVersion.version == version)
    return (await session.execute(query)).scalar_one_or_none()


@dataclass(frozen=True)
class WindowSettings:
    """The district's settings of the window: the guide's intro, the address, the days to bring documents."""

    intro: str
    window_address: str
    supplement_days: int
    warn_days: int = 1


async def window_settings(session: AsyncSession, district: District, host: PluginHost) -> WindowSettings:
    """The district's settings of the plugin (defaults where a district admin set none)."""
    values = await plugin_settings(session, district, host, KEY)
    return WindowSettings(
        str(values["intro"]),
        str(values["window_address"]),
        int(values["supplement_days"]),
        int(values.get("warn_days", 1)),
    )
