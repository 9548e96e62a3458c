"""The capacity-assessment instrument's editor: versions of dimensions and their indicators with maximum scores.

A version, once published, never changes: a new one is a new ``incubation_instrument`` row
(version = the latest + 1), and an assessment keeps the version it used. Dimensions keep a
stable key from version to version (a renamed dimension keeps its key; a dimension added under
the name of an earlier one gets that one's key back), so assessments made on different
versions are compared on the dimensions both versions share — and only on those.

Indicators of the first, built-in version written as plain text (before maximum scores
existed) are descriptive: their dimension is scored 0–5 as a whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.plugin_api import Refusal, localized
from plugins.incubation.models import Assessment, Instrument
from plugins.incubation.service import check_int, check_text, refuse

if TYPE_CHECKING:
    from collections.abc import Mapping

    from core.plugin_api import RequestContext

__all__ = (
    "Dimension",
    "Indicator",
    "dimensions_of",
    "form_slots",
    "parse_form",
    "publish",
    "versions",
)

MAX_DIMENSIONS = 12
MAX_INDICATORS = 15
MAX_INDICATOR_SCORE = 100
KEY = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
BLANK_DIMENSIONS = 2
BLANK_INDICATORS = 2
MAX_SCORE = 5  # a dimension's score, whatever its indicators' full scores


@dataclass(frozen=True)
class Indicator:
    key: str
    zh: str
    en: str
    max: int | None  # None: descriptive only (the dimension is scored as a whole)

    @property
    def label(self) -> str:
        return localized(self.zh, self.en)


@dataclass(frozen=True)
class Dimension:
    key: str
    zh: str
    en: str
    indicators: tuple[Indicator, ...]

    @property
    def label(self) -> str:
        return localized(self.zh, self.en)

    @property
    def scored(self) -> tuple[Indicator, ...]:
        """The indicators scored one by one (the dimension's score derives from them)."""
        return tuple(i for i in self.indicators if i.max)

    @property
    def max_total(self) -> int:
        return sum(i.max or 0 for i in self.scored)


def dimensions_of(instrument: Instrument) -> list[Dimension]:
    """The version's dimensions, whatever shape they were stored in."""
    out = []
    for raw in instrument.dimensions or []:
        indicators = []
        items: list[Any] = list(raw.get("indicators") or [])  # type: ignore[call-overload]
        for n, item in enumerate(items, start=1):
            if isinstance(item, dict):
                maximum = item.get("max")
                indicators.append(
                    Indicator(
                        str(item.get("key") or f"i{n}"),
                        str(item.get("zh") or ""),
                        str(item.get("en") or ""),
                        int(maximum) if isinstance(maximum, int | float) and maximum > 0 else None,
                    )
                )
            else:
                indicators.append(Indicator(f"i{n}", str(item), "", None))
        out.append(Dimension(str(raw["key"]), str(raw.get("zh") or ""), str(raw.get("en") or ""), tuple(indicators)))
    return out


def as_json(dimensions: list[Dimension]) -> list[dict[str, Any]]:
    return [
        {
            "key": d.key,
            "zh": d.zh,
            "en": d.en,
            "indicators": [{"key": i.key, "zh": i.zh, "en": i.en, "max": i.max} for i in d.indicators],
        }
        for d in dimensions
    ]


async def versions(ctx: RequestContext) -> list[tuple[Instrument, int]]:
    """Every version, newest first, with the number of assessments made on it."""
    used = (
        select(Assessment.instrument_id, func.count(Assessment.id).label("n"))
        .group_by(Assessment.instrument_id)
        .subquery()
    )
    query = (
        select(Instrument, func.coalesce(used.c.n, 0))
        .outerjoin(used, used.c.instrument_id == Instrument.id)
        .order_by(Instrument.version.desc())
    )
    return [(row, int(n)) for row, n in (await ctx.session.execute(query)).tuples()]


# ---------------------------------------------------------------- reading a new version


def _typed(form: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The editor form's rows that have a name, in order (blank and cleared rows left out)."""
    out = []
    for i in range(MAX_DIMENSIONS + BLANK_DIMENSIONS):
        zh = str(form.get(f"d{i}_zh") or "").strip()
        if not zh:
            continue
        rows = [
            {
                "zh": str(form.get(f"d{i}_{j}_zh") or "").strip(),
                "en": str(form.get(f"d{i}_{j}_en") or ""),
                "max": form.get(f"d{i}_{j}_max") or "",
            }
            for j in range(MAX_INDICATORS + BLANK_INDICATORS)
            if str(form.get(f"d{i}_{j}_zh") or "").strip()
        ]
        out.append(
            {
                "key": str(form.get(f"d{i}_key") or ""),
                "zh": zh,
                "en": str(form.get(f"d{i}_en") or ""),
                "indicators": rows,
            }
        )
    return out


def parse_form(form: Mapping[str, Any]) -> dict[str, Any]:
    """The editor form's fields (``d{i}_zh``, ``d{i}_{j}_max`` …) in the API's JSON shape.

    A dimension whose name is cleared is left out of the new version, and so is an indicator.
    Rows are numbered as :func:`form_slots` shows them again, so errors land on the right field.
    """
    dimensions = []
    for n, dim in enumerate(_typed(form)):
        indicators = [{**ind, "_field": f"d{n}_{m}"} for m, ind in enumerate(dim["indicators"])]
        dimensions.append({**dim, "indicators": indicators, "_field": f"d{n}"})
    return {"name": form.get("name"), "based_on": form.get("based_on"), "dimensions": dimensions}


def form_slots(source: list[Dimension] | Mapping[str, Any]) -> list[dict[str, Any]]:
    """The editor's rows: a version's dimensions (or what was typed) plus blank rows to add to."""
    if isinstance(source, list):
        slots = [
            {
                "key": d.key,
                "zh": d.zh,
                "en": d.en,
                "indicators": [{"zh": i.zh, "en": i.en, "max": i.max or MAX_SCORE} for i in d.indicators],
            }
            for d in source
        ]
    else:
        slots = _typed(source)
    blank_row = {"zh": "", "en": "", "max": ""}
    for slot in slots:
        slot["indicators"] = [*slot["indicators"], *([blank_row] * BLANK_INDICATORS)]
    blank = {"key": "", "zh": "", "en": "", "indicators": [blank_row] * 3}
    return [*slots, *([blank] * BLANK_DIMENSIONS)]


async def _known_keys(ctx: RequestContext) -> dict[str, str]:
    """Chinese name → key of every dimension any version had (the latest version's naming wins)."""
    rows = (await ctx.session.execute(select(Instrument).order_by(Instrument.version))).scalars()
    return {d.zh: d.key for row in rows for d in dimensions_of(row)}


def _new_key(taken: set[str]) -> str:
    n = 1
    while f"dim{n}" in taken:
        n += 1
    return f"dim{n}"


def _read_indicators(items: list[Any], field: str, errors: dict[str, tuple[str, str]]) -> list[Indicator]:
    """A dimension's indicators: a label (Chinese required) and a maximum score 1–100 each."""
    indicators = []
    for m, ind in enumerate(items):
        if not isinstance(ind, dict):
            errors[f"{field}.{m}"] = ("指标格式不对。", "An indicator must be an object.")
            continue
        ifield = str(ind.get("_field") or f"{field}.indicators.{m}")
        label = check_text(ind.get("zh"), f"{ifield}_zh", errors, limit=100, required=True)
        label_en = check_text(ind.get("en"), f"{ifield}_en", errors, limit=150)
        maximum = check_int(ind.get("max"), f"{ifield}_max", errors, low=1, high=MAX_INDICATOR_SCORE)
        if f"{ifield}_max" in errors:
            errors[f"{ifield}_max"] = (
                f"“{label}”的满分须是 1 到 {MAX_INDICATOR_SCORE} 的整数。",
                f"The maximum of {label or 'an indicator'} must be a whole number from 1 to {MAX_INDICATOR_SCORE}.",
            )
        indicators.append(Indicator(f"i{m + 1}", label, label_en, maximum))
    return indicators


async def publish(ctx: RequestContext, raw: Mapping[str, Any]) -> Instrument:
    """Publish a new version from ``raw`` (``name``, ``based_on``, ``dimensions``); 409 when a newer one exists.

    Assessments already made keep their version; from now on assessments use this one.
    """
    from plugins.incubation.assessments import current_instrument  # noqa: PLC0415 - assessments imports this

    errors: dict[str, tuple[str, str]] = {}
    name = check_text(raw.get("name"), "name", errors, limit=100) or "社会组织能力评估"
    based_on = check_int(raw.get("based_on"), "based_on", errors, low=1, high=10_000)
    items = raw.get("dimensions")
    if not isinstance(items, list) or not items:
        errors["dimensions"] = ("请至少设置一个维度。", "Set at least one dimension.")
        items = []
    if len(items) > MAX_DIMENSIONS:
        errors["dimensions"] = (f"维度最多 {MAX_DIMENSIONS} 个。", f"At most {MAX_DIMENSIONS} dimensions.")
    known = await _known_keys(ctx)
    dimensions: list[Dimension] = []
    seen_names: set[str] = set()
    keys: set[str] = set()
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            errors[f"dimensions.{n}"] = ("维度格式不对。", "A dimension must be an object.")
            continue
        field = str(item.get("_field") or f"dimensions.{n}")
        zh = check_text(item.get("zh"), f"{field}_zh", errors, limit=30, required=True)
        en = check_text(item.get("en"), f"{field}_en", errors, limit=60)
        if zh and zh in seen_names:
            errors[f"{field}_zh"] = (f"维度“{zh}”重复了。", f"The dimension {zh} appears twice.")
        seen_names.add(zh)
        key = str(item.get("key") or "").strip() or known.get(zh, "")
        if key and not KEY.match(key):
            errors[f"{field}_zh"] = (f"维度“{zh}”的标识无效。", f"The dimension {zh} has an invalid key.")
        if not key or key in keys:
            key = _new_key(keys | set(known.values()))
        keys.add(key)
        raw_indicators = item.get("indicators") or []
        if not isinstance(raw_indicators, list) or not raw_indicators:
            errors[f"{field}_zh"] = (
                f"维度“{zh}”至少要有一个指标。",
                f"The dimension {zh} needs at least one indicator.",
            )
            raw_indicators = []
        if len(raw_indicators) > MAX_INDICATORS:
            errors[f"{field}_zh"] = (f"每个维度最多 {MAX_INDICATORS} 个指标。", f"At most {MAX_INDICATORS} indicators.")
        indicators = _read_indicators(raw_indicators, field, errors)
        dimensions.append(Dimension(key, zh, en, tuple(indicators)))
    refuse(errors)
    latest = await current_instrument(ctx.session)
    assert latest is not None and based_on is not None
    if based_on != latest.version:
        raise Refusal(
            f"量表已有更新的版本（第 {latest.version} 版），请在最新版本上修改后再发布。",
            f"A newer version (version {latest.version}) has been published; edit that one and publish again.",
            status_code=409,
        )
    if as_json(dimensions) == as_json(dimensions_of(latest)) and name == latest.name:
        raise Refusal("与当前版本完全相同，无需发布新版本。", "Nothing changed from the current version.")
    row = Instrument(version=latest.version + 1, name=name, dimensions=as_json(dimensions))
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(row)
            await ctx.session.flush()
    except IntegrityError as exc:  # another publication took the number at the same moment
        raise Refusal(
            "量表刚刚被他人发布了新版本，请在最新版本上修改后再发布。",
            "Someone published a new version at the same moment; edit the latest one and publish again.",
            status_code=409,
        ) from exc
    return row
