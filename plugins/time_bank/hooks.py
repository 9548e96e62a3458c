"""Every hook the time bank plugin implements. The core loads this module and nothing else.

Hooks are plain functions or ``async def``; see docs/plugins/hooks.md for each one.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from core.plugin_api import (
    Case,
    Manifest,
    NavItem,
    Panel,
    PolicyDefault,
    Widget,
    hookimpl,
    plugin_settings,
)
from core.plugin_api import gettext as _
from plugins.time_bank import banks, needs
from plugins.time_bank import cli as cli_module
from plugins.time_bank.api import API_ROUTES
from plugins.time_bank.manifest import CASE_TYPE, KEY, MANIFEST
from plugins.time_bank.models import Bank, Member, MemberStatus, Service
from plugins.time_bank.routes import ROUTES
from plugins.time_bank.seed import seed_time_bank
from plugins.time_bank.web import TEMPLATE_HELPERS

if TYPE_CHECKING:
    import click
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.sql.elements import ColumnElement

    from core.plugin_api import CaseTypeDef, District, RequestContext, Transition

USERS = ("district_admin", "community_worker", "social_worker", "org_staff", "volunteer", "resident")
CHINA = ZoneInfo("Asia/Shanghai")  # "this year" is China's
STAFF = ("district_admin", "community_worker", "social_worker", "org_staff")


@hookimpl
def plugin_manifest() -> Manifest:
    return MANIFEST


@hookimpl
def case_types() -> list[Path]:
    return [Path(__file__).parent / "case_types" / f"{CASE_TYPE}.yaml"]


@hookimpl
def template_globals() -> dict[str, Any]:
    return TEMPLATE_HELPERS


@hookimpl
def register_routes() -> list[Any]:
    return list(ROUTES)


@hookimpl
def register_api_routes() -> list[Any]:
    return list(API_ROUTES)


@hookimpl
def register_commands(cli: click.Group) -> None:
    cli_module.register(cli)


@hookimpl
def default_policies() -> list[PolicyDefault]:
    return [
        *(PolicyDefault(role, KEY, "use") for role in USERS),
        *(PolicyDefault(role, KEY, "staff") for role in STAFF),
        PolicyDefault("district_admin", KEY, "admin"),
    ]


@hookimpl
def nav_items(ctx: RequestContext) -> list[NavItem]:
    return [
        NavItem(_("Time bank"), ctx.url("/time-bank"), icon="clock", order=30, permission=(KEY, "use")),
        NavItem(_("Time bank staff"), ctx.url("/time-bank/banks"), order=31, permission=(KEY, "staff")),
    ]


@hookimpl
async def dashboard_widgets(ctx: RequestContext) -> list[Widget]:
    if ctx.district is None or ctx.user is None or not ctx.can(KEY, "use"):
        return []
    settings = await plugin_settings(ctx.session, ctx.district, ctx.host, KEY)
    if not settings.get("show_on_dashboard", True):
        return []
    rows = []
    for member, bank in await banks.memberships_of(ctx.session, ctx.user.id):
        if member.status == MemberStatus.APPROVED:
            account = await banks.account_of(ctx.session, bank, ctx.user.id)
            rows.append((bank, account.balance))
    if not rows:
        return []
    return [Widget(_("Time bank"), "time_bank/widget.html", {"rows": rows, "fmt": banks.fmt}, order=30)]


@hookimpl
async def seed_demo(session: AsyncSession, district: District) -> None:
    await seed_time_bank(session, district)


@hookimpl
async def on_case_created(ctx: RequestContext, case: Case, case_type: CaseTypeDef) -> None:
    if case.case_type_key == CASE_TYPE:
        await needs.register_need(ctx, case)


@hookimpl
async def before_transition(
    ctx: RequestContext, case: Case, case_type: CaseTypeDef, transition: Transition, data: dict[str, Any]
) -> str | None:
    return await needs.refusal(ctx, case, transition, data)


@hookimpl
async def after_transition(ctx: RequestContext, case: Case, case_type: CaseTypeDef, transition: Transition) -> None:
    await needs.after_step(ctx, case, case_type, transition)


@hookimpl
async def case_record_rules(ctx: RequestContext, case_type: CaseTypeDef) -> list[ColumnElement[bool]]:
    """Staff see their banks' services; others what they posted, serve or receive, and their banks' open needs."""
    if case_type.key != CASE_TYPE or ctx.user is None or ctx.can(KEY, "admin"):
        return []
    uid = ctx.user.id
    staff_banks = await banks.staff_bank_ids(ctx)
    volunteer_banks = select(Member.bank_id).where(
        Member.user_id == uid, Member.status == MemberStatus.APPROVED, Member.is_volunteer.is_(True)
    )
    own = select(Service.case_id).where(
        or_(
            Service.bank_id.in_(staff_banks or {0}),
            Service.volunteer_user_id == uid,
            Service.served_user_id == uid,
        )
    )
    open_needs = select(Service.case_id).where(Service.bank_id.in_(volunteer_banks))
    return [or_(Case.created_by_id == uid, Case.id.in_(own), (Case.state == "posted") & Case.id.in_(open_needs))]


@hookimpl
async def case_field_labels(ctx: RequestContext, case: Case, case_type: CaseTypeDef) -> dict[str, dict[str, str]]:
    """The bank's name for ``bank_id`` and the category's label for ``category`` (never the id or the key)."""
    if case.case_type_key != CASE_TYPE:
        return {}
    row = await needs.service_of(ctx, case)
    bank_id = row.bank_id if row is not None else needs.int_or_none(case.data.get("bank_id"))
    bank = (await ctx.session.execute(select(Bank).where(Bank.id == bank_id))).scalar_one_or_none()
    if bank is None:
        return {}
    cats = await banks.categories(ctx.session, bank.id, active_only=False)
    return {"bank_id": {str(bank.id): bank.name}, "category": {k: c.name(ctx.locale) for k, c in cats.items()}}


@hookimpl
async def case_panels(ctx: RequestContext, case: Case, case_type: CaseTypeDef) -> list[Panel]:
    row = await needs.service_of(ctx, case)
    if row is None:
        return []
    bank = await banks.bank_or_404(ctx.session, row.bank_id)
    category = (await banks.categories(ctx.session, bank.id, active_only=False)).get(row.category)
    names = await needs.user_names(ctx, {row.served_user_id, row.volunteer_user_id})
    context = {"row": row, "bank": bank, "category": category, "names": names, "fmt": banks.fmt}
    return [Panel(_("Time bank"), "time_bank/case_panel.html", context, order=10)]


@hookimpl
async def organization_panels(ctx: RequestContext, organization: Any) -> list[Panel]:
    """The banks the organization runs: members, volunteers, and the hours credited this year."""
    run = list(
        (await ctx.session.execute(select(Bank).where(Bank.organization_id == organization.id).order_by(Bank.name)))
        .scalars()
        .all()
    )
    if not run:
        return []
    ids = [b.id for b in run]
    people = {
        bank_id: (members, volunteers)
        for bank_id, members, volunteers in await ctx.session.execute(
            select(Member.bank_id, func.count(), func.count().filter(Member.is_volunteer.is_(True)))
            .where(Member.bank_id.in_(ids), Member.status == MemberStatus.APPROVED)
            .group_by(Member.bank_id)
        )
    }
    year = datetime.now(CHINA).year
    served = {
        bank_id: (count, minutes)
        for bank_id, count, minutes in await ctx.session.execute(
            select(Service.bank_id, func.count(), func.coalesce(func.sum(Service.credited_minutes), 0))
            .where(
                Service.bank_id.in_(ids),
                Service.credited_minutes.is_not(None),
                Service.served_on >= date(year, 1, 1),
                Service.served_on < date(year + 1, 1, 1),
            )
            .group_by(Service.bank_id)
        )
    }
    staff = await banks.staff_bank_ids(ctx)
    rows = [(b, *people.get(b.id, (0, 0)), *served.get(b.id, (0, 0)), b.id in staff) for b in run]
    context = {"rows": rows, "year": year, "fmt": banks.fmt}
    return [Panel(_("Time bank"), "time_bank/org_panel.html", context, order=40)]
