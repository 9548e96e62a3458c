"""The district dashboard's violations trend: violations per month (Beijing time) and estate, counted in SQL.

One ``GROUP BY`` over ``parking_violation`` for the last twelve months (this one included);
the month is computed by the database (``to_char(… AT TIME ZONE 'Asia/Shanghai')`` on
PostgreSQL, ``strftime(…, '+8 hours')`` on SQLite), so the count never loads the rows.
Withdrawn violations (the mediation said they do not count) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, literal_column, select

from core.plugin_api import TIMEZONE
from plugins.parking.models_patrols import Violation

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("MonthRow", "violations_trend")


@dataclass
class MonthRow:
    """One month of the trend: the district's total and the count per estate (parking estate id → n)."""

    month: str
    total: int = 0
    by_estate: dict[int, int] = field(default_factory=dict)


def _month_expr(dialect: str) -> Any:
    if dialect == "postgresql":
        zone: Any = literal_column("'Asia/Shanghai'")
        return func.to_char(func.timezone(zone, Violation.observed_at), literal_column("'YYYY-MM'"))
    # Constants, not bound parameters: the GROUP BY must repeat the very same expression.
    return func.strftime(literal_column("'%Y-%m'"), Violation.observed_at, literal_column("'+8 hours'"))


def _months_back(today: date, count: int) -> list[str]:
    year, month = today.year, today.month
    out = []
    for _i in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(out))


async def violations_trend(session: AsyncSession, today: date, months: int = 12) -> list[MonthRow]:
    """Violations per month and estate over the last ``months`` months, oldest first (empty months included)."""
    labels = _months_back(today, months)
    first = datetime.strptime(labels[0], "%Y-%m").replace(tzinfo=TIMEZONE)
    month = _month_expr(session.get_bind().dialect.name).label("month")
    query = (
        select(month, Violation.parking_estate_id, func.count().label("n"))
        .where(Violation.observed_at >= first, Violation.status != "withdrawn")
        .group_by(month, Violation.parking_estate_id)
    )
    rows = {label: MonthRow(label) for label in labels}
    for label, estate_id, n in (await session.execute(query)).tuples():
        row = rows.get(str(label))
        if row is None:
            continue
        row.by_estate[int(estate_id)] = int(n)
        row.total += int(n)
    return [rows[label] for label in labels]
