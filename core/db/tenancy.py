"""The one place where queries are scoped to a district.

A session bound to a district (``session.info["district_id"]``) gets, on every ORM
``SELECT``, a ``WHERE district_id = :id`` for every :class:`~core.db.base.DistrictScoped`
model the statement touches, including joins and relationship loads. Handlers never
filter by district by hand; they ask for a district session.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from core.db.base import DistrictScoped

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.orm.util import LoaderCriteriaOption

__all__ = ("district_session", "for_district", "unscoped")

_KEY = "district_id"


def for_district(session: AsyncSession, district_id: int | None) -> AsyncSession:
    """Bind ``session`` to a district: its queries now see only that district's rows."""
    if district_id is None:
        session.info.pop(_KEY, None)
    else:
        session.info[_KEY] = district_id
    return session


district_session = for_district


@contextmanager
def unscoped(session: AsyncSession) -> Iterator[AsyncSession]:
    """Lift the district filter for a block (platform-wide jobs: audits, migrations)."""
    saved = session.info.pop(_KEY, None)
    try:
        yield session
    finally:
        if saved is not None:
            session.info[_KEY] = saved


@event.listens_for(Session, "do_orm_execute")
def _scope_to_district(state: ORMExecuteState) -> None:
    district_id: Any = state.session.info.get(_KEY)
    if district_id is None or not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get("include_all_districts"):
        return
    statement = state.statement
    scoped = _SCOPED.get(statement)
    if scoped is None or scoped[0] != district_id:
        scoped = (district_id, statement.options(_district_criteria(district_id)))
        _SCOPED[statement] = scoped
    state.statement = scoped[1]


# The scoped copy of each statement, kept while the statement lives: a statement built once
# and reused (a module-level constant) then gets the same scoped copy every time, whose cache
# key SQLAlchemy has already computed, instead of a new copy to key again on every execution.
_SCOPED: WeakKeyDictionary[Any, tuple[Any, Any]] = WeakKeyDictionary()


_CRITERIA: dict[Any, LoaderCriteriaOption] = {}


def _district_criteria(district_id: Any) -> LoaderCriteriaOption:
    """The ``WHERE district_id = :id`` option for one district, built once per process (not per statement)."""
    option = _CRITERIA.get(district_id)
    if option is None:
        option = _CRITERIA[district_id] = with_loader_criteria(
            DistrictScoped,
            lambda cls: cls.district_id == district_id,
            include_aliases=True,
        )
    return option


@event.listens_for(Session, "before_flush")
def _stamp_district(session: Session, _ctx: object, _instances: object) -> None:
    """New tenant rows take the session's district; a row of another district is refused."""
    district_id = session.info.get(_KEY)
    if district_id is None:
        return
    for obj in session.new:
        if isinstance(obj, DistrictScoped):
            current = getattr(obj, "district_id", None)
            if current is None:
                obj.district_id = district_id  # type: ignore[misc]
            elif current != district_id:
                msg = f"拒绝跨区写入 / cross-district write refused: {type(obj).__name__}"
                raise PermissionError(msg)
