"""What the queue page shows: the sidebar's queues, the table's rows and columns, the filter choices."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from sqlalchemy import select

from core.cases.exports import BASE_COLUMNS, column_label
from core.cases.labels import Names, channel_labels, priority_label, sla_badge, state_label
from core.cases.permissions import may_edit, may_take
from core.cases.queues import SCOPES, Filters, count_many
from core.cases.saved_queues import DEFAULT_COLUMNS, filters_to_params, queue_filters, visible_queues
from core.cases.service import case_types
from core.db import utcnow
from core.i18n import gettext as _
from core.i18n import localized
from core.models import OrgUnit
from core.plugins.asyncio import call_hook, flatten
from core.services.memberships import assignable_members

if TYPE_CHECKING:
    from collections.abc import Mapping

    from core.casetypes.definition import CaseTypeDef
    from core.context import RequestContext
    from core.models.cases import Case, SavedQueue

__all__ = (
    "DEFAULT_COLUMNS",
    "QueueEntry",
    "Row",
    "all_definitions",
    "build_rows",
    "choices",
    "columns_from",
    "count_entries",
    "filters_to_params",
    "queue_query",
    "sidebar",
    "sort_links",
)

# Column → (first sort when its header is clicked, the other direction).
COLUMN_SORTS = {
    "reference": ("reference", "-reference"),
    "created": ("-created", "created"),
    "updated": ("-updated", "updated"),
    "due": ("due", "-due"),
    "priority": ("-priority", "priority"),
}


async def all_definitions(ctx: RequestContext) -> list[CaseTypeDef]:
    """Every current case type of the district (visibility decides, in SQL, what the user sees)."""
    return [definition for _row, definition in (await case_types(ctx)).values()]


def viewable(ctx: RequestContext, definitions: list[CaseTypeDef]) -> list[CaseTypeDef]:
    """The types the user may see some cases of (for filter choices and the types' queues)."""
    return [
        d
        for d in definitions
        if ctx.is_platform_admin or ctx.can(d.resource, "view") or ctx.can(d.resource, "view_own")
    ]


def columns_from(query: Mapping[str, Any]) -> tuple[str, ...]:
    """The chosen columns (``col`` parameters) in the order given; the defaults when none is chosen."""
    values = query.getall("col", []) if hasattr(query, "getall") else query.get("col") or []
    if isinstance(values, str):
        values = [values]
    columns = tuple(dict.fromkeys(c for c in (str(v) for v in values) if c in BASE_COLUMNS))
    return columns or DEFAULT_COLUMNS


def queue_query(
    filters: Filters, columns: tuple[str, ...] = DEFAULT_COLUMNS, saved: SavedQueue | None = None, **extra: str
) -> str:
    """The URL query string of a filter state and column choice (defaults left out).

    Inside a saved queue (``saved``) it is the queue's key, plus the sort when it differs
    from the queue's: the queue's definition supplies the rest.
    """
    if saved is not None:
        pairs = [("queue", saved.key)]
        if filters.sort != queue_filters(saved).sort:
            pairs.append(("sort", filters.sort))
    else:
        pairs = list(filters.to_query())
        if tuple(columns) != DEFAULT_COLUMNS:
            pairs += [("col", c) for c in columns]
    pairs += [(k, v) for k, v in extra.items() if v]
    return urlencode(pairs)


def _same(a: Filters, b: Filters) -> bool:
    return sorted(a.with_(sort="-updated").to_query()) == sorted(b.with_(sort="-updated").to_query())


@dataclass
class QueueEntry:
    """A queue in the sidebar: label, filters, where it comes from, and its count once counted."""

    key: str
    label: str
    filters: Filters
    group: str = "core"
    columns: tuple[str, ...] = DEFAULT_COLUMNS
    saved_id: int | None = None
    saved_key: str = ""
    deletable: bool = False
    count: str = ""
    active: bool = False

    @property
    def query(self) -> str:
        """The link's query: a saved queue by its key (its definition applies), else the filters."""
        return urlencode([("queue", self.saved_key)]) if self.saved_key else queue_query(self.filters, self.columns)


async def sidebar(ctx: RequestContext, current: Filters | None = None, current_key: str = "") -> list[QueueEntry]:
    """The user's queues: the core's, the case types', shared and personal saved ones, the plugins'."""
    assert ctx.user is not None and ctx.district is not None
    entries = [
        QueueEntry("mine", _("My cases"), Filters(scope="mine")),
        QueueEntry("team", _("My team"), Filters(scope="team")),
        QueueEntry("unassigned", _("Unassigned"), Filters(scope="unassigned")),
        QueueEntry("due_soon", _("Due soon"), Filters(scope="due_soon")),
        QueueEntry("overdue", _("Overdue"), Filters(scope="overdue")),
        QueueEntry("all", _("All open"), Filters()),
    ]
    roles = ctx.roles
    for definition in viewable(ctx, await all_definitions(ctx)):
        for queue in definition.queues:
            if queue.roles and not ctx.is_platform_admin and not roles & set(queue.roles):
                continue
            scope = queue.scope if queue.scope in SCOPES else "all"
            filters = Filters(scope=scope, types=(definition.key,), states=tuple(queue.states), fields=queue.where)
            entries.append(QueueEntry(f"{definition.key}.{queue.key}", queue.label(ctx.locale), filters, "types"))
    admin = ctx.can("district", "admin")
    for stored in await visible_queues(ctx):
        label = localized(stored.label_zh, stored.label_en, ctx.locale)
        entries.append(
            QueueEntry(
                f"saved.{stored.id}",
                label,
                queue_filters(stored),
                "shared" if stored.owner_id is None else "personal",
                columns_from({"col": stored.columns}),
                saved_id=stored.id,
                saved_key=stored.key,
                deletable=stored.owner_id == ctx.user.id or (stored.owner_id is None and admin),
            )
        )
    links = flatten(await call_hook(ctx.hooks.queue_definitions, ctx=ctx))
    for link in sorted(links, key=lambda item: (item.order, item.label)):
        entries.append(
            QueueEntry(
                f"plugin.{link.key}",
                link.label,
                Filters.from_query(link.filters),
                "plugins",
                columns_from(link.filters),
            )
        )
    if current_key:
        for entry in entries:
            entry.active = entry.saved_key == current_key
    elif current is not None:
        for entry in entries:
            entry.active = not entry.saved_key and _same(entry.filters, current)
    return entries


async def count_entries(ctx: RequestContext, entries: list[QueueEntry]) -> None:
    """Fill in each queue's count, capped ("1000+"), all in one query."""
    definitions = await all_definitions(ctx)
    counts = await count_many(ctx, [entry.filters for entry in entries], definitions)
    for entry, n in zip(entries, counts, strict=True):
        entry.count = "1000+" if n > 1000 else str(n)


@dataclass
class Row:
    """One case as a table row."""

    case: Case
    type_name: str
    state: str
    assignee: str
    team: str
    priority: str
    channel: str
    sla: str
    can_edit: bool
    cells: dict[str, Any] = field(default_factory=dict)


async def build_rows(ctx: RequestContext, cases: list[Case], names: Names | None = None) -> list[Row]:
    """Rows for ``cases``: names of types, states, people and teams, SLA badges, what the user may do."""
    types = {d.key: d for d in await all_definitions(ctx)}
    names = names or Names(ctx)
    await names.load(cases)
    channels = channel_labels()
    now = utcnow()
    rows = []
    for case in cases:
        definition = types.get(case.case_type_key)
        rows.append(
            Row(
                case=case,
                type_name=definition.name(ctx.locale) if definition else case.case_type_key,
                state=state_label(definition, case.state, ctx.locale),
                assignee=names.user(case.assignee_id),
                team=names.unit(case.team_id),
                priority=priority_label(case.priority),
                channel=channels.get(case.channel, case.channel),
                sla=sla_badge(case, now),
                can_edit=bool(definition and may_edit(ctx, case, definition)),
            )
        )
    return rows


def sort_links(
    filters: Filters, columns: tuple[str, ...], saved: SavedQueue | None = None
) -> dict[str, dict[str, str]]:
    """For each sortable column: the query of clicking its header, and its current direction."""
    links: dict[str, dict[str, str]] = {}
    for column in columns:
        if column not in COLUMN_SORTS:
            continue
        first, second = COLUMN_SORTS[column]
        direction = ""
        if filters.sort in (first, second):
            direction = "descending" if filters.sort.startswith("-") else "ascending"
        target = second if filters.sort == first else first
        links[column] = {"query": queue_query(filters.with_(sort=target), columns, saved), "direction": direction}
    return links


async def choices(ctx: RequestContext, filters: Filters) -> dict[str, Any]:
    """Options of the filter form and the bulk bar: types, states, members, units, channels, columns."""
    assert ctx.district is not None
    types = viewable(ctx, await all_definitions(ctx))
    chosen = [d for d in types if d.key in filters.types] or types
    states: dict[str, str] = {}
    for definition in chosen:
        for state in definition.workflow.states:
            states.setdefault(state.key, state.label(ctx.locale))
    members = await assignable_members(ctx.session, ctx.district)
    units = (await ctx.session.execute(select(OrgUnit).order_by(OrgUnit.code))).scalars()
    transitions: dict[str, str] = {}
    for definition in chosen:
        for transition in definition.workflow.transitions:
            if transition.required or transition.reason_required or transition.automatic:
                continue
            if may_take(ctx, None, definition, transition):
                transitions.setdefault(transition.key, transition.label(ctx.locale))
    return {
        "types": [(d.key, d.name(ctx.locale)) for d in types],
        "states": list(states.items()),
        "members": members,
        "units": [(u.id, u.name(ctx.locale)) for u in units],
        "channels": list(channel_labels().items()),
        "priorities": [(str(p), priority_label(p)) for p in range(4)],
        "all_columns": [(c, column_label(c)) for c in BASE_COLUMNS],
        "bulk_transitions": list(transitions.items()),
        "bulk_can_assign": True,
        "can_share": ctx.can("district", "admin"),
    }
