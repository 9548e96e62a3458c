"""The star rating's rules: who may rate which delivery, follow-ups, appeals, rankings, standings.

The pages, the JSON API, the CLI, the demo seed and the tests all go through here, so each
rule is written once. Queries take the district-bound ``ctx.session``: the core adds the
district filter. A refused operation raises :class:`~core.plugin_api.Refusal` (Chinese and
English) and writes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Float, case, cast, func, select
from sqlalchemy.exc import IntegrityError

from core.plugin_api import (
    TIMEZONE,
    Forbidden,
    NotFound,
    OrgUnit,
    Refusal,
    deliveries,
    notify,
    organizations,
    plugin_settings,
    utcnow,
    workdays,
)
from core.plugin_api import gettext as _
from plugins.rating.manifest import DEFAULTS, KEY
from plugins.rating.models import CHANNELS, Appeal, FollowUp, Grade, Rating, StandingStep
from plugins.rating.models_grades import GradeObjection
from plugins.rating.models_process import PeriodEvaluation

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District, PluginHost, RequestContext

__all__ = (
    "COMMENT_MAX",
    "GROUNDS",
    "Period",
    "RankRow",
    "answer_follow_up",
    "bayesian",
    "communities",
    "community_by_code",
    "decide_appeal",
    "decide_standing_appeal",
    "evaluate_period",
    "file_appeal",
    "file_standing_appeal",
    "ranking",
    "ranking_in",
    "record_delivery",
    "record_delivery_from_form",
    "settings_in",
    "settings_of",
    "standing_for",
    "submit_rating",
    "token_for",
    "wilson_lower_bound",
)

COMMENT_MAX = 500
TEXT_MAX = 2000
GROUNDS = ("malicious", "not_our_service", "mistaken", "other")
Z = 1.96  # 95 % Wilson interval


# -- settings -----------------------------------------------------------------------------


async def settings_of(ctx: RequestContext) -> dict[str, Any]:
    """The district's settings with the defaults filled in."""
    assert ctx.district is not None
    return await settings_in(ctx.session, ctx.district, ctx.host)


async def settings_in(session: AsyncSession, district: District, host: PluginHost) -> dict[str, Any]:
    """A district's settings with the defaults filled in (without a request: the CLI)."""
    saved = await plugin_settings(session, district, host, KEY)
    return {**DEFAULTS, **{k: v for k, v in saved.items() if v is not None}}


def dimensions_of(settings: Mapping[str, Any]) -> list[str]:
    """The configured dimensions (服务态度, 及时性, 服务效果 …), in order, without blanks or repeats."""
    seen: list[str] = []
    for raw in str(settings.get("dimensions", "")).replace("，", ",").split(","):
        name = raw.strip()[:20]
        if name and name not in seen:
            seen.append(name)
    return seen[:6]


# -- the signed link -----------------------------------------------------------------------


def _signature(secret: str, district_id: int, delivery_id: int) -> str:
    body = f"rating:{district_id}:{delivery_id}"
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()[:24]


def token_for(ctx: RequestContext, delivery_id: int) -> str:
    """The one-time link token of a delivery: its id and a signature bound to it and to the district.

    It rates that delivery only (the signature covers the id) and only once (one rating
    per delivery); it needs no table.
    """
    assert ctx.district is not None
    return f"{delivery_id}-{_signature(ctx.settings.secret_key, ctx.district.id, delivery_id)}"


async def delivery_for_token(ctx: RequestContext, token: str) -> deliveries.ServiceDelivery:
    """The delivery a token was made for, or NotFound (a forged, altered or foreign token)."""
    assert ctx.district is not None
    head, _, signature = token.partition("-")
    if not head.isdigit() or len(head) > 18:
        raise NotFound("评价链接无效", "This rating link is not valid")
    expected = _signature(ctx.settings.secret_key, ctx.district.id, int(head))
    if not hmac.compare_digest(expected, signature):
        raise NotFound("评价链接无效", "This rating link is not valid")
    return await deliveries.get_delivery(ctx.session, int(head))


# -- deliveries recorded by hand ---------------------------------------------------------------


async def record_delivery(
    ctx: RequestContext,
    *,
    organization_id: int,
    resident_id: int | None,
    user_id: int | None = None,
    title: str,
    delivered_at: datetime,
    kind: str = "manual",
) -> deliveries.ServiceDelivery:
    """Staff record (and verify) a delivery by hand: a paper sign-in sheet, a visit they saw."""
    assert ctx.user is not None
    title = title.strip()
    if not title:
        raise Refusal("请填写服务内容", "Say what the service was", errors={"title": "请填写服务内容"})
    if delivered_at > utcnow() + timedelta(minutes=5):
        raise Refusal(
            "服务时间不能晚于现在",
            "The service cannot be in the future",
            errors={"delivered_at": "服务时间不能晚于现在"},
        )
    reference = f"rating:manual:{ctx.user.id}:{int(utcnow().timestamp() * 1_000_000)}"
    return await deliveries.record(
        ctx,
        organization_id=organization_id,
        resident_id=resident_id,
        user_id=user_id,
        kind=kind,
        reference=reference,
        delivered_at=delivered_at,
        verified_by=ctx.user.id,
        title=title,
        source="manual",
    )


async def record_delivery_from_form(ctx: RequestContext, data: Mapping[str, str]) -> deliveries.ServiceDelivery:
    """Staff's hand-recorded delivery as the page and the CLI take it: text fields, every error at once.

    ``organization_id`` (or ``organization``: an id or the organization's exact name), the
    resident's ``phone`` (and ``resident_name`` when several share it) in the residents
    registry, ``title`` and ``delivered_at`` (local time, ``2026-12-01T09:30``). A Refusal with
    an error per field; nothing is written.
    """
    from core.plugin_api import residents  # noqa: PLC0415

    errors: dict[str, str] = {}
    people = await residents.find_people_by_phone(ctx.session, data.get("phone", ""))
    name = data.get("resident_name", "").strip()
    matches = [p for p in people if not name or p.name == name]
    if not matches:
        errors["phone"] = _("No resident with this phone (and name) in the district.")
    raw = (data.get("organization_id") or data.get("organization") or "").strip()
    org_id = int(raw) if raw.isdigit() and len(raw) < 19 else None
    if org_id is None and raw:
        org = organizations.Organization
        org_id = (await ctx.session.execute(select(org.id).where(org.name == raw))).scalar_one_or_none()
    if org_id is None:
        errors["organization_id"] = _("Choose the organization.")
    try:
        when = datetime.fromisoformat(data.get("delivered_at", "").strip()).replace(tzinfo=TIMEZONE)
    except ValueError:
        when = utcnow()
        errors["delivered_at"] = _("Enter the date and time of the service.")
    if not data.get("title", "").strip():
        errors["title"] = "请填写服务内容"
    if errors:
        raise Refusal("请更正标出的项目", "Please correct the marked fields", errors=errors)
    assert org_id is not None
    return await record_delivery(
        ctx, organization_id=org_id, resident_id=matches[0].id, title=data.get("title", ""), delivered_at=when
    )


# -- ratings ---------------------------------------------------------------------------------


def _stars(value: Any, field: str, *, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            raise Refusal("请选择 1 到 5 颗星", "Choose 1 to 5 stars", errors={field: "请选择 1 到 5 颗星"})
        return None
    try:
        stars = int(str(value))
    except ValueError:
        stars = 0
    if not 1 <= stars <= 5:
        raise Refusal("星级只能是 1 到 5", "Stars must be 1 to 5", errors={field: "星级只能是 1 到 5"})
    return stars


async def _conflict(ctx: RequestContext, organization_id: int, user_id: int | None) -> bool:
    """Whether the login is staff or a member of the organization (they may not rate it)."""
    assert ctx.district is not None
    if user_id is None:
        return False
    return await organizations.is_member(ctx.session, ctx.district, organization_id, user_id)


async def submit_rating(
    ctx: RequestContext,
    delivery: deliveries.ServiceDelivery,
    *,
    stars: Any,
    dimensions: Mapping[str, Any] | None = None,
    comment: str = "",
    channel: str,
    rater_relation: str = "self",
    rater_name: str = "",
    now: datetime | None = None,
) -> Rating:
    """Record the one rating of ``delivery``; refuse anything the rules forbid (nothing written then).

    ``channel``: ``link`` (the signed link, perhaps anonymous), ``own_page`` (the resident
    logged in), ``paper`` / ``phone_survey`` (staff entering what the resident said; the
    staff member is recorded as ``entered_by``). The rater is the person served or a family
    member they named, never staff or a member of the rated organization.
    """
    assert ctx.district is not None
    now = now or utcnow()
    settings = await settings_of(ctx)
    if channel not in CHANNELS:
        raise Refusal("评价渠道无效", "Unknown channel", errors={"channel": "评价渠道无效"})
    if not delivery.is_rateable:
        if delivery.status == "cancelled":
            raise Refusal("这次服务已取消，不能评价", "This service was cancelled: it cannot be rated", status_code=409)
        raise Refusal(
            "这次服务尚未核实，暂不能评价", "This service is not verified yet: it cannot be rated", status_code=409
        )
    window = int(settings["window_days"])
    if now - delivery.delivered_at > timedelta(days=window):
        raise Refusal(
            f"已超过评价期限（服务后 {window} 天内）",
            f"Too late: ratings are accepted for {window} days after the service",
            status_code=409,
        )
    resident = (await deliveries.residents_of(ctx.session, [delivery]))[delivery.id]
    entered_by: int | None = None
    rater_user: int | None = None
    if channel in ("paper", "phone_survey"):
        if ctx.user is None or not ctx.can(KEY, "manage"):
            raise Forbidden("只有工作人员可以录入纸质或电话回访评价", "Only staff enter paper or phone ratings")
        if await _conflict(ctx, delivery.organization_id, ctx.user.id):
            raise Forbidden(
                "被评价组织的工作人员不能录入对本组织的评价", "Staff of the rated organization cannot enter it"
            )
        entered_by = ctx.user.id
        rater_user = resident.user_id
    elif channel == "own_page":
        if ctx.user is None or resident.user_id != ctx.user.id:
            raise Forbidden("只有接受服务的居民本人可以评价", "Only the resident who was served may rate it")
        rater_user = ctx.user.id
    else:  # link: whoever holds it, unless they are logged in as staff/member of the organization
        rater_user = ctx.user.id if ctx.user is not None else resident.user_id
        if ctx.user is not None and await _conflict(ctx, delivery.organization_id, ctx.user.id):
            raise Forbidden("不能评价本组织提供的服务", "You cannot rate a service of your own organization")
    if await _conflict(ctx, delivery.organization_id, resident.user_id) or await _conflict(
        ctx, delivery.organization_id, rater_user
    ):
        raise Forbidden("不能评价本组织提供的服务", "You cannot rate a service of your own organization")
    if rater_relation not in ("self", "family"):
        raise Refusal("请说明评价人是谁", "Say who is rating", errors={"rater_relation": "请说明评价人是谁"})
    name = rater_name.strip()[:50]
    if rater_relation == "family" and not name:
        raise Refusal(
            "家属代评请填写家属姓名",
            "A family member rating must give their name",
            errors={"rater_name": "家属代评请填写家属姓名"},
        )
    overall = _stars(stars, "stars", required=True)
    assert overall is not None
    dims: dict[str, int] = {}
    given = dict(dimensions or {})
    for dim in dimensions_of(settings):
        value = _stars(given.get(dim), f"dim:{dim}", required=False)
        if value is not None:
            dims[dim] = value
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise Refusal(
            f"评价内容最多 {COMMENT_MAX} 字",
            f"The comment is at most {COMMENT_MAX} characters",
            errors={"comment": "太长"},
        )
    rating = Rating(
        district_id=ctx.district.id,
        delivery_id=delivery.id,
        organization_id=delivery.organization_id,
        stars=overall,
        dimensions=dims,
        comment=comment,
        channel=channel,
        rater_name=name if rater_relation == "family" else resident.name,
        rater_relation=rater_relation,
        rater_user_id=rater_user,
        entered_by_id=entered_by,
        submitted_at=now,
    )
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(rating)
            await ctx.session.flush()
    except IntegrityError:
        raise Refusal(
            "这次服务已经评价过了（一次一评）", "This service has already been rated", status_code=409
        ) from None
    if overall <= 2:
        await _open_follow_up(ctx, rating, int(settings["follow_up_working_days"]))
    return rating


async def _open_follow_up(ctx: RequestContext, rating: Rating, working_days: int) -> FollowUp:
    assert ctx.district is not None
    today = rating.submitted_at.astimezone(TIMEZONE).date()
    due = await workdays.add_working_days(ctx.session, ctx.district, today, working_days)
    assert isinstance(due, date)
    follow_up = FollowUp(
        district_id=ctx.district.id, rating_id=rating.id, organization_id=rating.organization_id, due_on=due
    )
    ctx.session.add(follow_up)
    await ctx.session.flush()
    org = await organizations.get_organization(ctx.session, ctx.district, rating.organization_id)
    recipients = await organizations.staff_ids(ctx.session, ctx.district, org.id)
    if org.hub_id is not None:
        recipients += await organizations.staff_ids(ctx.session, ctx.district, org.hub_id)
    await notify(
        ctx.session,
        recipients,
        "rating.follow_up",
        {"organization": org.name, "stars": rating.stars, "due": due.isoformat()},
        ctx.url(f"/rating/follow-ups/{follow_up.id}"),
    )
    return follow_up


async def get_rating(session: AsyncSession, rating_id: int) -> Rating:
    found = (await session.execute(select(Rating).where(Rating.id == rating_id))).scalar_one_or_none()
    if found is None:
        raise NotFound("没有这条评价", "No such rating")
    return found


async def rating_for_delivery(session: AsyncSession, delivery_id: int) -> Rating | None:
    return (await session.execute(select(Rating).where(Rating.delivery_id == delivery_id))).scalar_one_or_none()


# -- follow-ups --------------------------------------------------------------------------------


async def may_respond(ctx: RequestContext, organization_id: int) -> bool:
    """Staff of the organization (or of its hub) and the district's managers answer for it."""
    assert ctx.district is not None
    if ctx.user is None:
        return False
    if ctx.can(KEY, "manage"):
        return True
    if await organizations.is_staff_of(ctx.session, ctx.district, organization_id, ctx.user.id):
        return True
    hub = await organizations.hub_of(ctx.session, ctx.district, organization_id)
    return hub is not None and await organizations.is_staff_of(ctx.session, ctx.district, hub.id, ctx.user.id)


async def get_follow_up(session: AsyncSession, follow_up_id: int) -> FollowUp:
    found = (await session.execute(select(FollowUp).where(FollowUp.id == follow_up_id))).scalar_one_or_none()
    if found is None:
        raise NotFound("没有这条回访", "No such follow-up")
    return found


async def answer_follow_up(
    ctx: RequestContext, follow_up: FollowUp, *, contact_note: str, action_taken: str, resident_response: str
) -> FollowUp:
    """The organization (or supervising staff) records the contact, what was done and the resident's response."""
    assert ctx.user is not None
    if not await may_respond(ctx, follow_up.organization_id):
        raise Forbidden("只有该组织或督导人员可以回访", "Only the organization or its supervisors follow this up")
    if follow_up.status != "open":
        raise Refusal("这条回访已经答复过了", "This follow-up has already been answered", status_code=409)
    errors = {}
    texts = {"contact_note": contact_note, "action_taken": action_taken, "resident_response": resident_response}
    for field, text in texts.items():
        if not text.strip():
            errors[field] = "请填写"
        elif len(text) > TEXT_MAX:
            errors[field] = f"最多 {TEXT_MAX} 字"
    if errors:
        raise Refusal(
            "请填写联系情况、整改措施和居民反馈", "Fill in the contact, the action and the response", errors=errors
        )
    follow_up.contact_note = contact_note.strip()
    follow_up.action_taken = action_taken.strip()
    follow_up.resident_response = resident_response.strip()
    follow_up.status = "answered"
    follow_up.answered_by_id = ctx.user.id
    follow_up.answered_at = utcnow()
    await ctx.session.flush()
    return follow_up


def local_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(TIMEZONE).date()


async def follow_ups(
    session: AsyncSession,
    *,
    organization_id: int | None = None,
    only_open: bool = False,
    overdue_on: date | None = None,
    rating_id: int | None = None,
) -> list[FollowUp]:
    """Follow-ups, the soonest due first (``overdue_on``: only open ones due before that day)."""
    query = select(FollowUp).order_by(FollowUp.due_on, FollowUp.id)
    if rating_id is not None:
        query = query.where(FollowUp.rating_id == rating_id)
    if organization_id is not None:
        query = query.where(FollowUp.organization_id == organization_id)
    if only_open or overdue_on is not None:
        query = query.where(FollowUp.status == "open")
    if overdue_on is not None:
        query = query.where(FollowUp.due_on < overdue_on)
    return list((await session.execute(query)).scalars())


# -- appeals against a rating ------------------------------------------------------------------


async def file_appeal(ctx: RequestContext, rating: Rating, *, grounds: str, reason: str, evidence: str = "") -> Appeal:
    """The rated organization appeals a rating (one appeal per rating)."""
    assert ctx.district is not None
    assert ctx.user is not None
    if not await may_respond(ctx, rating.organization_id):
        raise Forbidden("只有被评价的组织可以申诉", "Only the rated organization may appeal")
    if rating.status != "valid":
        raise Refusal("这条评价已作废", "This rating is already void", status_code=409)
    if grounds not in GROUNDS:
        raise Refusal("请选择申诉理由", "Choose the grounds", errors={"grounds": "请选择申诉理由"})
    if not reason.strip() or len(reason) > TEXT_MAX:
        raise Refusal("请说明申诉理由", "Explain the appeal", errors={"reason": "请说明申诉理由"})
    appeal = Appeal(
        district_id=ctx.district.id,
        rating_id=rating.id,
        organization_id=rating.organization_id,
        grounds=grounds,
        reason=reason.strip(),
        evidence=evidence.strip()[:TEXT_MAX],
        filed_by_id=ctx.user.id,
    )
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(appeal)
            await ctx.session.flush()
    except IntegrityError:
        raise Refusal("这条评价已经申诉过了", "This rating has already been appealed", status_code=409) from None
    return appeal


async def get_appeal(session: AsyncSession, appeal_id: int) -> Appeal:
    found = (await session.execute(select(Appeal).where(Appeal.id == appeal_id))).scalar_one_or_none()
    if found is None:
        raise NotFound("没有这条申诉", "No such appeal")
    return found


async def decide_appeal(ctx: RequestContext, appeal: Appeal, *, uphold: bool, reason: str) -> Appeal:
    """Staff decide: upheld voids the rating (kept, with the decision and reason; out of every score)."""
    assert ctx.user is not None
    if not ctx.can(KEY, "manage"):
        raise Forbidden("只有工作人员可以裁决申诉", "Only staff decide appeals")
    if await _conflict(ctx, appeal.organization_id, ctx.user.id):
        raise Forbidden("不能裁决本组织的申诉", "You cannot decide your own organization's appeal")
    if appeal.status != "pending":
        raise Refusal("这条申诉已经裁决过了", "This appeal has already been decided", status_code=409)
    if not reason.strip() or len(reason) > TEXT_MAX:
        raise Refusal("请写明裁决理由", "Give the reason for the decision", errors={"reason": "请写明裁决理由"})
    now = utcnow()
    appeal.status = "upheld" if uphold else "rejected"
    appeal.decision_reason = reason.strip()
    appeal.decided_by_id = ctx.user.id
    appeal.decided_at = now
    if uphold:
        rating = await get_rating(ctx.session, appeal.rating_id)
        rating.status = "voided"
        rating.void_reason = reason.strip()
        rating.voided_by_id = ctx.user.id
        rating.voided_at = now
    await ctx.session.flush()
    return appeal


async def appeals(
    session: AsyncSession, *, organization_id: int | None = None, status: str | None = None
) -> list[Appeal]:
    query = select(Appeal).order_by(Appeal.created_at.desc(), Appeal.id.desc())
    if organization_id is not None:
        query = query.where(Appeal.organization_id == organization_id)
    if status is not None:
        query = query.where(Appeal.status == status)
    return list((await session.execute(query)).scalars())


# -- periods and rankings ----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A quarter (``2026Q3``) or a year (``2026``), as local (Asia/Shanghai) days."""

    key: str
    start: date
    end: date  # exclusive

    @classmethod
    def parse(cls, key: str) -> Period:
        text = key.strip().upper()
        try:
            if "Q" in text:
                year_text, quarter_text = text.split("Q", 1)
                year, quarter = int(year_text), int(quarter_text)
                if not 1 <= quarter <= 4:
                    raise ValueError(text)
                start = date(year, 3 * quarter - 2, 1)
                end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
            else:
                year = int(text)
                start, end = date(year, 1, 1), date(year + 1, 1, 1)
        except ValueError:
            raise Refusal(
                "期次格式应为 2026Q3 或 2026", "A period looks like 2026Q3 or 2026", errors={"period": "期次无效"}
            ) from None
        if not 2000 <= start.year <= 2100:
            raise Refusal("期次超出范围", "Period out of range", errors={"period": "期次无效"})
        return cls(text, start, end)

    @classmethod
    def of(cls, day: date) -> Period:
        return cls.parse(f"{day.year}Q{(day.month - 1) // 3 + 1}")

    @property
    def previous(self) -> Period:
        if "Q" in self.key:
            return Period.of(self.start - timedelta(days=1))
        return Period.parse(str(self.start.year - 1))

    def label(self, locale: str) -> str:
        if "Q" in self.key:
            year, quarter = self.key.split("Q")
            return f"{year} Q{quarter}" if locale == "en" else f"{year} 年第 {quarter} 季度"
        return self.key if locale == "en" else f"{self.key} 年"

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as UTC instants (local midnight to local midnight)."""
        return (
            datetime.combine(self.start, time(), TIMEZONE).astimezone(UTC),
            datetime.combine(self.end, time(), TIMEZONE).astimezone(UTC),
        )


def bayesian(count: int, mean: float, prior_weight: float, prior_mean: float) -> float:
    """(v·R + m·C) / (v + m): the mean pulled towards C while there are few ratings."""
    if count + prior_weight == 0:
        return 0.0
    return (count * mean + prior_weight * prior_mean) / (count + prior_weight)


def wilson_lower_bound(positive: int, count: int, z: float = Z) -> float:
    """Lower bound of the Wilson score interval of the share ``positive / count`` (0 when nothing rated)."""
    if count == 0:
        return 0.0
    p = positive / count
    return (p + z * z / (2 * count) - z * ((p * (1 - p) + z * z / (4 * count)) / count) ** 0.5) / (1 + z * z / count)


@dataclass(frozen=True)
class RankRow:
    """One organization's figures for a period; ``rank`` is None below the minimum count."""

    organization_id: int
    name: str
    count: int
    mean: float
    bayesian: float
    wilson: float
    positive: int
    rank: int | None

    @property
    def insufficient(self) -> bool:
        return self.rank is None


async def prior_mean_of(session: AsyncSession, period: Period) -> float:
    """C: the mean of every valid rating of the period, all organizations together (0 when none)."""
    start, end = period.bounds()
    query = select(func.avg(cast(Rating.stars, Float))).where(
        Rating.status == "valid", Rating.submitted_at >= start, Rating.submitted_at < end
    )
    return float((await session.execute(query)).scalar_one() or 0.0)


async def ranking(
    session: AsyncSession,
    period: Period,
    *,
    prior_weight: float,
    prior_mean: float | None = None,
    min_ratings: int,
    field: str | None = None,
    places: set[int] | None = None,
) -> list[RankRow]:
    """Every rated organization of the period, best first: count, mean, Bayesian average, Wilson bound.

    One SQL aggregate over the period's valid ratings (voided ones are out); the Bayesian
    average and the Wilson lower bound of the 4–5-star share are computed in the same
    query and it is ordered there. ``prior_mean`` None: C is the period's mean. Organizations
    with fewer than ``min_ratings`` come last, unranked ("insufficient ratings"). ``places``
    (org unit ids, see :func:`places_of`) keeps the organizations serving a community; C stays
    the whole district's, so a community's figures compare with everyone's.
    """
    c = await prior_mean_of(session, period) if not prior_mean else float(prior_mean)
    start, end = period.bounds()
    m = float(prior_weight)
    # The aggregate once per organization (count, stars summed, 4–5-star count) in a subquery; the
    # scores from its columns outside, so each aggregate is computed once over the period's ratings
    # (an aggregate repeated with its own bound literals would be computed again per occurrence).
    counted = (
        select(
            Rating.organization_id.label("organization_id"),
            func.count(Rating.id).label("n"),
            cast(func.sum(Rating.stars), Float).label("total"),
            cast(func.sum(case((Rating.stars >= 4, 1), else_=0)), Float).label("positive"),
        )
        .where(Rating.status == "valid", Rating.submitted_at >= start, Rating.submitted_at < end)
        .group_by(Rating.organization_id)
        .subquery("counted")
    )
    n, total, positive = counted.c.n, counted.c.total, counted.c.positive
    nf = cast(n, Float)
    p = positive / nf
    bayes = (total + m * c) / (nf + m)
    wilson = (p + Z * Z / (2 * nf) - Z * func.sqrt((p * (1 - p) + Z * Z / (4 * nf)) / nf)) / (1 + Z * Z / nf)
    org = organizations.Organization
    query = (
        select(
            counted.c.organization_id,
            org.name,
            n.label("n"),
            (total / nf).label("mean"),
            bayes.label("bayes"),
            wilson.label("wilson"),
            positive.label("positive"),
        )
        .join(org, org.id == counted.c.organization_id)
        .order_by((n >= min_ratings).desc(), bayes.desc(), wilson.desc(), org.name)
    )
    if field:
        query = query.where(org.fields.any(field=field))
    if places is not None:
        query = query.where(organizations.serves_any(places))
    rows: list[RankRow] = []
    rank = 0
    for row in (await session.execute(query)).all():
        eligible = int(row.n) >= min_ratings
        if eligible:
            rank += 1
        rows.append(
            RankRow(
                organization_id=int(row.organization_id),
                name=row.name,
                count=int(row.n),
                mean=round(float(row.mean), 2),
                bayesian=round(float(row.bayes), 2),
                wilson=round(float(row.wilson), 3),
                positive=int(row.positive),
                rank=rank if eligible else None,
            )
        )
    return rows


async def ranking_for(
    ctx: RequestContext, period: Period, field: str | None = None, community: OrgUnit | None = None
) -> list[RankRow]:
    """The period's ranking with the district's settings (of the organizations serving ``community``, if given)."""
    assert ctx.district is not None
    return await ranking_in(ctx.session, ctx.district, ctx.host, period, field=field, community=community)


async def ranking_in(
    session: AsyncSession,
    district: District,
    host: PluginHost,
    period: Period,
    *,
    field: str | None = None,
    community: OrgUnit | None = None,
) -> list[RankRow]:
    """:func:`ranking_for` without a request (the CLI): the district's settings, its places."""
    settings = await settings_in(session, district, host)
    places = await organizations.places_around(session, district, community.id) if community is not None else None
    return await ranking(
        session,
        period,
        prior_weight=float(settings["prior_weight"]),
        prior_mean=float(settings["prior_mean"]) or None,
        min_ratings=int(settings["min_ratings"]),
        field=field,
        places=places,
    )


COMMUNITY_KINDS = ("street", "community")


async def communities(session: AsyncSession) -> list[OrgUnit]:
    """The district's streets and communities, the places a ranking can be narrowed to (streets first)."""
    query = select(OrgUnit).where(OrgUnit.kind.in_(COMMUNITY_KINDS)).order_by(OrgUnit.kind.desc(), OrgUnit.code)
    return list((await session.execute(query)).scalars())


async def community_by_code(session: AsyncSession, code: str) -> OrgUnit:
    """The district's street or community with this code, or NotFound (the message lists none: codes are short)."""
    query = select(OrgUnit).where(OrgUnit.code == code.strip(), OrgUnit.kind.in_(COMMUNITY_KINDS))
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound(
            f"本区没有代码为 {code.strip()!r} 的街道或社区",
            f"No street or community with the code {code.strip()!r} in the district",
            errors={"community": "没有这个街道或社区"},
        )
    return found


async def places_of(ctx: RequestContext, community: OrgUnit) -> set[int]:
    """The org units whose organizations serve ``community``: it, the units inside it and the street it lies in."""
    assert ctx.district is not None
    return await organizations.places_around(ctx.session, ctx.district, community.id)


def _share(rows: list[RankRow], percent: int) -> int:
    """How many organizations a percentage covers (at least one when there are any and percent > 0)."""
    if not rows or percent <= 0:
        return 0
    return max(1, len(rows) * percent // 100)


# -- probation, removal, honours -------------------------------------------------------------


async def evaluate_period(ctx: RequestContext, period: Period, *, today: date | None = None) -> list[StandingStep]:
    """Apply the district's rules to a finished period; return the new steps (idempotent per period).

    Only organizations with enough ratings are ranked. In the bottom share this period and
    the one before → probation; in the bottom share again while on probation → removed
    from the roster; in the top share → honoured. Each step is notified and takes effect
    after the appeal window. The evaluation is recorded (``rating_period_evaluation``).
    """
    assert ctx.district is not None
    return await evaluate_in(
        ctx.session, ctx.district, ctx.host, period, today=today, by_id=ctx.user.id if ctx.user else None
    )


async def evaluate_in(
    session: AsyncSession,
    district: District,
    host: PluginHost,
    period: Period,
    *,
    today: date | None = None,
    by_id: int | None = None,
    source: str = "staff",
) -> list[StandingStep]:
    """:func:`evaluate_period` without a request (the scheduled job): the session bound to ``district``."""
    settings = await settings_in(session, district, host)
    today = today or local_today()
    effective = today + timedelta(days=int(settings["appeal_days"]))
    current = [r for r in await ranking_in(session, district, host, period) if r.rank is not None]
    before = [r for r in await ranking_in(session, district, host, period.previous) if r.rank is not None]
    bottom_now = {r.organization_id for r in current[len(current) - _share(current, int(settings["bottom_percent"])) :]}
    bottom_before = {r.organization_id for r in before[len(before) - _share(before, int(settings["bottom_percent"])) :]}
    top_now = {r.organization_id for r in current[: _share(current, int(settings["top_percent"]))]} - bottom_now
    existing = {
        (s.organization_id, s.status)
        for s in (await session.execute(select(StandingStep).where(StandingStep.period == period.key))).scalars()
    }
    made: list[StandingStep] = []
    for org_id in sorted(bottom_now | top_now):
        if org_id in top_now:
            status, reason = "honoured", "本期星级评价前列"
        else:
            standing = await standing_in(session, org_id, today=today)
            if standing is not None and standing.status == "probation":
                status, reason = "removed", "观察期内再次末位"
            elif org_id in bottom_before:
                status, reason = "probation", "连续两期星级评价末位"
            else:
                continue
        if (org_id, status) in existing:
            continue
        step = StandingStep(
            district_id=district.id,
            organization_id=org_id,
            period=period.key,
            status=status,
            decided_on=today,
            effective_on=today if status == "honoured" else effective,
            reason=reason,
        )
        session.add(step)
        made.append(step)
    record = (
        await session.execute(select(PeriodEvaluation).where(PeriodEvaluation.period == period.key))
    ).scalar_one_or_none()
    if record is None:
        session.add(
            PeriodEvaluation(
                district_id=district.id,
                period=period.key,
                evaluated_on=today,
                source=source,
                by_id=by_id,
                steps=len(made),
            )
        )
    else:
        record.steps += len(made)
    await session.flush()
    for step in made:
        org = await organizations.get_organization(session, district, step.organization_id)
        await notify(
            session,
            await organizations.staff_ids(session, district, org.id),
            f"rating.{step.status}",
            {"organization": org.name, "period": period.key, "effective": step.effective_on.isoformat()},
            f"/d/{district.code}/rating/organizations/{org.id}",
            district_id=district.id,
        )
    return made


async def period_evaluated(session: AsyncSession, period: Period) -> bool:
    """Whether the period's rankings were already turned into steps (by the job or by staff)."""
    query = select(PeriodEvaluation.id).where(PeriodEvaluation.period == period.key)
    return (await session.execute(query)).first() is not None


async def standing_for(ctx: RequestContext, organization_id: int, *, today: date | None = None) -> StandingStep | None:
    """The organization's probation or removal in force today: the latest one past its appeal window,
    not appealed or appealed and rejected (a pending appeal holds it back; an upheld one withdraws it)."""
    return await standing_in(ctx.session, organization_id, today=today)


async def standing_in(session: AsyncSession, organization_id: int, *, today: date | None = None) -> StandingStep | None:
    """:func:`standing_for` with a session only."""
    today = today or local_today()
    query = (
        select(StandingStep)
        .where(
            StandingStep.organization_id == organization_id,
            StandingStep.status.in_(("probation", "removed")),
            StandingStep.appeal_status.in_(("none", "rejected")),  # a pending appeal holds it back
            StandingStep.effective_on <= today,
        )
        .order_by(StandingStep.decided_on.desc(), StandingStep.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def steps(session: AsyncSession, *, organization_id: int | None = None) -> list[StandingStep]:
    query = select(StandingStep).order_by(StandingStep.decided_on.desc(), StandingStep.id.desc())
    if organization_id is not None:
        query = query.where(StandingStep.organization_id == organization_id)
    return list((await session.execute(query)).scalars())


async def get_step(session: AsyncSession, step_id: int) -> StandingStep:
    found = (await session.execute(select(StandingStep).where(StandingStep.id == step_id))).scalar_one_or_none()
    if found is None:
        raise NotFound("没有这条处理决定", "No such decision")
    return found


async def file_standing_appeal(
    ctx: RequestContext, step: StandingStep, *, reason: str, today: date | None = None
) -> StandingStep:
    """The organization appeals probation or removal within the window (before it takes effect)."""
    today = today or local_today()
    if not await may_respond(ctx, step.organization_id):
        raise Forbidden("只有该组织可以申诉", "Only the organization may appeal")
    if step.status == "honoured":
        raise Refusal("表彰无需申诉", "Honours are not appealed", status_code=409)
    if step.appeal_status != "none":
        raise Refusal("已经申诉过了", "Already appealed", status_code=409)
    if today >= step.effective_on:
        raise Refusal("申诉期已过", "The appeal window has closed", status_code=409)
    if not reason.strip() or len(reason) > TEXT_MAX:
        raise Refusal("请说明申诉理由", "Explain the appeal", errors={"reason": "请说明申诉理由"})
    step.appeal_status = "pending"
    step.appeal_reason = reason.strip()
    await ctx.session.flush()
    return step


async def decide_standing_appeal(ctx: RequestContext, step: StandingStep, *, uphold: bool, reason: str) -> StandingStep:
    """Staff decide: upheld → the step never takes effect; rejected → it takes effect as planned."""
    assert ctx.user is not None
    if not ctx.can(KEY, "manage"):
        raise Forbidden("只有工作人员可以裁决申诉", "Only staff decide appeals")
    if step.appeal_status != "pending":
        raise Refusal("没有待裁决的申诉", "There is no pending appeal", status_code=409)
    if not reason.strip() or len(reason) > TEXT_MAX:
        raise Refusal("请写明裁决理由", "Give the reason for the decision", errors={"reason": "请写明裁决理由"})
    step.appeal_status = "upheld" if uphold else "rejected"
    step.decision_reason = reason.strip()
    step.decided_by_id = ctx.user.id
    await ctx.session.flush()
    return step


async def honoured(session: AsyncSession, period: Period) -> set[int]:
    query = select(StandingStep.organization_id).where(
        StandingStep.period == period.key, StandingStep.status == "honoured"
    )
    return set((await session.execute(query)).scalars())


# -- grade evaluation (社会组织等级评估, 1A–5A) ----------------------------------------------------------

GRADES = ("5A", "4A", "3A", "2A", "1A")


def parse_bands(text: str) -> list[tuple[str, int]]:
    """``"5A:900,4A:800,…"`` → ``[("5A", 900), ("4A", 800), …]``, highest first; a Refusal when malformed."""
    bands: list[tuple[str, int]] = []
    for part in str(text).replace("，", ",").split(","):
        grade, _, lowest = part.strip().partition(":")
        if grade.strip().upper() not in GRADES or not lowest.strip().isdigit():
            raise Refusal("等级分数线格式应为 5A:900,4A:800,…", "Grade bands look like 5A:900,4A:800,…")
        bands.append((grade.strip().upper(), int(lowest)))
    return sorted(bands, key=lambda b: -b[1])


def grade_for(total: int, bands: list[tuple[str, int]]) -> str | None:
    """The grade a total reaches under the bands (the same 905 points is 5A in one city and 4A in another)."""
    return next((grade for grade, lowest in bands if total >= lowest), None)


def validity(announced_on: date) -> tuple[date, date]:
    """A grade is valid from 1 January after the announcement, for five years."""
    return date(announced_on.year + 1, 1, 1), date(announced_on.year + 5, 12, 31)


async def record_grade(
    ctx: RequestContext, *, organization_id: int, year: int, total: int, today: date | None = None
) -> Grade:
    """Record an evaluation's total (after the expert panel); its grade under the district's bands goes to publicity."""
    assert ctx.district is not None
    assert ctx.user is not None
    if not ctx.can(KEY, "manage"):
        raise Forbidden("只有工作人员可以录入评估结果", "Only staff record evaluation results")
    if not 0 <= total <= 1200:
        raise Refusal("总分应在 0 到 1200 之间", "The total is 0 to 1,200 points", errors={"total": "总分无效"})
    if not 2000 <= year <= 2100:
        raise Refusal("年度无效", "The year is not valid", errors={"year": "年度无效"})
    org = await organizations.get_organization(ctx.session, ctx.district, organization_id)
    settings = await settings_of(ctx)
    grade = grade_for(total, parse_bands(settings["grade_bands"]))
    if grade is None:
        raise Refusal("总分未达到任何等级", "The total reaches no grade", errors={"total": "未达到任何等级"})
    today = today or local_today()
    row = Grade(
        district_id=ctx.district.id,
        organization_id=org.id,
        year=year,
        total=total,
        grade=grade,
        publicity_until=today + timedelta(days=int(settings["publicity_days"])),
        recorded_by_id=ctx.user.id,
    )
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(row)
            await ctx.session.flush()
    except IntegrityError:
        raise Refusal(
            "该组织这一年度已有评估结果", "This organization already has a result for that year", status_code=409
        ) from None
    return row


async def object_to_grade(ctx: RequestContext, grade: Grade, text: str, *, today: date | None = None) -> GradeObjection:
    """Anyone logged in may object during publicity, with a reason; staff answer it before the grade is confirmed."""
    if ctx.user is None:
        raise Forbidden("请先登录", "Please log in")
    if grade.status != "publicity" or (today or local_today()) > grade.publicity_until:
        raise Refusal("公示期已结束", "The publicity period is over", status_code=409)
    if not text.strip() or len(text) > TEXT_MAX:
        raise Refusal("请填写异议内容", "Say what the objection is", errors={"objection": "请填写异议内容"})
    grade.objections = (grade.objections + "\n" if grade.objections else "") + text.strip()
    row = GradeObjection(district_id=grade.district_id, grade_id=grade.id, user_id=ctx.user.id, reason=text.strip())
    ctx.session.add(row)
    await ctx.session.flush()
    from plugins.rating import grade_notices  # noqa: PLC0415

    ev = await grade_notices.evaluation_of_grade(ctx, grade.id)
    if ev is not None:
        await grade_notices.tell(ctx, ev, "objection")
    return row


async def get_objection(session: AsyncSession, objection_id: int) -> GradeObjection:
    found = (
        await session.execute(select(GradeObjection).where(GradeObjection.id == objection_id))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("没有这条异议", "No such objection")
    return found


async def answer_objection(ctx: RequestContext, objection: GradeObjection, text: str) -> GradeObjection:
    """Staff answer an objection (once); the answer is kept with it."""
    if not ctx.can(KEY, "manage"):
        raise Forbidden("只有工作人员可以答复异议", "Only staff answer objections")
    if objection.answered_at is not None:
        raise Refusal("这条异议已经答复", "The objection has already been answered", status_code=409)
    if not text.strip() or len(text) > TEXT_MAX:
        raise Refusal("请填写答复", "Write the answer", errors={"answer": "请填写答复"})
    objection.answer = text.strip()
    objection.answered_at = utcnow()
    objection.answered_by_id = ctx.user.id if ctx.user else None
    await ctx.session.flush()
    return objection


async def require_objections_answered(session: AsyncSession, grade: Grade) -> None:
    """Refuse while an objection to the grade waits for its answer."""
    query = (
        select(func.count())
        .select_from(GradeObjection)
        .where(GradeObjection.grade_id == grade.id, GradeObjection.answered_at.is_(None))
    )
    waiting = int((await session.execute(query)).scalar_one())
    if waiting:
        raise Refusal(
            f"还有 {waiting} 条异议未答复，答复后才能确认",
            f"{waiting} objection(s) still wait for an answer",
            status_code=409,
        )


async def confirm_grade(ctx: RequestContext, grade: Grade, *, today: date | None = None) -> Grade:
    """After publicity, staff confirm and announce the grade: valid from 1 January next year, for five years."""
    if not ctx.can(KEY, "manage"):
        raise Forbidden("只有工作人员可以确认评估结果", "Only staff confirm evaluation results")
    today = today or local_today()
    if grade.status != "publicity":
        raise Refusal("这个结果已经处理过了", "This result has already been handled", status_code=409)
    if today <= grade.publicity_until:
        raise Refusal("公示期尚未结束", "The publicity period is not over yet", status_code=409)
    await require_objections_answered(ctx.session, grade)
    grade.status = "confirmed"
    grade.announced_on = today
    grade.valid_from, grade.valid_until = validity(today)
    await ctx.session.flush()
    return grade


async def get_grade(session: AsyncSession, grade_id: int) -> Grade:
    found = (await session.execute(select(Grade).where(Grade.id == grade_id))).scalar_one_or_none()
    if found is None:
        raise NotFound("没有这条评估结果", "No such evaluation result")
    return found


async def grades(session: AsyncSession) -> list[Grade]:
    return list((await session.execute(select(Grade).order_by(Grade.year.desc(), Grade.total.desc()))).scalars())


async def current_grades(session: AsyncSession, today: date | None = None) -> dict[int, Grade]:
    """Each organization's confirmed grade valid today (the latest one)."""
    today = today or local_today()
    query = select(Grade).where(Grade.status == "confirmed", Grade.valid_until >= today).order_by(Grade.announced_on)
    return {g.organization_id: g for g in (await session.execute(query)).scalars()}
