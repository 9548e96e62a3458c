"""The bank staff's pages: their banks, the queues (applications, needs to match, hours to verify,
disputes, credits to retry), members with balances and family links, and running expiry.

A staff member sees only the banks they are staff of (``time_bank:admin`` sees all);
another bank's id answers 403, another district's 404.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from sqlalchemy import func, select

from core.plugin_api import Case, Form, RequestContext, User, act, flashes, ledger, page, redirect
from core.plugin_api import gettext as _
from plugins.time_bank import accounts, banks, membership, needs, queries
from plugins.time_bank.manifest import KEY
from plugins.time_bank.models import FamilyLink, Member, MemberStatus, Service
from plugins.time_bank.web import case_by_reference, parse_hours, take_step

__all__ = ("STAFF_ROUTES",)

BANKS = "/time-bank/banks"
QUEUES = (
    ("match", ("posted",)),
    ("verify", ("completed",)),
    ("disputes", ("disputed",)),
    ("credit", ("verified",)),
)


@get(BANKS, name="time_bank:banks")
async def bank_list(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The banks the user works for, with how much waits in each queue."""
    ctx.require(KEY, "staff")
    mine = await banks.staff_bank_ids(ctx)
    rows = []
    for bank in await banks.list_banks(ctx.session, active_only=False):
        if bank.id not in mine:
            continue
        counts: dict[Any, Any] = dict(
            (
                await ctx.session.execute(
                    select(Case.state, func.count())
                    .join(Service, Service.case_id == Case.id)
                    .where(Service.bank_id == bank.id)
                    .group_by(Case.state)
                )
            )
            .tuples()
            .all()
        )
        applied = (
            await ctx.session.execute(
                select(func.count())
                .select_from(Member)
                .where(Member.bank_id == bank.id, Member.status == MemberStatus.APPLIED)
            )
        ).scalar_one()
        rows.append((bank, counts, applied))
    return await page(request, ctx, "time_bank/banks.html", rows=rows)


@get(f"{BANKS}/{{bank_id:int}}", name="time_bank:bank")
async def bank_console(request: Request[Any, Any, Any], ctx: RequestContext, bank_id: int) -> Response[Any]:
    """One bank's queues: applications, needs to match (with suggested volunteers), hours to verify, disputes."""
    ctx.require(KEY, "staff")
    bank = await banks.require_staff(ctx, bank_id)
    queues = {key: await queries.bank_queue(ctx.session, bank.id, states) for key, states in QUEUES}
    suggestions = {row.case.reference: await queries.suggest_volunteers(ctx.session, row) for row in queues["match"]}
    applications = list(
        (
            await ctx.session.execute(
                select(Member, User)
                .join(User, User.id == Member.user_id)
                .where(Member.bank_id == bank.id, Member.status == MemberStatus.APPLIED)
                .order_by(Member.created_at)
            )
        ).all()
    )
    people: set[int | None] = {r.service.served_user_id for rows in queues.values() for r in rows}
    people |= {r.service.volunteer_user_id for rows in queues.values() for r in rows}
    return await page(
        request,
        ctx,
        "time_bank/bank.html",
        bank=bank,
        queues=queues,
        suggestions=suggestions,
        applications=applications,
        categories=await banks.categories(ctx.session, bank.id, active_only=False),
        names=await needs.user_names(ctx, people),
        notices=await flashes(request, ctx),
        fmt=banks.fmt,
    )


@post(f"{BANKS}/{{bank_id:int}}/members/{{member_id:int}}/{{decision:str}}", name="time_bank:decide", status_code=303)
async def decide(
    request: Request[Any, Any, Any], ctx: RequestContext, bank_id: int, member_id: int, decision: str
) -> Response[Any]:
    """Approve or reject an application (approval opens the member's account)."""
    ctx.require(KEY, "staff")
    assert ctx.user is not None
    bank = await banks.require_staff(ctx, bank_id)
    if decision not in {"approve", "reject"}:
        raise NotFoundException(_("No such application."))
    uid = ctx.user.id

    async def run() -> Any:
        return await membership.decide(ctx.session, bank, member_id, decision, by=uid)

    return await act(request, ctx, ctx.url(f"{BANKS}/{bank.id}"), run)


@post(
    f"{BANKS}/{{bank_id:int}}/services/{{reference:str}}/{{action:str}}", name="time_bank:staff_action", status_code=303
)
async def staff_action(
    request: Request[Any, Any, Any], ctx: RequestContext, bank_id: int, reference: str, action: str, data: Form
) -> Response[Any]:
    """Match a volunteer, verify hours, resolve or uphold a dispute, retry a credit."""
    ctx.require(KEY, "staff")
    bank = await banks.require_staff(ctx, bank_id)
    case = await case_by_reference(ctx, reference)
    row = await needs.service_of(ctx, case) if case else None
    if case is None or row is None or row.bank_id != bank.id:
        raise NotFoundException(_("No such service."))
    reason = data.get("reason", "")

    async def run() -> Any:
        if action == "match":
            volunteer = data.get("volunteer", "")
            return await take_step(ctx, case, "match", data={"volunteer": int(volunteer) if volunteer.isdigit() else 0})
        if action == "resolve":
            minutes, why = parse_hours(data.get("hours"))
            if minutes is None:
                raise accounts.Refused(why)
            return await take_step(ctx, case, "resolve", data={"minutes": minutes}, reason=reason)
        steps = {"verify": "verify", "reject": "reject", "credit": "credit", "cancel": "cancel"}
        if action not in steps:
            raise NotFoundException(_("No such action."))
        return await take_step(ctx, case, steps[action], reason=reason)

    return await act(request, ctx, ctx.url(f"{BANKS}/{bank.id}"), run, _("Done: %(reference)s.", reference=reference))


@get(f"{BANKS}/{{bank_id:int}}/members", name="time_bank:members")
async def member_list(request: Request[Any, Any, Any], ctx: RequestContext, bank_id: int) -> Response[Any]:
    """The bank's members with their balances, statements and family links."""
    ctx.require(KEY, "staff")
    bank = await banks.require_staff(ctx, bank_id)
    members = list(
        (
            await ctx.session.execute(
                select(Member, User)
                .join(User, User.id == Member.user_id)
                .where(Member.bank_id == bank.id, Member.status == MemberStatus.APPROVED)
                .order_by(User.display_name)
            )
        ).all()
    )
    refs = [banks.member_ref(bank.id, m.user_id) for m, _u in members]
    balances: dict[Any, Any] = dict(
        (
            await ctx.session.execute(
                select(ledger.LedgerAccount.owner_ref, ledger.LedgerAccount.balance).where(
                    ledger.LedgerAccount.owner_ref.in_(refs)
                )
            )
        )
        .tuples()
        .all()
    )
    links = list((await ctx.session.execute(select(FamilyLink).where(FamilyLink.bank_id == bank.id))).scalars())
    names = {u.id: u.label for _m, u in members}
    return await page(
        request,
        ctx,
        "time_bank/members.html",
        bank=bank,
        members=members,
        links=links,
        names=names,
        balances={m.user_id: balances.get(banks.member_ref(bank.id, m.user_id), 0) for m, _u in members},
        notices=await flashes(request, ctx),
        fmt=banks.fmt,
    )


@post(f"{BANKS}/{{bank_id:int}}/family", name="time_bank:family_link", status_code=303)
async def family_link(request: Request[Any, Any, Any], ctx: RequestContext, bank_id: int, data: Form) -> Response[Any]:
    """Link two members of one family (checked by staff), so hours may be given between them."""
    ctx.require(KEY, "staff")
    assert ctx.user is not None
    bank = await banks.require_staff(ctx, bank_id)
    ids = [int(data.get(k, "0")) if data.get(k, "").isdigit() else 0 for k in ("user", "relative")]
    relation = (data.get("relation") or "").strip()[:20]
    members = [await banks.member_of(ctx.session, bank.id, i) for i in ids]
    back = ctx.url(f"{BANKS}/{bank.id}/members")

    async def run() -> Any:
        if None in members or ids[0] == ids[1] or not relation:
            raise accounts.Refused(_("Choose two different members and say how they are related."))
        link = FamilyLink(
            district_id=bank.district_id,
            bank_id=bank.id,
            user_id=ids[0],
            relative_id=ids[1],
            relation=relation,
            created_by_id=ctx.user.id if ctx.user else None,
        )
        ctx.session.add(link)
        await ctx.session.flush()
        return link

    return await act(request, ctx, back, run, _("The family link is saved."))


@post(f"{BANKS}/{{bank_id:int}}/expire", name="time_bank:expire", status_code=303)
async def run_expiry(request: Request[Any, Any, Any], ctx: RequestContext, bank_id: int) -> Response[Any]:
    """Send hours past the bank's expiry back to the bank (transfers; once per account and month)."""
    ctx.require(KEY, "staff")
    assert ctx.user is not None
    bank = await banks.require_staff(ctx, bank_id)
    made = await accounts.expire_unused(ctx.session, bank, by=ctx.user.id)
    return await redirect(
        request, ctx, ctx.url(f"{BANKS}/{bank.id}/members"), _("%(count)s expiry transfers were made.", count=made)
    )


STAFF_ROUTES = [bank_list, bank_console, decide, staff_action, member_list, family_link, run_expiry]
