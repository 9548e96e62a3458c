"""Why the ledger refuses something: each error carries a message in Chinese, then English."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.ledger.units import format_amount
from core.refusal import Refusal

if TYPE_CHECKING:
    from core.models.ledger import LedgerAccount

__all__ = (
    "AccountClosed",
    "AccountNotEmpty",
    "AlreadyReversed",
    "AppendOnly",
    "CannotReverseReversal",
    "CrossDistrict",
    "IdempotencyConflict",
    "InvalidRequest",
    "LedgerError",
    "LimitExceeded",
    "SelfTransfer",
    "UnbalancedTransfer",
    "UnitMismatch",
    "UnknownAccount",
    "UnknownTransfer",
    "ZeroPosting",
)


def _label(account: LedgerAccount) -> str:
    return f"#{account.id}「{account.name}」"


class LedgerError(Refusal):
    """A refused ledger operation; ``message`` is ``"<中文> / <English>"``. Nothing was written."""

    def __init__(self, zh: str, en: str, **details: Any) -> None:
        super().__init__(zh, en, **details)
        self.message = f"{zh} / {en}"


class LimitExceeded(LedgerError):
    """The transfer would take an account past its minimum or maximum balance: it is blocked.

    ``account`` is the locked ORM row; after the caller's rollback it is expired, so read
    ``account_id``, ``account_name`` and ``unit`` (copied when raised) instead.
    """

    def __init__(self, account: LedgerAccount, balance_after: int, limit: int) -> None:
        self.account = account
        self.account_id = account.id
        self.account_name = account.name
        self.unit = unit = account.unit
        self.balance_after = balance_after
        self.limit = limit
        self.below = balance_after < limit
        after_zh, limit_zh = format_amount(balance_after, unit), format_amount(limit, unit)
        after_en, limit_en = format_amount(balance_after, unit, "en"), format_amount(limit, unit, "en")
        if self.below:
            zh = f"余额不足：账户{_label(account)}转账后余额为 {after_zh}，低于下限 {limit_zh}"
            en = f"balance too low: account #{account.id} would be at {after_en}, below its minimum of {limit_en}"
        else:
            zh = f"超过上限：账户{_label(account)}转账后余额为 {after_zh}，高于上限 {limit_zh}"
            en = f"limit reached: account #{account.id} would be at {after_en}, above its maximum of {limit_en}"
        super().__init__(zh, en, account_id=account.id, balance_after=balance_after, limit=limit)


class UnbalancedTransfer(LedgerError):
    """The legs of a transfer do not sum to zero."""


class ZeroPosting(LedgerError):
    """A leg has the amount zero."""


class SelfTransfer(LedgerError):
    """An account appears twice in one transfer (a transfer from an account to itself)."""


class UnitMismatch(LedgerError):
    """The accounts of one transfer are kept in different units (minutes and fen)."""


class AlreadyReversed(LedgerError):
    """The transfer already has its (one) reversal."""


class CannotReverseReversal(LedgerError):
    """A reversal can't itself be reversed; post a new transfer instead."""


class AccountClosed(LedgerError):
    """A closed account takes part in the transfer."""


class AccountNotEmpty(LedgerError):
    """An account with a non-zero balance can't be closed."""


class UnknownAccount(LedgerError):
    """No such account in this district."""

    status_code = 404


class UnknownTransfer(LedgerError):
    """No such transfer in this district."""

    status_code = 404


class CrossDistrict(LedgerError):
    """The session is bound to another district than the one named."""


class IdempotencyConflict(LedgerError):
    """The idempotency key was already used for a transfer with other legs."""


class InvalidRequest(LedgerError):
    """A malformed request (unknown unit, fewer than two legs, empty key, naive datetime…)."""


class AppendOnly(LedgerError):
    """Something tried to update or delete a posting or a transfer."""
