"""What the time bank's pages share: hours as people type them, labels, a case by reference."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from core.plugin_api import Case, RequestContext, definition_for, is_english, perform_transition
from core.plugin_api import gettext as _

__all__ = ("TEMPLATE_HELPERS", "case_by_reference", "nonce", "parse_hours", "slot_label", "state_label", "take_step")

MAX_MINUTES = 12 * 60
_MINUTE_WORDS = re.compile(r"(分钟|分|min|mins|minutes?)\s*$", re.IGNORECASE)
_HOUR_WORDS = re.compile(r"(小时|h|hrs?|hours?)\s*$", re.IGNORECASE)


def parse_hours(raw: Any) -> tuple[int | None, str]:
    """Hours as people type them (``1.5``, ``1.5 小时``) → ``(minutes, "")``, or ``(None, why)``.

    Minutes typed where hours are asked (``90``, ``90分钟``) are refused with a message
    that says so: a slip of ``90`` hours is a wrong unit, not a long day (TimeOverflow #850).
    """
    text = str(raw or "").strip().replace("，", ".").replace(",", ".")
    if not text:
        return None, _("Enter the time in hours, e.g. 1.5.")
    if _MINUTE_WORDS.search(text):
        return None, _("Write the time in hours, e.g. 1.5 (not in minutes).")
    text = _HOUR_WORDS.sub("", text).strip()
    try:
        hours = Decimal(text)
    except InvalidOperation:
        return None, _("Enter the time in hours, e.g. 1.5.")
    if not hours.is_finite() or hours <= 0:
        return None, _("Enter a time greater than zero.")
    minutes = int((hours * 60).to_integral_value())
    if minutes > MAX_MINUTES:
        return None, _(
            "%(value)s hours is more than a day of service: the time is in hours (e.g. 1.5), not minutes.", value=text
        )
    return max(minutes, 1), ""


async def case_by_reference(ctx: RequestContext, reference: str) -> Case | None:
    """A case of the district by reference (the plugin checks who may act on it, per bank)."""
    return (await ctx.session.execute(select(Case).where(Case.reference == reference))).scalar_one_or_none()


async def take_step(
    ctx: RequestContext, case: Case, key: str, *, data: dict[str, Any] | None = None, reason: str = ""
) -> Case:
    """Take a workflow step through the core (roles, guards, hooks, timeline, optimistic lock)."""
    definition = await definition_for(ctx, case)
    return await perform_transition(ctx, case, definition, key, data=data or {}, reason=reason, source="api")


def state_label(state: str) -> str:
    """A time-bank case state as people read it (the labels of the shipped case type)."""
    labels = {
        "posted": _("Posted"),
        "matched": _("Matched"),
        "in_service": _("In service"),
        "completed": _("To verify"),
        "verified": _("Verified"),
        "credited": _("Credited"),
        "disputed": _("Disputed"),
        "cancelled": _("Cancelled"),
    }
    return labels.get(state, state)


def nonce() -> str:
    """A fresh idempotency token for a form: a double submit of the same form moves hours once."""
    import secrets  # noqa: PLC0415

    return secrets.token_hex(8)


def slot_label(slot: str) -> str:
    """``"sat_am"`` → ``周六上午``."""
    days = {
        "mon": _("Mon"),
        "tue": _("Tue"),
        "wed": _("Wed"),
        "thu": _("Thu"),
        "fri": _("Fri"),
        "sat": _("Sat"),
        "sun": _("Sun"),
    }
    parts = {"am": _("morning"), "pm": _("afternoon"), "eve": _("evening")}
    day, _sep, part = slot.partition("_")
    joiner = " " if is_english() else ""  # 周六上午, Sat morning
    return f"{days.get(day, day)}{joiner}{parts.get(part, part)}"


TEMPLATE_HELPERS: dict[str, Any] = {"state_label": state_label, "nonce": nonce, "slot_label": slot_label}
"""What the time bank's templates call as ``time_bank.<name>(…)`` (its ``template_globals`` hook)."""
