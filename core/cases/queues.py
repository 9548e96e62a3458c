"""Queues: which cases a list shows, filtered and sorted in SQL, paged by keyset.

A queue is a set of filters. Filters come from the URL (so every filter state can be
shared as a link), from a case type's ``queues``, or from a saved queue. Visibility
(:mod:`core.cases.access`) is always ANDed in, so lists, counts, search and exports
can never show more than the user may see.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, literal, or_, select

from core.cases.access import team_unit_ids, visibility_clause
from core.db import utcnow
from core.i18n import TIMEZONE
from core.models.cases import Case

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy.sql import Select

    from core.casetypes.definition import CaseTypeDef
    from core.context import RequestContext

__all__ = (
    "PAGE_SIZE",
    "PRIORITIES",
    "SCOPES",
    "SORTS",
    "DayFlow",
    "Filters",
    "Page",
    "count_cases",
    "count_many",
    "daily_flow",
    "list_cases",
    "parse_fields",
    "selected_ids",
)

PAGE_SIZE = 50
COUNT_CAP = 1000
FAR_FUTURE = datetime(9999, 12, 31, tzinfo=TIMEZONE)
SORTS = {
    "updated": (Case.updated_at, True),
    "-updated": (Case.updated_at, False),
    "created": (Case.created_at, True),
    "-created": (Case.created_at, False),
    "due": (func.coalesce(Case.due_at, FAR_FUTURE), True),
    "-due": (func.coalesce(Case.due_at, FAR_FUTURE), False),
    "-priority": (Case.priority, False),
    "priority": (Case.priority, True),
    "reference": (Case.reference, True),
    "-reference": (Case.reference, False),
}
SCOPES = ("all", "mine", "team", "unassigned", "due_soon", "overdue")
PRIORITIES = ("0", "1", "2", "3")


@dataclass(frozen=True)
class Filters:
    """Everything that narrows a queue; round-trips through a URL query string."""

    scope: str = "all"
    types: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    assignee: str = ""  # "", "me", "none" or a user id
    team: int | None = None
    channel: str = ""
    priority: int | None = None  # 0 low, 1 normal, 2 high, 3 urgent
    open: str = "open"  # open | closed | any
    created_from: date | None = None
    created_to: date | None = None
    due_from: date | None = None
    due_to: date | None = None
    q: str = ""
    sort: str = "-updated"
    # Form fields equal to a value, ``field=service_line:elderly`` in a URL (a case type's queue).
    fields: tuple[tuple[str, str], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> Filters:
        """Read filters from request query parameters (unknown or bad values are ignored)."""

        def get_list(name: str) -> tuple[str, ...]:
            values = query.getall(name, []) if hasattr(query, "getall") else query.get(name) or []
            if isinstance(values, str):
                values = [values]
            return tuple(v for v in (str(x).strip() for x in values) if v)

        def get_date(name: str) -> date | None:
            try:
                return date.fromisoformat(str(query.get(name) or ""))
            except ValueError:
                return None

        team = str(query.get("team") or "")
        priority = str(query.get("priority") or "")
        scope = str(query.get("scope") or "all")
        sort = str(query.get("sort") or "-updated")
        status = str(query.get("open") or "open")
        return cls(
            scope=scope if scope in SCOPES else "all",
            types=get_list("type"),
            states=get_list("state"),
            assignee=str(query.get("assignee") or ""),
            team=int(team) if team.isdigit() else None,
            channel=str(query.get("channel") or ""),
            priority=int(priority) if priority in PRIORITIES else None,
            open=status if status in {"open", "closed", "any"} else "open",
            created_from=get_date("created_from"),
            created_to=get_date("created_to"),
            due_from=get_date("due_from"),
            due_to=get_date("due_to"),
            q=str(query.get("q") or "").strip()[:100],
            sort=sort if sort in SORTS else "-updated",
            fields=parse_fields(get_list("field")),
        )

    def to_query(self) -> list[tuple[str, str]]:
        """Query parameters for this filter state (defaults left out): a shareable URL."""
        out: list[tuple[str, str]] = []
        if self.scope != "all":
            out.append(("scope", self.scope))
        out += [("type", t) for t in self.types] + [("state", s) for s in self.states]
        for name in ("assignee", "channel", "q"):
            if getattr(self, name):
                out.append((name, str(getattr(self, name))))
        if self.team is not None:
            out.append(("team", str(self.team)))
        if self.priority is not None:
            out.append(("priority", str(self.priority)))
        if self.open != "open":
            out.append(("open", self.open))
        for name in ("created_from", "created_to", "due_from", "due_to"):
            if getattr(self, name):
                out.append((name, getattr(self, name).isoformat()))
        if self.sort != "-updated":
            out.append(("sort", self.sort))
        out += [("field", f"{key}:{value}") for key, value in self.fields]
        return out

    def with_(self, **changes: Any) -> Filters:
        return replace(self, **changes)


_FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def parse_fields(values: tuple[str, ...] | list[str]) -> tuple[tuple[str, str], ...]:
    """``key:value`` filters on form fields; malformed ones are left out (like every other bad filter)."""
    out = []
    for raw in values:
        key, sep, value = raw.partition(":")
        if sep and _FIELD_KEY.match(key) and value and len(value) <= 100:
            out.append((key, value))
    return tuple(out)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), TIMEZONE)


async def _conditions(ctx: RequestContext, filters: Filters, definitions: list[CaseTypeDef]) -> list[Any]:
    assert ctx.user is not None
    uid = ctx.user.id
    conds: list[Any] = [await visibility_clause(ctx, definitions)]
    now = utcnow()
    if filters.open == "open":
        conds.append(Case.is_open.is_(True))
    elif filters.open == "closed":
        conds.append(Case.is_open.is_(False))
    if filters.scope == "mine":
        conds.append(Case.assignee_id == uid)
    elif filters.scope == "team":
        teams = await team_unit_ids(ctx)
        conds.append(Case.team_id.in_(teams) if teams else literal(value=False))
    elif filters.scope == "unassigned":
        conds.append(Case.assignee_id.is_(None))
    elif filters.scope == "due_soon":
        conds.append(and_(Case.due_at >= now, Case.due_at < now + timedelta(hours=24)))
    elif filters.scope == "overdue":
        conds.append(Case.due_at < now)
    if filters.types:
        conds.append(Case.case_type_key.in_(filters.types))
    if filters.states:
        conds.append(Case.state.in_(filters.states))
    if filters.assignee == "me":
        conds.append(Case.assignee_id == uid)
    elif filters.assignee == "none":
        conds.append(Case.assignee_id.is_(None))
    elif filters.assignee.isdigit():
        conds.append(Case.assignee_id == int(filters.assignee))
    if filters.team is not None:
        conds.append(Case.team_id == filters.team)
    if filters.channel:
        conds.append(Case.channel == filters.channel)
    if filters.priority is not None:
        conds.append(Case.priority == filters.priority)
    if filters.created_from:
        conds.append(Case.created_at >= _day_start(filters.created_from))
    if filters.created_to:
        conds.append(Case.created_at < _day_start(filters.created_to + timedelta(days=1)))
    if filters.due_from:
        conds.append(Case.due_at >= _day_start(filters.due_from))
    if filters.due_to:
        conds.append(Case.due_at < _day_start(filters.due_to + timedelta(days=1)))
    for key, value in filters.fields:
        conds.append(Case.data[key].as_string() == value)
    if filters.q:
        needle = filters.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conds.append(Case.search_text.like(f"%{needle}%", escape="\\"))
    return conds


@dataclass
class Page:
    """One page of a queue and the cursor of the next (``None`` on the last page)."""

    cases: list[Case]
    next_cursor: str | None


def _encode(value: Any, case_id: int) -> str:
    raw = json.dumps([value.isoformat() if isinstance(value, datetime) else value, case_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, sort: str) -> tuple[Any, int] | None:
    """The cursor's sort value and case id; ``None`` for garbage or a cursor made for another kind of sort."""
    try:
        value, case_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if sort in {"priority", "-priority"}:
            if not isinstance(value, int) or isinstance(value, bool):
                return None
        elif sort in {"reference", "-reference"}:
            if not isinstance(value, str):
                return None
        else:
            value = datetime.fromisoformat(value)
        return value, int(case_id)
    except (ValueError, TypeError):
        return None


def _sort_value(case: Case, sort: str) -> Any:
    if sort in {"updated", "-updated"}:
        return case.updated_at
    if sort in {"created", "-created"}:
        return case.created_at
    if sort in {"due", "-due"}:
        return case.due_at or FAR_FUTURE
    if sort in {"priority", "-priority"}:
        return case.priority
    return case.reference


async def list_cases(
    ctx: RequestContext,
    filters: Filters,
    definitions: list[CaseTypeDef],
    *,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """One page of the cases ``filters`` select, in ``filters.sort`` order, after ``cursor``."""
    column, ascending = SORTS[filters.sort]
    query: Select[Any] = select(Case).where(*await _conditions(ctx, filters, definitions))
    decoded = _decode(cursor, filters.sort) if cursor else None
    if decoded is not None:
        value, last_id = decoded
        if ascending:
            query = query.where(or_(column > value, and_(column == value, Case.id > last_id)))
        else:
            query = query.where(or_(column < value, and_(column == value, Case.id < last_id)))
    order = (column.asc(), Case.id.asc()) if ascending else (column.desc(), Case.id.desc())
    rows = list((await ctx.session.execute(query.order_by(*order).limit(limit + 1))).scalars())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _encode(_sort_value(rows[-1], filters.sort), rows[-1].id)
    return Page(rows, next_cursor)


async def selected_ids(ctx: RequestContext, filters: Filters, definitions: list[CaseTypeDef]) -> Select[Any]:
    """A SELECT of the ids of every case ``filters`` select (visibility applied), for a statement to build on."""
    return select(Case.id).where(*await _conditions(ctx, filters, definitions))


async def count_cases(
    ctx: RequestContext, filters: Filters, definitions: list[CaseTypeDef], cap: int = COUNT_CAP
) -> int:
    """How many cases ``filters`` select, counted up to ``cap`` (the sidebar shows "1000+")."""
    inner = select(Case.id).where(*await _conditions(ctx, filters, definitions)).limit(cap + 1).subquery()
    return int((await ctx.session.execute(select(func.count()).select_from(inner))).scalar_one())


async def count_many(
    ctx: RequestContext, many: list[Filters], definitions: list[CaseTypeDef], cap: int = COUNT_CAP
) -> list[int]:
    """:func:`count_cases` for each of ``many``, in one statement (one round trip for the whole sidebar)."""
    if not many:
        return []
    counts = []
    for n, filters in enumerate(many):
        inner = select(Case.id).where(*await _conditions(ctx, filters, definitions)).limit(cap + 1).subquery(f"q{n}")
        counts.append(select(func.count()).select_from(inner).scalar_subquery())
    row = (await ctx.session.execute(select(*counts))).one()
    return [int(value) for value in row]


@dataclass(frozen=True)
class DayFlow:
    """Cases opened and closed on one local day (Asia/Shanghai), of those the user may see."""

    day: date
    opened: int
    closed: int


async def daily_flow(ctx: RequestContext, definitions: list[CaseTypeDef], days: int = 7) -> list[DayFlow]:
    """Intake and closures of the last ``days`` days (today included), oldest first, visibility applied.

    Only the two timestamps of cases touched in the window are read; they are counted by
    local day in Python, the same on SQLite and PostgreSQL.
    """
    today = datetime.now(TIMEZONE).date()
    first = today - timedelta(days=days - 1)
    since = _day_start(first)
    visible = await _conditions(ctx, Filters(open="any"), definitions)
    rows = await ctx.session.execute(
        select(Case.created_at, Case.closed_at).where(
            *visible, or_(Case.created_at >= since, Case.closed_at >= since)
        )
    )
    opened = dict.fromkeys(range(days), 0)
    closed = dict.fromkeys(range(days), 0)
    for created_at, closed_at in rows:
        for when, tally in ((created_at, opened), (closed_at, closed)):
            if when is not None:
                offset = (_local_day(when) - first).days
                if 0 <= offset < days:
                    tally[offset] += 1
    return [DayFlow(first + timedelta(days=n), opened[n], closed[n]) for n in range(days)]


def _local_day(when: datetime) -> date:
    """The local date of a stored time (SQLite gives it back without a zone: it is UTC)."""
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(TIMEZONE).date()
