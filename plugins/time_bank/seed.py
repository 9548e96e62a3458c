"""Demo data (placeholder)."""

from __future__ import annotations

from typing import Any


async def seed_time_bank(session: Any, district: Any) -> None:
    return None
