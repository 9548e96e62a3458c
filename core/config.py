"""Settings read from ``SANSHE_*`` environment variables.

Every variable is documented in ``docs/configuration.md``; a test keeps the two in step.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ("Settings", "load_settings")

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"SANSHE_{name}", default)


def _secret_key(var_dir: Path) -> str:
    """Return ``SANSHE_SECRET_KEY`` or a key generated once and kept in ``var/secret_key``."""
    configured = _env("SECRET_KEY")
    if configured:
        return configured
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: when two workers start at once, one writes and the other reads the winner's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


@dataclass(frozen=True)
class Settings:
    """Everything the app factory needs; build with :func:`load_settings` or directly in tests."""

    database_url: str
    secret_key: str
    var_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    allowed_plugins: frozenset[str] | None = None
    debug: bool = False
    default_locale: str = "zh_CN"
    session_max_age: int = 8 * 3600
    secure_cookies: bool = False
    login_max_failures_account: int = 5
    login_max_failures_ip: int = 20
    login_window_seconds: int = 15 * 60
    # Run scheduled jobs in this process (core.scheduler); off unless asked, so tests never tick.
    scheduler: bool = False
    # Behind a load balancer (docs/deployment.md): trust X-Forwarded-For/-Proto from these peers only.
    proxy_headers: bool = False
    forwarded_allow_ips: str = "127.0.0.1"
    # Where attachment bytes live (core.storage): "local" (var/attachments), "database" or "s3".
    storage: str = "local"
    storage_dir: Path | None = None
    s3_bucket: str = ""
    s3_endpoint: str = ""
    s3_region: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_prefix: str = ""
    # Case-type migration jobs (core.builder.jobs): how long a runner's lease lasts, how often a
    # server looks for a job whose runner died.
    job_lease_seconds: int = 60
    job_poll_seconds: float = 30.0
    # Streaming read replicas for read-only requests (core.db.replica), and how far behind one may be.
    database_replica_urls: tuple[str, ...] = ()
    database_replica_max_lag: float = 10.0
    extra: dict[str, str] = field(default_factory=dict)


def load_settings() -> Settings:
    """Read settings from the environment (``SANSHE_`` prefix)."""
    var_dir = Path(_env("VAR_DIR") or PROJECT_ROOT / "var").resolve()
    default_db = f"sqlite+aiosqlite:///{var_dir / 'sanshe.db'}"
    allowed = _env("PLUGINS")
    return Settings(
        database_url=_env("DATABASE_URL") or default_db,
        secret_key=_secret_key(var_dir),
        var_dir=var_dir,
        host=_env("HOST", "127.0.0.1") or "127.0.0.1",
        port=int(_env("PORT", "8000") or 8000),
        workers=int(_env("WORKERS", "1") or 1),
        allowed_plugins=(
            frozenset(p.strip() for p in allowed.split(",") if p.strip()) if allowed is not None else None
        ),
        debug=(_env("DEBUG", "0") or "0").lower() in {"1", "true", "yes"},
        default_locale=_env("LOCALE", "zh_CN") or "zh_CN",
        session_max_age=int(_env("SESSION_MAX_AGE", str(8 * 3600)) or 8 * 3600),
        secure_cookies=(_env("SECURE_COOKIES", "0") or "0").lower() in {"1", "true", "yes"},
        login_max_failures_account=int(_env("LOGIN_MAX_FAILURES_ACCOUNT", "5") or 5),
        login_max_failures_ip=int(_env("LOGIN_MAX_FAILURES_IP", "20") or 20),
        login_window_seconds=int(_env("LOGIN_WINDOW_SECONDS", str(15 * 60)) or 15 * 60),
        scheduler=(_env("SCHEDULER", "1") or "1").lower() in {"1", "true", "yes"},
        proxy_headers=(_env("PROXY_HEADERS", "0") or "0").lower() in {"1", "true", "yes"},
        forwarded_allow_ips=_env("FORWARDED_ALLOW_IPS", "127.0.0.1") or "127.0.0.1",
        storage=(_env("STORAGE", "local") or "local").strip().lower(),
        storage_dir=Path(storage_dir).resolve() if (storage_dir := _env("STORAGE_DIR")) else None,
        s3_bucket=_env("S3_BUCKET", "") or "",
        s3_endpoint=_env("S3_ENDPOINT", "") or "",
        s3_region=_env("S3_REGION", "") or "",
        s3_access_key_id=_env("S3_ACCESS_KEY_ID", "") or "",
        s3_secret_access_key=_env("S3_SECRET_ACCESS_KEY", "") or "",
        s3_prefix=_env("S3_PREFIX", "") or "",
        job_lease_seconds=int(_env("JOB_LEASE_SECONDS", "60") or 60),
        job_poll_seconds=float(_env("JOB_POLL_SECONDS", "30") or 30),
        database_replica_urls=tuple(
            u.strip() for u in (_env("DATABASE_REPLICA_URL", "") or "").split(",") if u.strip()
        ),
        database_replica_max_lag=float(_env("DATABASE_REPLICA_MAX_LAG", "10") or 10),
    )
