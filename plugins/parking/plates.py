"""Plates shown to people who are neither the car's household nor those who run the estate are masked.

``浙B12345`` → ``浙B·12***``: the province and the issuing letter, the first two characters of the
serial, the rest hidden. Whole plates are for the car's own household (``/parking/mine``,
``/parking/violations/mine``) and the people who run the estate (its committee in term, patrollers,
community staff with ``parking:manage``: permits, patrols, violations, mediation, the gate whitelist).
Everything else — statement lines on the public pages, a resident's own report of another car,
the exports that travel further — carries the masked form, decided where the text is made, so a
published statement's stored content (and its SHA-256) never held a whole plate.
"""

from __future__ import annotations

__all__ = ("mask_plate",)


def mask_plate(plate: str) -> str:
    """``浙B12345`` → ``浙B·12***``; ``浙BD12345`` (new energy) → ``浙B·D1****``; short ones keep two characters."""
    plate = (plate or "").strip()
    if len(plate) <= 4:
        return plate[:2] + ("·" + "*" * (len(plate) - 2) if len(plate) > 2 else "")
    return plate[:2] + "·" + plate[2:4] + "*" * (len(plate) - 4)
