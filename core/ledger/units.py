"""Amounts as people read them: minutes as hours and minutes, fen as yuan."""

from __future__ import annotations

from typing import Literal

__all__ = ("UNITS", "Unit", "format_amount")

Unit = Literal["minutes", "fen"]
UNITS: tuple[str, ...] = ("minutes", "fen")


def format_amount(amount: int, unit: str, lang: str = "zh") -> str:
    """``90 minutes`` → ``1 小时 30 分钟`` (``1 h 30 min``); ``12345 fen`` → ``123.45 元`` (``¥123.45``)."""
    sign = "-" if amount < 0 else ""
    value = abs(amount)
    if unit == "fen":
        yuan, fen = divmod(value, 100)
        return f"{sign}{yuan}.{fen:02d} 元" if lang == "zh" else f"{sign}¥{yuan}.{fen:02d}"
    hours, minutes = divmod(value, 60)
    if lang == "zh":
        if hours and minutes:
            return f"{sign}{hours} 小时 {minutes} 分钟"
        return f"{sign}{hours} 小时" if hours else f"{sign}{minutes} 分钟"
    if hours and minutes:
        return f"{sign}{hours} h {minutes} min"
    return f"{sign}{hours} h" if hours else f"{sign}{minutes} min"
