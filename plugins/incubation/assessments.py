"""The capacity-assessment instrument (versioned dimensions and indicators), assessments and the radar chart.

The radar chart is inline SVG drawn on the server (no JavaScript library): the first
assessment against the latest, one axis per dimension, scores 0–5.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from core.plugin_api import Refusal, localized
from core.plugin_api import gettext as _
from plugins.incubation.cases import today
from plugins.incubation.models import PHASES, Assessment, Incubation, Instrument
from plugins.incubation.service import check_choice, check_date, check_text, refuse

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import RequestContext

__all__ = ("DEFAULT_DIMENSIONS", "add_assessment", "change_per_dimension", "current_instrument", "radar_svg")

MAX_SCORE = 5
DEFAULT_DIMENSIONS: list[dict[str, Any]] = [
    {"key": "governance", "zh": "内部治理", "en": "Governance", "indicators": ["章程与负责人", "决策与会议记录"]},
    {"key": "finance", "zh": "财务管理", "en": "Finance", "indicators": ["账目规范", "资金来源多样"]},
    {"key": "projects", "zh": "项目运作", "en": "Projects", "indicators": ["项目设计", "执行与评估"]},
    {"key": "volunteers", "zh": "志愿者管理", "en": "Volunteers", "indicators": ["招募与培训", "稳定参与"]},
    {"key": "resources", "zh": "资源链接", "en": "Resources", "indicators": ["合作伙伴", "社区认可"]},
]


async def current_instrument(session: AsyncSession, *, create: bool = True) -> Instrument | None:
    """The latest instrument version (version 1 with the default dimensions is made on first use)."""
    row = (await session.execute(select(Instrument).order_by(Instrument.version.desc()).limit(1))).scalar_one_or_none()
    if row is None and create:
        row = Instrument(version=1, name="社会组织能力评估", dimensions=DEFAULT_DIMENSIONS)
        session.add(row)
        await session.flush()
    return row


async def new_version(ctx: RequestContext, dimensions: list[dict[str, Any]], name: str) -> Instrument:
    """Publish a new version; assessments keep the version they used."""
    if not dimensions or any(not d.get("key") or not d.get("zh") for d in dimensions):
        raise Refusal("每个维度须有标识和中文名称。", "Each dimension needs a key and a Chinese name.")
    latest = (await ctx.session.execute(select(func.max(Instrument.version)))).scalar_one() or 0
    row = Instrument(version=int(latest) + 1, name=name[:100] or "社会组织能力评估", dimensions=dimensions)
    ctx.session.add(row)
    await ctx.session.flush()
    return row


async def add_assessment(ctx: RequestContext, incubation: Incubation, raw: Mapping[str, Any]) -> Assessment:
    """Score every dimension 0–5 (``score_<key>``) at intake, mid-way or before graduation."""
    instrument = await current_instrument(ctx.session)
    assert instrument is not None
    errors: dict[str, tuple[str, str]] = {}
    phase = check_choice(raw.get("phase") or "intake", "phase", PHASES, errors)
    assessed_on = check_date(raw.get("assessed_on") or today().isoformat(), "assessed_on", errors)
    assessor = check_text(raw.get("assessor"), "assessor", errors, limit=50, required=True)
    scores: dict[str, float] = {}
    given = raw.get("scores") if isinstance(raw.get("scores"), dict) else {}
    for dim in instrument.dimensions:
        key = str(dim["key"])
        value = given.get(key, raw.get(f"score_{key}"))  # type: ignore[union-attr]
        try:
            number = float(str(value).strip())
        except (TypeError, ValueError):
            number = -1
        if not 0 <= number <= MAX_SCORE or math.isnan(number):
            errors[f"score_{key}"] = (
                f"{dim['zh']}：请填写 0 到 5 之间的分数。",
                f"{dim['en']}: enter a score from 0 to 5.",
            )
        scores[key] = round(number, 1)
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
    return row


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


def change_per_dimension(instrument: Instrument, first: Assessment, latest: Assessment) -> list[Change]:
    return [
        Change(
            str(d["key"]),
            localized(str(d["zh"]), str(d.get("en") or "")),
            float(first.scores.get(str(d["key"]), 0)),
            float(latest.scores.get(str(d["key"]), 0)),
        )
        for d in instrument.dimensions
    ]


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
