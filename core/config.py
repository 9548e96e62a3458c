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
    )
