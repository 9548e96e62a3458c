"""Where attachment bytes live: one interface, three backends chosen by ``SANSHE_STORAGE``.

``local`` (the default)
    files under ``var/attachments`` (or ``SANSHE_STORAGE_DIR``): one server, or a directory
    every server mounts.
``database``
    chunked rows of ``stored_chunks`` in the application's database (PostgreSQL or SQLite):
    several servers on one PostgreSQL need nothing else. Saved in the caller's transaction
    (the bytes and the row pointing at them commit together), read chunk by chunk.
``s3``
    an S3-compatible object store (AWS S3, MinIO, Ceph RGW, OSS …) through ``obstore``.

Every backend has the same async methods: :meth:`Storage.save`, :meth:`Storage.open`
(a stream of chunks, so a large file is never loaded whole), :meth:`Storage.read` and
:meth:`Storage.delete`. A key that has no bytes raises :class:`MissingFile` from ``open``
and ``read`` (before the first byte), which the download routes answer with 404 and a log
line, never 500. Keys are made here (a prefix and a random name), never from user input.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import uuid
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

__all__ = (
    "BACKENDS",
    "CHUNK_BYTES",
    "DatabaseStorage",
    "LocalStorage",
    "MissingFile",
    "ObjectStorage",
    "Storage",
    "StoredFile",
    "storage_from_settings",
)

log = logging.getLogger(__name__)

BACKENDS = ("local", "database", "s3")
CHUNK_BYTES = 256 * 1024


class StorageSettings(Protocol):
    """What the storage reads of :class:`core.config.Settings` (the ``SANSHE_STORAGE`` and ``SANSHE_S3_*`` ones)."""

    @property
    def var_dir(self) -> Path: ...
    @property
    def storage(self) -> str: ...
    @property
    def storage_dir(self) -> Path | None: ...
    @property
    def s3_bucket(self) -> str: ...
    @property
    def s3_endpoint(self) -> str: ...
    @property
    def s3_region(self) -> str: ...
    @property
    def s3_access_key_id(self) -> str: ...
    @property
    def s3_secret_access_key(self) -> str: ...
    @property
    def s3_prefix(self) -> str: ...


class MissingFile(LookupError):
    """The storage has no bytes under this key (deleted, lost, or another server's local disk)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"no stored file {key!r}")
        self.key = key


class StoredFile(Protocol):
    key: str
    size: int
    sha256: str


class _Stored:
    def __init__(self, key: str, size: int, sha256: str) -> None:
        self.key, self.size, self.sha256 = key, size, sha256


class Storage(Protocol):
    """A place to keep files by key."""

    async def save(self, data: bytes, *, prefix: str) -> StoredFile:
        """Keep ``data`` under a new key starting with ``prefix``."""
        ...

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """The file's bytes as a stream of chunks; raises :class:`MissingFile` before yielding anything."""
        ...

    async def read(self, key: str) -> bytes:
        """The whole file (small files only; downloads use :meth:`open`)."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the file (a missing key is not an error)."""
        ...


def _new_key(prefix: str) -> str:
    return f"{prefix.strip('/')}/{uuid.uuid4().hex}"


def _check_key(key: str) -> str:
    if not key or key.startswith("/") or ".." in key.split("/") or "\x00" in key:
        msg = "invalid storage key"
        raise ValueError(msg)
    return key


async def _collect(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in stream])


class LocalStorage:
    """Files under one directory; keys are relative paths with random names (never user input)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / _check_key(key)).resolve()
        if not path.is_relative_to(self.root.resolve()):
            msg = "invalid storage key"
            raise ValueError(msg)
        return path

    def _write(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)  # a crash leaves a .part file, never a half-written attachment

    async def save(self, data: bytes, *, prefix: str) -> StoredFile:
        key = _new_key(prefix)
        await asyncio.to_thread(self._write, key, data)
        return _Stored(key, len(data), hashlib.sha256(data).hexdigest())

    async def open(self, key: str) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            handle = path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise MissingFile(key) from None
        return self._stream(handle)

    @staticmethod
    async def _stream(handle: Any) -> AsyncIterator[bytes]:
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
                yield chunk
        finally:
            handle.close()

    async def read(self, key: str) -> bytes:
        return await _collect(await self.open(key))

    async def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class DatabaseStorage:
    """Chunks in the ``stored_chunks`` table.

    ``session`` (the request's) takes the writes, so the bytes commit or roll back with the
    rows that point at them; ``engine`` serves the streamed reads, one short query per
    chunk on a connection of its own (a download outlives the request's session).
    """

    def __init__(self, engine: AsyncEngine, session: AsyncSession | None = None) -> None:
        self.engine = engine
        self.session = session

    async def save(self, data: bytes, *, prefix: str) -> StoredFile:
        from sqlalchemy import insert  # noqa: PLC0415

        from core.models.storage import StoredChunk  # noqa: PLC0415

        key = _new_key(prefix)
        rows = [
            {"key": key, "seq": n, "data": data[start : start + CHUNK_BYTES]}
            for n, start in enumerate(range(0, max(len(data), 1), CHUNK_BYTES))
        ]
        if self.session is not None:
            await self.session.execute(insert(StoredChunk), rows)
        else:
            async with self.engine.begin() as conn:
                await conn.execute(insert(StoredChunk), rows)
        return _Stored(key, len(data), hashlib.sha256(data).hexdigest())

    async def _chunk(self, key: str, seq: int) -> bytes | None:
        from sqlalchemy import select  # noqa: PLC0415

        from core.db.engine import writes  # noqa: PLC0415
        from core.models.storage import StoredChunk  # noqa: PLC0415

        query = select(StoredChunk.data).where(StoredChunk.key == key, StoredChunk.seq == seq)
        token = writes.set(False)  # SQLite: a read, begun deferred, never waits for a writer's lock
        try:
            async with self.engine.connect() as conn:
                found = (await conn.execute(query)).scalar_one_or_none()
        finally:
            writes.reset(token)
        return bytes(found) if found is not None else None

    async def open(self, key: str) -> AsyncIterator[bytes]:
        first = await self._chunk(_check_key(key), 0)
        if first is None:
            raise MissingFile(key)
        return self._stream(key, first)

    async def _stream(self, key: str, first: bytes) -> AsyncIterator[bytes]:
        yield first
        seq = 1
        while (chunk := await self._chunk(key, seq)) is not None:
            yield chunk
            seq += 1

    async def read(self, key: str) -> bytes:
        return await _collect(await self.open(key))

    async def delete(self, key: str) -> None:
        from sqlalchemy import delete  # noqa: PLC0415

        from core.models.storage import StoredChunk  # noqa: PLC0415

        statement = delete(StoredChunk).where(StoredChunk.key == _check_key(key))
        if self.session is not None:
            await self.session.execute(statement)
        else:
            async with self.engine.begin() as conn:
                await conn.execute(statement)


class ObjectStorage:
    """An object store of ``obstore`` (``S3Store`` in production; ``MemoryStore``/``LocalStore`` work alike)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    async def save(self, data: bytes, *, prefix: str) -> StoredFile:
        import obstore  # noqa: PLC0415

        key = _new_key(prefix)
        await obstore.put_async(self.store, key, data)
        return _Stored(key, len(data), hashlib.sha256(data).hexdigest())

    async def open(self, key: str) -> AsyncIterator[bytes]:
        import obstore  # noqa: PLC0415

        try:
            result = await obstore.get_async(self.store, _check_key(key))
        except FileNotFoundError:
            raise MissingFile(key) from None
        return self._stream(result)

    @staticmethod
    async def _stream(result: Any) -> AsyncIterator[bytes]:
        async for chunk in result.stream(min_chunk_size=CHUNK_BYTES):
            view = memoryview(chunk)
            for start in range(0, len(view), CHUNK_BYTES):  # a store may hand over more at once
                yield bytes(view[start : start + CHUNK_BYTES])

    async def read(self, key: str) -> bytes:
        return await _collect(await self.open(key))

    async def delete(self, key: str) -> None:
        import obstore  # noqa: PLC0415

        await obstore.delete_async(self.store, _check_key(key))


def s3_store(settings: StorageSettings) -> Any:
    """The ``obstore`` S3 store of the ``SANSHE_S3_*`` settings (credentials from the environment when not set)."""
    from obstore.store import S3Store  # noqa: PLC0415

    if not settings.s3_bucket:
        msg = "SANSHE_STORAGE=s3 needs SANSHE_S3_BUCKET"
        raise ValueError(msg)
    config: Any = {}  # obstore's S3Config
    for name in ("endpoint", "region", "access_key_id", "secret_access_key"):
        value = getattr(settings, f"s3_{name}")
        if value:
            config[name] = value
    client_options: Any = {"allow_http": True} if settings.s3_endpoint.startswith("http://") else None
    return S3Store(
        settings.s3_bucket, prefix=settings.s3_prefix or None, config=config or None, client_options=client_options
    )


_s3_stores: dict[tuple[str, ...], Any] = {}


def storage_from_settings(
    settings: StorageSettings, *, engine: AsyncEngine | None = None, session: AsyncSession | None = None
) -> Storage:
    """The storage ``settings.storage`` names (``database``: the app's ``engine``, the request's ``session``)."""
    if settings.storage == "database":
        if engine is None:
            msg = "the database storage needs an engine"
            raise ValueError(msg)
        return DatabaseStorage(engine, session)
    if settings.storage == "s3":
        cache_key = (
            settings.s3_bucket, settings.s3_endpoint, settings.s3_region, settings.s3_access_key_id, settings.s3_prefix
        )
        store = _s3_stores.get(cache_key)
        if store is None:
            store = _s3_stores[cache_key] = s3_store(settings)
        return ObjectStorage(store)
    if settings.storage != "local":
        msg = f"SANSHE_STORAGE={settings.storage!r}: use one of {', '.join(BACKENDS)}"
        raise ValueError(msg)
    return LocalStorage(settings.storage_dir or settings.var_dir / "attachments")
