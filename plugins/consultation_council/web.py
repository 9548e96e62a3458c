"""What the council's pages share: dates typed and shown in China time, labels (page helpers are the core's)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from core.plugin_api import TIMEZONE
from core.plugin_api import gettext as _
from plugins.consultation_council.councils import format_label, party_label, position_label

__all__ = (
    "TEMPLATE_HELPERS",
    "kind_label",
    "local_time",
    "parse_date",
    "parse_local",
    "resolution_status",
    "result_line",
    "state_label",
)


def parse_local(raw: str | None) -> datetime | None:
    """A ``datetime-local`` input (China time) as an aware datetime, or ``None``."""
    try:
        value = datetime.fromisoformat((raw or "").strip())
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=TIMEZONE)


def parse_date(raw: str | None) -> date | None:
    """A ``date`` input, or ``None``."""
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A time in China time, as the pages print it."""
    return value.astimezone(TIMEZONE).strftime(fmt) if value else ""


def state_label(state: str) -> str:
    """A topic's state as residents read it (the labels of the shipped case type)."""
    return {
        "submitted": _("Submitted"),
        "accepted": _("On the agenda"),
        "declined": _("Declined"),
        "deliberation": _("In deliberation"),
        "voted": _("Voted"),
        "adopted": _("Resolution adopted"),
        "rejected": _("Resolution rejected"),
        "in_action": _("Actions in progress"),
        "done": _("Done"),
        "reviewed": _("Reviewed"),
        "escalated": _("Escalated to the street"),
    }.get(state, state)


def resolution_status(status: str) -> str:
    """A resolution's status as residents read it."""
    return {"draft": _("Draft"), "published": _("Published for objections"), "in_force": _("In force")}.get(
        status, status
    )


def kind_label(kind: str) -> str:
    """决议 or 公约."""
    return _("Convention") if kind == "convention" else _("Resolution")


def _need(check: Any) -> str:
    """A threshold as people read it: "≥ 2/3", "> 1/2", or "all"."""
    fraction, inclusive = check.threshold.fraction, check.threshold.inclusive
    if fraction == 1 and inclusive:
        return _("all of them")
    return f"{'≥' if inclusive else '>'} {fraction}"


def result_line(result: Any) -> str:
    """A closed vote's result in one line: 通过/未通过, for, against, abstaining, present and the threshold."""
    if result.sealed or result.outcome is None:
        return _("The result is published when the vote closes.")
    counts = {t.option: t.heads for t in result.options}
    passing = next((c for c in result.checks if c.rule == "pass_heads"), None)
    quorum = next((c for c in result.checks if c.rule == "quorum_heads"), None)
    if passing is not None:
        need = _("for %(need)s of the votes", need=_need(passing))
    elif quorum is not None:
        need = _("participation %(need)s", need=_need(quorum))
    else:
        need = "—"
    verdict = {
        "passed": _("Passed"),
        "failed": _("Not passed"),
        "no_quorum": _("Not passed (too few took part)"),
    }.get(str(result.outcome), _("Not passed"))
    return _(
        "%(verdict)s: %(for)s for, %(against)s against, %(abstain)s abstaining; %(present)s present; needs %(need)s",
        verdict=verdict,
        **{"for": counts.get("for", 0)},
        against=counts.get("against", 0),
        abstain=result.blank_heads if result.blank_heads is not None else counts.get("abstain", 0),
        present=result.electorate_heads,
        need=need,
    )


TEMPLATE_HELPERS: dict[str, Any] = {
    "result_line": result_line,
    "local_time": local_time,
    "state_label": state_label,
    "resolution_status": resolution_status,
    "kind_label": kind_label,
    "party_label": party_label,
    "position_label": position_label,
    "format_label": format_label,
}
"""What the council's templates call as ``consultation_council.<name>(…)`` (its ``template_globals`` hook)."""
