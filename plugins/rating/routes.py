"""Web pages under ``/d/{district}/rating``.

- ``/rating``                          staff dashboard (ratings of the period, distribution, follow-ups, appeals)
- ``/rating/r/{token}``                the phone page: rate one service by its signed link (no login)
- ``/rating/mine``                     the resident's services and ratings; ``/rating/deliveries/{id}/rate``
- ``/rating/deliveries``               staff: recent deliveries, record one by hand, enter a paper/phone rating
- ``/rating/follow-ups``               follow-ups of bad ratings (open, overdue); one to answer
- ``/rating/ratings/{id}``             one rating: appeal it (organization), decide (staff)
- ``/rating/organizations/{id}``       an organization's own page: ratings, follow-ups, appeals, standing
- ``/rating/ranking``                  the public ranking (no login)
- ``/rating/export.xlsx``              ratings and ranking of a period
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from litestar import Request, Response, get, post
from sqlalchemy import func, select

from core.plugin_api import (
    TIMEZONE,
    Form,
    FormState,
    NotFound,
    OrgUnit,
    RequestContext,
    act,
    attempt,
    deliveries,
    error_status,
    flashes,
    organizations,
    page,
    redirect,
    utcnow,
)
from core.plugin_api import gettext as _
from plugins.rating import exports, grading, service
from plugins.rating.manifest import KEY
from plugins.rating.models import Rating

if TYPE_CHECKING:
    from plugins.rating.models import FollowUp

__all__ = ("ROUTES",)

PUBLIC = {"public": True}


def _period(raw: str | None) -> service.Period:
    if raw:
        try:
            return service.Period.parse(raw)
        except service.Refusal:
            pass
    return service.Period.of(service.local_today())


def _period_options(ctx: RequestContext, current: service.Period) -> list[tuple[str, str]]:
    period = service.Period.of(service.local_today())
    options = []
    for _i in range(8):
        options.append((period.key, period.label(ctx.locale)))
        period = period.previous
    year = service.local_today().year
    options += [(str(y), service.Period.parse(str(y)).label(ctx.locale)) for y in (year, year - 1)]
    if current.key not in {k for k, _l in options}:
        options.insert(0, (current.key, current.label(ctx.locale)))
    return options


async def _org_names(ctx: RequestContext, ids: set[int]) -> dict[int, str]:
    org = organizations.Organization
    rows = await ctx.session.execute(select(org.id, org.name).where(org.id.in_(ids or {0})))
    return dict(list(rows.tuples()))


async def _community(ctx: RequestContext, code: str | None) -> OrgUnit | None:
    """The street or community a ranking page is narrowed to (an unknown code shows the whole district)."""
    if not code:
        return None
    try:
        return await service.community_by_code(ctx.session, code)
    except NotFound:
        return None


async def _community_options(ctx: RequestContext) -> list[tuple[str, str]]:
    return [(u.code, u.name(ctx.locale)) for u in await service.communities(ctx.session)]


def _local(value: datetime | None) -> str:
    return value.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M") if value else ""


# -- dashboard ------------------------------------------------------------------------------------


@get("/rating", name="rating:dashboard")
async def dashboard(
    request: Request[Any, Any, Any], ctx: RequestContext, period: str | None = None, community: str | None = None
) -> Response[Any]:
    """Staff dashboard: the period's ratings and distribution, follow-ups open and overdue, appeals to decide.

    ``community`` (a street's or community's code) narrows the figures, the distribution and
    the ranking to the organizations serving it; follow-ups and appeals stay the district's.
    """
    ctx.require(KEY, "view")
    chosen = _period(period)
    place = await _community(ctx, community)
    start, end = chosen.bounds()
    query = (
        select(Rating.stars, func.count())
        .where(Rating.status == "valid", Rating.submitted_at >= start, Rating.submitted_at < end)
        .group_by(Rating.stars)
    )
    if place is not None:
        org = organizations.Organization
        serving = select(org.id).where(organizations.serves_any(await service.places_of(ctx, place)))
        query = query.where(Rating.organization_id.in_(serving))
    counts = dict(list((await ctx.session.execute(query)).tuples()))
    total = sum(counts.values())
    distribution = [
        (s, counts.get(s, 0), round(100 * counts.get(s, 0) / total) if total else 0) for s in range(5, 0, -1)
    ]
    today = service.local_today()
    open_follow_ups = await service.follow_ups(ctx.session, only_open=True)
    pending = await service.appeals(ctx.session, status="pending")
    rows = await service.ranking_for(ctx, chosen, community=place)
    assert ctx.user is not None
    mine = await organizations.organizations_of_user(ctx.session, ctx.district, ctx.user.id, roles=("leader", "staff"))  # type: ignore[arg-type]
    names = await _org_names(ctx, {f.organization_id for f in open_follow_ups} | {a.organization_id for a in pending})
    return await page(
        request,
        ctx,
        "rating/dashboard.html",
        period=chosen,
        periods=_period_options(ctx, chosen),
        community=place.code if place else "",
        community_name=place.name(ctx.locale) if place else "",
        communities=await _community_options(ctx),
        total=total,
        mean=round(sum(s * n for s, n in counts.items()) / total, 2) if total else None,
        distribution=distribution,
        open_follow_ups=open_follow_ups,
        overdue=[f for f in open_follow_ups if f.due_on < today],
        pending=pending,
        rows=rows[:10],
        names=names,
        today=today,
        mine=mine,
        can_manage=ctx.can(KEY, "manage"),
        messages=await flashes(request, ctx),
    )


# -- the phone page (signed link, no login) -----------------------------------------------------


async def _rate_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    delivery: deliveries.ServiceDelivery,
    *,
    action: str,
    state: FormState | None = None,
    done: Rating | None = None,
    staff_entry: bool = False,
) -> Response[Any]:
    settings = await service.settings_of(ctx)
    assert ctx.district is not None
    org = await organizations.get_organization(ctx.session, ctx.district, delivery.organization_id)
    existing = done or await service.rating_for_delivery(ctx.session, delivery.id)
    state = state or FormState()
    return await page(
        request,
        ctx,
        "rating/rate.html",
        block="rate" if request.method == "POST" else "content",
        status_code=error_status(request, state) if not state.ok else 200,
        delivery=delivery,
        organization=org,
        when=_local(delivery.delivered_at),
        dimensions=service.dimensions_of(settings),
        existing=existing,
        just_rated=done is not None,
        form=state,
        action=action,
        staff_entry=staff_entry,
    )


@get("/rating/r/{token:str}", name="rating:link", opt=PUBLIC)
async def rate_by_link(request: Request[Any, Any, Any], ctx: RequestContext, token: str) -> Response[Any]:
    """The phone page a resident opens from the link or QR code: large stars, one screen, no login."""
    delivery = await service.delivery_for_token(ctx, token)
    return await _rate_page(request, ctx, delivery, action=ctx.url(f"/rating/r/{token}"))


def _rating_input(data: dict[str, str]) -> dict[str, Any]:
    dims = {k.removeprefix("dim:"): v for k, v in data.items() if k.startswith("dim:")}
    return {
        "stars": data.get("stars"),
        "dimensions": dims,
        "comment": data.get("comment", ""),
        "rater_relation": data.get("rater_relation", "self") or "self",
        "rater_name": data.get("rater_name", ""),
    }


@post("/rating/r/{token:str}", name="rating:link_submit", opt=PUBLIC, status_code=200)
async def rate_by_link_submit(
    request: Request[Any, Any, Any], ctx: RequestContext, token: str, data: Form
) -> Response[Any]:
    """Submit the one rating the link allows; the page then thanks the resident (and the link is spent)."""
    delivery = await service.delivery_for_token(ctx, token)
    state = FormState(values=dict(data))
    rating = await attempt(
        ctx, lambda: service.submit_rating(ctx, delivery, channel="link", **_rating_input(data)), state
    )
    return await _rate_page(request, ctx, delivery, action=ctx.url(f"/rating/r/{token}"), state=state, done=rating)


# -- the resident's own page ----------------------------------------------------------------------


@get("/rating/mine", name="rating:mine")
async def mine(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The services I received, which I can still rate, and my ratings."""
    ctx.require(KEY, "rate")
    assert ctx.user is not None
    rows = await deliveries.for_user(ctx.session, ctx.user.id)
    ratings = {
        r.delivery_id: r
        for r in (
            await ctx.session.execute(select(Rating).where(Rating.delivery_id.in_([d.id for d in rows] or [0])))
        ).scalars()
    }
    settings = await service.settings_of(ctx)
    names = await _org_names(ctx, {d.organization_id for d in rows})
    now = utcnow()
    window = int(settings["window_days"])
    items = [
        {
            "delivery": d,
            "organization": names.get(d.organization_id, ""),
            "when": _local(d.delivered_at),
            "rating": ratings.get(d.id),
            "open": d.is_rateable and d.id not in ratings and (now - d.delivered_at).days <= window,
        }
        for d in rows
    ]
    assert ctx.district is not None
    mine_orgs = await organizations.organizations_of_user(
        ctx.session,
        ctx.district,
        ctx.user.id,
        roles=("leader", "staff"),  # type: ignore[arg-type]
    )
    return await page(request, ctx, "rating/mine.html", items=items, window=window, organizations=mine_orgs)


@get("/rating/deliveries/{delivery_id:int}/rate", name="rating:own")
async def rate_own(request: Request[Any, Any, Any], ctx: RequestContext, delivery_id: int) -> Response[Any]:
    """The rating form for a service I received, from my own page."""
    ctx.require(KEY, "rate")
    delivery = await deliveries.get_delivery(ctx.session, delivery_id)
    resident = (await deliveries.residents_of(ctx.session, [delivery]))[delivery.id]
    assert ctx.user is not None
    if resident.user_id != ctx.user.id:
        raise NotFound(_("Not found."))
    return await _rate_page(request, ctx, delivery, action=ctx.url(f"/rating/deliveries/{delivery_id}/rate"))


@post("/rating/deliveries/{delivery_id:int}/rate", name="rating:own_submit", status_code=200)
async def rate_own_submit(
    request: Request[Any, Any, Any], ctx: RequestContext, delivery_id: int, data: Form
) -> Response[Any]:
    """Submit my rating (no edit afterwards)."""
    ctx.require(KEY, "rate")
    delivery = await deliveries.get_delivery(ctx.session, delivery_id)
    state = FormState(values=dict(data))
    rating = await attempt(
        ctx, lambda: service.submit_rating(ctx, delivery, channel="own_page", **_rating_input(data)), state
    )
    return await _rate_page(
        request, ctx, delivery, action=ctx.url(f"/rating/deliveries/{delivery_id}/rate"), state=state, done=rating
    )


# -- staff: deliveries, hand-recorded deliveries, paper/phone ratings ---------------------------


async def _deliveries_page(
    request: Request[Any, Any, Any], ctx: RequestContext, state: FormState | None = None
) -> Response[Any]:
    rows = list(
        (
            await ctx.session.execute(
                select(deliveries.ServiceDelivery)
                .order_by(deliveries.ServiceDelivery.delivered_at.desc(), deliveries.ServiceDelivery.id.desc())
                .limit(50)
            )
        ).scalars()
    )
    rated = set(
        (
            await ctx.session.execute(
                select(Rating.delivery_id).where(Rating.delivery_id.in_([d.id for d in rows] or [0]))
            )
        ).scalars()
    )
    residents = await deliveries.residents_of(ctx.session, rows)
    org = organizations.Organization
    orgs = list(
        (await ctx.session.execute(select(org.id, org.name).where(org.status == "active").order_by(org.name))).tuples()
    )
    names = dict(orgs)
    state = state or FormState()
    return await page(
        request,
        ctx,
        "rating/deliveries.html",
        block="record" if request.method == "POST" else "content",
        status_code=error_status(request, state) if not state.ok else 200,
        rows=[
            {
                "delivery": d,
                "organization": names.get(d.organization_id, ""),
                "resident": residents[d.id].name,
                "when": _local(d.delivered_at),
                "rated": d.id in rated,
            }
            for d in rows
        ],
        org_options=[(str(i), n) for i, n in orgs],
        form=state,
        messages=await flashes(request, ctx),
    )


@get("/rating/deliveries", name="rating:deliveries")
async def delivery_list(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Recent service deliveries (declared by modules or recorded by hand) and the form to record one."""
    ctx.require(KEY, "manage")
    return await _deliveries_page(request, ctx)


@post("/rating/deliveries", name="rating:record", status_code=200)
async def delivery_record(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """Record (and verify) a delivery by hand: the resident is found by phone in the residents registry."""
    ctx.require(KEY, "manage")
    state = FormState(values=dict(data))

    async def record() -> deliveries.ServiceDelivery:
        return await service.record_delivery_from_form(ctx, dict(data))

    delivery = await attempt(ctx, record, state)
    if delivery is None:
        return await _deliveries_page(request, ctx, state)
    return await redirect(request, ctx, ctx.url(f"/rating/deliveries/{delivery.id}"), _("The service was recorded."))


@get("/rating/deliveries/{delivery_id:int}", name="rating:delivery")
async def delivery_detail(request: Request[Any, Any, Any], ctx: RequestContext, delivery_id: int) -> Response[Any]:
    """One delivery: its rating link for the resident's phone, and the form to enter a paper or phone rating."""
    ctx.require(KEY, "manage")
    delivery = await deliveries.get_delivery(ctx.session, delivery_id)
    return await _staff_entry_page(request, ctx, delivery)


async def _staff_entry_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    delivery: deliveries.ServiceDelivery,
    state: FormState | None = None,
    done: Rating | None = None,
) -> Response[Any]:
    settings = await service.settings_of(ctx)
    assert ctx.district is not None
    org = await organizations.get_organization(ctx.session, ctx.district, delivery.organization_id)
    resident = (await deliveries.residents_of(ctx.session, [delivery]))[delivery.id]
    existing = done or await service.rating_for_delivery(ctx.session, delivery.id)
    state = state or FormState(values={"channel": "paper"})
    link = f"{request.base_url}".rstrip("/") + ctx.url(f"/rating/r/{service.token_for(ctx, delivery.id)}")
    return await page(
        request,
        ctx,
        "rating/delivery.html",
        block="entry" if request.method == "POST" else "content",
        status_code=error_status(request, state) if not state.ok else 200,
        delivery=delivery,
        organization=org,
        resident=resident,
        when=_local(delivery.delivered_at),
        link=link,
        dimensions=service.dimensions_of(settings),
        existing=existing,
        form=state,
        messages=await flashes(request, ctx),
    )


@post("/rating/deliveries/{delivery_id:int}/enter", name="rating:enter", status_code=200)
async def delivery_enter(
    request: Request[Any, Any, Any], ctx: RequestContext, delivery_id: int, data: Form
) -> Response[Any]:
    """Staff enter a rating the resident gave on paper or on the phone (channel and staff member recorded)."""
    ctx.require(KEY, "manage")
    delivery = await deliveries.get_delivery(ctx.session, delivery_id)
    state = FormState(values=dict(data))
    channel = data.get("channel", "paper")
    rating = await attempt(
        ctx, lambda: service.submit_rating(ctx, delivery, channel=channel, **_rating_input(data)), state
    )
    return await _staff_entry_page(request, ctx, delivery, state, done=rating)


# -- follow-ups -----------------------------------------------------------------------------------


async def _visible_org_ids(ctx: RequestContext) -> set[int] | None:
    """The organizations whose follow-ups and appeals the user sees (None: all, for managers)."""
    if ctx.can(KEY, "manage"):
        return None
    assert ctx.user is not None and ctx.district is not None
    mine = await organizations.organizations_of_user(ctx.session, ctx.district, ctx.user.id, roles=("leader", "staff"))  # type: ignore[arg-type]
    ids = {o.id for o in mine}
    for org in mine:
        if org.is_hub:
            ids |= {o.id for o in await organizations.supervised_by(ctx.session, ctx.district, org.id)}
    return ids


@get("/rating/follow-ups", name="rating:follow_ups")
async def follow_up_list(request: Request[Any, Any, Any], ctx: RequestContext, show: str = "open") -> Response[Any]:
    """Follow-ups of bad ratings: open (overdue first marked), or all."""
    if not (ctx.can(KEY, "manage") or ctx.can(KEY, "respond")):
        ctx.require(KEY, "manage")
    visible = await _visible_org_ids(ctx)
    rows = await service.follow_ups(ctx.session, only_open=show != "all")
    if visible is not None:
        rows = [f for f in rows if f.organization_id in visible]
    names = await _org_names(ctx, {f.organization_id for f in rows})
    return await page(
        request, ctx, "rating/follow_ups.html", rows=rows, names=names, today=service.local_today(), show=show
    )


async def _follow_up_page(
    request: Request[Any, Any, Any], ctx: RequestContext, follow_up: FollowUp, state: FormState | None = None
) -> Response[Any]:
    rating = await service.get_rating(ctx.session, follow_up.rating_id)
    delivery = await deliveries.get_delivery(ctx.session, rating.delivery_id)
    names = await _org_names(ctx, {follow_up.organization_id})
    state = state or FormState()
    return await page(
        request,
        ctx,
        "rating/follow_up.html",
        block="answer" if request.method == "POST" else "content",
        status_code=error_status(request, state) if not state.ok else 200,
        follow_up=follow_up,
        rating=rating,
        delivery=delivery,
        organization=names.get(follow_up.organization_id, ""),
        today=service.local_today(),
        can_answer=follow_up.status == "open" and await service.may_respond(ctx, follow_up.organization_id),
        form=state,
    )


@get("/rating/follow-ups/{follow_up_id:int}", name="rating:follow_up")
async def follow_up_detail(request: Request[Any, Any, Any], ctx: RequestContext, follow_up_id: int) -> Response[Any]:
    """One follow-up: the rating, the due date, and the answer form for the organization."""
    follow_up = await service.get_follow_up(ctx.session, follow_up_id)
    if not await service.may_respond(ctx, follow_up.organization_id):
        raise NotFound(_("Not found."))
    return await _follow_up_page(request, ctx, follow_up)


@post("/rating/follow-ups/{follow_up_id:int}", name="rating:follow_up_answer", status_code=200)
async def follow_up_answer(
    request: Request[Any, Any, Any], ctx: RequestContext, follow_up_id: int, data: Form
) -> Response[Any]:
    """Answer a follow-up: how the resident was contacted, what was done, what the resident said."""
    follow_up = await service.get_follow_up(ctx.session, follow_up_id)
    if not await service.may_respond(ctx, follow_up.organization_id):
        raise NotFound(_("Not found."))
    state = FormState(values=dict(data))
    done = await attempt(
        ctx,
        lambda: service.answer_follow_up(
            ctx,
            follow_up,
            contact_note=data.get("contact_note", ""),
            action_taken=data.get("action_taken", ""),
            resident_response=data.get("resident_response", ""),
        ),
        state,
    )
    if done is None:
        return await _follow_up_page(request, ctx, follow_up, state)
    return await redirect(request, ctx, ctx.url(f"/rating/follow-ups/{follow_up_id}"), _("The follow-up was answered."))


# -- one rating: appeal, decision ---------------------------------------------------------------


@get("/rating/ratings/{rating_id:int}", name="rating:rating")
async def rating_detail(request: Request[Any, Any, Any], ctx: RequestContext, rating_id: int) -> Response[Any]:
    """One rating, its appeal (file one: the organization; decide: staff) and, if voided, why."""
    rating = await service.get_rating(ctx.session, rating_id)
    may = await service.may_respond(ctx, rating.organization_id)
    if not may and not ctx.can(KEY, "view"):
        raise NotFound(_("Not found."))
    appeal = next(iter([a for a in await service.appeals(ctx.session) if a.rating_id == rating.id]), None)
    delivery = await deliveries.get_delivery(ctx.session, rating.delivery_id)
    names = await _org_names(ctx, {rating.organization_id})
    return await page(
        request,
        ctx,
        "rating/rating.html",
        rating=rating,
        appeal=appeal,
        delivery=delivery,
        organization=names.get(rating.organization_id, ""),
        submitted=_local(rating.submitted_at),
        follow_up=next(iter(await service.follow_ups(ctx.session, rating_id=rating.id)), None) if may else None,
        can_appeal=may and appeal is None and rating.status == "valid" and not ctx.can(KEY, "manage"),
        can_decide=appeal is not None and appeal.status == "pending" and ctx.can(KEY, "manage"),
        grounds=[(g, _(label)) for g, label in GROUND_LABELS],
        messages=await flashes(request, ctx),
    )


GROUND_LABELS = (
    ("malicious", "Malicious rating"),
    ("not_our_service", "Not our service"),
    ("mistaken", "Rated by mistake"),
    ("other", "Other"),
)


@post("/rating/ratings/{rating_id:int}/appeal", name="rating:appeal", status_code=200)
async def rating_appeal(
    request: Request[Any, Any, Any], ctx: RequestContext, rating_id: int, data: Form
) -> Response[Any]:
    """The organization appeals the rating (grounds, reason, evidence)."""
    rating = await service.get_rating(ctx.session, rating_id)
    return await act(
        request,
        ctx,
        ctx.url(f"/rating/ratings/{rating_id}"),
        lambda: service.file_appeal(
            ctx,
            rating,
            grounds=data.get("grounds", ""),
            reason=data.get("reason", ""),
            evidence=data.get("evidence", ""),
        ),
        _("The appeal was filed."),
    )


@post("/rating/appeals/{appeal_id:int}/decide", name="rating:decide", status_code=200)
async def appeal_decide(
    request: Request[Any, Any, Any], ctx: RequestContext, appeal_id: int, data: Form
) -> Response[Any]:
    """Staff decide an appeal: upheld voids the rating (kept with the reason), rejected keeps it."""
    ctx.require(KEY, "manage")
    appeal = await service.get_appeal(ctx.session, appeal_id)
    return await act(
        request,
        ctx,
        ctx.url(f"/rating/ratings/{appeal.rating_id}"),
        lambda: service.decide_appeal(
            ctx, appeal, uphold=data.get("decision") == "uphold", reason=data.get("reason", "")
        ),
        _("The appeal was decided."),
    )


# -- an organization's own page -------------------------------------------------------------------


@get("/rating/organizations/{organization_id:int}", name="rating:organization")
async def organization_page(
    request: Request[Any, Any, Any], ctx: RequestContext, organization_id: int, period: str | None = None
) -> Response[Any]:
    """An organization's ratings, follow-ups, appeals and standing (its staff, its hub, district staff)."""
    assert ctx.district is not None
    if not (ctx.can(KEY, "view") or await service.may_respond(ctx, organization_id)):
        raise NotFound(_("Not found."))
    org = await organizations.get_organization(ctx.session, ctx.district, organization_id)
    chosen = _period(period)
    row = next((r for r in await service.ranking_for(ctx, chosen) if r.organization_id == org.id), None)
    ratings = list(
        (
            await ctx.session.execute(
                select(Rating)
                .where(Rating.organization_id == org.id)
                .order_by(Rating.submitted_at.desc(), Rating.id.desc())
                .limit(50)
            )
        ).scalars()
    )
    return await page(
        request,
        ctx,
        "rating/organization.html",
        organization=org,
        period=chosen,
        periods=_period_options(ctx, chosen),
        row=row,
        ratings=ratings,
        submitted={r.id: _local(r.submitted_at) for r in ratings},
        follow_ups=await service.follow_ups(ctx.session, organization_id=org.id),
        appeals=await service.appeals(ctx.session, organization_id=org.id),
        steps=await service.steps(ctx.session, organization_id=org.id),
        today=service.local_today(),
        may_respond=await service.may_respond(ctx, org.id),
        can_manage=ctx.can(KEY, "manage"),
        messages=await flashes(request, ctx),
    )


@post("/rating/standings/{step_id:int}/appeal", name="rating:standing_appeal", status_code=200)
async def standing_appeal(
    request: Request[Any, Any, Any], ctx: RequestContext, step_id: int, data: Form
) -> Response[Any]:
    """The organization appeals probation or removal within the appeal window."""
    step = await service.get_step(ctx.session, step_id)
    return await act(
        request,
        ctx,
        ctx.url(f"/rating/organizations/{step.organization_id}"),
        lambda: service.file_standing_appeal(ctx, step, reason=data.get("reason", "")),
        _("The appeal was filed."),
    )


@post("/rating/standings/{step_id:int}/decide", name="rating:standing_decide", status_code=200)
async def standing_decide(
    request: Request[Any, Any, Any], ctx: RequestContext, step_id: int, data: Form
) -> Response[Any]:
    """Staff decide the appeal against probation or removal."""
    ctx.require(KEY, "manage")
    step = await service.get_step(ctx.session, step_id)
    return await act(
        request,
        ctx,
        ctx.url(f"/rating/organizations/{step.organization_id}"),
        lambda: service.decide_standing_appeal(
            ctx, step, uphold=data.get("decision") == "uphold", reason=data.get("reason", "")
        ),
        _("The appeal was decided."),
    )


@post("/rating/evaluate", name="rating:evaluate", status_code=200)
async def evaluate(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """Apply the probation / removal / honours rules to a finished period."""
    ctx.require(KEY, "manage")
    chosen = _period(data.get("period"))
    made = await service.evaluate_period(ctx, chosen)
    message = _("%(count)s decisions made for %(period)s.", count=len(made), period=chosen.label(ctx.locale))
    return await redirect(request, ctx, ctx.url(f"/rating?period={chosen.key}"), message)


# -- public ranking, export -----------------------------------------------------------------------


@get("/rating/ranking", name="rating:ranking", opt=PUBLIC)
async def ranking_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    period: str | None = None,
    field: str | None = None,
    community: str | None = None,
) -> Response[Any]:
    """The public ranking of a period: Bayesian average, Wilson bound, honours, "insufficient ratings".

    Narrowed by service field and/or by street or community (the organizations serving it).
    """
    chosen = _period(period)
    place = await _community(ctx, community)
    rows = await service.ranking_for(ctx, chosen, field=field or None, community=place)
    settings = await service.settings_of(ctx)
    return await page(
        request,
        ctx,
        "rating/ranking.html",
        period=chosen,
        periods=_period_options(ctx, chosen),
        rows=rows,
        ranked=[r for r in rows if r.rank is not None],
        insufficient=[r for r in rows if r.rank is None],
        honoured=await service.honoured(ctx.session, chosen),
        grades=await service.current_grades(ctx.session),
        settings=settings,
        field=field or "",
        fields=[(key, _(label)) for key, label in FIELD_OPTIONS],
        community=place.code if place else "",
        community_name=place.name(ctx.locale) if place else "",
        communities=await _community_options(ctx),
    )


FIELD_OPTIONS = (
    ("elderly", "Elderly care"),
    ("children", "Children"),
    ("youth", "Youth"),
    ("disability", "Disability"),
    ("volunteering", "Volunteering"),
    ("governance", "Community governance"),
)


@get("/rating/export.xlsx", name="rating:export")
async def export(ctx: RequestContext, period: str | None = None) -> Response[bytes]:
    """The period's ratings and ranking as an XLSX workbook (two sheets)."""
    ctx.require(KEY, "manage")
    assert ctx.district is not None
    chosen = _period(period)
    body = await exports.period_workbook(ctx.session, ctx.district, ctx.host, chosen)
    return Response(
        body,
        media_type=exports.XLSX,
        headers={"Content-Disposition": f'attachment; filename="rating-{chosen.key}.xlsx"'},
    )


CHANNEL_LABELS = exports.CHANNEL_LABELS


# -- grade evaluation (1A–5A) ---------------------------------------------------------------------


async def _grades_page(
    request: Request[Any, Any, Any], ctx: RequestContext, state: FormState | None = None
) -> Response[Any]:
    rows = await service.grades(ctx.session)
    org = organizations.Organization
    orgs = list(
        (await ctx.session.execute(select(org.id, org.name).where(org.status == "active").order_by(org.name))).tuples()
    )
    settings = await service.settings_of(ctx)
    state = state or FormState(values={"year": str(service.local_today().year)})
    return await page(
        request,
        ctx,
        "rating/grades.html",
        block="record" if request.method == "POST" else "content",
        status_code=error_status(request, state) if not state.ok else 200,
        rows=rows,
        names=dict(orgs),
        org_options=[(str(i), n) for i, n in orgs],
        bands=settings["grade_bands"],
        objections=await grading.objections(ctx.session, [g.id for g in rows if g.status == "publicity"]),
        today=service.local_today(),
        form=state,
        messages=await flashes(request, ctx),
    )


@get("/rating/grades", name="rating:grades")
async def grade_list(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Grade evaluation results (1A–5A): in publicity (objections), confirmed with their validity."""
    ctx.require(KEY, "view")
    return await _grades_page(request, ctx)


@post("/rating/grades", name="rating:grade_record", status_code=200)
async def grade_record(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """Record an evaluation's total; the grade under the district's bands goes to publicity."""
    ctx.require(KEY, "manage")
    state = FormState(values=dict(data))

    async def record() -> Any:
        try:
            org_id, year, total = (
                int(data.get("organization_id", "")),
                int(data.get("year", "")),
                int(data.get("total", "")),
            )
        except ValueError:
            raise service.Refusal(
                "请选择组织并填写年度和总分",
                "Choose the organization and give the year and the total",
                errors={"total": "请填写整数"},
            ) from None
        return await service.record_grade(ctx, organization_id=org_id, year=year, total=total)

    done = await attempt(ctx, record, state)
    if done is None:
        return await _grades_page(request, ctx, state)
    return await redirect(request, ctx, ctx.url("/rating/grades"), _("The result is in publicity."))


@post("/rating/grades/{grade_id:int}/object", name="rating:grade_object", status_code=200)
async def grade_object(
    request: Request[Any, Any, Any], ctx: RequestContext, grade_id: int, data: Form
) -> Response[Any]:
    """An objection during publicity, kept with the result."""
    ctx.require(KEY, "view")
    grade = await service.get_grade(ctx.session, grade_id)
    return await act(
        request,
        ctx,
        ctx.url("/rating/grades"),
        lambda: service.object_to_grade(ctx, grade, data.get("objection", "")),
        _("The objection was recorded."),
    )


@post("/rating/grades/{grade_id:int}/confirm", name="rating:grade_confirm", status_code=200)
async def grade_confirm(request: Request[Any, Any, Any], ctx: RequestContext, grade_id: int) -> Response[Any]:
    """Confirm and announce a grade after its publicity."""
    ctx.require(KEY, "manage")
    grade = await service.get_grade(ctx.session, grade_id)
    return await act(
        request,
        ctx,
        ctx.url("/rating/grades"),
        lambda: service.confirm_grade(ctx, grade),
        _("The grade was announced."),
    )


@get("/rating/grades/{grade_id:int}/certificate.pdf", name="rating:grade_certificate")
async def grade_certificate(ctx: RequestContext, grade_id: int) -> Response[bytes]:
    """The grade certificate (等级证书) of a confirmed result, as a PDF (staff, and the organization itself)."""
    assert ctx.district is not None
    grade = await service.get_grade(ctx.session, grade_id)
    if not (ctx.can(KEY, "view") or await service.may_respond(ctx, grade.organization_id)):
        ctx.require(KEY, "view")
    if grade.status != "confirmed" or grade.valid_from is None or grade.valid_until is None:
        raise NotFound(_("Not found."))
    org = await organizations.get_organization(ctx.session, ctx.district, grade.organization_id)
    from core.plugin_api import new_cjk_pdf  # noqa: PLC0415

    pdf = new_cjk_pdf(f"{org.name} {grade.grade}")
    pdf.set_font("cjk", size=26)
    pdf.ln(30)
    pdf.cell(0, 16, "社会组织评估等级证书", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(12)
    pdf.set_font("cjk", size=16)
    for line in (
        org.name,
        f"经评估，评定为 {grade.grade} 级社会组织（{grade.year} 年度，总分 {grade.total}）",
        f"有效期：{grade.valid_from.isoformat()} 至 {grade.valid_until.isoformat()}",
        f"{ctx.district.name_zh}　{grade.announced_on.isoformat() if grade.announced_on else ''}",
    ):
        pdf.multi_cell(0, 12, line, align="C", new_x="LMARGIN", new_y="NEXT")
    return Response(
        bytes(pdf.output()),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="grade-{grade.id}.pdf"'},
    )


ROUTES = [
    dashboard,
    rate_by_link,
    rate_by_link_submit,
    mine,
    rate_own,
    rate_own_submit,
    delivery_list,
    delivery_record,
    delivery_detail,
    delivery_enter,
    follow_up_list,
    follow_up_detail,
    follow_up_answer,
    rating_detail,
    rating_appeal,
    appeal_decide,
    organization_page,
    standing_appeal,
    standing_decide,
    evaluate,
    ranking_page,
    export,
    grade_list,
    grade_record,
    grade_object,
    grade_confirm,
    grade_certificate,
]

from plugins.rating.routes_grades import GRADE_ROUTES  # noqa: E402  (grade evaluation pages, issue 16 part 7)

ROUTES += GRADE_ROUTES

from plugins.rating.routes_qr import QR_ROUTES  # noqa: E402  (the rating link's QR code, issue 16 part 2)

ROUTES += QR_ROUTES

from plugins.rating.routes_evidence import EVIDENCE_ROUTES  # noqa: E402  (grade self-assessment evidence)

ROUTES += EVIDENCE_ROUTES
