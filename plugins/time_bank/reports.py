"""The bank dashboard's figures, read from the ledger and the cases, and charts drawn as SVG on the server.

Hours per month and category are the service credits (transfers keyed ``time_bank:earn:…``)
into the bank's member accounts, by effective date (China time); bonuses, gifts and
expiry are not service and are left out. No JavaScript chart library: the page gets
plain ``<svg>`` with a ``<title>`` on each bar, readable without script and printable.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from core.plugin_api import TIMEZONE, Case, LedgerAccount, LedgerPosting, utcnow
from plugins.time_bank import banks
from plugins.time_bank.models import Bank, Member, MemberStatus, Service

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("Bar", "Chart", "Dashboard", "dashboard", "stacked_chart")

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
MET, OPEN = ("credited",), ("posted", "matched", "in_service", "completed", "verified", "disputed")


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    color: str
    title: str


@dataclass
class Chart:
    """An SVG chart: bars, x labels and a legend, in a ``width`` × ``height`` view box."""

    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    labels: list[tuple[float, str]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    max_label: str = ""


@dataclass
class Dashboard:
    months: list[str]
    by_month: dict[str, dict[str, int]]
    total: int
    active: int
    inactive: int
    top: list[tuple[str, int]]
    met: int
    unmet: int
    cancelled: int


def _month(when: datetime) -> str:
    return when.astimezone(TIMEZONE).strftime("%Y-%m")


def last_months(now: datetime, count: int = 12) -> list[str]:
    local = now.astimezone(TIMEZONE)
    index = local.year * 12 + local.month - 1
    return [f"{(i // 12):04d}-{(i % 12) + 1:02d}" for i in range(index - count + 1, index + 1)]


async def dashboard(session: AsyncSession, bank: Bank, *, now: datetime | None = None) -> Dashboard:
    """Twelve months of a bank: hours by month and category, members, top volunteers, needs met."""
    now = now or utcnow()
    months = last_months(now)
    start = datetime.fromisoformat(f"{months[0]}-01").replace(tzinfo=TIMEZONE)
    prefix = f"time_bank:{bank.id}:user:"
    rows = await session.execute(
        banks.earned(select(banks.earned_at, banks.earned_category, LedgerPosting.amount, LedgerAccount.owner_ref))
        .join(LedgerAccount, LedgerAccount.id == LedgerPosting.account_id)
        .where(LedgerAccount.owner_ref.startswith(prefix, autoescape=True), banks.earned_at >= start)
    )
    by_month: dict[str, dict[str, int]] = {m: defaultdict(int) for m in months}
    per_user: dict[int, int] = defaultdict(int)
    recent: set[int] = set()
    year_start = banks.year_bounds(now)[0]
    for when, category, amount, owner_ref in rows:
        user_id = int(owner_ref.rsplit(":", 1)[1])
        month = _month(when)
        if month in by_month:
            by_month[month][category] += amount
        if when >= year_start:
            per_user[user_id] += amount
        if when >= now - timedelta(days=90):
            recent.add(user_id)
    volunteers = set(
        (
            await session.execute(
                select(Member.user_id).where(
                    Member.bank_id == bank.id, Member.status == MemberStatus.APPROVED, Member.is_volunteer.is_(True)
                )
            )
        ).scalars()
    )
    names: dict[Any, Any] = dict(
        (
            await session.execute(
                select(LedgerAccount.owner_ref, LedgerAccount.name).where(
                    LedgerAccount.owner_ref.in_([banks.member_ref(bank.id, u) for u in per_user])
                )
            )
        )
        .tuples()
        .all()
    )
    top = sorted(per_user.items(), key=lambda pair: -pair[1])[:10]
    states: dict[Any, Any] = dict(
        (
            await session.execute(
                select(Case.state, func.count())
                .join(Service, Service.case_id == Case.id)
                .where(Service.bank_id == bank.id, Case.created_at >= start)
                .group_by(Case.state)
            )
        )
        .tuples()
        .all()
    )
    return Dashboard(
        months=months,
        by_month={m: dict(v) for m, v in by_month.items()},
        total=sum(sum(v.values()) for v in by_month.values()),
        active=len(volunteers & recent),
        inactive=len(volunteers - recent),
        top=[(names.get(banks.member_ref(bank.id, u), str(u)).split(" · ")[0], m) for u, m in top],
        met=sum(states.get(s, 0) for s in MET),
        unmet=sum(states.get(s, 0) for s in OPEN),
        cancelled=states.get("cancelled", 0),
    )


def stacked_chart(
    columns: list[tuple[str, dict[str, int]]],
    names: dict[str, str],
    fmt: object,
    *,
    width: int = 720,
    height: int = 260,
) -> Chart:
    """Stacked bars, one column per label, one colour per series (minutes; ``fmt`` formats titles)."""
    keys = sorted(
        {k for _label, values in columns for k in values}, key=lambda k: list(names).index(k) if k in names else 99
    )
    colors = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(keys)}
    top = max([sum(values.values()) for _l, values in columns] + [1])
    plot_h, left, bottom = height - 40, 40, height - 24
    step = (width - left - 10) / max(len(columns), 1)
    chart = Chart(width=width, height=height, max_label=fmt(top))  # type: ignore[operator]
    for i, (label, values) in enumerate(columns):
        x = left + i * step + step * 0.15
        y = float(bottom)
        for key in keys:
            amount = values.get(key, 0)
            if amount <= 0:
                continue
            h = amount / top * (plot_h - 10)
            y -= h
            title = f"{label} {names.get(key, key)}: {fmt(amount)}"  # type: ignore[operator]
            chart.bars.append(Bar(round(x, 1), round(y, 1), round(step * 0.7, 1), round(h, 1), colors[key], title))
        chart.labels.append((round(x + step * 0.35, 1), label))
    chart.legend = [(colors[k], names.get(k, k)) for k in keys]
    return chart
