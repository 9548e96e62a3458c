"""Moving open cases of older versions of a case type onto a newer version, with a state mapping.

A migration is described entirely by ``(key, target version, mapping)``: the cases still
to move are the open cases of the key on an older version (:mod:`core.builder.jobs`
persists it and runs it in the background). Each call of
:func:`migrate_batch` moves the next few, each case in a savepoint of its own (all or
nothing per case), and writes a ``migrated`` event on its timeline. Running it again with
the same mapping after a crash resumes where it stopped: migrated cases are already on
the target version and are not picked again.

Field values the new form no longer has are taken out of the case data and kept in the
event (the case's history).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from core.cases.timeline import append_event
from core.cases.types import definition_of
from core.models.cases import Case, CaseTypeVersion
from core.workflows.definition import StateKind

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import District

__all__ = ("MigrationError", "Progress", "check_mapping", "migrate_batch", "open_states", "progress")


class MigrationError(ValueError):
    """A mapping that leaves a state with open cases unmapped, or maps to a state the target lacks."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


@dataclass(frozen=True)
class Progress:
    total: int  # open cases of the key on any version up to the target
    remaining: int  # of those, still on an older version

    @property
    def done(self) -> int:
        return self.total - self.remaining

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else round(100 * self.done / self.total)


def _older(district: District, target: CaseTypeVersion) -> list[ColumnElement[bool]]:
    return [
        Case.district_id == district.id,
        Case.case_type_key == target.key,
        Case.is_open.is_(True),
        Case.case_type_version_id != target.id,
        Case.case_type_version_id.in_(
            select(CaseTypeVersion.id).where(
                CaseTypeVersion.district_id == district.id,
                CaseTypeVersion.key == target.key,
                CaseTypeVersion.version < target.version,
            )
        ),
    ]


async def open_states(session: AsyncSession, district: District, target: CaseTypeVersion) -> dict[str, int]:
    """Open cases of older versions by state: every one of these states must be mapped."""
    rows = await session.execute(
        select(Case.state, func.count()).where(*_older(district, target)).group_by(Case.state).order_by(Case.state)
    )
    return {str(s): int(n) for s, n in rows.tuples()}


async def check_mapping(
    session: AsyncSession, district: District, target: CaseTypeVersion, mapping: dict[str, str]
) -> None:
    """Raise :class:`MigrationError` unless every state with open cases maps to a state of the target."""
    states = {s.key for s in definition_of(target).workflow.states}
    problems = {}
    for state in await open_states(session, district, target):
        wanted = mapping.get(state, "")
        if not wanted:
            problems[state] = f"状态 {state!r} 有未结案件，须映射 / state {state!r} has open cases and must be mapped"
        elif wanted not in states:
            problems[state] = f"新版本没有状态 {wanted!r} / the new version has no state {wanted!r}"
    if problems:
        raise MigrationError(problems)


async def progress(session: AsyncSession, district: District, target: CaseTypeVersion) -> Progress:
    """How many open cases are on the target (or older) versions and how many are still to move."""
    remaining = (
        await session.execute(select(func.count()).select_from(Case).where(*_older(district, target)))
    ).scalar_one()
    on_target = (
        await session.execute(
            select(func.count()).select_from(Case).where(Case.case_type_version_id == target.id, Case.is_open.is_(True))
        )
    ).scalar_one()
    return Progress(int(remaining) + int(on_target), int(remaining))


async def migrate_batch(
    session: AsyncSession,
    district: District,
    target: CaseTypeVersion,
    mapping: dict[str, str],
    *,
    actor_id: int | None,
    limit: int = 50,
    fail: Callable[[Case], None] | None = None,
) -> int:
    """Move up to ``limit`` of the remaining cases; return how many moved.

    Each case moves in a savepoint: if anything fails for it (``fail`` lets tests inject a
    crash), nothing of that case changes and the error propagates after the savepoint is
    rolled back.
    """
    await check_mapping(session, district, target, mapping)
    definition = definition_of(target)
    keys = {f.key for f in definition.form.fields}
    # Rows another transaction is moving are skipped (PostgreSQL; SQLite runs one writer at a time).
    query = select(Case).where(*_older(district, target)).order_by(Case.id).limit(limit)
    cases = list((await session.execute(query.with_for_update(skip_locked=True))).scalars())
    versions = {
        r.id: r.version
        for r in (await session.execute(select(CaseTypeVersion).where(CaseTypeVersion.key == target.key))).scalars()
    }
    moved = 0
    for case in cases:
        async with session.begin_nested():
            old_state, old_version = case.state, versions.get(case.case_type_version_id, 0)
            new_state = mapping[case.state]
            data = dict(case.data or {})
            removed = {k: v for k, v in data.items() if k not in keys}
            state = definition.workflow.state(new_state)
            case.case_type_version_id = target.id
            case.state = new_state
            case.is_open = state is None or state.kind != StateKind.CLOSED
            case.data = {k: v for k, v in data.items() if k in keys}
            case.lock_version = case.lock_version + 1
            await session.flush()
            await append_event(
                session,
                case,
                "migrated",
                actor_id,
                {
                    "from_version": old_version,
                    "to_version": target.version,
                    "from": old_state,
                    "to": new_state,
                    "removed": removed,
                },
            )
            if fail is not None:
                fail(case)
        moved += 1
    return moved
