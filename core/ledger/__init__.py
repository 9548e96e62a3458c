"""The core's double-entry ledger: accounts in minutes or fen, balanced transfers, statements.

Used by the time bank (minutes), parking fees and grant disbursements (fen). See
``docs/ledger.md``. Every function works in the caller's transaction and session; a
refusal raises a :class:`LedgerError` (message in Chinese, then English) and writes nothing.
"""

from __future__ import annotations

from core.ledger import append_only as _append_only  # noqa: F401 - installs the append-only guard
from core.ledger.accounts import close_account, get_account, open_account, set_limits
from core.ledger.errors import (
    AccountClosed,
    AccountNotEmpty,
    AlreadyReversed,
    AppendOnly,
    CannotReverseReversal,
    CrossDistrict,
    IdempotencyConflict,
    InvalidRequest,
    LedgerError,
    LimitExceeded,
    SelfTransfer,
    UnbalancedTransfer,
    UnitMismatch,
    UnknownAccount,
    UnknownTransfer,
    ZeroPosting,
)
from core.ledger.statements import Statement, StatementLine, statement
from core.ledger.transfers import lock, move, reverse, transfer, transfer_legs
from core.ledger.units import Unit, format_amount
from core.ledger.verify import verify
from core.models.ledger import LedgerAccount, LedgerPosting, LedgerTransfer

__all__ = (
    "AccountClosed",
    "AccountNotEmpty",
    "AlreadyReversed",
    "AppendOnly",
    "CannotReverseReversal",
    "CrossDistrict",
    "IdempotencyConflict",
    "InvalidRequest",
    "LedgerAccount",
    "LedgerError",
    "LedgerPosting",
    "LedgerTransfer",
    "LimitExceeded",
    "SelfTransfer",
    "Statement",
    "StatementLine",
    "UnbalancedTransfer",
    "Unit",
    "UnitMismatch",
    "UnknownAccount",
    "UnknownTransfer",
    "ZeroPosting",
    "close_account",
    "format_amount",
    "get_account",
    "lock",
    "move",
    "open_account",
    "reverse",
    "set_limits",
    "statement",
    "transfer",
    "transfer_legs",
    "verify",
)
