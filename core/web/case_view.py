"""What the case page shows, read through the case service: facts, fields, timeline, files, related cases."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape
from sqlalchemy import select

from core.cases.access import visibility_clause
from core.cases.labels import channel_label, priority_label, sla_badge, state_label
from core.cases.permissions import may_comment, may_edit
from core.cases.reads import may_read_log
from core.cases.service import available_transitions, case_types
from core.forms import visible_fields
from core.i18n import gettext
from core.models import OrgUnit, User
from core.models.cases import Attachment, Case, CaseEvent
from core.models.tasks import CaseTask
from core.plugins.asyncio import call_hook, flatten
from core.services.memberships import assignable_members
from core.tasks.service import (
    KINDS,
    OPEN,
    PARTNER_KINDS,
    choices,
    due_label,
    kind_label,
    local_today,
    next_statuses,
    status_label,
    tasks_of,
)
from core.web.forms import display_value, reference_options

if TYPE_CHECKING:
    from core.casetypes.definition import CaseTypeDef
    from core.context import RequestContext
    from core.forms import FieldDef
    from core.workflows.definition import Transition

__all__ = ("CaseView", "EventView", "FieldRow", "TaskView", "build_view", "field_row", "task_views", "timeline")

RELATED_LIMIT = 10


@dataclass
class FieldRow:
    """One field of the case as shown: its text, or rows of cell texts for a repeating group."""

    field: FieldDef
    text: str
    visible: bool = True
    rows: list[list[str]] = dataclasses.field(default_factory=list)
    files: list[dict[str, Any]] = dataclasses.field(default_factory=list)


@dataclass
class EventView:
    """One timeline entry, ready to show."""

    kind: str
    actor: str
    at: Any
    title: str
    changes: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)
    text: Markup | str = ""
    reason: str = ""


@dataclass
class TaskView:
    """One linked task on the case page: the row, its words, and the statuses it may move to."""

    task: CaseTask
    kind: str
    status: str
    follower: str
    due: str
    overdue: bool
    next: list[tuple[str, str]]


@dataclass
class CaseView:
    """Everything the case page renders."""

    case: Case
    definition: CaseTypeDef
    names: dict[str, dict[str, str]]
    fields: list[FieldRow]
    can_edit: bool
    can_comment: bool
    transitions: list[Transition]
    members: list[tuple[str, str]]
    events: list[EventView]
    attachments: list[Attachment]
    related: list[Case]
    panels: list[tuple[str, Markup]]
    state_label: str = ""
    state_kind: str = ""
    assignee: str = ""
    team: str = ""
    channel: str = ""
    priority: str = ""
    badge: str = ""
    type_names: dict[str, str] = dataclasses.field(default_factory=dict)
    tasks: list[TaskView] = dataclasses.field(default_factory=list)  # 转介与任务
    task_kinds: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # the add form's choices
    task_partners: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    task_starts: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    audited: bool = False  # every read of the case is logged (the page says so)
    may_read_log: bool = False  # a district admin or the case's supervisor: a link to its read log


def field_row(
    definition: CaseTypeDef,
    key: str,
    data: dict[str, Any],
    locale: str,
    names: Any,
    visible_keys: set[str] | None = None,
) -> FieldRow:
    """A field of a case as text (hidden when its ``show_if`` does not hold).

    ``visible_keys``: the form's visible fields for ``data`` when the caller has them
    (the conditions are evaluated once per page, not once per field).
    """
    f = definition.form.get(key)
    assert f is not None
    visible = f in visible_fields(definition.form, data) if visible_keys is None else f.key in visible_keys
    value = data.get(key)
    rows: list[list[str]] = []
    if f.type == "group" and isinstance(value, list):
        rows = [[display_value(s, r.get(s.key), locale, names) for s in f.fields] for r in value if isinstance(r, dict)]
    files = [v for v in value if isinstance(v, dict)] if f.type == "file" and isinstance(value, list) else []
    return FieldRow(f, display_value(f, value, locale, names), visible, rows, files)


async def _names(ctx: RequestContext, definition: CaseTypeDef, case: Case) -> dict[str, dict[str, str]]:
    options = await reference_options(ctx, definition.form)
    names = {kind: dict(pairs) for kind, pairs in options.items()}
    users = {case.assignee_id, case.created_by_id} - {None}
    if users:
        rows = await ctx.session.execute(select(User.id, User.label).where(User.id.in_(users)))
        names.setdefault("person", {}).update({str(uid): label for uid, label in rows})
    if case.team_id:
        unit = await ctx.session.get(OrgUnit, case.team_id)
        names.setdefault("unit", {})[str(case.team_id)] = unit.name(ctx.locale) if unit else ""
    # An organization field may name any org unit of the district (a council topic names its
    # community): the value is shown by its name, never as a bare id.
    known = names.setdefault("organization", {})
    wanted = {
        int(value)
        for f in definition.form.fields
        if f.type == "organization" and str(value := case.data.get(f.key, "")).isdigit() and str(value) not in known
    }
    if wanted:
        for unit in (await ctx.session.execute(select(OrgUnit).where(OrgUnit.id.in_(wanted)))).scalars():
            known[str(unit.id)] = unit.name(ctx.locale)
    # A plugin names what only it knows (a time bank's id, a bank's category key): "field:<key>".
    for found in await call_hook(ctx.hooks.case_field_labels, ctx=ctx, case=case, case_type=definition):
        for key, labels in (found or {}).items():
            names.setdefault(f"field:{key}", {}).update({str(v): str(t) for v, t in labels.items()})
    return names


def _mentions(text: str, mentioned: list[dict[str, Any]]) -> Markup:
    """The comment, escaped, with mentions of real users highlighted."""
    known = {str(m.get("username")) for m in mentioned}
    out: list[str] = []
    last = 0
    for match in re.finditer(r"@([A-Za-z0-9_.\-]{2,64})", text):
        out.append(str(escape(text[last : match.start()])))
        word = str(escape(match.group(0)))
        out.append(f'<mark class="mention">{word}</mark>' if match.group(1) in known else word)
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))  # noqa: S704 - every piece was escaped above


def _group_lines(group: FieldDef, old: Any, new: Any, locale: str, names: Any) -> list[tuple[str, str, str]]:
    """A repeating group's change, row by row: each changed, added or removed row as its cells' text.

    (A group's whole value, old and new, would repeat every row at every change: months of
    service records made a timeline entry longer than the record.)
    """

    def rows(value: Any) -> list[dict[str, Any]]:
        return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []

    def text(row: dict[str, Any] | None) -> str:
        if row is None:
            return ""
        cells = (display_value(s, row.get(s.key), locale, names) for s in group.fields)
        return " · ".join(c for c in cells if c)

    before, after = rows(old), rows(new)
    label = group.label(locale)
    out = []
    for n in range(max(len(before), len(after))):
        was = before[n] if n < len(before) else None
        now = after[n] if n < len(after) else None
        if was != now:
            out.append((gettext("%(list)s, row %(n)s", list=label, n=n + 1), text(was), text(now)))
    return out


def _change_lines(
    definition: CaseTypeDef, changes: dict[str, Any], locale: str, names: Any
) -> list[tuple[str, str, str]]:
    lines = []
    for key, pair in (changes or {}).items():
        old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        f = definition.form.get(key)
        if f is not None and f.type == "group":
            lines += _group_lines(f, old, new, locale, names)
        elif f is not None:
            lines.append((f.label(locale), display_value(f, old, locale, names), display_value(f, new, locale, names)))
        elif key == "priority":
            lines.append((gettext("Priority"), priority_label(old or 0), priority_label(new or 0)))
        else:
            label = gettext("Title") if key == "title" else key
            lines.append((label, "" if old is None else str(old), "" if new is None else str(new)))
    return lines


async def timeline(ctx: RequestContext, case: Case, definition: CaseTypeDef, names: Any) -> list[EventView]:
    """The case's events, oldest first (a conversation reads top to bottom, the comment box below)."""
    rows = (
        await ctx.session.execute(
            select(CaseEvent.kind, CaseEvent.at, CaseEvent.payload, User.label.label("actor"))
            .outerjoin(User, User.id == CaseEvent.actor_id)
            .where(CaseEvent.case_id == case.id)
            .order_by(CaseEvent.seq)
        )
    ).all()
    people = dict(names.get("person", {}))
    wanted = {
        int(v)
        for e in rows
        if e.kind == "assigned"
        for v in ((e.payload or {}).get("from"), (e.payload or {}).get("to"))
        if v is not None and str(v) not in people
    }
    if wanted:
        found = await ctx.session.execute(select(User.id, User.label).where(User.id.in_(wanted)))
        people.update({str(uid): label for uid, label in found})
    locale = ctx.locale
    out = []
    for event in rows:
        p = event.payload or {}
        view = EventView(event.kind, event.actor or gettext("System"), event.at, "")  # no actor: the system
        if event.kind == "created":
            channel = channel_label(str(p.get("channel") or case.channel or ""))
            view.title = (
                gettext("Filed the case (%(channel)s)", channel=channel) if channel else gettext("Filed the case")
            )
        elif event.kind == "updated":
            view.title = gettext("Changed fields")
            view.changes = _change_lines(definition, p.get("changes", {}), locale, names)
        elif event.kind == "transition":
            t = definition.workflow.transition(str(p.get("transition", "")))
            view.title = gettext(
                "%(step)s: %(old)s → %(new)s",
                step=t.label(locale) if t else str(p.get("label", "")),
                old=state_label(definition, str(p.get("from", "")), locale),
                new=state_label(definition, str(p.get("to", "")), locale),
            )
            view.reason = str(p.get("reason", ""))
            view.changes = _change_lines(definition, p.get("changes", {}), locale, names)
        elif event.kind == "comment":
            view.title = gettext("Commented")
            view.text = _mentions(str(p.get("text", "")), p.get("mentions") or [])
        elif event.kind == "assigned":
            new = people.get(str(p.get("to")), "") if p.get("to") else gettext("nobody")
            view.title = (
                gettext("Took the case")
                if p.get("claimed")
                else gettext("Assigned the case to %(name)s", name=new or "?")
            )
        elif event.kind == "task":
            title = str(p.get("title", ""))
            if p.get("action") == "created":
                view.title = gettext(
                    "Added the task %(title)s (%(kind)s, %(status)s)",
                    title=title,
                    kind=kind_label(str(p.get("kind", "")), locale),
                    status=status_label(str(p.get("status", "")), locale),
                )
                partner = str(p.get("partner", ""))
                view.text = gettext("Goes to: %(partner)s", partner=partner) if partner else ""
            else:
                view.title = gettext(
                    "Task %(title)s: %(old)s → %(new)s",
                    title=title,
                    old=status_label(str(p.get("from", "")), locale),
                    new=status_label(str(p.get("to", "")), locale),
                )
                view.text = str(p.get("outcome", ""))
        elif event.kind == "attachment":
            view.title = gettext("Attached %(name)s", name=str(p.get("name", "")))
        else:
            view.title = event.kind
        out.append(view)
    return out


async def related_cases(ctx: RequestContext, case: Case, definition: CaseTypeDef) -> list[Case]:
    """Other cases the user may see with the same contact phone (``ix_cases_contact_phone``), newest first."""
    if not case.contact_phone:
        return []
    types = [d for _, d in (await case_types(ctx)).values()]
    query = (
        select(Case)
        .where(
            Case.district_id == case.district_id,
            Case.contact_phone == case.contact_phone,
            Case.id != case.id,
            await visibility_clause(ctx, types),
        )
        .order_by(Case.created_at.desc())
        .limit(RELATED_LIMIT)
    )
    return list((await ctx.session.execute(query)).scalars())


async def panels(ctx: RequestContext, case: Case, definition: CaseTypeDef, env: Any) -> list[tuple[str, Markup]]:
    """Plugins' panels (the ``case_panels`` hook), each rendered from its template."""
    found = flatten(await call_hook(ctx.hooks.case_panels, ctx=ctx, case=case, case_type=definition))
    found.sort(key=lambda p: (p.order, p.title))
    out = []
    for panel in found:
        html = env.get_template(panel.template).render({**panel.context, "ctx": ctx, "case": case})
        out.append((panel.title, Markup(html)))  # noqa: S704 - rendered by the autoescaping environment
    return out


async def task_views(ctx: RequestContext, case: Case, names: dict[str, dict[str, str]]) -> list[TaskView]:
    """The case's tasks as the page shows them (each follower's name; who is not in ``names`` is looked up)."""
    tasks = await tasks_of(ctx, case)
    people = dict(names.get("person", {}))
    wanted = {t.follower_id for t in tasks if t.follower_id is not None and str(t.follower_id) not in people}
    if wanted:
        found = await ctx.session.execute(select(User.id, User.label).where(User.id.in_(wanted)))
        people.update({str(uid): label for uid, label in found})
    today = local_today()
    return [
        TaskView(
            task=t,
            kind=kind_label(t.kind, ctx.locale),
            status=status_label(t.status, ctx.locale),
            follower=people.get(str(t.follower_id), "") if t.follower_id else "",
            due=due_label(t, today) if t.status in OPEN else "",
            overdue=t.status in OPEN and t.due_on is not None and t.due_on < today,
            next=[(s, status_label(s, ctx.locale)) for s in next_statuses(t)],
        )
        for t in tasks
    ]


async def build_view(ctx: RequestContext, case: Case, definition: CaseTypeDef, env: Any) -> CaseView:
    """The whole page's view of a case the user may see."""
    names = await _names(ctx, definition, case)
    shown = {f.key for f in visible_fields(definition.form, case.data)}
    rows = [field_row(definition, f.key, case.data, ctx.locale, names, shown) for f in definition.form.fields]
    can_edit = may_edit(ctx, case, definition)
    state = definition.workflow.state(case.state)
    attachments = (
        await ctx.session.execute(select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id))
    ).scalars()
    return CaseView(
        case=case,
        definition=definition,
        names=names,
        fields=rows,
        can_edit=can_edit,
        can_comment=may_comment(ctx, definition),
        transitions=available_transitions(ctx, case, definition),
        members=await assignable_members(ctx.session, ctx.district) if can_edit and ctx.district else [],
        events=await timeline(ctx, case, definition, names),
        attachments=list(attachments),
        related=await related_cases(ctx, case, definition),
        panels=await panels(ctx, case, definition, env),
        state_label=state_label(definition, case.state, ctx.locale),
        state_kind=state.kind.value if state else "",
        assignee=names.get("person", {}).get(str(case.assignee_id), "") if case.assignee_id else "",
        team=names.get("unit", {}).get(str(case.team_id), "") if case.team_id else "",
        channel=channel_label(case.channel),
        priority=priority_label(case.priority),
        badge=sla_badge(case),
        type_names={d.key: d.name(ctx.locale) for _, d in (await case_types(ctx)).values()},
        tasks=await task_views(ctx, case, names),
        task_kinds=choices(KINDS, ctx.locale),
        task_partners=choices(PARTNER_KINDS, ctx.locale),
        task_starts=[(s, status_label(s, ctx.locale)) for s in ("sent", "open")],
        audited=definition.audit_reads,
        may_read_log=definition.audit_reads and may_read_log(ctx, [definition]),
    )
