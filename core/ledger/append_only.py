"""The ledger is append-only: a posting or a transfer is never updated or deleted (post a reversal).

SQLAlchemy listeners refuse an ORM update or delete of either row, and a bulk
``update()``/``delete()`` of their tables, with :class:`~core.ledger.errors.AppendOnly`.
Installed when :mod:`core.ledger` is imported (the only way to write to the ledger).
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from core.ledger.errors import AppendOnly
from core.models.ledger import LedgerPosting, LedgerTransfer

__all__ = ("APPEND_ONLY_TABLES",)


APPEND_ONLY_TABLES = {LedgerPosting.__tablename__: "LedgerPosting", LedgerTransfer.__tablename__: "LedgerTransfer"}


def _refusal(name: str) -> Exception:
    return AppendOnly(
        f"账本只能追加：{name} 不能修改或删除，请用冲正转账",
        f"the ledger is append-only: a {name} is never updated or deleted; post a reversal",
    )


def _refuse_change(_mapper: object, _connection: object, target: object) -> None:
    raise _refusal(type(target).__name__)


for _model in (LedgerPosting, LedgerTransfer):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state: ORMExecuteState) -> None:
    """``session.execute(update(LedgerPosting))`` and the like are refused too."""
    if not (state.is_update or state.is_delete):
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    if name in APPEND_ONLY_TABLES:
        raise _refusal(APPEND_ONLY_TABLES[name])
