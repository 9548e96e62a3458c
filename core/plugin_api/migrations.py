"""The Alembic environment of a plugin's own ``migrations/env.py`` (see docs/plugins/migrations.md)."""

from __future__ import annotations

from core.db.migration_env import run_env

__all__ = ("run_env",)
