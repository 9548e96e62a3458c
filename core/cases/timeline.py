"""The append-only, hash-chained timeline of a case.

Each event's hash covers its case, number, kind, actor, time and payload plus the
previous event's hash, so editing or deleting any stored event breaks the chain at
that point; ``sanshe audit verify`` finds it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, distinct, func, select, update

from core.cases.writes import RESERVED_SEQ  # its flush hooks also keep cases.contact_phone current
from core.db import utcnow
from core.models.cases import Case, CaseEvent

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "GENESIS",
    "ChainBreak",
    "TransitionCount",
    "append_event",
    "event_hash",
    "transition_counts",
    "verify_case_chain",
    "verify_events",
)

GENESIS = "0" * 64


def event_hash(
    *, case_id: int, seq: int, kind: str, actor_id: int | None, at: datetime, payload: dict[str, Any], prev_hash: str
) -> str:
    """The SHA-256 of an event's content and the hash before it (canonical JSON)."""
    body = json.dumps(
        {
            "case": case_id,
            "seq": seq,
            "kind": kind,
            "actor": actor_id,
            "at": at.isoformat(timespec="microseconds"),
            "payload": payload,
            "prev": prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


_PREVIOUS_HASH = select(CaseEvent.hash).where(  # built once, so its cache key is too
    CaseEvent.case_id == bindparam("case_id"), CaseEvent.seq == bindparam("seq")
)


async def append_event(
    session: AsyncSession, case: Case, kind: str, actor_id: int | None, payload: dict[str, Any]
) -> CaseEvent:
    """Append an event to ``case``'s timeline, inside the caller's transaction.

    The case row's ``event_seq`` is bumped with an ``UPDATE`` first: on PostgreSQL that
    locks the row, so two writers to one case take turns and never fork the chain. A
    write that already bumped it in this transaction (``write_if_current``, whose
    ``UPDATE`` locked the row the same way) left the number it took in ``session.info``.
    """
    seq = session.info.get(RESERVED_SEQ, {}).pop(case.id, None)
    if seq is None:
        seq = (
            await session.execute(
                update(Case).where(Case.id == case.id).values(event_seq=Case.event_seq + 1).returning(Case.event_seq)
            )
        ).scalar_one()
    if case.event_seq != seq:  # write_if_current's RETURNING already set it: don't dirty the case for nothing
        case.event_seq = seq  # (a dirty case makes the SELECT below autoflush it)
    prev_hash = GENESIS
    if seq > 1:
        prev_hash = (await session.execute(_PREVIOUS_HASH, {"case_id": case.id, "seq": seq - 1})).scalar_one()
    at = utcnow()
    event = CaseEvent(
        district_id=case.district_id,
        case_id=case.id,
        seq=seq,
        kind=kind,
        actor_id=actor_id,
        at=at,
        payload=payload,
        prev_hash=prev_hash,
        hash=event_hash(
            case_id=case.id, seq=seq, kind=kind, actor_id=actor_id, at=at, payload=payload, prev_hash=prev_hash
        ),
    )
    session.add(event)
    await session.flush()
    return event


@dataclass(frozen=True)
class ChainBreak:
    """Where a case's chain is broken and why."""

    case_id: int
    seq: int
    reason: str


def verify_events(case_id: int, events: list[CaseEvent]) -> ChainBreak | None:
    """Check one case's events (in ``seq`` order); return the first break, if any."""
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return ChainBreak(case_id, expected_seq, "missing event (sequence gap)")
        if event.prev_hash != prev:
            return ChainBreak(case_id, event.seq, "link to the previous event does not match")
        recomputed = event_hash(
            case_id=case_id,
            seq=event.seq,
            kind=event.kind,
            actor_id=event.actor_id,
            at=event.at,
            payload=event.payload,
            prev_hash=event.prev_hash,
        )
        if recomputed != event.hash:
            return ChainBreak(case_id, event.seq, "content changed after it was written")
        prev = event.hash
    return None


async def verify_case_chain(session: AsyncSession, case_id: int) -> ChainBreak | None:
    """Check one case's stored chain."""
    events = list(
        (await session.execute(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq))).scalars()
    )
    return verify_events(case_id, events)


async def iter_breaks(
    session: AsyncSession, district_id: int | None = None, batch: int = 2000
) -> AsyncIterator[ChainBreak]:
    """Every break in every case's chain (of one district, or all), streaming by case id."""
    last_id = 0
    while True:
        query = select(Case.id).where(Case.id > last_id).order_by(Case.id).limit(batch)
        if district_id is not None:
            query = query.where(Case.district_id == district_id)
        ids = list((await session.execute(query, execution_options={"include_all_districts": True})).scalars())
        if not ids:
            return
        rows = (
            await session.execute(
                select(CaseEvent).where(CaseEvent.case_id.in_(ids)).order_by(CaseEvent.case_id, CaseEvent.seq),
                execution_options={"include_all_districts": True},
            )
        ).scalars()
        grouped: dict[int, list[CaseEvent]] = {i: [] for i in ids}
        for event in rows:
            grouped[event.case_id].append(event)
        for case_id, events in grouped.items():
            found = verify_events(case_id, events)
            if found is not None:
                yield found
        last_id = ids[-1]


@dataclass(frozen=True)
class TransitionCount:
    """How often one workflow step was taken between two states in a period, and on how many cases."""

    transition: str
    from_state: str | None
    to_state: str
    taken: int
    cases: int


async def transition_counts(
    session: AsyncSession, case_type_key: str, start: datetime, end: datetime
) -> list[TransitionCount]:
    """The steps taken on the district's cases of ``case_type_key`` from ``start`` until before ``end``, grouped by
    step and states (read from the timeline; one query). The session's district filter applies as everywhere;
    the figures are counts, never the cases themselves."""
    transition = CaseEvent.payload["transition"].as_string()
    source = CaseEvent.payload["from"].as_string()
    target = CaseEvent.payload["to"].as_string()
    query = (
        select(transition, source, target, func.count(), func.count(distinct(CaseEvent.case_id)))
        .join(Case, Case.id == CaseEvent.case_id)
        .where(
            CaseEvent.kind == "transition",
            Case.case_type_key == case_type_key,
            CaseEvent.at >= start,
            CaseEvent.at < end,
        )
        .group_by(transition, source, target)
        .order_by(transition, source, target)
    )
    return [
        TransitionCount(str(key), from_state, str(to_state), int(taken), int(cases))
        for key, from_state, to_state, taken, cases in (await session.execute(query)).tuples()
    ]
