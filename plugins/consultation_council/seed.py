"""Demo data (being written)."""

from __future__ import annotations

from typing import Any


async def seed_council(session: Any, district: Any) -> None:
    return None
