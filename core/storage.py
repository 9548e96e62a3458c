"""Where attachment bytes live. Local disk under ``var/attachments`` by default.

The interface is small (save, open, delete) so an S3-compatible store can come later
without touching callers.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path
from typing import Protocol

__all__ = ("LocalStorage", "Storage", "StoredFile")


class StoredFile(Protocol):
    key: str
    size: int
    sha256: str


class _Stored:
    def __init__(self, key: str, size: int, sha256: str) -> None:
        self.key, self.size, self.sha256 = key, size, sha256


class Storage(Protocol):
    """A place to keep files by key."""

    def save(self, data: bytes, *, prefix: str) -> StoredFile: ...

    def read(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files under one directory; keys are relative paths with random names (never user input)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            msg = "invalid storage key"
            raise ValueError(msg)
        return path

    def save(self, data: bytes, *, prefix: str) -> StoredFile:
        key = f"{prefix}/{uuid.uuid4().hex}"
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)  # a crash leaves a .part file, never a half-written attachment
        return _Stored(key, len(data), hashlib.sha256(data).hexdigest())

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
