"""Calls, applications, eligibility and screening: every rule in one place.

Pages, the API and the tests go through here. Queries take the district-bound session
(``ctx.session``): the core adds the district filter; nothing here filters by district by hand.
A refused operation raises :class:`~core.plugin_api.Refusal` (Chinese and English, errors by
field) and writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from core.plugin_api import TIMEZONE, Refusal, format_datetime, localized, notify, organizations, utcnow
from plugins.grants.models import Application, Call, Category, Criterion

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import RequestContext

__all__ = (
    "KINDS",
    "OPEN_FOR_EDIT",
    "CallData",
    "applicant_organizations",
    "application_problems",
    "call_phase",
    "create_call",
    "dashboard_figures",
    "eligibility_problems",
    "get_application",
    "get_call",
    "list_applications",
    "list_calls",
    "parse_yuan",
    "save_application",
    "screen_application",
    "submit_application",
    "update_call",
    "validate_call",
    "yuan",
)

KINDS = ("informal", "filed", "registered")
RANKINGS = ("raw", "normalised")
OPEN_FOR_EDIT = ("draft", "more_info")
STATUSES = ("draft", "submitted", "more_info", "screened", "dismissed")
MAX_FEN = 10**13  # a hundred billion yuan: anything beyond is a typing error


def t(zh: str, en: str) -> str:
    """The message in the current language (Chinese first)."""
    return localized(zh, en)


def yuan(fen: int | None) -> str:
    """Fen as yuan for a form input: ``123450`` → ``"1234.5"``."""
    if fen is None:
        return ""
    value = Decimal(fen) / 100
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"


def parse_yuan(raw: Any, errors: dict[str, str], name: str, *, required: bool = True) -> int | None:
    """Yuan typed in a form (``"20,000.50"``) or fen from the API (an int) → fen, or an error on ``name``."""
    if isinstance(raw, bool):
        errors[name] = t("请输入金额。", "Enter an amount.")
        return None
    if isinstance(raw, int):
        fen = raw
    else:
        text = "" if raw is None else str(raw).strip().replace(",", "").replace("，", "").removesuffix("元")
        if not text:
            if required:
                errors[name] = t("请输入金额。", "Enter an amount.")
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            errors[name] = t("金额格式不对，例如 20000 或 20000.50。", "Enter an amount such as 20000 or 20000.50.")
            return None
        if value != value.quantize(Decimal("0.01")):
            errors[name] = t("金额最多到分（两位小数）。", "At most two decimals (fen).")
            return None
        fen = int(value * 100)
    if fen < 0 or fen > MAX_FEN:
        errors[name] = t("金额必须在 0 到 1000 亿元之间。", "The amount must be between 0 and 100 billion yuan.")
        return None
    return fen


def _int(raw: Any, errors: dict[str, str], name: str, lo: int, hi: int, default: int | None = None) -> int:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if default is not None:
            return default
        errors[name] = t("请填写。", "Required.")
        return lo
    try:
        value = int(str(raw).strip()) if not isinstance(raw, int) or isinstance(raw, bool) else raw
    except ValueError:
        errors[name] = t("请输入整数。", "Enter a whole number.")
        return lo
    if isinstance(raw, bool) or not lo <= value <= hi:
        errors[name] = t(f"请输入 {lo} 到 {hi} 之间的整数。", f"Enter a whole number from {lo} to {hi}.")
        return lo
    return value


def _flag(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    return str(raw or "").strip().lower() in {"1", "true", "on", "yes"}


def _when(raw: Any, errors: dict[str, str], name: str) -> datetime | None:
    if isinstance(raw, datetime):
        value = raw
    else:
        text = "" if raw is None else str(raw).strip()
        if not text:
            errors[name] = t("请填写日期和时间。", "Enter a date and time.")
            return None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            errors[name] = t("日期时间格式如 2026-05-01 09:00。", "Enter a date and time such as 2026-05-01 09:00.")
            return None
    return value if value.tzinfo is not None else value.replace(tzinfo=TIMEZONE)


def _day(raw: Any, errors: dict[str, str], name: str) -> date | None:
    if isinstance(raw, date):
        return raw
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        errors[name] = t("日期格式如 2026-05-01。", "Enter a date such as 2026-05-01.")
        return None


def _text(raw: Any, errors: dict[str, str], name: str, limit: int, *, required: bool) -> str:
    value = raw.strip() if isinstance(raw, str) else ""
    if raw is not None and not isinstance(raw, str):
        errors[name] = t("必须是文字。", "Must be text.")
    elif required and not value:
        errors[name] = t("请填写。", "Required.")
    elif len(value) > limit:
        errors[name] = t(
            f"最多 {limit} 个字（现在 {len(value)} 个）。", f"At most {limit} characters (now {len(value)})."
        )
    return value


# ---------------------------------------------------------------------------------------------- calls


@dataclass
class CategoryData:
    name: str
    budget_fen: int | None = None


@dataclass
class CriterionData:
    name: str
    weight: int = 1
    min_score: int = 0
    max_score: int = 10
    allow_na: bool = False


@dataclass
class CallData:
    """A call's fields after validation."""

    title: str
    description: str
    budget_fen: int
    min_grant_fen: int
    max_grant_fen: int
    own_ratio_pct: int
    allowed_kinds: list[str]
    min_years_active: int
    opens_at: datetime
    closes_at: datetime
    review_by: date | None
    announce_on: date | None
    ranking: str
    blind: bool
    partial_awards: bool
    vote_weight_pct: int
    overspend_pct: int
    reviewers_per_application: int
    screening_items: list[str]
    categories: list[CategoryData] = field(default_factory=list)
    criteria: list[CriterionData] = field(default_factory=list)


def _categories(raw: Any, errors: dict[str, str]) -> list[CategoryData]:
    """A list of ``{"name", "budget_fen"}`` (API) or lines ``name | budget in yuan`` (form)."""
    found: list[CategoryData] = []
    if isinstance(raw, str):
        for number, line in enumerate(raw.splitlines(), 1):
            if not line.strip():
                continue
            name, _, budget = (part.strip() for part in line.partition("|"))
            sub: dict[str, str] = {}
            fen = parse_yuan(budget, sub, "b", required=False)
            if sub or not name or len(name) > 100:
                errors["categories"] = t(
                    f"第 {number} 行：写成“类别名称 | 类别预算（元，可不填）”。",
                    f"Line {number}: write “category name | category budget in yuan (optional)”.",
                )
                return []
            found.append(CategoryData(name, fen))
    elif isinstance(raw, list):
        for item in raw:
            sub = {}
            given = item.get("name") if isinstance(item, dict) else None
            fen = parse_yuan(item.get("budget_fen"), sub, "b", required=False) if isinstance(item, dict) else None
            if not isinstance(given, str) or not given.strip() or len(given) > 100 or sub:
                errors["categories"] = t(
                    "每个类别需要名称，预算以分为单位。", "Each category needs a name; budgets in fen."
                )
                return []
            found.append(CategoryData(given.strip(), fen))
    elif raw is not None:
        errors["categories"] = t("类别格式不对。", "Categories are a list.")
    if len({c.name for c in found}) != len(found):
        errors["categories"] = t("类别名称不能重复。", "Category names must differ.")
    return found


def _criteria(raw: Any, errors: dict[str, str]) -> list[CriterionData]:
    """A list of criterion objects (API) or lines ``name | weight | min-max | 可不适用`` (form)."""
    found: list[CriterionData] = []
    bad_line = t(
        "第 {n} 行：写成“指标 | 权重 | 最低分-最高分 | 可不适用（可不填）”，例如“公益性 | 25 | 0-10”。",
        "Line {n}: write “criterion | weight | min-max | n/a (optional)”, e.g. “Public benefit | 25 | 0-10”.",
    )
    items: list[dict[str, Any]] = []
    if isinstance(raw, str):
        for number, line in enumerate(raw.splitlines(), 1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            low_text, _, high_text = (parts[2] if len(parts) > 2 else "").partition("-")
            if len(parts) < 3 or not low_text or not high_text:
                errors["criteria"] = bad_line.format(n=number)
                return []
            na = len(parts) > 3 and parts[3].lower() in {"可不适用", "n/a", "na", "yes", "是"}
            items.append(
                {
                    "name": parts[0],
                    "weight": parts[1],
                    "min_score": low_text,
                    "max_score": high_text,
                    "allow_na": na,
                    "_line": number,
                }
            )
    elif isinstance(raw, list):
        items = [item if isinstance(item, dict) else {} for item in raw]
    elif raw is not None:
        errors["criteria"] = t("评审指标格式不对。", "Criteria are a list.")
        return []
    for item in items:
        sub: dict[str, str] = {}
        name = _text(item.get("name"), sub, "name", 100, required=True)
        weight = _int(item.get("weight"), sub, "weight", 1, 1000)
        low = _int(item.get("min_score"), sub, "min", 0, 1000)
        high = _int(item.get("max_score"), sub, "max", 0, 1000)
        if sub or high <= low:
            line_no = item.get("_line")
            errors["criteria"] = (
                bad_line.format(n=line_no)
                if line_no
                else t(
                    "每个指标需要名称、权重（≥1）和分数范围（最高分大于最低分）。",
                    "Each criterion needs a name, a weight (≥ 1) and a score range (max above min).",
                )
            )
            return []
        found.append(CriterionData(name, weight, low, high, _flag(item.get("allow_na"))))
    if not found and "criteria" not in errors:
        errors["criteria"] = t("至少需要一个评审指标。", "Add at least one criterion.")
    return found


def _lines(raw: Any) -> list[str]:
    if isinstance(raw, list):
        return [str(x).strip() for x in raw if str(x).strip()][:30]
    return [line.strip() for line in str(raw or "").splitlines() if line.strip()][:30]


def validate_call(raw: Mapping[str, Any]) -> CallData:
    """Check a call's input (form strings or JSON values); raise a refusal naming each wrong field."""
    errors: dict[str, str] = {}
    title = _text(raw.get("title"), errors, "title", 200, required=True)
    description = _text(raw.get("description", ""), errors, "description", 20_000, required=False)
    budget = parse_yuan(raw.get("budget_fen", raw.get("budget")), errors, "budget") or 0
    min_grant = parse_yuan(raw.get("min_grant_fen", raw.get("min_grant")), errors, "min_grant", required=False) or 0
    max_grant = parse_yuan(raw.get("max_grant_fen", raw.get("max_grant")), errors, "max_grant") or 0
    if "max_grant" not in errors and "min_grant" not in errors and max_grant < min_grant:
        errors["max_grant"] = t("单个项目最高资助额不能低于最低额。", "The maximum grant can't be below the minimum.")
    if "budget" not in errors and "max_grant" not in errors and max_grant > budget:
        errors["max_grant"] = t("单个项目最高资助额不能超过总预算。", "The maximum grant can't exceed the budget.")
    own_ratio = _int(raw.get("own_ratio_pct"), errors, "own_ratio_pct", 0, 1000, default=0)
    kinds_raw = raw.get("allowed_kinds")
    kinds = kinds_raw if isinstance(kinds_raw, list) else [k for k in KINDS if _flag(raw.get(f"kind_{k}"))]
    if not kinds or any(k not in KINDS for k in kinds):
        errors["allowed_kinds"] = t("至少选择一种可以申报的组织类型。", "Choose at least one kind of organization.")
    years = _int(raw.get("min_years_active"), errors, "min_years_active", 0, 100, default=0)
    opens_at = _when(raw.get("opens_at"), errors, "opens_at")
    closes_at = _when(raw.get("closes_at"), errors, "closes_at")
    if opens_at and closes_at and closes_at <= opens_at:
        errors["closes_at"] = t("截止时间必须晚于开始时间。", "The closing time must be after the opening time.")
    review_by = _day(raw.get("review_by"), errors, "review_by")
    announce_on = _day(raw.get("announce_on"), errors, "announce_on")
    if review_by and closes_at and review_by < closes_at.astimezone(TIMEZONE).date():
        errors["review_by"] = t("评审截止日不能早于申报截止日。", "Reviews can't be due before the call closes.")
    if announce_on and review_by and announce_on < review_by:
        errors["announce_on"] = t("公布日期不能早于评审截止日。", "The announcement can't come before the reviews.")
    ranking = str(raw.get("ranking") or "normalised")
    if ranking not in RANKINGS:
        errors["ranking"] = t(
            "排名依据只能是原始加权平均分或校准分。", "Rank by the raw weighted mean or the normalised score."
        )
    vote_weight = _int(raw.get("vote_weight_pct"), errors, "vote_weight_pct", 0, 100, default=30)
    overspend = _int(raw.get("overspend_pct"), errors, "overspend_pct", 0, 100, default=10)
    per_app = _int(raw.get("reviewers_per_application"), errors, "reviewers_per_application", 1, 20, default=3)
    categories = _categories(raw.get("categories"), errors)
    if "budget" not in errors and sum(c.budget_fen or 0 for c in categories) > budget:
        errors["categories"] = t("各类别预算之和超过了总预算。", "The category budgets add up to more than the budget.")
    criteria = _criteria(raw.get("criteria"), errors)
    if errors:
        raise Refusal(
            "大赛未保存，请改正标出的内容。", "The call was not saved: correct the marked fields.", errors=errors
        )
    assert opens_at is not None and closes_at is not None
    return CallData(
        title=title,
        description=description,
        budget_fen=budget,
        min_grant_fen=min_grant,
        max_grant_fen=max_grant,
        own_ratio_pct=own_ratio,
        allowed_kinds=list(kinds),
        min_years_active=years,
        opens_at=opens_at,
        closes_at=closes_at,
        review_by=review_by,
        announce_on=announce_on,
        ranking=ranking,
        blind=_flag(raw.get("blind")),
        partial_awards=_flag(raw.get("partial_awards")),
        vote_weight_pct=vote_weight,
        overspend_pct=overspend,
        reviewers_per_application=per_app,
        screening_items=_lines(raw.get("screening_items")),
        categories=categories,
        criteria=criteria,
    )


def _copy(call: Call, data: CallData) -> None:
    for name in (
        "title",
        "description",
        "budget_fen",
        "min_grant_fen",
        "max_grant_fen",
        "own_ratio_pct",
        "allowed_kinds",
        "min_years_active",
        "opens_at",
        "closes_at",
        "review_by",
        "announce_on",
        "ranking",
        "blind",
        "partial_awards",
        "vote_weight_pct",
        "overspend_pct",
        "reviewers_per_application",
        "screening_items",
    ):
        setattr(call, name, getattr(data, name))


async def create_call(session: AsyncSession, data: CallData, *, created_by: int | None) -> Call:
    """Add a call with its categories and criteria."""
    call = Call(created_by=created_by, categories=[], criteria=[])
    _copy(call, data)
    session.add(call)
    await session.flush()
    for i, cat in enumerate(data.categories):
        call.categories.append(Category(call_id=call.id, position=i, name=cat.name, budget_fen=cat.budget_fen))
    for i, cr in enumerate(data.criteria):
        call.criteria.append(
            Criterion(
                call_id=call.id,
                position=i,
                name=cr.name,
                weight=cr.weight,
                min_score=cr.min_score,
                max_score=cr.max_score,
                allow_na=cr.allow_na,
            )
        )
    await session.flush()
    return call


async def update_call(session: AsyncSession, call: Call, data: CallData) -> Call:
    """Change a call. Categories and criteria are matched by name; one in use can't be removed."""
    from plugins.grants.models import Review  # noqa: PLC0415  (only here)

    if call.decided_at is not None and (data.vote_weight_pct, data.ranking) != (call.vote_weight_pct, call.ranking):
        message = t(
            "结果已经公布，评选规则（排名依据和投票权重）不能再改。",
            "The results are announced: the selection rule (ranking and vote weight) can't change.",
        )
        raise Refusal(message, message, status_code=409, errors={"vote_weight_pct": message})
    _copy(call, data)
    used = set(
        (
            await session.execute(
                select(Application.category_id).where(
                    Application.call_id == call.id, Application.category_id.is_not(None)
                )
            )
        ).scalars()
    )
    wanted = {c.name: (i, c) for i, c in enumerate(data.categories)}
    for cat in list(call.categories):
        if cat.name not in wanted:
            if cat.id in used:
                raise Refusal(
                    f"类别“{cat.name}”已有申报，不能删除。",
                    f"Category “{cat.name}” has applications.",
                    errors={
                        "categories": t(
                            f"类别“{cat.name}”已有申报，不能删除。", f"Category “{cat.name}” has applications; keep it."
                        )
                    },
                )
            call.categories.remove(cat)
        else:
            cat.position, cat.budget_fen = wanted[cat.name][0], wanted[cat.name][1].budget_fen
    have = {c.name for c in call.categories}
    for name, (i, cat_data) in wanted.items():
        if name not in have:
            call.categories.append(Category(call_id=call.id, position=i, name=name, budget_fen=cat_data.budget_fen))
    reviewed = (
        await session.execute(
            select(func.count(Review.id))
            .join(Application, Application.id == Review.application_id)
            .where(Application.call_id == call.id)
        )
    ).scalar_one()
    old = [(c.name, c.weight, c.min_score, c.max_score, c.allow_na) for c in call.criteria]
    new = [(c.name, c.weight, c.min_score, c.max_score, c.allow_na) for c in data.criteria]
    if old != new:
        if reviewed:
            raise Refusal(
                "已经有评审意见，评审指标不能再改。",
                "Reviews exist: the criteria can't change any more.",
                errors={
                    "criteria": t(
                        "已经有评审意见，评审指标不能再改。", "Reviews exist: the criteria can't change any more."
                    )
                },
            )
        call.criteria.clear()
        await session.flush()
        for i, cr in enumerate(data.criteria):
            call.criteria.append(
                Criterion(
                    call_id=call.id,
                    position=i,
                    name=cr.name,
                    weight=cr.weight,
                    min_score=cr.min_score,
                    max_score=cr.max_score,
                    allow_na=cr.allow_na,
                )
            )
    await session.flush()
    return call


async def list_calls(session: AsyncSession) -> list[Call]:
    """The district's calls, newest first."""
    return list((await session.execute(select(Call).order_by(Call.opens_at.desc(), Call.id.desc()))).scalars())


async def get_call(session: AsyncSession, call_id: int) -> Call | None:
    """One call of the session's district (``None`` also for another district's id)."""
    return (await session.execute(select(Call).where(Call.id == call_id))).scalar_one_or_none()


def call_phase(call: Call, now: datetime | None = None) -> str:
    """``upcoming``, ``open`` or ``closed`` (for applications)."""
    now = now or utcnow()
    if now < call.opens_at:
        return "upcoming"
    return "open" if now <= call.closes_at else "closed"


# ---------------------------------------------------------------------------------------------- eligibility


def _years_active(org: Any, today: date) -> int | None:
    started = min((d for d in (org.founded_on, org.filed_on, org.registered_on) if d is not None), default=None)
    if started is None:
        return None
    return today.year - started.year - ((today.month, today.day) < (started.month, started.day))


async def eligibility_problems(ctx: RequestContext, call: Call, org: Any) -> list[str]:
    """Why ``org`` may not apply to ``call`` (``[]``: it may): kind, status, years active, standing."""
    problems: list[str] = []
    kind = str(org.kind.value if hasattr(org.kind, "value") else org.kind)
    if kind not in call.allowed_kinds:
        names = {
            "informal": ("未登记的社区社会组织", "an informal group"),
            "filed": ("备案组织", "a filed organization"),
            "registered": ("登记注册的社会组织", "a registered organization"),
        }
        allowed_zh = "、".join(names[k][0] for k in call.allowed_kinds if k in names)
        allowed_en = ", ".join(names[k][1] for k in call.allowed_kinds if k in names)
        problems.append(
            t(
                f"本次大赛只接受：{allowed_zh}；{org.name}是{names[kind][0]}。",
                f"This call accepts only {allowed_en}; {org.name} is {names[kind][1]}.",
            )
        )
    status = str(org.status.value if hasattr(org.status, "value") else org.status)
    if status != "active":
        problems.append(t(f"{org.name}目前不在正常活动状态。", f"{org.name} is not active."))
    if call.min_years_active:
        years = _years_active(org, utcnow().astimezone(TIMEZONE).date())
        if years is None or years < call.min_years_active:
            problems.append(
                t(
                    f"需要成立满 {call.min_years_active} 年"
                    f"（{org.name}：{'未知' if years is None else f'{years} 年'}）。",
                    f"The organization must have been active {call.min_years_active} years "
                    f"({org.name}: {'unknown' if years is None else years}).",
                )
            )
    for standing in await organizations.standing_of(ctx, org):
        if standing.blocks:
            problems.append(
                t(
                    f"{org.name}：{standing.reason_zh}，不能申报。",
                    f"{org.name}: {standing.reason_en}; it may not apply.",
                )
            )
    return problems


async def applicant_organizations(ctx: RequestContext) -> list[Any]:
    """The organizations the user may apply for: those where they are leader or staff."""
    if ctx.user is None or ctx.district is None:
        return []
    return await organizations.organizations_of_user(ctx.session, ctx.district, ctx.user.id, roles=("leader", "staff"))


# ---------------------------------------------------------------------------------------------- applications


async def get_application(session: AsyncSession, application_id: int) -> Application | None:
    """One application of the session's district."""
    query = select(Application).where(Application.id == application_id)
    return (await session.execute(query)).scalar_one_or_none()


async def list_applications(
    session: AsyncSession,
    *,
    call_id: int | None = None,
    organization_ids: list[int] | None = None,
    submitted_only: bool = False,
) -> list[Application]:
    """Applications, oldest first; of one call and/or of some organizations."""
    query = select(Application).order_by(Application.id)
    if call_id is not None:
        query = query.where(Application.call_id == call_id)
    if organization_ids is not None:
        query = query.where(Application.organization_id.in_(organization_ids))
    if submitted_only:
        query = query.where(Application.status != "draft")
    return list((await session.execute(query)).scalars())


APP_FIELDS = ("title", "summary", "beneficiaries", "category_id", "requested", "own_contribution")


def _fmt(when: datetime) -> str:
    return format_datetime(when)


def _refuse_closed(call: Call, now: datetime) -> None:
    if now < call.opens_at:
        raise Refusal(
            f"大赛尚未开始接受申报（{_fmt(call.opens_at)} 开始）。",
            f"The call opens at {_fmt(call.opens_at)}.",
            status_code=409,
        )
    if now > call.closes_at:
        raise Refusal(
            f"申报已于 {_fmt(call.closes_at)} 截止，现在是 {_fmt(now)}，不能再提交。",
            f"The call closed at {_fmt(call.closes_at)}; it is now {_fmt(now)}: too late to submit.",
            status_code=409,
        )


def _app_fields(call: Call, raw: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    values["title"] = _text(raw.get("title"), errors, "title", 200, required=True)
    values["summary"] = _text(raw.get("summary", ""), errors, "summary", 5000, required=False)
    values["beneficiaries"] = _text(raw.get("beneficiaries", ""), errors, "beneficiaries", 2000, required=False)
    category = raw.get("category_id")
    values["category_id"] = None
    if category not in (None, ""):
        ids = {c.id for c in call.categories}
        try:
            values["category_id"] = int(category)
        except (TypeError, ValueError):
            values["category_id"] = -1
        if values["category_id"] not in ids:
            errors["category_id"] = t("请选择本次大赛的一个类别。", "Choose one of the call's categories.")
            values["category_id"] = None
    values["requested_fen"] = (
        parse_yuan(raw.get("requested_fen", raw.get("requested")), errors, "requested", required=False) or 0
    )
    values["own_contribution_fen"] = (
        parse_yuan(
            raw.get("own_contribution_fen", raw.get("own_contribution")), errors, "own_contribution", required=False
        )
        or 0
    )
    return values


def application_problems(call: Call, app: Application) -> dict[str, str]:
    """What keeps a saved application from being submitted, by field (``{}``: complete)."""
    errors: dict[str, str] = {}
    if not app.summary.strip():
        errors["summary"] = t("请填写项目简介。", "Describe the project.")
    if call.categories and app.category_id is None:
        errors["category_id"] = t("请选择类别。", "Choose a category.")
    if app.requested_fen <= 0:
        errors["requested"] = t("请填写申请资助金额。", "Enter the amount requested.")
    elif app.requested_fen < call.min_grant_fen or app.requested_fen > call.max_grant_fen:
        errors["requested"] = t(
            f"申请金额须在 {yuan(call.min_grant_fen)} 元到 {yuan(call.max_grant_fen)} 元之间。",
            f"Request between {yuan(call.min_grant_fen)} and {yuan(call.max_grant_fen)} yuan.",
        )
    needed = -(-app.requested_fen * call.own_ratio_pct // 100)
    if "requested" not in errors and app.own_contribution_fen < needed:
        errors["own_contribution"] = t(
            f"配套资金至少为申请金额的 {call.own_ratio_pct}%，即 {yuan(needed)} 元。",
            f"The own contribution must be at least {call.own_ratio_pct}% of the request: {yuan(needed)} yuan.",
        )
    return errors


async def save_application(
    ctx: RequestContext, call: Call, raw: Mapping[str, Any], *, application: Application | None = None
) -> Application:
    """Create or change a draft (or an application sent back for more information)."""
    assert ctx.user is not None and ctx.district is not None
    now = utcnow()
    errors: dict[str, str] = {}
    if application is None:
        orgs = {o.id: o for o in await applicant_organizations(ctx)}
        try:
            org_id = int(raw.get("organization_id") or 0)
        except (TypeError, ValueError):
            org_id = 0
        org = orgs.get(org_id)
        if org is None:
            errors["organization_id"] = t(
                "请选择你担任负责人或工作人员的组织。", "Choose an organization you lead or work for."
            )
        _refuse_closed(call, now)
    else:
        if application.status not in OPEN_FOR_EDIT:
            raise Refusal(
                "申报已提交，不能再修改。", "The application was submitted; it can't change.", status_code=409
            )
        if application.status == "draft":
            _refuse_closed(call, now)
        await require_applicant(ctx, application)
    values = _app_fields(call, raw, errors)
    if errors:
        raise Refusal(
            "申报未保存，请改正标出的内容。", "The application was not saved: correct the marked fields.", errors=errors
        )
    if application is None:
        assert org is not None
        problems = await eligibility_problems(ctx, call, org)
        if problems:
            raise Refusal("；".join(problems), errors={"organization_id": "；".join(problems)}, status_code=409)
        application = Application(call_id=call.id, organization_id=org.id, created_by=ctx.user.id, status="draft")
        ctx.session.add(application)
    for name, value in values.items():
        setattr(application, name, value)
    await ctx.session.flush()
    return application


async def require_applicant(ctx: RequestContext, application: Application) -> None:
    """Refuse (404) anyone but the applicant organization's leader or staff."""
    from core.plugin_api import NotFound  # noqa: PLC0415

    assert ctx.user is not None and ctx.district is not None
    if not await organizations.is_staff_of(ctx.session, ctx.district, application.organization_id, ctx.user.id):
        raise NotFound("未找到。", "Not found.")


async def submit_application(ctx: RequestContext, application: Application) -> Application:
    """Submit once: refused after the closing time (or the more-information deadline), when incomplete,
    when the organization is no longer eligible, and when it was already submitted."""
    await require_applicant(ctx, application)
    call = await get_call(ctx.session, application.call_id)
    assert call is not None
    now = utcnow()
    if application.status == "draft":
        _refuse_closed(call, now)
    elif application.status == "more_info":
        if application.info_deadline is not None and now > application.info_deadline:
            raise Refusal(
                f"补充材料已于 {_fmt(application.info_deadline)} 截止，现在是 {_fmt(now)}。",
                f"More information was due at {_fmt(application.info_deadline)}; it is now {_fmt(now)}.",
                status_code=409,
            )
    else:
        raise Refusal("这份申报已经提交过了。", "This application was already submitted.", status_code=409)
    errors = application_problems(call, application)
    from plugins.grants.extra import answer_problems  # noqa: PLC0415  (the call's own questions)

    unanswered = await answer_problems(ctx, application, call)
    if unanswered:
        errors["answers"] = localized(
            "请先回答征集的附加问题（标 * 的必答）。",
            "Answer the call's own questions first (those marked * are required).",
        )
    if errors:
        raise Refusal(
            "申报还不完整，请补全标出的内容。", "The application is incomplete: see the marked fields.", errors=errors
        )
    assert ctx.district is not None
    org = await organizations.get_organization(ctx.session, ctx.district, application.organization_id)
    problems = await eligibility_problems(ctx, call, org)
    if problems:
        raise Refusal("；".join(problems), status_code=409)
    # Submitted once: only the request that moves it out of draft wins (two phones at once → one submission).
    moved = await ctx.session.execute(
        update(Application)
        .where(Application.id == application.id, Application.status == application.status)
        .values(status="submitted", submitted_at=now)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise Refusal("这份申报已经提交过了。", "This application was already submitted.", status_code=409)
    await ctx.session.refresh(application)
    return application


# ---------------------------------------------------------------------------------------------- screening


async def screen_application(
    ctx: RequestContext,
    application: Application,
    *,
    decision: str,
    checks: Mapping[str, bool],
    message: str = "",
    deadline: Any = None,
) -> Application:
    """Staff's screening (形式审查): ``pass`` (every item ticked), ``more_info`` (message and deadline)
    or ``dismiss`` (reason the applicant sees). The applicant's creator is notified."""
    call = await get_call(ctx.session, application.call_id)
    assert call is not None
    if application.status != "submitted":
        raise Refusal(
            "只有已提交、待审查的申报可以审查。", "Only submitted applications are screened.", status_code=409
        )
    errors: dict[str, str] = {}
    results = {item: bool(checks.get(item)) for item in call.screening_items}
    message = (message or "").strip()
    if decision == "pass":
        failed = [item for item, ok in results.items() if not ok]
        if failed:
            errors["decision"] = t(
                f"未通过的审查项：{'、'.join(failed)}，不能判为通过。",
                f"Items not passed: {', '.join(failed)}: it can't pass.",
            )
    elif decision == "more_info":
        if not message:
            errors["message"] = t("请写明需要补充什么。", "Say what information is needed.")
        when = _when(deadline, errors, "deadline") if deadline not in (None, "") else None
        if when is None and "deadline" not in errors:
            errors["deadline"] = t("请给出补充材料的截止时间。", "Give a deadline.")
        elif when is not None and when <= utcnow():
            errors["deadline"] = t("截止时间必须在将来。", "The deadline must be in the future.")
    elif decision == "dismiss":
        if not message:
            errors["message"] = t(
                "请写明不予受理的理由（申报组织会看到）。", "Give the reason (the applicant sees it)."
            )
    else:
        errors["decision"] = t("请选择审查结论。", "Choose a decision.")
    if errors:
        raise Refusal(
            "审查结论未保存，请改正标出的内容。", "The screening was not saved: see the marked fields.", errors=errors
        )
    application.screening = results
    if decision == "pass":
        application.status = "screened"
    elif decision == "more_info":
        application.status = "more_info"
        application.info_message = message
        application.info_deadline = when
    else:
        application.status = "dismissed"
        application.dismissal_reason = message
    await ctx.session.flush()
    assert ctx.district is not None
    await notify(
        ctx.session,
        [application.created_by],
        {"pass": "grants.passed", "more_info": "grants.more_info", "dismiss": "grants.dismissed"}[decision],
        {"title": application.title, "decision": decision, "message": message},
        link=f"/d/{ctx.district.code}/grants/applications/{application.id}",
    )
    return application


async def dashboard_figures(session: AsyncSession) -> dict[str, int]:
    """The district's totals: applications submitted, projects funded, money committed and paid (fen)."""
    from plugins.grants.models import Tranche  # noqa: PLC0415

    grouped = select(Application.status, func.count(Application.id)).group_by(Application.status)
    counts: dict[str, int] = {row[0]: row[1] for row in (await session.execute(grouped)).all()}
    committed = (await session.execute(select(func.coalesce(func.sum(Application.award_fen), 0)))).scalar_one()
    paid = (
        await session.execute(
            select(func.coalesce(func.sum(Tranche.amount_fen), 0)).where(
                Tranche.released_at.is_not(None), Tranche.reversed_at.is_(None)
            )
        )
    ).scalar_one()
    return {
        "submitted": sum(n for status, n in counts.items() if status != "draft"),
        "funded": counts.get("approved", 0) + counts.get("closed", 0),
        "committed": int(committed or 0),
        "paid": int(paid or 0),
        "to_screen": counts.get("submitted", 0),
    }


def deadline_default(now: datetime | None = None) -> datetime:
    """Seven days from now, a default for "more information by"."""
    return (now or utcnow()) + timedelta(days=7)
