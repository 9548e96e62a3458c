"""Linked tasks of a case: create one, change its status, list a case's or a follower's tasks.

**Visibility.** A task is read only through its case: every function takes a case the
caller got from :func:`core.cases.service.get_case` (404 unless the user may read it, and a
row in the read log when the case's type audits reads), and 我的任务 lists only tasks of
cases that pass the same visibility clause. **Editing** follows the case's edit permission
(:func:`core.cases.permissions.may_edit`: a closed case takes no change).

**Statuses.** ``open`` (to do) or ``sent`` (a referral handed over) → ``accepted`` (the
partner took it) → ``completed`` / ``declined``; any task not finished may be ``cancelled``.
:data:`TRANSITIONS` lists what may follow what; anything else is refused. Completing or
declining needs an outcome note.

**Concurrency.** Each change is a conditional ``UPDATE … WHERE version = <the version the
user saw>``: of two changes made from the same page, one is written and the other gets
:class:`StaleTask` (409, "已被他人修改，请刷新"), nothing lost or doubled.

**History.** Every change appends an event of kind ``task`` to the case's timeline (who,
when, what) in the same transaction.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import case as sql_case
from sqlalchemy import select, update

from core.cases.access import visibility_clause
from core.cases.errors import CaseError, InvalidData
from core.cases.notices import may_see
from core.cases.permissions import may_edit, require
from core.cases.reads import record_reads
from core.cases.service import case_types
from core.cases.timeline import append_event
from core.db import utcnow
from core.i18n import TIMEZONE, format_date, gettext, localized
from core.models import Membership, User
from core.models.cases import Case
from core.models.tasks import CaseTask
from core.refusal import NotFound
from core.workdays import calendar_for

if TYPE_CHECKING:
    from core.casetypes.definition import CaseTypeDef
    from core.context import RequestContext

__all__ = (
    "CLOSED",
    "KINDS",
    "NEEDS_OUTCOME",
    "OPEN",
    "PARTNER_KINDS",
    "STATUSES",
    "TRANSITIONS",
    "MyTask",
    "StaleTask",
    "change_status",
    "choices",
    "create_task",
    "due_label",
    "kind_label",
    "local_today",
    "my_tasks",
    "next_statuses",
    "status_label",
    "tasks_of",
)

STATUSES = ("open", "sent", "accepted", "completed", "declined", "cancelled")
OPEN = frozenset({"open", "sent", "accepted"})
CLOSED = frozenset({"completed", "declined", "cancelled"})
NEEDS_OUTCOME = frozenset({"completed", "declined"})
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("sent", "accepted", "completed", "cancelled"),
    "sent": ("accepted", "declined", "cancelled"),
    "accepted": ("completed", "declined", "cancelled"),
}
_STATUS_LABELS = {
    "open": ("待办", "To do"),
    "sent": ("已送出", "Sent"),
    "accepted": ("对方已接收", "Accepted"),
    "completed": ("已完成", "Completed"),
    "declined": ("对方未接收", "Declined"),
    "cancelled": ("已取消", "Cancelled"),
}
KINDS: dict[str, tuple[str, str]] = {
    "referral": ("转介", "Referral"),
    "follow_up": ("跟进", "Follow-up"),
    "visit": ("探访", "Visit"),
    "other": ("其他", "Other"),
}
PARTNER_KINDS: dict[str, tuple[str, str]] = {
    "medical": ("医疗", "Medical"),
    "legal": ("法律援助", "Legal aid"),
    "counselling": ("心理咨询", "Counselling"),
    "community": ("社区资源", "Community"),
    "civil_affairs": ("民政救助", "Civil affairs assistance"),
    "other": ("其他", "Other"),
}
KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MAX_DUE_DAYS = 366  # working days
MAX_TITLE, MAX_PARTNER, MAX_OUTCOME = 200, 100, 2000
MY_TASKS_LIMIT = 200


class StaleTask(CaseError):
    """Someone changed the task since the user saw it (409); nothing was written."""

    status_code = 409

    def __init__(self, current_version: int) -> None:
        super().__init__(gettext("Changed by someone else, please reload."), version=current_version)
        self.current_version = current_version


def status_label(status: str, locale: str | None = None) -> str:
    zh, en = _STATUS_LABELS.get(status, (status, status))
    return localized(zh, en, locale)


def kind_label(kind: str, locale: str | None = None) -> str:
    """The kind's name (a plugin's own kind shows its key)."""
    zh, en = KINDS.get(kind, (kind, kind))
    return localized(zh, en, locale)


def choices(labels: dict[str, tuple[str, str]], locale: str | None = None) -> list[tuple[str, str]]:
    """(key, label) of ``KINDS`` or ``PARTNER_KINDS`` for a select."""
    return [(key, localized(zh, en, locale)) for key, (zh, en) in labels.items()]


def next_statuses(task: CaseTask) -> tuple[str, ...]:
    """The statuses the task may move to."""
    return TRANSITIONS.get(task.status, ())


def local_today() -> date:
    return datetime.now(TIMEZONE).date()


async def tasks_of(ctx: RequestContext, case: Case) -> list[CaseTask]:
    """The case's tasks, open ones first, then by due date and age (``case`` came from ``get_case``)."""
    query = (
        select(CaseTask)
        .where(CaseTask.case_id == case.id)
        .order_by(
            sql_case((CaseTask.status.in_(sorted(OPEN)), 0), else_=1),
            sql_case((CaseTask.due_on.is_(None), 1), else_=0),
            CaseTask.due_on,
            CaseTask.id,
        )
    )
    return list((await ctx.session.execute(query)).scalars())


async def _follower(
    ctx: RequestContext, case: Case, definition: CaseTypeDef, follower_id: int | None, errors: dict[str, str]
) -> int | None:
    """The follower asked for (default: the case's assignee, else the author), if they may read the case."""
    chosen = follower_id if follower_id is not None else case.assignee_id
    if chosen is None:
        assert ctx.user is not None
        return ctx.user.id
    assert ctx.district is not None
    user = (
        await ctx.session.execute(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(User.id == chosen, User.is_active.is_(True), Membership.district_id == ctx.district.id)
            .limit(1)
        )
    ).scalar_one_or_none()
    if user is None or not await may_see(ctx, user, case, definition):
        errors["follower_id"] = gettext("Choose a colleague who may read this case.")
        return None
    return user.id


async def create_task(
    ctx: RequestContext,
    case: Case,
    definition: CaseTypeDef,
    *,
    kind: str,
    title: str,
    partner: str = "",
    partner_contact: str = "",
    partner_kind: str = "",
    follower_id: int | None = None,
    due_on: date | None = None,
    due_in_days: int | None = None,
    status: str = "open",
) -> CaseTask:
    """Add a task to ``case`` (edit permission on the case); ``due_in_days`` counts working days from today.

    Raises :class:`~core.cases.errors.InvalidData` (400, per field) for bad input and
    :class:`~core.refusal.Forbidden` (403) without the case's edit permission; nothing is written then.
    """
    require(may_edit(ctx, case, definition))
    assert ctx.user is not None and ctx.district is not None
    errors: dict[str, str] = {}
    kind, title = kind.strip(), title.strip()
    partner, partner_contact, partner_kind = partner.strip(), partner_contact.strip(), partner_kind.strip()
    if not KIND_PATTERN.match(kind):
        errors["kind"] = gettext("Choose the kind of task.")
    if not title:
        errors["title"] = gettext("Say what is to be done.")
    elif len(title) > MAX_TITLE:
        errors["title"] = gettext("At most %(n)s characters.", n=MAX_TITLE)
    if len(partner) > MAX_PARTNER:
        errors["partner"] = gettext("At most %(n)s characters.", n=MAX_PARTNER)
    if len(partner_contact) > MAX_PARTNER:
        errors["partner_contact"] = gettext("At most %(n)s characters.", n=MAX_PARTNER)
    if partner_kind and not KIND_PATTERN.match(partner_kind):
        errors["partner_kind"] = gettext("Choose the kind of partner.")
    if kind == "referral" and not partner:
        errors["partner"] = gettext("A referral needs the agency or person it goes to.")
    if status not in {"open", "sent"}:
        errors["status"] = gettext("A new task is to do or sent.")
    if due_on is not None and due_in_days is not None:
        errors["due_in_days"] = gettext("Give a due date or a number of working days, not both.")
    elif due_in_days is not None and not 0 <= due_in_days <= MAX_DUE_DAYS:
        errors["due_in_days"] = gettext("Between 0 and %(n)s working days.", n=MAX_DUE_DAYS)
    elif due_on is not None and due_on < local_today():
        errors["due_on"] = gettext("The due date must not be in the past.")
    follower = await _follower(ctx, case, definition, follower_id, errors)
    if errors:
        raise InvalidData(gettext("Please correct the marked fields."), errors)
    if due_in_days is not None:
        calendar = await calendar_for(ctx.session, ctx.district)
        found = calendar.add_working_days(local_today(), due_in_days)
        due_on = found.date() if isinstance(found, datetime) else found
    now = utcnow()
    task = CaseTask(
        district_id=case.district_id,
        case_id=case.id,
        kind=kind,
        title=title,
        partner=partner,
        partner_contact=partner_contact,
        partner_kind=partner_kind,
        follower_id=follower,
        due_on=due_on,
        status=status,
        outcome="",
        version=1,
        created_by_id=ctx.user.id,
        created_at=now,
        updated_by_id=ctx.user.id,
        updated_at=now,
    )
    ctx.session.add(task)
    await ctx.session.flush()
    payload: dict[str, Any] = {
        "task": task.id,
        "action": "created",
        "kind": kind,
        "title": title,
        "partner": partner,
        "status": status,
    }
    if due_on is not None:
        payload["due_on"] = due_on.isoformat()
    await append_event(ctx.session, case, "task", ctx.user.id, payload)
    return task


async def change_status(
    ctx: RequestContext,
    case: Case,
    definition: CaseTypeDef,
    task_id: int,
    *,
    status: str,
    version: int,
    outcome: str = "",
) -> CaseTask:
    """Move the task to ``status`` if the user saw its current ``version`` (else :class:`StaleTask`, 409).

    Refused (400) when ``status`` may not follow the current one or an outcome is missing.
    """
    require(may_edit(ctx, case, definition))
    assert ctx.user is not None
    task = (
        await ctx.session.execute(select(CaseTask).where(CaseTask.id == task_id, CaseTask.case_id == case.id))
    ).scalar_one_or_none()
    if task is None:
        raise NotFound(gettext("No such task."))
    if task.version != version:
        raise StaleTask(task.version)
    outcome = outcome.strip()
    errors: dict[str, str] = {}
    if status not in TRANSITIONS.get(task.status, ()):
        errors["status"] = gettext(
            "A task that is %(now)s cannot become %(new)s.",
            now=status_label(task.status),
            new=status_label(status),
        )
    elif status in NEEDS_OUTCOME and not outcome:
        errors["outcome"] = gettext("Say what came of it.")
    if len(outcome) > MAX_OUTCOME:
        errors["outcome"] = gettext("At most %(n)s characters.", n=MAX_OUTCOME)
    if errors:
        raise InvalidData(gettext("Please correct the marked fields."), errors)
    now = utcnow()
    old = task.status
    values: dict[str, Any] = {
        "status": status,
        "version": CaseTask.version + 1,
        "updated_by_id": ctx.user.id,
        "updated_at": now,
        "closed_at": now if status in CLOSED else None,
    }
    if outcome:
        values["outcome"] = outcome
    written = (
        await ctx.session.execute(
            update(CaseTask)
            .where(CaseTask.id == task.id, CaseTask.version == version, CaseTask.status == old)
            .values(**values)
            .returning(CaseTask.version)
            .execution_options(synchronize_session=False)
        )
    ).scalar_one_or_none()
    if written is None:
        current = (await ctx.session.execute(select(CaseTask.version).where(CaseTask.id == task.id))).scalar_one()
        raise StaleTask(current)
    await ctx.session.refresh(task)
    payload: dict[str, Any] = {"task": task.id, "action": "status", "title": task.title, "from": old, "to": status}
    if outcome:
        payload["outcome"] = outcome
    await append_event(ctx.session, case, "task", ctx.user.id, payload)
    return task


class MyTask:
    """One row of 我的任务: the task, its case's reference and title, and whether it is overdue."""

    __slots__ = ("case_title", "overdue", "reference", "task")

    def __init__(self, task: CaseTask, reference: str, case_title: str, today: date) -> None:
        self.task = task
        self.reference = reference
        self.case_title = case_title
        self.overdue = task.due_on is not None and task.due_on < today


async def my_tasks(ctx: RequestContext, *, limit: int = MY_TASKS_LIMIT) -> list[MyTask]:
    """The open tasks the user follows on cases they may read: overdue first, then by due date (none last).

    A task tells of its case's record (what is done for the client, with whom), so each listed
    case whose type audits reads gets a row in its read log, as its page would.
    """
    assert ctx.user is not None
    definitions = [d for _row, d in (await case_types(ctx)).values()]
    visible = await visibility_clause(ctx, definitions)
    today = local_today()
    rows = (
        (
            await ctx.session.execute(
                select(CaseTask, Case)
                .join(Case, Case.id == CaseTask.case_id)
                .where(CaseTask.follower_id == ctx.user.id, CaseTask.status.in_(sorted(OPEN)), visible)
                .order_by(
                    sql_case((CaseTask.due_on.is_(None), 1), else_=0),
                    CaseTask.due_on,
                    CaseTask.id,
                )
                .limit(limit)
            )
        )
        .tuples()
        .all()
    )
    await record_reads(ctx, [case for _task, case in rows], [d.key for d in definitions if d.audit_reads])
    return [MyTask(task, case.reference, case.title, today) for task, case in rows]


def due_label(task: CaseTask, today: date | None = None) -> str:
    """The due date in the user's words, with 已逾期 / 明天到期 when it applies."""
    if task.due_on is None:
        return ""
    today = today or local_today()
    text = format_date(task.due_on)
    if task.status in OPEN and task.due_on < today:
        return gettext("%(day)s (overdue)", day=text)
    if task.status in OPEN and task.due_on == today + timedelta(days=1):
        return gettext("%(day)s (tomorrow)", day=text)
    return text
