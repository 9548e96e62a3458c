"""Saved queues: shared ones a district admin defines, personal ones each user saves.

A queue definition is checked here once, for the admin page, the queue page and the API
alike: every filter must name something that exists in the district (a case type, one
of its states, a member, an org unit, a channel, a role), dates must be real and in
order, columns and sort must be known. A definition that does not pass raises
:class:`~core.cases.errors.InvalidData` with a message per field, and nothing is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from secrets import token_hex
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select

from core.cases.errors import InvalidData
from core.cases.exports import BASE_COLUMNS
from core.cases.queues import PRIORITIES, SCOPES, SORTS, Filters
from core.cases.service import case_types
from core.casetypes.definition import CHANNELS
from core.i18n import gettext as _
from core.models import Membership, OrgUnit, Role
from core.models.cases import SavedQueue

if TYPE_CHECKING:
    from collections.abc import Mapping

    from core.context import RequestContext

__all__ = (
    "DEFAULT_COLUMNS",
    "FILTER_NAMES",
    "Known",
    "QueueSpec",
    "check_spec",
    "create_queue",
    "delete_queue",
    "filters_to_params",
    "find_queue",
    "known_choices",
    "move_queue",
    "queue_filters",
    "shared_queues",
    "update_queue",
    "visible_queues",
)

DEFAULT_COLUMNS = ("reference", "title", "type", "state", "assignee", "due")
FILTER_NAMES = (
    "scope",
    "type",
    "state",
    "assignee",
    "team",
    "channel",
    "priority",
    "open",
    "created_from",
    "created_to",
    "due_from",
    "due_to",
    "q",
)
LIST_FILTERS = {"type", "state"}
MAX_LABEL = 100


@dataclass(frozen=True)
class Known:
    """What a queue may refer to in this district."""

    states: dict[str, set[str]]  # case type key → its state keys
    members: set[int]
    units: set[int]
    roles: set[str]


@dataclass(frozen=True)
class QueueSpec:
    """A checked queue definition."""

    label_zh: str
    label_en: str
    filters: Filters
    columns: tuple[str, ...]
    roles: tuple[str, ...] = ()


async def known_choices(ctx: RequestContext) -> Known:
    """The district's case types and their states, members, org units and roles."""
    assert ctx.district is not None
    states = {key: {s.key for s in d.workflow.states} for key, (_row, d) in (await case_types(ctx)).items()}
    members = set(
        (await ctx.session.execute(select(Membership.user_id).where(Membership.district_id == ctx.district.id)))
        .scalars()
        .all()
    )
    units = set((await ctx.session.execute(select(OrgUnit.id))).scalars().all())
    roles = set((await ctx.session.execute(select(Role.key).where(Role.district_id == ctx.district.id))).scalars())
    return Known(states, members, units, roles)


def _values(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, (list, tuple)):
        return [str(v).strip() for v in raw if str(v).strip()]
    text = str(raw).strip()
    return [text] if text else []


def _date(raw: Any, name: str, errors: dict[str, str]) -> date | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = _("Enter a date like 2026-03-01.")
        return None


def _check_filters(raw: Mapping[str, Any], known: Known, errors: dict[str, str]) -> dict[str, Any]:
    """The filters as stored (query-string names), each checked against the district."""
    unknown = sorted(set(raw) - set(FILTER_NAMES))
    if unknown:
        errors["filters"] = _("Unknown filter: %(names)s.", names=", ".join(unknown))
    out: dict[str, Any] = {}
    scope = str(raw.get("scope") or "all")
    if scope not in SCOPES:
        errors["scope"] = _("Choose one of the offered values.")
    elif scope != "all":
        out["scope"] = scope
    types = _values(raw.get("type"))
    if [t for t in types if t not in known.states]:
        errors["type"] = _("Unknown case type: %(names)s.", names=", ".join(t for t in types if t not in known.states))
    elif types:
        out["type"] = types
    states = _values(raw.get("state"))
    allowed = set().union(*(known.states[t] for t in types if t in known.states)) if types else None
    if allowed is None:
        allowed = set().union(*known.states.values()) if known.states else set()
    if [s for s in states if s not in allowed]:
        errors["state"] = _("Unknown state: %(names)s.", names=", ".join(s for s in states if s not in allowed))
    elif states:
        out["state"] = states
    assignee = str(raw.get("assignee") or "").strip()
    if assignee and assignee not in {"me", "none"} and not (assignee.isdigit() and int(assignee) in known.members):
        errors["assignee"] = _("Choose a member of the district, “me” or “nobody”.")
    elif assignee:
        out["assignee"] = assignee
    team = str(raw.get("team") or "").strip()
    if team and not (team.isdigit() and int(team) in known.units):
        errors["team"] = _("Choose an org unit of the district.")
    elif team:
        out["team"] = team
    channel = str(raw.get("channel") or "").strip()
    if channel and channel not in CHANNELS:
        errors["channel"] = _("Choose one of the offered values.")
    elif channel:
        out["channel"] = channel
    priority = str(raw.get("priority") if raw.get("priority") is not None else "").strip()
    if priority and priority not in PRIORITIES:
        errors["priority"] = _("Choose one of the offered values.")
    elif priority:
        out["priority"] = priority
    status = str(raw.get("open") or "open")
    if status not in {"open", "closed", "any"}:
        errors["open"] = _("Choose one of the offered values.")
    elif status != "open":
        out["open"] = status
    for prefix in ("created", "due"):
        start = _date(raw.get(f"{prefix}_from"), prefix, errors)
        end = _date(raw.get(f"{prefix}_to"), prefix, errors)
        if start and end and start > end:
            errors[prefix] = _("The start date is after the end date.")
        for name, day in ((f"{prefix}_from", start), (f"{prefix}_to", end)):
            if day:
                out[name] = day.isoformat()
    q = str(raw.get("q") or "").strip()
    if len(q) > MAX_LABEL:
        errors["q"] = _("At most %(n)s characters.", n=MAX_LABEL)
    elif q:
        out["q"] = q
    return out


def check_spec(raw: Mapping[str, Any], known: Known, *, shared: bool) -> QueueSpec:
    """A checked definition from ``label_zh``, ``label_en``, ``filters``, ``columns``, ``sort``, ``roles``."""
    errors: dict[str, str] = {}
    label_zh = str(raw.get("label_zh") or "").strip()
    label_en = str(raw.get("label_en") or "").strip()
    if not label_zh:
        errors["label_zh"] = _("Give the queue a name (at most 100 characters).")
    for name, label in (("label_zh", label_zh), ("label_en", label_en)):
        if len(label) > MAX_LABEL:
            errors[name] = _("Give the queue a name (at most 100 characters).")
    filters_raw = raw.get("filters") or {}
    if not isinstance(filters_raw, dict):
        errors["filters"] = _("The value does not have the expected format.")
        filters_raw = {}
    params = _check_filters(filters_raw, known, errors)
    columns = _values(raw.get("columns"))
    if not columns:
        errors["columns"] = _("Choose at least one column.")
    elif [c for c in columns if c not in BASE_COLUMNS] or len(set(columns)) != len(columns):
        errors["columns"] = _("Unknown or repeated column: %(names)s.", names=", ".join(columns))
    sort = str(raw.get("sort") or "-updated")
    if sort not in SORTS:
        errors["sort"] = _("Choose one of the offered values.")
    roles = _values(raw.get("roles"))
    if roles and not shared:
        errors["roles"] = _("Only a shared queue is limited to roles.")
    elif [r for r in roles if r not in known.roles]:
        errors["roles"] = _("Unknown role: %(names)s.", names=", ".join(r for r in roles if r not in known.roles))
    if errors:
        raise InvalidData(_("Please correct the marked fields; nothing was saved."), errors)
    filters = Filters.from_query({**params, "sort": sort})
    return QueueSpec(label_zh, label_en, filters, tuple(columns), tuple(dict.fromkeys(roles)))


def filters_to_params(filters: Filters) -> dict[str, Any]:
    """Filters as JSON for a saved queue: lists for types and states, strings for the rest (no sort)."""
    out: dict[str, Any] = {}
    for name, value in filters.to_query():
        if name in LIST_FILTERS:
            out.setdefault(name, []).append(value)
        elif name != "sort":
            out[name] = value
    return out


def queue_filters(queue: SavedQueue) -> Filters:
    """The filters a saved queue applies, with its sort."""
    sort = queue.sort if queue.sort in SORTS else "-updated"
    return Filters.from_query({**(queue.filters or {}), "sort": sort})


def _apply(queue: SavedQueue, spec: QueueSpec) -> None:
    queue.label_zh = spec.label_zh
    queue.label_en = spec.label_en
    queue.filters = filters_to_params(spec.filters)
    queue.columns = list(spec.columns)
    queue.sort = spec.filters.sort
    queue.roles = list(spec.roles)


async def create_queue(ctx: RequestContext, spec: QueueSpec, *, shared: bool) -> SavedQueue:
    """Save a new queue: shared (placed last) or the user's own."""
    assert ctx.user is not None
    position = 100
    if shared:
        last = (
            await ctx.session.execute(select(func.max(SavedQueue.position)).where(SavedQueue.owner_id.is_(None)))
        ).scalar()
        position = (last or 0) + 10
    queue = SavedQueue(owner_id=None if shared else ctx.user.id, key=f"q{token_hex(5)}", position=position)
    _apply(queue, spec)
    ctx.session.add(queue)
    await ctx.session.flush()
    return queue


async def update_queue(ctx: RequestContext, queue: SavedQueue, spec: QueueSpec) -> SavedQueue:
    """Replace a queue's definition."""
    _apply(queue, spec)
    await ctx.session.flush()
    return queue


async def delete_queue(ctx: RequestContext, queue: SavedQueue) -> None:
    await ctx.session.delete(queue)
    await ctx.session.flush()


def may_see(ctx: RequestContext, queue: SavedQueue) -> bool:
    """A personal queue: its owner; a shared one: everyone, or the members of its roles."""
    assert ctx.user is not None
    if queue.owner_id is not None:
        return queue.owner_id == ctx.user.id
    return not queue.roles or ctx.is_platform_admin or bool(ctx.roles & set(queue.roles))


async def visible_queues(ctx: RequestContext) -> list[SavedQueue]:
    """The shared queues the user's roles match and the user's own, in the sidebar's order (one query)."""
    assert ctx.user is not None
    rows = await ctx.session.execute(
        select(SavedQueue)
        .where(or_(SavedQueue.owner_id.is_(None), SavedQueue.owner_id == ctx.user.id))
        .order_by(SavedQueue.position, SavedQueue.id)
    )
    return [q for q in rows.scalars() if may_see(ctx, q)]


async def find_queue(ctx: RequestContext, key: str) -> SavedQueue | None:
    """A queue the user may open, by key (``None`` for another user's or one limited to other roles).

    District admins may open every shared queue (from the queue builder), though their
    sidebar lists only those their roles match.
    """
    assert ctx.user is not None
    rows = await ctx.session.execute(
        select(SavedQueue)
        .where(SavedQueue.key == key, or_(SavedQueue.owner_id.is_(None), SavedQueue.owner_id == ctx.user.id))
        .order_by(SavedQueue.owner_id.is_(None))
    )
    found = list(rows.scalars())
    visible = next((q for q in found if may_see(ctx, q)), None)
    if visible is None and found and found[0].owner_id is None and ctx.can("district", "admin"):
        return found[0]
    return visible


async def shared_queues(ctx: RequestContext) -> list[SavedQueue]:
    """Every shared queue of the district, in order (for the admin page)."""
    rows = await ctx.session.execute(
        select(SavedQueue).where(SavedQueue.owner_id.is_(None)).order_by(SavedQueue.position, SavedQueue.id)
    )
    return list(rows.scalars())


async def move_queue(ctx: RequestContext, queue: SavedQueue, step: int) -> None:
    """Move a shared queue one place up (``-1``) or down (``+1``); positions become 10, 20, 30 …"""
    queues = await shared_queues(ctx)
    index = queues.index(queue)
    other = index + step
    if 0 <= other < len(queues):
        queues[index], queues[other] = queues[other], queues[index]
    for n, item in enumerate(queues, start=1):
        item.position = n * 10
    await ctx.session.flush()
