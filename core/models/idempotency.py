"""Idempotency keys: the first answer to a creating request, kept so a retry gets it again.

A client that sends ``Idempotency-Key`` (the API) or a form that carries ``_form_token``
(every HTML form, see :mod:`core.web.idempotency`) makes its request repeatable: the
first request claims the key (``state = 'processing'``) in a short transaction of its
own, does its work, and stores its answer in the row *in the same transaction as that
work* (``state = 'done'``). A retry with the same key then gets the stored answer and
creates nothing; a crash before the commit leaves a claim whose ``locked_until`` passes,
and the next retry does the work. Rows expire after a day (``expires_at``) and a core
scheduled job deletes them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, BigId, IdPrimaryKey, JsonB, utcnow

__all__ = ("IdempotencyKey",)


class IdempotencyKey(IdPrimaryKey, Base):
    """One key of one user (or anonymous browser) for one method and path, and the answer given to it."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (CheckConstraint("state IN ('processing', 'done')", name="state"),)

    # SHA-256 of (who, method, path, key): one row per key of a user on one address.
    scope_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    # SHA-256 of the request's content (JSON body, or the form's fields and files).
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12), default="processing")
    # The claim of the request working on it; a retry may take over once locked_until has passed.
    claim: Mapped[str] = mapped_column(String(32))
    locked_until: Mapped[datetime] = mapped_column()
    response_status: Mapped[int | None] = mapped_column(Integer, default=None)
    response_headers: Mapped[list[Any] | None] = mapped_column(JsonB, default=None)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
