"""Web pages under ``/d/{district}/time-bank`` (placeholder)."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
