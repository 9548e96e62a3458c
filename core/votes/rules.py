"""Thresholds as exact fractions, the rules of a vote, and the presets (majority, two-thirds, art. 278…).

A :class:`Threshold` is a fraction and whether reaching it is enough (``以上``, *at least*:
Civil Code art. 1259 counts the number itself) or it must be passed (``过半数``, *more than*).
:class:`Rules` say what share of the electorate must take part (quorum, by headcount and
optionally by weight) and what share of the *base* must choose an option for it to pass.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from core.votes.errors import InvalidRequest

__all__ = ("PRESETS", "Base", "Rules", "Threshold")

Base = Literal["participating", "cast", "electorate"]
BASES: tuple[str, ...] = ("participating", "cast", "electorate")


@dataclass(frozen=True)
class Threshold:
    """A share ``fraction`` of a whole; ``inclusive``: reaching it is enough, else it must be exceeded."""

    fraction: Fraction
    inclusive: bool = True

    def __post_init__(self) -> None:
        value = self.fraction
        if isinstance(value, float) or not isinstance(value, (Fraction, int)) or isinstance(value, bool):
            raise InvalidRequest(
                f"门槛必须是精确分数（fractions.Fraction），不能是 {type(value).__name__}",
                f"a threshold is an exact Fraction, not a {type(value).__name__}",
            )
        value = Fraction(value)
        if not 0 <= value <= 1:
            raise InvalidRequest(f"门槛 {value} 必须在 0 到 1 之间", f"threshold {value} must be between 0 and 1")
        object.__setattr__(self, "fraction", value)

    @classmethod
    def at_least(cls, numerator: int, denominator: int) -> Threshold:
        """``numerator/denominator`` 以上 (the bound itself is enough)."""
        return cls(Fraction(numerator, denominator), inclusive=True)

    @classmethod
    def more_than(cls, numerator: int, denominator: int) -> Threshold:
        """More than ``numerator/denominator`` (超过; 过半数 is ``more_than(1, 2)``)."""
        return cls(Fraction(numerator, denominator), inclusive=False)

    def met(self, part: Fraction | Decimal | int, whole: Fraction | Decimal | int) -> bool:
        """Whether ``part`` reaches this share of ``whole`` (never when the whole is zero)."""
        if whole <= 0:
            return False
        share = Fraction(part) / Fraction(whole)
        return share >= self.fraction if self.inclusive else share > self.fraction

    def describe(self) -> str:
        """``≥ 2/3`` or ``> 1/2``."""
        return f"{'≥' if self.inclusive else '>'} {self.fraction}"


@dataclass(frozen=True)
class Rules:
    """Quorum and pass thresholds; ``base`` is of whom the pass thresholds are counted.

    ``base``: ``participating`` (everyone who took part, abstentions and blank ballots
    included — Civil Code art. 278's 参与表决), ``cast`` (abstentions and blank ballots
    left out), ``electorate`` (the whole frozen electorate: an absolute majority).
    """

    preset: str
    pass_heads: Threshold
    base: Base = "participating"
    pass_weight: Threshold | None = None
    quorum_heads: Threshold | None = None
    quorum_weight: Threshold | None = None
    allow_change: bool = False

    def __post_init__(self) -> None:
        if self.base not in BASES:
            raise InvalidRequest(f"未知的计票基数 {self.base!r}", f"unknown base {self.base!r}: use {', '.join(BASES)}")
        if not isinstance(self.pass_heads, Threshold):
            raise InvalidRequest("需要按人数的通过门槛", "pass_heads (a Threshold) is required")
        for name in ("pass_weight", "quorum_heads", "quorum_weight"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Threshold):
                raise InvalidRequest(f"{name} 必须是 Threshold", f"{name} must be a Threshold or None")
        if not self.preset or len(self.preset) > 40:
            raise InvalidRequest("规则需要名称（最多 40 个字符）", "rules need a preset name (up to 40 characters)")

    @property
    def uses_weight(self) -> bool:
        """Whether any threshold counts weight (floor area) as well as heads."""
        return self.pass_weight is not None or self.quorum_weight is not None

    def with_quorum(self, heads: Threshold | None = None, weight: Threshold | None = None) -> Rules:
        """These rules with a quorum of the electorate by headcount and/or by weight."""
        return replace(self, quorum_heads=heads, quorum_weight=weight)

    def changeable(self, allow: bool = True) -> Rules:
        """These rules, letting a voter replace their ballot while the vote is open."""
        return replace(self, allow_change=allow)

    @classmethod
    def simple_majority(cls, *, base: Base = "participating") -> Rules:
        """More than half (过半数) of those who take part say yes (a tie fails)."""
        return cls("simple_majority", Threshold.more_than(1, 2), base=base)

    @classmethod
    def two_thirds(cls, *, base: Base = "participating") -> Rules:
        """Two-thirds or more (三分之二以上) of those who take part say yes."""
        return cls("two_thirds", Threshold.at_least(2, 3), base=base)

    @classmethod
    def unanimity(cls, *, base: Base = "participating") -> Rules:
        """Everyone who takes part says yes (全票); with the default base one abstention breaks it."""
        return cls("unanimity", Threshold.at_least(1, 1), base=base)

    @classmethod
    def plurality(cls) -> Rules:
        """The option with the most votes wins alone (at least one vote; a tie at the top fails)."""
        return cls("plurality", Threshold.more_than(0, 1))

    @classmethod
    def owners_ordinary(cls) -> Rules:
        """Civil Code art. 278, ordinary matters: 2/3 of area and owners take part; over half of those agree."""
        return cls(
            "owners_ordinary",
            Threshold.more_than(1, 2),
            pass_weight=Threshold.more_than(1, 2),
            quorum_heads=Threshold.at_least(2, 3),
            quorum_weight=Threshold.at_least(2, 3),
        )

    @classmethod
    def owners_major(cls) -> Rules:
        """Civil Code art. 278 items 6–8 (raise repair funds, rebuild, change the use of common parts): 3/4."""
        return cls(
            "owners_major",
            Threshold.at_least(3, 4),
            pass_weight=Threshold.at_least(3, 4),
            quorum_heads=Threshold.at_least(2, 3),
            quorum_weight=Threshold.at_least(2, 3),
        )


PRESETS = {
    "simple_majority": Rules.simple_majority,
    "two_thirds": Rules.two_thirds,
    "unanimity": Rules.unanimity,
    "plurality": Rules.plurality,
    "owners_ordinary": Rules.owners_ordinary,
    "owners_major": Rules.owners_major,
}
