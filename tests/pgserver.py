"""Moved to :mod:`core.testing.pgserver` (the plugin test kit starts PostgreSQL the same way)."""

from __future__ import annotations

from core.testing.pgserver import PostgresNotFoundError, PostgresServer, find_bindir, free_port

__all__ = ("PostgresNotFoundError", "PostgresServer", "find_bindir", "free_port")
