"""The one window's reports (统计): requests received per channel and department, the on-time rate of each
department's steps, the documents most often missing at intake, and the three-level response's escalations per
level — each figure one SQL query, for a period.

The period counts intakes by the day they were received, steps by the day they were
answered, and the three-level steps by the day they were taken (all inclusive, China time).
The same figures make the page, the XLSX file and the API.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from openpyxl import Workbook
from sqlalchemy import case, func, select

from core.plugin_api import TIMEZONE, transition_counts
from core.plugin_api import gettext as _
from plugins.one_window.models import Intake, Item
from plugins.one_window.models_backoffice import Missing, Step, StepStatus

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("LEVELS", "Figures", "Level", "figures", "level_label", "xlsx_bytes")

TOP_MISSING = 20
THREE_LEVEL = "resident_request"  # the core's shipped type of the three-level response
# Each level a resident's request may climb: the steps that send a case there, the state it is worked in, and
# the step that passes it on up from that state (what the next level receives "from below").
LEVELS: tuple[tuple[str, tuple[str, ...], str, str | None], ...] = (
    ("community", ("to_community",), "community_handling", "refer_to_department"),
    ("department", ("to_department", "refer_to_department"), "department_handling", "escalate"),
    ("meeting", ("escalate",), "meeting_decided", None),
)


def level_label(level: str) -> str:
    """社区 / 职能部门 / 镇长办公会议 in the user's language."""
    return {
        "community": _("Community"),
        "department": _("Government department"),
        "meeting": _("Town office meeting"),
    }.get(level, level)


@dataclass(frozen=True)
class Level:
    """The three-level response at one level in the period: cases sent there (and how many of those came up from
    the level below), settled there, and passed on up from there."""

    level: str
    sent: int
    from_below: int
    settled: int
    passed_up: int


@dataclass(frozen=True)
class OnTime:
    """One department's answered steps in the period, and how many were answered by their due day."""

    department_id: int
    answered: int
    on_time: int

    @property
    def rate(self) -> float:
        return self.on_time / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class Figures:
    """The three figures: (department, channel) → count; per department on time; (document, times missing)."""

    start: date
    end: date
    received: dict[tuple[int | None, str], int]
    on_time: list[OnTime]
    missing: list[tuple[str, int]]
    escalations: list[Level]

    def departments(self) -> list[int | None]:
        """The departments that received anything, in a stable order."""
        return sorted({d for d, _c in self.received}, key=lambda d: d or 0)

    def channels(self) -> list[str]:
        """The channels used in the period."""
        return sorted({c for _d, c in self.received})


async def figures(session: AsyncSession, start: date, end: date) -> Figures:
    """The district's figures for ``start``–``end`` (the session is bound to the district)."""
    received = (
        select(Item.department_id, Intake.channel, func.count(Intake.id))
        .join(Item, Item.id == Intake.item_id)
        .where(Intake.accepted_on.between(start, end))
        .group_by(Item.department_id, Intake.channel)
    )
    on_time = (
        select(
            Step.department_id,
            func.count(Step.id),
            func.sum(case((Step.answered_on <= Step.due_on, 1), else_=0)),
        )
        .where(Step.status == StepStatus.DONE, Step.answered_on.between(start, end))
        .group_by(Step.department_id)
        .order_by(Step.department_id)
    )
    missing = (
        select(Missing.name, func.count(Missing.id).label("n"))
        .join(Intake, Intake.id == Missing.intake_id)
        .where(Intake.accepted_on.between(start, end))
        .group_by(Missing.name)
        .order_by(func.count(Missing.id).desc(), Missing.name)
        .limit(TOP_MISSING)
    )
    return Figures(
        start=start,
        end=end,
        received={(d, c): int(n) for d, c, n in (await session.execute(received)).tuples()},
        on_time=[OnTime(int(d), int(n), int(ok or 0)) for d, n, ok in (await session.execute(on_time)).tuples()],
        missing=[(str(name), int(n)) for name, n in (await session.execute(missing)).tuples()],
        escalations=await escalations(session, start, end),
    )


async def escalations(session: AsyncSession, start: date, end: date) -> list[Level]:
    """The three-level response's cases per level, from the steps taken on the type's cases in the period."""
    since = datetime.combine(start, time(0), tzinfo=TIMEZONE)
    until = datetime.combine(end + timedelta(days=1), time(0), tzinfo=TIMEZONE)
    counts = await transition_counts(session, THREE_LEVEL, since, until)

    def taken(keys: tuple[str, ...], from_state: str | None = None) -> int:
        return sum(c.taken for c in counts if c.transition in keys and from_state in (None, c.from_state))

    levels: list[Level] = []
    for level, sending, state, up in LEVELS:
        levels.append(
            Level(
                level=level,
                sent=taken(sending),
                from_below=levels[-1].passed_up if levels else 0,
                settled=taken(("resolve",), state),
                passed_up=taken((up,), state) if up else 0,
            )
        )
    return levels


def xlsx_bytes(data: Figures, names: dict[int, str], channel_label: object) -> bytes:
    """The figures as an XLSX book of four sheets (headers in Chinese)."""
    label = channel_label if callable(channel_label) else str
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "受理量"
    channels = data.channels()
    sheet.append(["承办部门", *[label(c) for c in channels], "合计"])
    for department in data.departments():
        counts = [data.received.get((department, c), 0) for c in channels]
        sheet.append([names.get(department or 0, "—"), *counts, sum(counts)])
    timely = book.create_sheet("按时办结率")
    timely.append(["部门", "已办理环节", "按时办理", "按时率"])
    for row in data.on_time:
        timely.append([names.get(row.department_id, "—"), row.answered, row.on_time, round(row.rate, 4)])
    missing = book.create_sheet("常缺材料")
    missing.append(["材料", "缺少次数"])
    for name, count in data.missing:
        missing.append([name, count])
    levels = book.create_sheet("三级响应")
    levels.append(["层级", "转入", "其中由下一级转来", "本级办结", "上交上一级"])
    zh = {"community": "社区", "department": "职能部门", "meeting": "镇长办公会议"}
    for level in data.escalations:
        levels.append([zh[level.level], level.sent, level.from_below, level.settled, level.passed_up])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
