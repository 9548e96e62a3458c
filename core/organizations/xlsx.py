"""Importing organizations from an XLSX file: a template, a preview with row errors, all or nothing.

The preview and the import run the same code: every row is created through the service
inside a savepoint. The preview always rolls the savepoint back; the import keeps it only
when no row has an error, so a failed import changes nothing. Hub organizations may be
named by rows of the same file (they are linked after every row exists).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select

from core.i18n import gettext as _
from core.models import OrgUnit
from core.models.organizations import Organization, OrgKind, OrgStatus, RegisteredType
from core.organizations import service as svc
from core.organizations.vocab import SERVICE_FIELDS, field_label
from core.refusal import ServiceError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import District

__all__ = ("COLUMNS", "MAX_BYTES", "MAX_ROWS", "ImportResult", "RowResult", "run_import", "template_bytes")

MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024

# (key, header in the template). Headers are Chinese: the file is filled in by district staff.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "名称"),
    ("kind", "类型"),
    ("registered_type", "登记类型"),
    ("credit_code", "统一社会信用代码"),
    ("filing_number", "备案编号"),
    ("legal_representative", "法定代表人"),
    ("contact_name", "联系人"),
    ("contact_phone", "联系电话"),
    ("address", "地址"),
    ("fields", "服务领域"),
    ("areas", "服务区域"),
    ("is_hub", "是否枢纽型"),
    ("hub", "枢纽组织"),
    ("founded_on", "成立日期"),
    ("filed_on", "备案日期"),
    ("registered_on", "登记日期"),
    ("status", "状态"),
    ("description", "简介"),
)
HEADER = dict(COLUMNS)
_BY_HEADER = {h: k for k, h in COLUMNS}

_KINDS = {
    "社区社会组织": OrgKind.INFORMAL,
    "群众团队": OrgKind.INFORMAL,
    "未备案": OrgKind.INFORMAL,
    "备案": OrgKind.FILED,
    "已备案": OrgKind.FILED,
    "登记": OrgKind.REGISTERED,
    "已登记": OrgKind.REGISTERED,
}
_TYPES = {
    "社会团体": RegisteredType.SOCIAL_GROUP,
    "社会服务机构": RegisteredType.SOCIAL_SERVICE,
    "民办非企业单位": RegisteredType.SOCIAL_SERVICE,
    "基金会": RegisteredType.FOUNDATION,
}
_STATUSES = {
    "正常": OrgStatus.ACTIVE,
    "暂停活动": OrgStatus.SUSPENDED,
    "已注销": OrgStatus.DEREGISTERED,
    "已撤销登记": OrgStatus.REVOKED,
}
_YES = {"是", "y", "yes", "true", "1"}
_NO = {"", "否", "n", "no", "false", "0"}
_SPLIT = re.compile(r"[、,，;；/\n]+")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass
class RowResult:
    """One data row: its number in the sheet, the name it gives, and its errors (column header, message)."""

    number: int
    name: str
    errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ImportResult:
    """What an import (or its preview) found: per-row results, file-level errors, whether it was saved."""

    rows: list[RowResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    saved: bool = False

    @property
    def ok(self) -> bool:
        """No file error and no row error."""
        return not self.errors and all(not r.errors for r in self.rows)

    @property
    def error_count(self) -> int:
        """How many rows have an error."""
        return sum(1 for r in self.rows if r.errors)


def template_bytes() -> bytes:
    """The XLSX template: the header row on the first sheet, the allowed values on a second one."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "社会组织"
    sheet.append([h for _k, h in COLUMNS])
    for i, (_k, h) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = max(10, len(h) * 2 + 4)
    notes = book.create_sheet("填写说明")
    notes.append(["列", "说明"])
    notes.append(["名称", "必填；本区内不能重名"])
    notes.append(["类型", "、".join(_KINDS)])
    notes.append(["登记类型", "已登记的组织必填：" + "、".join(_TYPES)])
    notes.append(["统一社会信用代码", "18 位，已登记的组织必填；按 GB 32100 校验"])
    notes.append(["服务领域", "可填多个，用顿号分隔：" + "、".join(field_label(f) for f in SERVICE_FIELDS)])
    notes.append(["服务区域", "本区的街道、社区或小区名称，可填多个，用顿号分隔"])
    notes.append(["是否枢纽型", "是 / 否"])
    notes.append(["枢纽组织", "负责联系、指导它的枢纽型组织名称（可以是本表中的组织）"])
    notes.append(["日期", "如 2020-05-01"])
    notes.append(["状态", "、".join(_STATUSES) + "（空白为正常）"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: Any) -> date | str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    match = _DATE.match(text)
    if match:
        y, m, d = (int(g) for g in match.groups())
        try:
            return date(y, m, d)
        except ValueError:
            return text
    return text


def _read(content: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    if len(content) > MAX_BYTES:
        raise ServiceError(_("The file is too large (at most 2 MB)."), "file")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ServiceError(_("This is not an XLSX file; download the template and fill it in."), "file") from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(h) for h in next(rows, ())]
    data: list[tuple[int, list[Any]]] = []
    for number, row in enumerate(rows, start=2):
        values = list(row)
        if all(_text(v) == "" for v in values):
            continue
        data.append((number, values))
        if len(data) > MAX_ROWS:
            raise ServiceError(_("Too many rows (at most %(n)s).", n=MAX_ROWS), "file")
    book.close()
    return header, data


async def _unit_names(session: AsyncSession, district: District) -> dict[str, int]:
    rows = await session.execute(
        select(OrgUnit.id, OrgUnit.name_zh, OrgUnit.code, OrgUnit.kind).where(OrgUnit.district_id == district.id)
    )
    out: dict[str, int] = {}
    for uid, name, code, kind in rows.tuples():
        if kind in svc.AREA_KINDS:
            out[name] = uid
            out[code] = uid
    return out


def _row_input(cells: dict[str, Any], units: dict[str, int], row: RowResult) -> tuple[svc.OrganizationInput, str]:
    def err(key: str, message: str) -> None:
        row.errors.append((HEADER[key], message))

    kind_text = _text(cells.get("kind"))
    kind = _KINDS.get(kind_text)
    if kind is None:
        err("kind", _("Write one of: %(values)s.", values="、".join(_KINDS)))
    type_text = _text(cells.get("registered_type"))
    rtype = _TYPES.get(type_text) if type_text else None
    if type_text and rtype is None:
        err("registered_type", _("Write one of: %(values)s.", values="、".join(_TYPES)))
    status_text = _text(cells.get("status"))
    status = _STATUSES.get(status_text, OrgStatus.ACTIVE) if status_text else OrgStatus.ACTIVE
    if status_text and status_text not in _STATUSES:
        err("status", _("Write one of: %(values)s.", values="、".join(_STATUSES)))
    field_by_label = {field_label(f): f for f in SERVICE_FIELDS}
    fields: list[str] = []
    for part in _SPLIT.split(_text(cells.get("fields"))):
        if not part.strip():
            continue
        key = field_by_label.get(part.strip()) or (part.strip() if part.strip() in SERVICE_FIELDS else None)
        if key is None:
            err("fields", _("Unknown service field: %(name)s.", name=part.strip()))
        else:
            fields.append(key)
    areas: list[int] = []
    for part in _SPLIT.split(_text(cells.get("areas"))):
        if not part.strip():
            continue
        unit_id = units.get(part.strip())
        if unit_id is None:
            err("areas", _("No street, community or estate of this district is called %(name)s.", name=part.strip()))
        else:
            areas.append(unit_id)
    hub_text = _text(cells.get("is_hub")).lower()
    if hub_text not in _YES | _NO:
        err("is_hub", _("Write 是 or 否."))
    data = svc.OrganizationInput(
        name=_text(cells.get("name")),
        kind=kind.value if kind else "",
        registered_type=rtype.value if rtype else "",
        credit_code=_text(cells.get("credit_code")),
        filing_number=_text(cells.get("filing_number")),
        legal_representative=_text(cells.get("legal_representative")),
        contact_name=_text(cells.get("contact_name")),
        contact_phone=_text(cells.get("contact_phone")),
        address=_text(cells.get("address")),
        description=_text(cells.get("description")),
        is_hub=hub_text in _YES,
        founded_on=_date(cells.get("founded_on")),
        filed_on=_date(cells.get("filed_on")),
        registered_on=_date(cells.get("registered_on")),
        status=status.value,
        fields=fields,
        areas=areas,
    )
    return data, _text(cells.get("hub"))


def _column_of(field_name: str) -> str:
    if field_name == "hub_id":
        return HEADER["hub"]
    return HEADER.get(field_name, _("Row"))


async def run_import(session: AsyncSession, district: District, content: bytes, *, save: bool) -> ImportResult:
    """Check every row of ``content`` by really creating it; keep the result only if ``save`` and no row failed."""
    result = ImportResult()
    header, data = _read(content)
    unknown = [h for h in header if h and h not in _BY_HEADER]
    if unknown:
        result.errors.append(_("Unknown column: %(name)s. Use the template's columns.", name="、".join(unknown)))
    if "名称" not in header:
        result.errors.append(_("The first row must hold the template's column headers (名称 is missing)."))
    if not data and not result.errors:
        result.errors.append(_("The file has no data rows."))
    if result.errors:
        return result
    keys = [_BY_HEADER.get(h) for h in header]
    units = await _unit_names(session, district)
    savepoint = await session.begin_nested()
    try:
        created: list[tuple[RowResult, Organization, str]] = []
        for number, values in data:
            cells = {k: v for k, v in zip(keys, values, strict=False) if k}
            row = RowResult(number, _text(cells.get("name")))
            result.rows.append(row)
            org_input, hub_name = _row_input(cells, units, row)
            if row.errors:
                continue
            try:
                org = await svc.create_organization(session, district, org_input)
            except ServiceError as exc:
                row.errors.extend((_column_of(k), m) for k, m in exc.errors.items())
                continue
            created.append((row, org, hub_name))
        for row, org, hub_name in created:
            if not hub_name:
                continue
            hub_id = (
                await session.execute(
                    select(Organization.id).where(
                        Organization.district_id == district.id, Organization.name == hub_name
                    )
                )
            ).scalar_one_or_none()
            if hub_id is None:
                row.errors.append((HEADER["hub"], _("No organization is called %(name)s.", name=hub_name)))
                continue
            org_input = svc.OrganizationInput.of(org)
            org_input.hub_id = hub_id
            try:
                await svc.update_organization(session, district, org.id, org_input)
            except ServiceError as exc:
                row.errors.extend((_column_of(k), m) for k, m in exc.errors.items())
        if save and result.ok:
            await savepoint.commit()
            result.saved = True
        else:
            await savepoint.rollback()
    except BaseException:
        if savepoint.is_active:
            await savepoint.rollback()
        raise
    return result
