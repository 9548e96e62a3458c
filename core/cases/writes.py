"""What every write to a case shares: permission checks, diffs, and saving only if nobody changed it first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import bindparam, inspect, select, update
from sqlalchemy.event import listens_for
from sqlalchemy.orm.attributes import set_committed_value

from core.cases.errors import StaleCase
from core.cases.permissions import may, require
from core.cases.types import phone_keys_of_version
from core.db import utcnow
from core.i18n import gettext
from core.models import User
from core.models.cases import Case, CaseEvent

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy import Table
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Mapper, Session
    from sqlalchemy.sql.dml import ReturningUpdate

    from core.casetypes.definition import CaseTypeDef
    from core.context import RequestContext

__all__ = (
    "changes_since",
    "contact_phone",
    "diff_data",
    "require_permission",
    "search_text",
    "stale_error",
    "write_if_current",
)

PHONE_LENGTH = 32  # cases.contact_phone


def require_permission(ctx: RequestContext, definition: CaseTypeDef, action: str) -> None:
    """Refuse (403) unless the user's roles allow ``action`` on the type (:mod:`core.cases.permissions`)."""
    require(may(ctx, definition, action))


def search_text(reference: str, title: str, data: dict[str, Any]) -> str:
    parts = [reference, title]
    for value in data.values():
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list):
            parts.extend(str(v.get("name", "")) if isinstance(v, dict) else str(v) for v in value)
    return " ".join(parts).lower()[:4000]


def contact_phone(keys: Iterable[str], data: dict[str, Any] | None) -> str | None:
    """The value of the first of the phone fields ``keys`` that has one (the case page's related cases)."""
    for key in keys:
        value = (data or {}).get(key)
        if isinstance(value, str) and value:
            return value[:PHONE_LENGTH]
    return None


# ``cases.contact_phone`` follows ``cases.data`` on every write. Writes through the ORM
# (a new case, the builder's migration to a new version, plugins' seeds) are caught
# here, in the flush; the Core ``UPDATE`` of every other write is
# :func:`write_if_current`, which sets it the same way.
@listens_for(Case, "before_insert")
def _phone_on_insert(mapper: Mapper[Case], connection: Connection, target: Case) -> None:
    target.contact_phone = contact_phone(phone_keys_of_version(connection, target.case_type_version_id), target.data)


@listens_for(Case, "before_update")
def _phone_on_update(mapper: Mapper[Case], connection: Connection, target: Case) -> None:
    attrs = inspect(target).attrs
    if attrs.data.history.has_changes() or attrs.case_type_version_id.history.has_changes():
        target.contact_phone = contact_phone(
            phone_keys_of_version(connection, target.case_type_version_id), target.data
        )


def _phone_keys(session: Session, version_id: int) -> tuple[str, ...]:
    return phone_keys_of_version(session.connection(), version_id)


def diff_data(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


async def changes_since(ctx: RequestContext, case: Case, version: int) -> list[dict[str, Any]]:
    """What others changed after ``version``: field, old, new, who, when (for the 409 message)."""
    rows = (
        await ctx.session.execute(
            select(CaseEvent, User.username)
            .outerjoin(User, User.id == CaseEvent.actor_id)
            .where(CaseEvent.case_id == case.id)
            .order_by(CaseEvent.seq)
        )
    ).all()
    changes = []
    for event, username in rows:
        if int(event.payload.get("lock_version", 0)) <= version:
            continue
        for field, (old, new) in (event.payload.get("changes") or {}).items():
            changes.append({"field": field, "old": old, "new": new, "by": username, "at": event.at.isoformat()})
        if event.kind == "transition":
            changes.append(
                {
                    "field": "state",
                    "old": event.payload.get("from"),
                    "new": event.payload.get("to"),
                    "by": username,
                    "at": event.at.isoformat(),
                }
            )
    return changes


async def stale_error(ctx: RequestContext, case: Case, version: int) -> StaleCase:
    """The 409 for an editor who loaded ``version``: what changed since, by whom, when."""
    return StaleCase(
        gettext(
            "Someone else changed this case while you were editing. Your changes were not saved; "
            "review theirs and try again."
        ),
        await changes_since(ctx, case, version),
        case.lock_version,
    )


RESERVED_SEQ = "sanshe_reserved_event_seq"  # session.info: case id → the event number write_if_current took


_WRITES: dict[tuple[str, ...], ReturningUpdate[Any]] = {}
_CASES = cast("Table", Case.__table__)
_ATTRIBUTES = tuple((prop.key, prop.columns[0]) for prop in Case.__mapper__.column_attrs)


def _write_statement(keys: tuple[str, ...]) -> ReturningUpdate[Any]:
    """The ``UPDATE … RETURNING`` of :func:`write_if_current` for these columns, built once per process.

    A Core statement on the table (the ORM would annotate and key a copy of it on every
    execution) whose values are bound parameters (``w_<column>``, ``w_id``, ``w_district``,
    ``w_expected``, ``w_now``, ``w_user``): a write only binds them.
    """
    statement = _WRITES.get(keys)
    if statement is None:
        c = _CASES.c
        statement = (
            update(_CASES)
            .where(
                c.id == bindparam("w_id"),
                c.district_id == bindparam("w_district"),
                c.lock_version == bindparam("w_expected"),
            )
            .values(
                **{key: bindparam(f"w_{key}", type_=c[key].type) for key in keys},
                lock_version=c.lock_version + 1,
                event_seq=c.event_seq + 1,
                updated_at=bindparam("w_now", type_=c.updated_at.type),
                updated_by_id=bindparam("w_user", type_=c.updated_by_id.type),
            )
            .returning(*(column for _, column in _ATTRIBUTES))
        )
        _WRITES[keys] = statement
    return statement


async def write_if_current(ctx: RequestContext, case: Case, expected: int, values: dict[str, Any]) -> None:
    """Write ``values`` only if nobody changed the case since ``expected``; else 409 with the changes.

    One ``UPDATE … RETURNING``: it also takes the case's next timeline number (the event
    every write appends, :func:`core.cases.timeline.append_event`, uses it instead of
    bumping it again) and brings ``case`` up to date.
    """
    assert ctx.user is not None
    now = utcnow()
    if "data" in values:
        keys = await ctx.session.run_sync(_phone_keys, case.case_type_version_id)
        values = {**values, "contact_phone": contact_phone(keys, values["data"])}
    params = {f"w_{key}": value for key, value in values.items()}
    params.update(w_id=case.id, w_district=case.district_id, w_expected=expected, w_now=now, w_user=ctx.user.id)
    await ctx.session.flush()  # what the ORM would autoflush first (a no-op when nothing is pending)
    connection = await ctx.session.connection()
    written = (await connection.execute(_write_statement(tuple(values)), params)).first()
    if written is None:
        await ctx.session.refresh(case)
        raise await stale_error(ctx, case, expected)
    for (key, _), value in zip(_ATTRIBUTES, written, strict=True):  # the case as written, not marked changed
        set_committed_value(case, key, value)
    ctx.session.info.setdefault(RESERVED_SEQ, {})[case.id] = case.event_seq
