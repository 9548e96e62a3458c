"""Attachment bytes kept in the database (``SANSHE_STORAGE=database``, :class:`core.storage.DatabaseStorage`).

A file is cut into chunks of at most :data:`core.storage.CHUNK_BYTES`; a read streams them
one by one, so a large file is never loaded whole. Not district-scoped: a key is only ever
reached through a district's :class:`~core.models.cases.Attachment` row.
"""

from __future__ import annotations

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base

__all__ = ("StoredChunk",)


class StoredChunk(Base):
    """Chunk ``seq`` (from 0) of the file ``key``."""

    __tablename__ = "stored_chunks"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
