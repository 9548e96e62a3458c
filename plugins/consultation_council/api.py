"""JSON API under ``/api/v1/districts/{district}/council`` (being written)."""

from __future__ import annotations

from typing import Any

API_ROUTES: list[Any] = []
