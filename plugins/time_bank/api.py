"""JSON API (placeholder)."""

from __future__ import annotations

from typing import Any

API_ROUTES: list[Any] = []
