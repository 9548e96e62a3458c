"""Text limits the database enforces on PostgreSQL, enforced the same way on SQLite, before any write.

SQLite stores a 200,000-character string in a ``VARCHAR(200)`` column and a NUL character
in any text; PostgreSQL refuses both, with an error. This ``before_flush`` listener checks
every new or changed row of every model (core and plugins) first, on both backends, and
raises :class:`ValueRefused`, which the web layer answers with a 400 naming the field
(``core.web.inputs``); the transaction is rolled back, so nothing is written.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Session

__all__ = ("ValueRefused", "check_row")


class ValueRefused(ValueError):
    """A text value a column cannot hold: too long for ``String(n)``, or with a NUL character."""

    def __init__(self, table: str, field: str, *, max_length: int | None = None) -> None:
        self.table = table
        self.field = field
        self.max_length = max_length
        what = f"longer than {max_length} characters" if max_length else "a NUL character"
        super().__init__(f"{table}.{field}: {what}")


def check_row(obj: Any) -> None:
    """Raise :class:`ValueRefused` if a string attribute of ``obj`` is too long for its column or holds NUL."""
    state = inspect(obj, raiseerr=False)
    if state is None:
        return
    mapper = state.mapper
    for attr in mapper.column_attrs:
        value = getattr(obj, attr.key, None)
        if not isinstance(value, str):
            continue
        column = attr.columns[0]
        if "\x00" in value:
            raise ValueRefused(mapper.local_table.name, attr.key)
        length = getattr(column.type, "length", None) if isinstance(column.type, String) else None
        if length and len(value) > length:
            raise ValueRefused(mapper.local_table.name, attr.key, max_length=length)


@event.listens_for(Session, "before_flush")
def _check_text_limits(session: Session, _ctx: object, _instances: object) -> None:
    for obj in (*session.new, *session.dirty):
        check_row(obj)
