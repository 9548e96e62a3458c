"""The agreement's budget (预算科目) and the spending that reports state against it.

A signed agreement lists the project's budget lines with their planned amounts; together they are the
project's whole budget: the district's award + the organization's own contribution (配套) + the
co-funders' commitments. Each progress report states the spending **to date** by budget line (the final
report's figures are the project's total spending), and is checked against the agreement:

- a line that is not in the agreement is refused (naming the agreement's lines);
- a line may pass its planned amount by at most the call's ``overspend_pct`` (default 10 %, 0 = not at
  all): within it the report is accepted and the line is flagged as overspent; beyond it, refused;
- the report's total may not pass the budget's total (moving money between lines is what the tolerance
  allows, raising the total is not).

The project page shows, per line, planned / reported (the latest report submitted) / accepted (the
latest report staff accepted) and the overspend, with the money paid into the project's account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.plugin_api import localized
from plugins.grants.models_extra import GrantBudgetLine

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from sqlalchemy.ext.asyncio import AsyncSession

    from plugins.grants.models import Application, Call
    from plugins.grants.models_evaluation import GrantReport

__all__ = (
    "BudgetRow",
    "BudgetView",
    "budget_of",
    "budget_view",
    "check_spending",
    "parse_lines",
    "save_budget",
)

MAX_LINES = 50


def t(zh: str, en: str) -> str:
    return localized(zh, en)


def yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


def parse_lines(raw: Any, errors: dict[str, str], name: str) -> list[dict[str, Any]]:
    """Rows ``budget line | yuan`` (a form's text) or ``[{"line", "fen"}]`` (the API) → ``[{"line", "fen"}]``.

    A wrong row, a repeated line or more than 50 lines put a message under ``name``.
    """
    from plugins.grants.service import parse_yuan  # noqa: PLC0415

    bad = t("按预算科目逐行填写，如“场地费 | 3000”（元）。", "One budget line per row, e.g. “Venue | 3000” (yuan).")
    items: list[tuple[Any, Any]] = []
    if isinstance(raw, str):
        for row in raw.splitlines():
            if not row.strip():
                continue
            line, sep, amount = row.rpartition("|")
            if not sep:
                errors[name] = bad
                return []
            items.append((line, amount))
    elif isinstance(raw, list):
        items = [(i.get("line"), i.get("fen")) if isinstance(i, dict) else ("", None) for i in raw]
    elif raw is not None:
        errors[name] = bad
        return []
    found: list[dict[str, Any]] = []
    for line_raw, amount in items:
        sub: dict[str, str] = {}
        fen = parse_yuan(amount, sub, "fen")
        line = str(line_raw or "").strip()
        if sub or fen is None or not line or len(line) > 100:
            errors[name] = bad
            return []
        if any(f["line"] == line for f in found):
            errors[name] = t(f"科目“{line}”填写了两次。", f"The line “{line}” is given twice.")
            return []
        found.append({"line": line, "fen": fen})
    if len(found) > MAX_LINES:
        errors[name] = t(f"预算科目最多 {MAX_LINES} 行。", f"At most {MAX_LINES} budget lines.")
    return found


async def budget_of(session: AsyncSession, application_id: int) -> list[GrantBudgetLine]:
    query = (
        select(GrantBudgetLine)
        .where(GrantBudgetLine.application_id == application_id)
        .order_by(GrantBudgetLine.position)
    )
    return list((await session.execute(query)).scalars())


def check_budget(lines: Sequence[Mapping[str, Any]], total_fen: int, errors: dict[str, str]) -> None:
    """The agreement's lines must be given and add up to the project's whole budget."""
    if "budget" in errors:
        return
    if not lines:
        errors["budget"] = t(
            "请按科目填写项目预算，如“人员劳务费 | 30000”。",
            "Give the project's budget by line, e.g. “Staff | 30000”.",
        )
        return
    given = sum(int(x["fen"]) for x in lines)
    if given != total_fen:
        errors["budget"] = t(
            f"各科目合计 {yuan(given)} 元，应等于项目总预算 {yuan(total_fen)} 元（资助金额 + 自筹配套 + 共同出资）。",
            f"The lines add up to {yuan(given)} yuan; the project's budget is {yuan(total_fen)} yuan "
            "(award + own contribution + co-funders).",
        )


def save_budget(session: AsyncSession, app: Application, lines: Sequence[Mapping[str, Any]]) -> None:
    session.add_all(
        GrantBudgetLine(application_id=app.id, position=i, line=str(x["line"]), planned_fen=int(x["fen"]))
        for i, x in enumerate(lines)
    )


def allowed_fen(planned_fen: int, overspend_pct: int) -> int:
    """The most a line may report: its plan plus the call's tolerance (rounded down to the fen)."""
    return planned_fen * (100 + overspend_pct) // 100


def check_spending(
    call: Call, budget: Sequence[GrantBudgetLine], spending: Sequence[Mapping[str, Any]], errors: dict[str, str]
) -> None:
    """Unknown lines, a line beyond the call's tolerance and a total beyond the budget go under ``spending``."""
    if not budget or "spending" in errors:
        return  # an agreement signed before budgets were kept: nothing to check against
    planned = {b.line: b.planned_fen for b in budget}
    unknown = [s["line"] for s in spending if s["line"] not in planned]
    if unknown:
        names = "、".join(planned)
        errors["spending"] = t(
            f"“{'、'.join(unknown)}”不是协议预算中的科目。协议的预算科目：{names}。",
            f"“{', '.join(unknown)}” is not a line of the agreement's budget. Its lines: {', '.join(planned)}.",
        )
        return
    for s in spending:
        most = allowed_fen(planned[s["line"]], call.overspend_pct)
        if s["fen"] > most:
            errors["spending"] = t(
                f"“{s['line']}”支出 {yuan(s['fen'])} 元，超过预算 {yuan(planned[s['line']])} 元的 "
                f"{call.overspend_pct}% 调整上限（最多 {yuan(most)} 元）。",
                f"“{s['line']}”: {yuan(s['fen'])} yuan spent passes its budget of {yuan(planned[s['line']])} yuan "
                f"by more than the {call.overspend_pct}% allowed (at most {yuan(most)} yuan).",
            )
            return
    total, budget_total = sum(s["fen"] for s in spending), sum(planned.values())
    if total > budget_total:
        errors["spending"] = t(
            f"支出合计 {yuan(total)} 元，超过协议预算总额 {yuan(budget_total)} 元。",
            f"The spending adds up to {yuan(total)} yuan, more than the budget's {yuan(budget_total)} yuan.",
        )


@dataclass(frozen=True)
class BudgetRow:
    """One budget line: planned, reported in the latest report, accepted in the latest accepted report."""

    line: str
    planned_fen: int
    reported_fen: int
    accepted_fen: int

    @property
    def over_fen(self) -> int:
        """How much the reported spending passes the plan (0 when within it)."""
        return max(0, self.reported_fen - self.planned_fen)

    @property
    def over_pct(self) -> float:
        return round(100 * self.over_fen / self.planned_fen, 1) if self.planned_fen else 0.0


@dataclass(frozen=True)
class BudgetView:
    """The project's budget against its reports, with the money paid into its account."""

    rows: list[BudgetRow]
    overspend_pct: int
    reported_kind: str  # the report the "reported" column comes from ("" when none)
    accepted_kind: str
    paid_in_fen: int  # tranches paid and not reversed, co-funders paid in

    @property
    def planned_fen(self) -> int:
        return sum(r.planned_fen for r in self.rows)

    @property
    def reported_fen(self) -> int:
        return sum(r.reported_fen for r in self.rows)

    @property
    def accepted_fen(self) -> int:
        return sum(r.accepted_fen for r in self.rows)

    @property
    def overspent(self) -> list[BudgetRow]:
        return [r for r in self.rows if r.over_fen]


def _latest(reports: Mapping[str, GrantReport], statuses: tuple[str, ...]) -> GrantReport | None:
    for kind in ("final", "midterm"):
        report = reports.get(kind)
        if report is not None and report.status in statuses:
            return report
    return None


async def budget_view(
    session: AsyncSession, app: Application, call: Call, reports: Mapping[str, GrantReport], paid_in_fen: int
) -> BudgetView:
    """Planned vs. reported vs. accepted per line (reports state spending to date, so the latest counts)."""
    reported = _latest(reports, ("submitted", "accepted"))
    accepted = _latest(reports, ("accepted",))

    def amounts(report: GrantReport | None) -> dict[str, int]:
        return {s["line"]: int(s["fen"]) for s in (report.spending if report is not None else [])}

    said, kept = amounts(reported), amounts(accepted)
    rows = [
        BudgetRow(b.line, b.planned_fen, said.get(b.line, 0), kept.get(b.line, 0))
        for b in await budget_of(session, app.id)
    ]
    return BudgetView(
        rows,
        call.overspend_pct,
        reported.kind if reported is not None else "",
        accepted.kind if accepted is not None else "",
        paid_in_fen,
    )
