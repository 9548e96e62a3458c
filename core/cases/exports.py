"""Exports of what a queue selects: CSV (UTF-8 with a BOM, so Excel reads Chinese) and XLSX.

Rows are read in keyset pages of :data:`BATCH` cases (never the whole result in memory)
with the same filters and visibility as the queue page, so an export can never hold a
case the user could not see in the list. The XLSX is written by openpyxl in write-only
mode (rows spill to a temporary file, not memory). Text that a spreadsheet would run as
a formula (starting with ``= + - @``) is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.cases.labels import Names, as_text, channel_label, priority_label, state_label
from core.cases.queues import list_cases
from core.i18n import TIMEZONE, gettext
from core.plugins.asyncio import call_hook, flatten

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from core.cases.queues import Filters
    from core.casetypes.definition import CaseTypeDef
    from core.context import RequestContext
    from core.forms.definition import FieldDef
    from core.models.cases import Case

__all__ = (
    "BASE_COLUMNS",
    "BATCH",
    "ExportPlan",
    "column_label",
    "csv_chunks",
    "plan_export",
    "safe_text",
    "xlsx_chunks",
)

BATCH = 500
BASE_COLUMNS = (
    "reference",
    "title",
    "type",
    "state",
    "assignee",
    "team",
    "priority",
    "channel",
    "created",
    "updated",
    "due",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 64 * 1024


def column_label(key: str) -> str:
    """The header of one of the queue's own columns, in the current language."""
    labels = {
        "reference": gettext("Reference"),
        "title": gettext("Title"),
        "type": gettext("Type"),
        "state": gettext("State"),
        "assignee": gettext("Assignee"),
        "team": gettext("Team"),
        "priority": gettext("Priority"),
        "channel": gettext("Channel"),
        "created": gettext("Created"),
        "updated": gettext("Updated"),
        "due": gettext("Due"),
    }
    return labels.get(key, key)


def safe_text(text: str) -> str:
    """``text`` without characters a spreadsheet refuses, and never read as a formula."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return "'" + text if text.startswith(FORMULA_START) else text


def _cell(value: Any) -> Any:
    """A value as it goes into a spreadsheet: numbers stay numbers, times are local, text is made safe."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(TIMEZONE).replace(tzinfo=None, microsecond=0)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    return safe_text(value if isinstance(value, str) else as_text(value))


def field_value(spec: FieldDef, value: Any, locale: str) -> Any:
    """A form value as people read it: choice labels, yuan for money, names of files and people."""
    if value is None or value in ("", []):
        return ""
    if spec.type == "choice":
        return spec.choice_label(str(value), locale)
    if spec.type == "multi_choice" and isinstance(value, list):
        return "、".join(spec.choice_label(str(v), locale) for v in value)
    if spec.type == "money" and isinstance(value, int):
        return Decimal(value) / 100
    if spec.type == "time_window" and isinstance(value, dict):
        return f"{value.get('start', '')}–{value.get('end', '')}"
    return value


@dataclass
class ExportPlan:
    """The columns of one export: headers, and how to get each cell from a case."""

    ctx: RequestContext
    keys: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    getters: list[Callable[[Case], Any]] = field(default_factory=list)

    def add(self, key: str, header: str, getter: Callable[[Case], Any]) -> None:
        self.keys.append(key)
        self.headers.append(header)
        self.getters.append(getter)

    def row(self, case: Case) -> list[Any]:
        """The cells of one case, ready for CSV or XLSX."""
        return [_cell(get(case)) for get in self.getters]


async def plan_export(
    ctx: RequestContext, columns: list[str], definitions: list[CaseTypeDef], filters: Filters
) -> tuple[ExportPlan, Names]:
    """The chosen columns, the form fields of a single selected type, then the plugins' columns."""
    plan = ExportPlan(ctx)
    names = Names(ctx)
    types = {d.key: d for d in definitions}
    locale = ctx.locale
    base: dict[str, Callable[[Case], Any]] = {
        "reference": lambda c: c.reference,
        "title": lambda c: c.title,
        "type": lambda c: types[c.case_type_key].name(locale) if c.case_type_key in types else c.case_type_key,
        "state": lambda c: state_label(types.get(c.case_type_key), c.state, locale),
        "assignee": lambda c: names.user(c.assignee_id),
        "team": lambda c: names.unit(c.team_id),
        "priority": lambda c: priority_label(c.priority),
        "channel": lambda c: channel_label(c.channel),
        "created": lambda c: c.created_at,
        "updated": lambda c: c.updated_at,
        "due": lambda c: c.due_at,
    }
    for key in columns:
        if key in base:
            plan.add(key, column_label(key), base[key])
    single = types.get(filters.types[0]) if len(filters.types) == 1 else None
    if single is not None:
        for spec in single.form.fields:
            plan.add(
                f"data.{spec.key}",
                spec.label(locale),
                lambda c, s=spec: field_value(s, c.data.get(s.key), locale),  # type: ignore[misc]
            )
    extra: dict[str, tuple[str, dict[str, Callable[[Any], Any]]]] = {}
    for definition in definitions:
        for column in flatten(await call_hook(ctx.hooks.case_export_columns, ctx=ctx, case_type=definition)):
            label, by_type = extra.setdefault(column.key, (column.label, {}))
            by_type[definition.key] = column.value
    for key, (label, by_type) in extra.items():
        plan.add(
            f"plugin.{key}",
            label,
            lambda c, fns=by_type: fns[c.case_type_key](c) if c.case_type_key in fns else "",  # type: ignore[misc]
        )
    return plan, names


async def _batches(
    ctx: RequestContext, filters: Filters, definitions: list[CaseTypeDef], names: Names
) -> AsyncIterator[list[Case]]:
    """The selected cases, :data:`BATCH` at a time, with their names loaded; forgotten after each batch."""
    cursor: str | None = None
    while True:
        page = await list_cases(ctx, filters, definitions, cursor=cursor, limit=BATCH)
        if page.cases:
            await names.load(page.cases)
            yield page.cases
        ctx.session.expunge_all()
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _csv_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


async def csv_chunks(
    ctx: RequestContext, plan: ExportPlan, names: Names, filters: Filters, definitions: list[CaseTypeDef]
) -> AsyncIterator[bytes]:
    """The CSV file, a batch at a time: BOM and header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_text(h) for h in plan.headers])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    async for cases in _batches(ctx, filters, definitions, names):
        buffer.seek(0)
        buffer.truncate()
        for case in cases:
            writer.writerow([_csv_text(v) for v in plan.row(case)])
        yield buffer.getvalue().encode("utf-8")


async def xlsx_chunks(
    ctx: RequestContext, plan: ExportPlan, names: Names, filters: Filters, definitions: list[CaseTypeDef]
) -> AsyncIterator[bytes]:
    """The XLSX file: rows appended to a write-only sheet, then the zipped file streamed out."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=gettext("Cases")[:31])
    sheet.append([safe_text(h) for h in plan.headers])
    async for cases in _batches(ctx, filters, definitions, names):
        for case in cases:
            sheet.append(plan.row(case))
    with tempfile.TemporaryFile() as handle:
        await anyio.to_thread.run_sync(workbook.save, handle)
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            yield chunk
