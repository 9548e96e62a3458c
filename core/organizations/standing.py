"""An organization's standing: restrictions other modules respect (the ``organization_standing`` hook).

A star rating puts an organization on probation or removes it from the service roster; a
grants call refuses its application; an incubator may look before admitting it. The module
that decides implements the hook; the modules that care call :func:`standing_of` — neither
imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from core.plugins.asyncio import call_hook, flatten

if TYPE_CHECKING:
    from datetime import date

    from core.context import RequestContext
    from core.models.organizations import Organization

__all__ = ("Standing", "standing_of")


@dataclass(frozen=True)
class Standing:
    """One restriction on an organization, e.g. ``Standing("probation", "星级评价末位，观察期", …)``."""

    status: Literal["probation", "removed"]
    reason_zh: str
    reason_en: str
    source: str  # the plugin key that decided it, e.g. "rating"
    since: date | None = None
    until: date | None = None

    @property
    def blocks(self) -> bool:
        """Removed from the roster: modules refuse the organization (probation only warns)."""
        return self.status == "removed"


async def standing_of(ctx: RequestContext, organization: Organization) -> list[Standing]:
    """Every enabled module's restrictions on the organization (``[]`` when it is in good standing)."""
    return list(flatten(await call_hook(ctx.hooks.organization_standing, ctx=ctx, organization=organization)))
