"""Attachment storage backends (``SANSHE_STORAGE``): local directory, database chunks, S3-compatible.

Each is exercised through the app: an upload is stored, downloaded byte for byte in several
chunks, and a file whose bytes are gone answers 404 (page and API) with a log line, never
500. The S3 backend is the real ``obstore`` adapter over obstore's in-memory store (the
same interface as its ``S3Store``): no S3 server can be installed here (moto's server
needs a python-dateutil older than the one pinned), so the S3 wire protocol itself is not
exercised; the ``S3Store`` built from the ``SANSHE_S3_*`` settings is checked separately.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from obstore.store import MemoryStore, S3Store
from sqlalchemy import func, select

import core.storage
from core.cases import attachments, service
from core.config import Settings
from core.models.storage import StoredChunk
from core.storage import CHUNK_BYTES, DatabaseStorage, LocalStorage, MissingFile, ObjectStorage, s3_store
from core.testing import login
from tests.cases.conftest import RESIDENT_REQUEST

TEXT = ("社区服务记录\n" * 40_000).encode()  # ~680 KB of text: three chunks
assert len(TEXT) > 2 * CHUNK_BYTES


@pytest.fixture(params=["local", "database", "s3"])
def storage_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(database_url: str, tmp_path: Path, storage_kind: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The suite's settings with the storage under test (S3: obstore's in-memory store)."""
    if storage_kind == "s3":
        memory = MemoryStore()
        monkeypatch.setattr(core.storage, "s3_store", lambda _settings: memory)
        monkeypatch.setattr(core.storage, "_s3_stores", {})
    return Settings(
        database_url=database_url,
        secret_key="test-secret",
        var_dir=tmp_path / "var",
        storage=storage_kind,
        s3_bucket="attachments" if storage_kind == "s3" else "",
    )


def _upload(as_user: Any) -> tuple[str, int, str]:
    async def run(ctx: Any) -> tuple[str, int, str]:
        case = await service.create_case(ctx, "resident_request", title="附件", data=RESIDENT_REQUEST, channel="web")
        _case, definition = await service.get_case(ctx, case.reference)
        attachment = await attachments.attach(ctx, case, definition, "记录.txt", TEXT)
        return case.reference, attachment.id, attachment.storage_key

    return as_user("worker", run)


def _chunks(as_user: Any, key: str) -> list[int]:
    async def run(ctx: Any) -> list[int]:
        return [len(chunk) async for chunk in await attachments.storage_for(ctx).open(key)]

    return as_user("worker", run)


def test_upload_is_kept_and_downloaded_in_chunks(
    world: Any, as_user: Any, seed: Any, client: TestClient[Any], storage_kind: str, settings: Settings
) -> None:
    """The file comes back byte for byte on the page and the API, read from the storage chunk by chunk."""
    reference, attachment_id, key = _upload(as_user)
    login(client, "worker")
    page = client.get(f"/d/haishu/cases/{reference}/attachments/{attachment_id}")
    assert page.status_code == 200
    assert page.content == TEXT
    assert page.headers["content-type"].startswith("text/plain")
    api = client.get(f"/api/v1/districts/haishu/cases/{reference}/attachments/{attachment_id}")
    assert (api.status_code, api.content) == (200, TEXT)
    assert api.headers["content-type"].startswith("text/plain")
    sizes = _chunks(as_user, key)
    assert len(sizes) >= 2, sizes  # streamed, never one read of the whole file
    assert sum(sizes) == len(TEXT)
    if storage_kind == "database":
        rows = seed(lambda s: s.execute(select(func.count()).select_from(StoredChunk).where(StoredChunk.key == key)))
        assert rows.scalar_one() == 3
    elif storage_kind == "local":
        assert (settings.var_dir / "attachments" / key).read_bytes() == TEXT


def test_missing_file_answers_404_and_is_logged(
    world: Any, as_user: Any, client: TestClient[Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Bytes gone from the storage: the page and the API answer 404 with a clear message, and a warning is logged."""
    reference, attachment_id, key = _upload(as_user)

    async def lose(ctx: Any) -> None:
        await attachments.storage_for(ctx).delete(key)

    as_user("worker", lose)
    login(client, "worker")
    with caplog.at_level(logging.WARNING, logger="core.cases.attachments"):
        page = client.get(f"/d/haishu/cases/{reference}/attachments/{attachment_id}")
        api = client.get(
            f"/api/v1/districts/haishu/cases/{reference}/attachments/{attachment_id}",
            headers={"accept-language": "en"},
        )
    assert page.status_code == 404
    assert "这个文件已不在存储中" in page.text
    assert api.status_code == 404
    assert api.json()["detail"] == "This file is no longer stored."
    logged = [r.getMessage() for r in caplog.records if "no bytes under storage key" in r.getMessage()]
    assert len(logged) == 2
    assert key in logged[0]


def test_each_backend_refuses_a_missing_key_before_the_first_byte(tmp_path: Path, database_url: str) -> None:
    """``open`` of an unknown key raises MissingFile at once; deleting it again is not an error."""
    from core.db import create_engine

    async def check() -> None:
        engine = create_engine(database_url)
        try:
            stores = [LocalStorage(tmp_path), DatabaseStorage(engine), ObjectStorage(MemoryStore())]
            for store in stores:
                saved = await store.save(b"abc", prefix="haishu/x")
                assert await store.read(saved.key) == b"abc"
                await store.delete(saved.key)
                await store.delete(saved.key)
                with pytest.raises(MissingFile):
                    await store.open(saved.key)
                with pytest.raises(ValueError, match="invalid storage key"):
                    await store.open("../secret_key")
        finally:
            await engine.dispose()

    asyncio.run(check())


def test_s3_store_is_built_from_the_settings(tmp_path: Path) -> None:
    """``SANSHE_STORAGE=s3`` makes an obstore S3Store of the bucket and prefix; a missing bucket is refused."""
    base = {"database_url": "sqlite+aiosqlite://", "secret_key": "k", "var_dir": tmp_path, "storage": "s3"}
    store = s3_store(
        Settings(
            **base,
            s3_bucket="sanshe",
            s3_prefix="haishu",
            s3_endpoint="http://127.0.0.1:9000",  # type: ignore[arg-type]
            s3_region="cn-east-1",
            s3_access_key_id="id",
            s3_secret_access_key="secret",
        )
    )
    assert isinstance(store, S3Store)
    assert (store.config["bucket"], store.prefix) == ("sanshe", "haishu")
    with pytest.raises(ValueError, match="SANSHE_S3_BUCKET"):
        s3_store(Settings(**base))  # type: ignore[arg-type]
