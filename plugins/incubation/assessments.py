"""The capacity-assessment instrument (versioned dimensions and indicators), assessments and the radar chart.

The radar chart is inline SVG drawn on the server (no JavaScript library): the first
assessment against the latest, one axis per dimension, scores 0–5.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.plugin_api import Refusal
from core.plugin_api import gettext as _
from plugins.incubation.cases import today
from plugins.incubation.instruments import dimensions_of as instrument_dimensions
from plugins.incubation.models import PHASES, Assessment, Incubation, Instrument
from plugins.incubation.models_instruments import IndicatorScore
from plugins.incubation.service import check_choice, check_date, check_text, refuse

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import RequestContext

__all__ = (
    "DEFAULT_DIMENSIONS",
    "Comparison",
    "add_assessment",
    "change_per_dimension",
    "compare",
    "current_instrument",
    "radar_svg",
)

MAX_SCORE = 5
DEFAULT_DIMENSIONS: list[dict[str, Any]] = [
    {
        "key": key,
        "zh": zh,
        "en": en,
        "indicators": [{"key": f"i{n}", "zh": i_zh, "en": i_en, "max": 10} for n, (i_zh, i_en) in enumerate(items, 1)],
    }
    for key, zh, en, items in (
        (
            "governance",
            "内部治理",
            "Governance",
            (("章程与负责人", "Statutes and leaders"), ("决策与会议记录", "Decisions and minutes")),
        ),
        ("finance", "财务管理", "Finance", (("账目规范", "Sound accounts"), ("资金来源多样", "Diverse funding"))),
        (
            "projects",
            "项目运作",
            "Projects",
            (("项目设计", "Project design"), ("执行与评估", "Delivery and evaluation")),
        ),
        (
            "volunteers",
            "志愿者管理",
            "Volunteers",
            (("招募与培训", "Recruiting and training"), ("稳定参与", "Steady involvement")),
        ),
        ("resources", "资源链接", "Resources", (("合作伙伴", "Partners"), ("社区认可", "Community recognition"))),
    )
]


async def current_instrument(session: AsyncSession, *, create: bool = True) -> Instrument | None:
    """The latest instrument version (version 1 with the default dimensions is made on first use)."""
    row = (await session.execute(select(Instrument).order_by(Instrument.version.desc()).limit(1))).scalar_one_or_none()
    if row is None and create:
        row = Instrument(version=1, name="社会组织能力评估", dimensions=DEFAULT_DIMENSIONS)
        session.add(row)
        await session.flush()
    return row


def _number(value: Any) -> float | None:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


async def add_assessment(ctx: RequestContext, incubation: Incubation, raw: Mapping[str, Any]) -> Assessment:
    """Score the current version at intake, mid-way or before graduation.

    Each scored indicator 0 … its maximum (``score_<dimension>_<indicator>``, or in JSON
    ``indicator_scores: {dimension: {indicator: score}}``); the dimension's score is 5 × its
    indicators' sum ÷ their maxima. A dimension without scored indicators (the built-in first
    version's) is scored 0–5 as a whole (``score_<dimension>`` / ``scores: {dimension: score}``).
    """
    instrument = await current_instrument(ctx.session)
    assert instrument is not None
    errors: dict[str, tuple[str, str]] = {}
    phase = check_choice(raw.get("phase") or "intake", "phase", PHASES, errors)
    assessed_on = check_date(raw.get("assessed_on") or today().isoformat(), "assessed_on", errors)
    assessor = check_text(raw.get("assessor"), "assessor", errors, limit=50, required=True)
    scores: dict[str, float] = {}
    details: list[IndicatorScore] = []
    given = raw.get("scores") if isinstance(raw.get("scores"), dict) else {}
    by_indicator = raw.get("indicator_scores") if isinstance(raw.get("indicator_scores"), dict) else {}
    for dim in instrument_dimensions(instrument):
        if not dim.scored:
            number = _number(given.get(dim.key, raw.get(f"score_{dim.key}")))  # type: ignore[union-attr]
            if number is None or not 0 <= number <= MAX_SCORE:
                errors[f"score_{dim.key}"] = (
                    f"{dim.zh}：请填写 0 到 5 之间的分数。",
                    f"{dim.en or dim.zh}: enter a score from 0 to 5.",
                )
                continue
            scores[dim.key] = round(number, 1)
            continue
        mine = by_indicator.get(dim.key) if isinstance(by_indicator.get(dim.key), dict) else {}  # type: ignore[union-attr]
        total = 0.0
        for ind in dim.scored:
            assert ind.max is not None
            field = f"score_{dim.key}_{ind.key}"
            number = _number(mine.get(ind.key, raw.get(field)))  # type: ignore[union-attr]
            if number is None or not 0 <= number <= ind.max:
                errors[field] = (
                    f"{dim.zh} · {ind.zh}：请填写 0 到 {ind.max} 之间的分数。",
                    f"{dim.en or dim.zh} · {ind.en or ind.zh}: enter a score from 0 to {ind.max}.",
                )
                continue
            total += round(number, 1)
            details.append(
                IndicatorScore(dimension=dim.key, indicator=ind.key, score=round(number, 1), max_score=ind.max)
            )
        scores[dim.key] = round(MAX_SCORE * total / dim.max_total, 1)
    if assessed_on and assessed_on > today():
        errors["assessed_on"] = ("评估日期不能晚于今天。", "The assessment cannot be in the future.")
    refuse(errors)
    assert assessed_on is not None
    if not incubation.active:
        raise Refusal("孵化已结束。", "The incubation has ended.", status_code=409)
    row = Assessment(
        incubation_id=incubation.id,
        instrument_id=instrument.id,
        phase=phase,
        assessed_on=assessed_on,
        assessor=assessor,
        scores=scores,
    )
    ctx.session.add(row)
    await ctx.session.flush()
    for detail in details:
        detail.assessment_id = row.id
    ctx.session.add_all(details)
    await ctx.session.flush()
    return row


async def indicator_scores(session: AsyncSession, assessment_ids: list[int]) -> dict[int, dict[str, dict[str, float]]]:
    """assessment id → dimension → indicator → score."""
    out: dict[int, dict[str, dict[str, float]]] = {}
    if not assessment_ids:
        return out
    rows = await session.execute(select(IndicatorScore).where(IndicatorScore.assessment_id.in_(assessment_ids)))
    for r in rows.scalars():
        out.setdefault(r.assessment_id, {}).setdefault(r.dimension, {})[r.indicator] = r.score
    return out


async def instruments_by_id(session: AsyncSession, ids: set[int]) -> dict[int, Instrument]:
    if not ids:
        return {}
    rows = await session.execute(select(Instrument).where(Instrument.id.in_(sorted(ids))))
    return {r.id: r for r in rows.scalars()}


async def assessments_of(session: AsyncSession, incubation_id: int) -> list[Assessment]:
    query = (
        select(Assessment)
        .where(Assessment.incubation_id == incubation_id)
        .order_by(Assessment.assessed_on, Assessment.id)
    )
    return list((await session.execute(query)).scalars())


@dataclass(frozen=True)
class Change:
    key: str
    label: str
    first: float
    latest: float

    @property
    def delta(self) -> float:
        return round(self.latest - self.first, 1)


@dataclass(frozen=True)
class Comparison:
    """The first assessment against the latest, on the dimensions both their versions share."""

    changes: list[Change]
    first_version: int
    latest_version: int
    left_out: list[str]  # labels of the dimensions only one of the two versions has

    @property
    def across_versions(self) -> bool:
        return self.first_version != self.latest_version


def compare(
    first_instrument: Instrument, latest_instrument: Instrument, first: Assessment, latest: Assessment
) -> Comparison:
    """Change per dimension: the latest version's dimensions that the first's version also has (by key)."""
    before = {d.key: d for d in instrument_dimensions(first_instrument)}
    after = instrument_dimensions(latest_instrument)
    changes = [
        Change(d.key, d.label, float(first.scores[d.key]), float(latest.scores[d.key]))
        for d in after
        if d.key in before and d.key in first.scores and d.key in latest.scores
    ]
    shared = {c.key for c in changes}
    left_out = [d.label for d in after if d.key not in shared]
    left_out += [d.label for d in before.values() if d.key not in shared and d.label not in left_out]
    return Comparison(changes, first_instrument.version, latest_instrument.version, left_out)


def change_per_dimension(instrument: Instrument, first: Assessment, latest: Assessment) -> list[Change]:
    """Both assessments on one version (kept for callers that know they share it)."""
    return compare(instrument, instrument, first, latest).changes


def radar_svg(changes: list[Change], size: int = 320) -> str:
    """An SVG radar chart: grey grid, the first assessment dashed, the latest filled. Text is escaped."""
    from markupsafe import escape  # noqa: PLC0415 - only here

    n = len(changes)
    if n < 3:
        return ""
    c = size / 2
    r = size / 2 - 75  # room for the labels

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return c + r * value / MAX_SCORE * math.cos(angle), c + r * value / MAX_SCORE * math.sin(angle)

    def poly(values: list[float]) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in enumerate(values)))

    parts = [
        f'<svg class="incubation-radar" viewBox="0 0 {size} {size}" role="img" width="{size}" height="{size}"'
        f' aria-label="{escape(_("Capacity radar chart"))}">'
    ]
    for level in range(1, MAX_SCORE + 1):
        parts.append(f'<polygon points="{poly([level] * n)}" fill="none" stroke="#ccc" stroke-width="0.5"/>')
    for i, change in enumerate(changes):
        x, y = point(i, MAX_SCORE)
        lx, ly = point(i, MAX_SCORE + 0.8)
        anchor = "middle" if abs(lx - c) < 10 else ("start" if lx > c else "end")
        parts.append(f'<line x1="{c}" y1="{c}" x2="{x:.1f}" y2="{y:.1f}" stroke="#ccc" stroke-width="0.5"/>')
        parts.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="12" text-anchor="{anchor}">{escape(change.label)}</text>'
        )
    parts.append(
        f'<polygon points="{poly([ch.first for ch in changes])}" fill="none" stroke="#888"'
        ' stroke-dasharray="4 3" stroke-width="1.5"/>'
    )
    parts.append(
        f'<polygon points="{poly([ch.latest for ch in changes])}" fill="rgba(16,120,200,0.25)"'
        ' stroke="#1078c8" stroke-width="2"/>'
    )
    parts.append("</svg>")
    return "".join(parts)
