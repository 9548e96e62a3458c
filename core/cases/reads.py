"""The read log of sensitive cases: every read of a case whose type says ``audit_reads: true``.

**What is logged.** One row (``case_reads``: who, when, which case, how) per request and case,
whatever the request did with it: the case page and each of its htmx fragments, the JSON
API (the case, its timeline, comments, files, and each case of a list page of the API, since
those carry the form data), a file of the case downloaded, each case in a queue export, and
code acting as a user (the command line, a job: ``service``). :func:`core.cases.service.get_case`
calls :func:`record_read`, so no read path of one case can forget it. The row is written in
the request's own transaction: if it cannot be kept, the answer is an error, never a read
that left no trace.

**What is not.** A queue's rows (reference, title, state, assignee: not the record) and a
refusal: a user who may not see the case gets 404, exactly as for a reference that does not
exist, and nothing of the case was read (the 404's transaction is rolled back).

**Who reads the log.** District admins (``district:admin``) read the log of every audited case
of the district — without being able to open the cases themselves — and a supervisor of the
type (``supervisors``) the log of the cases they supervise. Reading the log is not a read of
a record and is not logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, insert, literal, select, true

from core.cases.access import is_supervisor, visibility_clause
from core.db import utcnow
from core.models import User
from core.models.cases import Case, CaseRead

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.sql import Select

    from core.casetypes.definition import CaseTypeDef
    from core.context import RequestContext

__all__ = (
    "LOG_PAGE",
    "VIAS",
    "ReadRow",
    "may_read_log",
    "read_log",
    "record_export",
    "record_read",
    "record_reads",
    "set_via",
)

VIAS = ("page", "fragment", "api", "file", "export", "service")
LOG_PAGE = 100
_LOGGED = "case_reads_logged"
_VIA = "case_read_via"


def set_via(ctx: RequestContext, via: str) -> None:
    """How this request reads cases (set once per request by the web layer; ``service`` otherwise)."""
    assert via in VIAS
    ctx.extra[_VIA] = via


def _via(ctx: RequestContext) -> str:
    return str(ctx.extra.get(_VIA, "service"))


async def record_reads(ctx: RequestContext, cases: Iterable[Case], audited: Iterable[str]) -> None:
    """Log a read of each of ``cases`` whose type key is in ``audited``, once per case and request."""
    keys = set(audited)
    if ctx.user is None or not keys:
        return
    logged: set[int] = ctx.extra.setdefault(_LOGGED, set())
    now, via = utcnow(), _via(ctx)
    rows = []
    for case in cases:
        if case.case_type_key in keys and case.id not in logged:
            logged.add(case.id)
            rows.append(
                {"district_id": case.district_id, "case_id": case.id, "user_id": ctx.user.id, "at": now, "via": via}
            )
    if rows:
        await ctx.session.execute(insert(CaseRead), rows)


async def record_read(ctx: RequestContext, case: Case, definition: CaseTypeDef) -> None:
    """Log a read of ``case`` if its type audits reads (:func:`core.cases.service.get_case` calls it)."""
    if definition.audit_reads:
        await record_reads(ctx, (case,), (case.case_type_key,))


async def record_export(ctx: RequestContext, selected: Select[Any], definitions: Iterable[CaseTypeDef]) -> int:
    """Log an ``export`` read of every audited case ``selected`` (a SELECT of ``Case.id``) holds; how many.

    One ``INSERT … SELECT`` in the request's transaction, before the first byte of the file
    is sent: the log says which records the file carried.
    """
    assert ctx.user is not None and ctx.district is not None
    audited = sorted(d.key for d in definitions if d.audit_reads)
    if not audited:
        return 0
    inner = selected.where(Case.case_type_key.in_(audited)).subquery()
    source = select(literal(ctx.district.id), inner.c.id, literal(ctx.user.id), literal(utcnow()), literal("export"))
    result = await ctx.session.execute(
        insert(CaseRead).from_select(["district_id", "case_id", "user_id", "at", "via"], source)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def may_read_log(ctx: RequestContext, definitions: Iterable[CaseTypeDef]) -> bool:
    """Whether the user may read some read log: a district admin, or a supervisor of an audited type."""
    audited = [d for d in definitions if d.audit_reads]
    return bool(audited) and (ctx.can("district", "admin") or any(is_supervisor(ctx, d) for d in audited))


@dataclass(frozen=True)
class ReadRow:
    """One line of the read log."""

    id: int
    at: datetime
    via: str
    reference: str
    case_type_key: str
    reader: str
    reader_id: int | None


async def read_log(
    ctx: RequestContext,
    definitions: Iterable[CaseTypeDef],
    *,
    reference: str = "",
    user_id: int | None = None,
    before: int | None = None,
    limit: int = LOG_PAGE,
) -> list[ReadRow]:
    """The reads the user may see, newest first, ``limit`` at a time (keyset: ids below ``before``).

    A district admin sees every audited case's reads; a supervisor those of the cases of the
    types they supervise that they may see; anyone else nothing.
    """
    defs = [d for d in definitions if d.audit_reads]
    if ctx.can("district", "admin"):
        allowed: Any = Case.case_type_key.in_([d.key for d in defs])
    else:
        supervised = [d for d in defs if is_supervisor(ctx, d)]
        if not supervised:
            return []
        allowed = and_(Case.case_type_key.in_([d.key for d in supervised]), await visibility_clause(ctx, supervised))
    query = (
        select(CaseRead.id, CaseRead.at, CaseRead.via, Case.reference, Case.case_type_key, User.label, CaseRead.user_id)
        .join(Case, Case.id == CaseRead.case_id)
        .outerjoin(User, User.id == CaseRead.user_id)
        .where(allowed, Case.reference == reference.strip() if reference.strip() else true())
        .order_by(CaseRead.id.desc())
        .limit(limit)
    )
    if user_id is not None:
        query = query.where(CaseRead.user_id == user_id)
    if before is not None:
        query = query.where(CaseRead.id < before)
    rows = (await ctx.session.execute(query)).tuples()
    return [ReadRow(r[0], r[1], r[2], r[3], r[4], r[5] or "", r[6]) for r in rows]
