"""The catalogue as XLSX: export every item, import a filled-in sheet (all rows or none).

The import reads the export's columns (headers in Chinese: the sheet is filled in by
district staff); a file without the age or the other checked-condition columns (older
exports) still imports and keeps those conditions of the items as they are. A row whose code
is already in the catalogue changes that item; any other row adds one. Every row goes through
:func:`plugins.one_window.service.validate` inside one savepoint; the savepoint is kept only
when no row has an error, so a file with a bad row imports nothing and names each bad row with its reasons (in Chinese).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select

from core.plugin_api import use_locale
from plugins.one_window import service
from plugins.one_window.backoffice import route_text
from plugins.one_window.eligibility import GENDER_WORDS, RELATION_WORDS, place_names
from plugins.one_window.models import Item

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District

__all__ = ("COLUMNS", "MAX_BYTES", "MAX_ROWS", "ImportResult", "RowResult", "check_cells", "export_bytes", "run_import")

MAX_ROWS = 1000
MAX_BYTES = 2 * 1024 * 1024
COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "事项编码"),
    ("title", "事项名称"),
    ("keywords", "关键词"),
    ("department", "承办部门"),
    ("conditions", "受理条件"),
    ("documents", "申请材料"),
    ("time_limit_days", "承诺时限（工作日）"),
    ("fee", "收费标准"),
    ("legal_basis", "设定依据"),
    ("is_active", "是否启用"),
    ("route", "办理流程"),
    ("min_age", "最低年龄（周岁）"),
    ("max_age", "最高年龄（周岁）"),
    ("gender", "性别条件"),
    ("residence", "居住条件"),
    ("relations", "房屋关系条件"),
    ("no_duplicate", "不得重复申请"),
)
HEADER = dict(COLUMNS)
HEADER["department_id"] = HEADER["department"]
_BY_HEADER = {h: k for k, h in COLUMNS}
_YES = {"是", "启用", "y", "yes", "true", "1", ""}
_NO = {"否", "停用", "n", "no", "false", "0"}


@dataclass
class RowResult:
    """One data row: its number in the sheet, the code it gives, and its errors (column header, message)."""

    number: int
    code: str
    errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ImportResult:
    """What an import found: per-row results, file-level errors, how many items were added and changed."""

    rows: list[RowResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    added: int = 0
    changed: int = 0

    @property
    def ok(self) -> bool:
        """No file error and no row error."""
        return not self.errors and all(not r.errors for r in self.rows)

    @property
    def bad_rows(self) -> list[RowResult]:
        """The rows with an error, in sheet order."""
        return [r for r in self.rows if r.errors]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


async def export_bytes(session: AsyncSession) -> bytes:
    """Every item of the district as an XLSX sheet with the import's columns, by code."""
    names = await service.department_names(session, "zh_CN")
    places = await place_names(session, "zh_CN")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "服务事项清单"
    sheet.append([h for _k, h in COLUMNS])
    for item in await service.list_items(session):
        sheet.append(
            [
                item.code,
                item.title,
                item.keywords,
                names.get(item.department_id or 0, ""),
                item.conditions,
                service.documents_text(item.documents),
                item.time_limit_days,
                item.fee,
                item.legal_basis,
                "是" if item.is_active else "否",
                route_text(item.route, names),
                item.min_age,
                item.max_age,
                *check_cells(item.checks or {}, places),
            ]
        )
    for i, width in enumerate((16, 28, 16, 14, 40, 40, 10, 12, 40, 8, 40, 10, 10, 8, 14, 20, 8), start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def check_cells(checks: dict[str, Any], places: dict[int, str]) -> list[str]:
    """The checked conditions as the sheet's four cells (女 / 本辖区 or a place's name / 产权人、租户 / 是 or 否)."""
    residence = checks.get("residence")
    return [
        GENDER_WORDS.get(str(checks.get("gender")), ""),
        "" if residence is None else ("本辖区" if residence == 0 else places.get(int(residence), "")),
        "、".join(RELATION_WORDS[r] for r in checks.get("relations", []) if r in RELATION_WORDS),
        "是" if checks.get("no_duplicate") else "否",
    ]


def _read(content: bytes, result: ImportResult) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    if len(content) > MAX_BYTES:
        result.errors.append("文件过大（最多 2 MB）。")
        return [], []
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        result.errors.append("这不是 XLSX 文件：请先导出清单，在导出的表格上修改。")
        return [], []
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = [_text(h) for h in next(rows, ())]
    data: list[tuple[int, list[Any]]] = []
    for number, row in enumerate(rows, start=2):
        values = list(row)
        if all(_text(v) == "" for v in values):
            continue
        data.append((number, values))
        if len(data) > MAX_ROWS:
            result.errors.append(f"行数过多（最多 {MAX_ROWS} 行）。")
            break
    book.close()
    return header, data


async def run_import(session: AsyncSession, district: District, content: bytes, *, by: int | None) -> ImportResult:
    """Add or change every row's item, or none when any row is wrong (the messages are Chinese)."""
    with use_locale("zh_CN"):
        return await _run(session, district, content, by)


async def _run(session: AsyncSession, district: District, content: bytes, by: int | None) -> ImportResult:
    result = ImportResult()
    header, data = _read(content, result)
    if result.errors:
        return result
    unknown = [h for h in header if h and h not in _BY_HEADER]
    if unknown:
        result.errors.append(f"无法识别的列：{'、'.join(unknown)}。请使用导出表格的列。")
    if "事项编码" not in header or "事项名称" not in header:
        result.errors.append("第一行须为列名（缺少“事项编码”或“事项名称”）。")
    if not data and not result.errors:
        result.errors.append("文件中没有数据行。")
    if result.errors:
        return result
    keys = [_BY_HEADER.get(h) for h in header]
    departments = {unit.name_zh: unit.id for unit in await service.departments(session)}
    departments.update({unit.code: unit.id for unit in await service.departments(session)})
    seen: dict[str, int] = {}
    savepoint = await session.begin_nested()
    try:
        for number, values in data:
            cells = {k: _text(v) for k, v in zip(keys, values, strict=False) if k}
            row = RowResult(number, cells.get("code", "").upper())
            result.rows.append(row)
            if row.code in seen:
                row.errors.append((HEADER["code"], f"与第 {seen[row.code]} 行的事项编码重复。"))
                continue
            seen[row.code] = number
            await _import_row(session, district, cells, row, departments, result, by)
    finally:
        if result.ok:
            await savepoint.commit()
        else:
            await savepoint.rollback()
            result.added = result.changed = 0
    return result


async def _import_row(
    session: AsyncSession,
    district: District,
    cells: dict[str, str],
    row: RowResult,
    departments: dict[str, int],
    result: ImportResult,
    by: int | None,
) -> None:
    department = cells.get("department", "")
    if department and department not in departments:
        row.errors.append((HEADER["department"], f"本区没有名为“{department}”的职能部门。"))
    active = cells.get("is_active", "").lower()
    if active not in _YES | _NO:
        row.errors.append((HEADER["is_active"], "请填写“是”或“否”。"))
    existing = None
    if row.code:
        query = select(Item).where(Item.code == row.code)
        existing = (await session.execute(query)).scalar_one_or_none()
    raw = {**cells, "department_id": departments.get(department), "is_active": active not in _NO}
    values, errors = await service.validate(session, raw, item=existing)
    if department and department not in departments:
        errors.pop("department_id", None)
    row.errors.extend((HEADER.get(name, name), message) for name, message in errors.items())
    if row.errors or values is None:
        return
    if existing is None:
        await service.add_item(session, district, values, created_by=by)
        result.added += 1
    else:
        await service.update_item(session, existing, values, by=by)
        result.changed += 1
