"""Casework per service line (个案工作统计): the figures a district reports on the government-bought lines.

For a period (both days inclusive, local dates), per value of the casework type's
``service_line`` field: cases open today, opened in the period, closed in the period and of
those closed with their goals met; service records dated in the period with their hours;
referrals sent in the period, completed in the period, and still waiting (sent or accepted).

Referrals are the cases' linked tasks of kind ``referral`` (:mod:`core.tasks`): sent is a
referral created in the period, completed one completed in the period, waiting one still
sent or accepted (or to do) today.

The figures are numbers only — no reference, title or name — so they are given to holders
of ``casework:report`` (district admins, casework supervisors) over every casework case of
the district, although each case is readable only by the people on it (docs/casework.md).
The case counts and the referral counts are one grouped SQL query each; the service records
live in the cases' repeating groups and are summed from the data of the cases active in the
period (open, or closed since the period began), read in batches.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from sqlalchemy import case, func, or_, select

from core.cases.service import case_type
from core.i18n import TIMEZONE, gettext
from core.models.cases import Case
from core.models.tasks import CaseTask
from core.tasks.service import OPEN

if TYPE_CHECKING:
    from core.casetypes.definition import CaseTypeDef
    from core.context import RequestContext

__all__ = ("CASEWORK", "LineFigures", "Report", "build_report", "parse_period", "report_for", "xlsx_bytes")

CASEWORK = "casework"
MAX_DAYS = 3660
_BATCH = 500
_COLUMNS = (
    ("open_now", "Open now"),
    ("opened", "Opened in the period"),
    ("closed", "Closed in the period"),
    ("closed_goals_met", "Closed with goals met"),
    ("service_records", "Service records"),
    ("service_hours", "Service hours"),
    ("referrals_sent", "Referrals sent"),
    ("referrals_completed", "Referrals completed"),
    ("referrals_waiting", "Referrals waiting"),
)


@dataclass
class LineFigures:
    """One service line's figures (or the total)."""

    key: str
    label: str
    open_now: int = 0
    opened: int = 0
    closed: int = 0
    closed_goals_met: int = 0
    service_records: int = 0
    service_minutes: int = 0
    referrals_sent: int = 0
    referrals_completed: int = 0
    referrals_waiting: int = 0

    @property
    def service_hours(self) -> float:
        return round(self.service_minutes / 60, 1)

    def add(self, other: LineFigures) -> None:
        for name in (
            "open_now",
            "opened",
            "closed",
            "closed_goals_met",
            "service_records",
            "service_minutes",
            "referrals_sent",
            "referrals_completed",
            "referrals_waiting",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, **{name: getattr(self, name) for name, _ in _COLUMNS}}


@dataclass
class Report:
    """The period and one row per service line, plus the total."""

    start: date
    end: date
    lines: list[LineFigures] = field(default_factory=list)
    total: LineFigures = field(default_factory=lambda: LineFigures("total", ""))

    @staticmethod
    def columns() -> list[tuple[str, str]]:
        """(attribute, translated header) of each figure, in order."""
        return [(name, gettext(label)) for name, label in _COLUMNS]

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "lines": [line.to_dict() for line in self.lines],
            "total": self.total.to_dict(),
        }


def parse_period(start: str, end: str) -> tuple[date, date, dict[str, str]]:
    """The period asked for (default: this year so far) and the errors of what could not be read."""
    today = datetime.now(TIMEZONE).date()
    errors: dict[str, str] = {}
    first, last = today.replace(month=1, day=1), today
    for name, raw in (("start", start), ("end", end)):
        if not raw:
            continue
        try:
            value = date.fromisoformat(raw.strip())
        except ValueError:
            errors[name] = gettext("Enter a date like 2026-03-01.")
            continue
        if name == "start":
            first = value
        else:
            last = value
    if not errors and last < first:
        errors["end"] = gettext("The end must not be before the start.")
    elif not errors and (last - first).days > MAX_DAYS:
        errors["end"] = gettext("Choose a period of at most ten years.")
    return first, last, errors


def _instant(day: date) -> datetime:
    """The start of a local day, as the UTC instant stored columns compare with."""
    return datetime.combine(day, time(0), TIMEZONE).astimezone(UTC)


def _day(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def _count_records(figures: LineFigures, data: dict[str, Any], start: date, end: date) -> None:
    """Add one case's service records of the period to ``figures``."""
    for record in data.get("service_records") or []:
        day = _day(record.get("date")) if isinstance(record, dict) else None
        if day is not None and start <= day <= end:
            figures.service_records += 1
            minutes = record.get("minutes")
            figures.service_minutes += minutes if isinstance(minutes, int) and not isinstance(minutes, bool) else 0


async def build_report(ctx: RequestContext, definition: CaseTypeDef, start: date, end: date) -> Report:
    """The figures of ``start``–``end`` over every casework case of the district (the session is bound to it)."""
    spec = definition.form.get("service_line")
    lines: dict[str, LineFigures] = {}
    if spec is not None:
        lines = {value: LineFigures(value, spec.choice_label(value, ctx.locale)) for value in spec.choice_values()}
    since, until = _instant(start), _instant(end + timedelta(days=1))
    line = Case.data["service_line"].as_string()
    opened_in_period = (Case.created_at >= since) & (Case.created_at < until)
    closed_in_period = Case.is_open.is_(False) & (Case.closed_at >= since) & (Case.closed_at < until)
    counts = (
        select(
            line,
            func.sum(case((Case.is_open.is_(True), 1), else_=0)),
            func.sum(case((opened_in_period, 1), else_=0)),
            func.sum(case((closed_in_period, 1), else_=0)),
            func.sum(case((closed_in_period & (Case.data["outcome"].as_string() == "goals_met"), 1), else_=0)),
        )
        .where(Case.case_type_key == definition.key)
        .group_by(line)
    )
    for key, open_now, opened, closed, goals_met in (await ctx.session.execute(counts)).tuples():
        figures = lines.setdefault(str(key), LineFigures(str(key), str(key)))
        figures.open_now, figures.opened = int(open_now or 0), int(opened or 0)
        figures.closed, figures.closed_goals_met = int(closed or 0), int(goals_met or 0)
    active = (
        select(Case.id, line, Case.data)
        .where(Case.case_type_key == definition.key, or_(Case.is_open.is_(True), Case.closed_at >= since))
        .order_by(Case.id)
        .limit(_BATCH)
    )
    last_id = 0
    while True:
        rows = (await ctx.session.execute(active.where(Case.id > last_id))).tuples().all()
        for case_id, key, data in rows:
            figures = lines.setdefault(str(key), LineFigures(str(key), str(key)))
            _count_records(figures, data or {}, start, end)
            last_id = case_id
        if len(rows) < _BATCH:
            break
    referrals = (
        select(
            line,
            func.sum(case(((CaseTask.created_at >= since) & (CaseTask.created_at < until), 1), else_=0)),
            func.sum(
                case(
                    (
                        (CaseTask.status == "completed") & (CaseTask.closed_at >= since) & (CaseTask.closed_at < until),
                        1,
                    ),
                    else_=0,
                )
            ),
            func.sum(case((CaseTask.status.in_(sorted(OPEN)), 1), else_=0)),
        )
        .select_from(CaseTask)
        .join(Case, Case.id == CaseTask.case_id)
        .where(Case.case_type_key == definition.key, CaseTask.kind == "referral")
        .group_by(line)
    )
    for key, sent, completed, waiting in (await ctx.session.execute(referrals)).tuples():
        figures = lines.setdefault(str(key), LineFigures(str(key), str(key)))
        figures.referrals_sent, figures.referrals_completed = int(sent or 0), int(completed or 0)
        figures.referrals_waiting = int(waiting or 0)
    report = Report(start, end, list(lines.values()))
    report.total.label = gettext("Total")
    for figures in report.lines:
        report.total.add(figures)
    return report


async def report_for(ctx: RequestContext, start: str, end: str) -> tuple[Report | None, dict[str, str]]:
    """The report of the period asked for (``casework:report`` required), or the errors of the period."""
    ctx.require("casework", "report")
    _row, definition = await case_type(ctx, CASEWORK)
    first, last, errors = parse_period(start[:20], end[:20])
    if errors:
        return None, errors
    return await build_report(ctx, definition, first, last), {}


def xlsx_bytes(report: Report) -> bytes:
    """The report as an XLSX book: one sheet, a header row, a row per service line, the total."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext("Casework per service line")[:31]
    sheet.append([gettext("Period"), f"{report.start.isoformat()} – {report.end.isoformat()}"])
    columns = report.columns()
    sheet.append([gettext("Service line"), *(header for _name, header in columns)])
    for figures in [*report.lines, report.total]:
        sheet.append([figures.label, *(getattr(figures, name) for name, _header in columns)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
