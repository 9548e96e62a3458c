"""JSON API under ``/api/v1/districts/{district}/rating``: deliveries, ratings, follow-ups, appeals, ranking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypedDict

from litestar import Request, Response, get, post
from sqlalchemy import select

from core.plugin_api import Code, LongText, NotFound, RequestContext, Text, Title, deliveries
from plugins.rating import exports, qr, service
from plugins.rating.manifest import KEY
from plugins.rating.models import Rating

if TYPE_CHECKING:
    from plugins.rating.models import Appeal, FollowUp

__all__ = ("API_ROUTES",)


class DeliveryIn(TypedDict):
    """A delivery recorded by hand: the organization, the resident (registry person id), what and when."""

    organization_id: int
    resident_id: int
    title: Title
    delivered_at: datetime


@dataclass(frozen=True)
class DeliveryOut:
    id: int
    organization_id: int
    kind: str
    title: str
    reference: str
    delivered_at: datetime
    status: str
    rateable: bool
    rating_link: str


class RatingIn(TypedDict, total=False):
    """A rating: ``stars`` 1–5 (required), per-dimension stars, comment, and how it came in."""

    stars: int
    dimensions: dict[str, int]
    comment: Text
    channel: Code  # own_page (the resident), paper or phone_survey (staff)
    rater_relation: Code  # self | family
    rater_name: Code


@dataclass(frozen=True)
class RatingOut:
    id: int
    delivery_id: int
    organization_id: int
    stars: int
    dimensions: dict[str, int]
    comment: str
    channel: str
    rater_relation: str
    entered_by: int | None
    submitted_at: datetime
    status: str
    void_reason: str

    @classmethod
    def of(cls, r: Rating) -> RatingOut:
        return cls(
            r.id,
            r.delivery_id,
            r.organization_id,
            r.stars,
            dict(r.dimensions),
            r.comment,
            r.channel,
            r.rater_relation,
            r.entered_by_id,
            r.submitted_at,
            r.status,
            r.void_reason,
        )


@dataclass(frozen=True)
class FollowUpOut:
    id: int
    rating_id: int
    organization_id: int
    due_on: date
    status: str
    overdue: bool
    contact_note: str
    action_taken: str
    resident_response: str

    @classmethod
    def of(cls, f: FollowUp, today: date) -> FollowUpOut:
        return cls(
            f.id,
            f.rating_id,
            f.organization_id,
            f.due_on,
            f.status,
            f.status == "open" and f.due_on < today,
            f.contact_note,
            f.action_taken,
            f.resident_response,
        )


class AnswerIn(TypedDict):
    contact_note: LongText
    action_taken: LongText
    resident_response: LongText


class AppealIn(TypedDict, total=False):
    grounds: Code  # malicious | not_our_service | mistaken | other
    reason: LongText
    evidence: LongText


class DecisionIn(TypedDict):
    uphold: bool
    reason: LongText


@dataclass(frozen=True)
class AppealOut:
    id: int
    rating_id: int
    organization_id: int
    grounds: str
    reason: str
    status: str
    decision_reason: str

    @classmethod
    def of(cls, a: Appeal) -> AppealOut:
        return cls(a.id, a.rating_id, a.organization_id, a.grounds, a.reason, a.status, a.decision_reason)


@dataclass(frozen=True)
class RankOut:
    organization_id: int
    name: str
    count: int
    mean: float
    bayesian: float
    wilson_lower_bound: float
    rank: int | None
    insufficient: bool


@dataclass(frozen=True)
class StepOut:
    id: int
    organization_id: int
    period: str
    status: str
    effective_on: date
    appeal_status: str


def _delivery_out(ctx: RequestContext, d: deliveries.ServiceDelivery) -> DeliveryOut:
    link = ctx.url(f"/rating/r/{service.token_for(ctx, d.id)}") if d.is_rateable else ""
    return DeliveryOut(
        d.id, d.organization_id, d.kind, d.title, d.reference, d.delivered_at, d.status, d.is_rateable, link
    )


@post("/rating/deliveries", name="rating:api:record", summary="Record (and verify) a service delivery by hand")
async def api_record(ctx: RequestContext, data: DeliveryIn) -> DeliveryOut:
    ctx.require(KEY, "manage")
    delivery = await service.record_delivery(
        ctx,
        organization_id=data["organization_id"],
        resident_id=data["resident_id"],
        title=data["title"],
        delivered_at=data["delivered_at"],
    )
    return _delivery_out(ctx, delivery)


@get("/rating/deliveries/{delivery_id:int}", name="rating:api:delivery", summary="One delivery and its rating link")
async def api_delivery(ctx: RequestContext, delivery_id: int) -> DeliveryOut:
    ctx.require(KEY, "manage")
    return _delivery_out(ctx, await deliveries.get_delivery(ctx.session, delivery_id))


@post(
    "/rating/deliveries/{delivery_id:int}/rating",
    name="rating:api:rate",
    summary="Rate a delivery: the resident (own_page) or staff entering a paper/phone survey",
)
async def api_rate(ctx: RequestContext, delivery_id: int, data: RatingIn) -> RatingOut:
    delivery = await deliveries.get_delivery(ctx.session, delivery_id)
    channel = str(data.get("channel") or "own_page")
    if channel == "own_page":
        ctx.require(KEY, "rate")
    elif channel == "link":
        raise service.Refusal(
            "评价链接只在网页上使用", "The rating link is used on the web page", errors={"channel": "link"}
        )
    rating = await service.submit_rating(
        ctx,
        delivery,
        stars=data.get("stars"),
        dimensions=data.get("dimensions") or {},
        comment=str(data.get("comment") or ""),
        channel=channel,
        rater_relation=str(data.get("rater_relation") or "self"),
        rater_name=str(data.get("rater_name") or ""),
    )
    return RatingOut.of(rating)


@get("/rating/ratings", name="rating:api:ratings", summary="Ratings of a period (voided ones included, marked)")
async def api_ratings(
    ctx: RequestContext, period: str | None = None, organization_id: int | None = None
) -> list[RatingOut]:
    ctx.require(KEY, "view")
    chosen = service.Period.parse(period) if period else service.Period.of(service.local_today())
    start, end = chosen.bounds()
    query = select(Rating).where(Rating.submitted_at >= start, Rating.submitted_at < end).order_by(Rating.id)
    if organization_id is not None:
        query = query.where(Rating.organization_id == organization_id)
    return [RatingOut.of(r) for r in (await ctx.session.execute(query.limit(5000))).scalars()]


@get("/rating/ratings/{rating_id:int}", name="rating:api:rating", summary="One rating")
async def api_rating(ctx: RequestContext, rating_id: int) -> RatingOut:
    rating = await service.get_rating(ctx.session, rating_id)
    if not (ctx.can(KEY, "view") or await service.may_respond(ctx, rating.organization_id)):
        raise NotFound("没有这条评价", "No such rating")
    return RatingOut.of(rating)


@get("/rating/follow-ups", name="rating:api:follow_ups", summary="Follow-ups of bad ratings (open_only, overdue_only)")
async def api_follow_ups(ctx: RequestContext, open_only: bool = False, overdue_only: bool = False) -> list[FollowUpOut]:
    ctx.require(KEY, "manage")
    today = service.local_today()
    rows = await service.follow_ups(ctx.session, only_open=open_only, overdue_on=today if overdue_only else None)
    return [FollowUpOut.of(f, today) for f in rows]


@post("/rating/follow-ups/{follow_up_id:int}/answer", name="rating:api:answer", summary="Answer a follow-up")
async def api_answer(ctx: RequestContext, follow_up_id: int, data: AnswerIn) -> FollowUpOut:
    follow_up = await service.get_follow_up(ctx.session, follow_up_id)
    await service.answer_follow_up(
        ctx,
        follow_up,
        contact_note=data["contact_note"],
        action_taken=data["action_taken"],
        resident_response=data["resident_response"],
    )
    return FollowUpOut.of(follow_up, service.local_today())


@post("/rating/ratings/{rating_id:int}/appeal", name="rating:api:appeal", summary="The organization appeals a rating")
async def api_appeal(ctx: RequestContext, rating_id: int, data: AppealIn) -> AppealOut:
    rating = await service.get_rating(ctx.session, rating_id)
    appeal = await service.file_appeal(
        ctx,
        rating,
        grounds=str(data.get("grounds") or ""),
        reason=str(data.get("reason") or ""),
        evidence=str(data.get("evidence") or ""),
    )
    return AppealOut.of(appeal)


@post("/rating/appeals/{appeal_id:int}/decision", name="rating:api:decide", summary="Staff decide an appeal")
async def api_decide(ctx: RequestContext, appeal_id: int, data: DecisionIn) -> AppealOut:
    ctx.require(KEY, "manage")
    appeal = await service.get_appeal(ctx.session, appeal_id)
    return AppealOut.of(await service.decide_appeal(ctx, appeal, uphold=bool(data["uphold"]), reason=data["reason"]))


@get("/rating/ranking", name="rating:api:ranking", summary="The ranking of a period (2026Q3 or 2026)")
async def api_ranking(
    ctx: RequestContext, period: str | None = None, field: str | None = None, community: str | None = None
) -> list[RankOut]:
    """Best first. ``field``: a service field; ``community``: a street's or community's code (404 if unknown):
    the organizations serving it (a service area is it, a place in it or its street), ranked among themselves."""
    ctx.require(KEY, "view")
    chosen = service.Period.parse(period) if period else service.Period.of(service.local_today())
    place = await service.community_by_code(ctx.session, community) if community else None
    rows = await service.ranking_for(ctx, chosen, field=field or None, community=place)
    return [
        RankOut(r.organization_id, r.name, r.count, r.mean, r.bayesian, r.wilson, r.rank, r.insufficient) for r in rows
    ]


@post("/rating/periods/{period:str}/evaluate", name="rating:api:evaluate", summary="Apply probation/removal/honours")
async def api_evaluate(ctx: RequestContext, period: str) -> list[StepOut]:
    ctx.require(KEY, "manage")
    made = await service.evaluate_period(ctx, service.Period.parse(period))
    return [StepOut(s.id, s.organization_id, s.period, s.status, s.effective_on, s.appeal_status) for s in made]


@get(
    "/rating/export.xlsx",
    name="rating:api:export",
    media_type=exports.XLSX,
    summary="The ranking and ratings of a period as an XLSX workbook (staff)",
)
async def api_export(ctx: RequestContext, period: str | None = None) -> Response[bytes]:
    ctx.require(KEY, "manage")
    assert ctx.district is not None
    chosen = service.Period.parse(period) if period else service.Period.of(service.local_today())
    body = await exports.period_workbook(ctx.session, ctx.district, ctx.host, chosen)
    return Response(
        body,
        media_type=exports.XLSX,
        headers={"Content-Disposition": f'attachment; filename="rating-{chosen.key}.xlsx"'},
    )


@get(
    "/rating/deliveries/{delivery_id:int}/qr.png",
    name="rating:api:qr_png",
    media_type="image/png",
    summary="The QR code of a delivery's rating link as PNG (409 when it cannot be rated now)",
)
async def api_qr_png(request: Request[Any, Any, Any], ctx: RequestContext, delivery_id: int) -> Response[bytes]:
    ctx.require(KEY, "manage")
    _delivery, link = await qr.link_for(ctx, str(request.base_url), delivery_id)
    return Response(qr.png(link), media_type="image/png")


@get(
    "/rating/deliveries/{delivery_id:int}/qr.svg",
    name="rating:api:qr_svg",
    media_type="image/svg+xml",
    summary="The QR code of a delivery's rating link as SVG (409 when it cannot be rated now)",
)
async def api_qr_svg(request: Request[Any, Any, Any], ctx: RequestContext, delivery_id: int) -> Response[str]:
    ctx.require(KEY, "manage")
    _delivery, link = await qr.link_for(ctx, str(request.base_url), delivery_id)
    return Response(qr.svg(link), media_type="image/svg+xml")


API_ROUTES = [
    api_export,
    api_qr_png,
    api_qr_svg,
    api_record,
    api_delivery,
    api_rate,
    api_ratings,
    api_rating,
    api_follow_ups,
    api_answer,
    api_appeal,
    api_decide,
    api_ranking,
    api_evaluate,
]

from plugins.rating.api_grades import GRADE_API_ROUTES  # noqa: E402  (grade evaluation API, issue 16 part 7)

API_ROUTES += GRADE_API_ROUTES
