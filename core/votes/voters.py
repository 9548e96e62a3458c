"""Who may vote: a :class:`Voter` of the electorate, with an exact weight (1, or a floor area)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, Inexact, localcontext
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ("Voter", "total_weight")


@dataclass(frozen=True)
class Voter:
    """A member of an electorate: a person (``"user:42"``) or a household (``"household:3-201"``).

    ``weight`` is an ``int`` or a ``Decimal`` (e.g. the household's floor area in m²,
    ``Decimal("89.37")``), never a float; 1 when only heads count.
    """

    voter_ref: str
    user_id: int | None = None
    weight: Decimal | int = 1


def total_weight(weights: Iterable[str | int | Decimal]) -> Decimal:
    """The exact sum of decimal weights (a sum that would need rounding raises ``decimal.Inexact``)."""
    with localcontext() as ctx:
        ctx.prec = 80
        ctx.traps[Inexact] = True
        total = Decimal(0)
        for weight in weights:
            total += Decimal(weight)
    return total
