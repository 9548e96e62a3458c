"""Pages where the district's time-bank admins create a bank (``/time-bank/banks/new``) and edit its settings.

The checks and the writes are :mod:`plugins.time_bank.bank_settings`'s, the same as the
API's and the CLI's. A wrong field comes back (400; 200 for htmx) with its message next
to it and everything typed kept; nothing is written.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post

from core.plugin_api import Refusal, RequestContext, is_fragment, localized, page, redirect
from core.plugin_api import gettext as _
from plugins.time_bank import bank_settings, banks
from plugins.time_bank.manifest import KEY

__all__ = ("BANK_ROUTES",)

NEW = "/time-bank/banks/new"
SETTINGS = "/time-bank/banks/{bank_id:int}/settings"


async def _render(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    form: dict[str, Any],
    errors: dict[str, str],
    bank: Any = None,
) -> Response[Any]:
    htmx = is_fragment(request)
    return await page(
        request,
        ctx,
        "time_bank/bank_form.html",
        status_code=400 if errors and not htmx else 200,  # htmx swaps no 4xx
        bank=bank,
        form=form,
        errors=errors,
        unit_options=[(str(u.id), u.name(ctx.locale)) for u in await bank_settings.units(ctx.session)],
        org_options=[(str(o.id), o.name) for o in await bank_settings.registered(ctx.session)],
        category_options=[(key, localized(zh, en, ctx.locale)) for key, zh, en, _r in bank_settings.STARTER_CATEGORIES],
    )


async def _posted(request: Request[Any, Any, Any]) -> dict[str, Any]:
    raw = await request.form()
    form: dict[str, Any] = {k: str(v) for k, v in raw.items() if k not in {"_csrf_token", "categories"}}
    form["categories"] = [str(v) for v in raw.getall("categories", [])]
    return form


@get(NEW, name="time_bank:bank_new")
async def bank_new(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The form for a new bank: name, operating organization, community, categories, limits."""
    ctx.require(KEY, "admin")
    form = {"categories": [key for key, *_rest in bank_settings.STARTER_CATEGORIES[:3]]}
    return await _render(request, ctx, form, {})


@post(NEW, name="time_bank:bank_create", status_code=303)
async def bank_create(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Create the bank when every field is right, then open its console."""
    ctx.require(KEY, "admin")
    assert ctx.district is not None
    form = await _posted(request)
    draft = await bank_settings.check_bank(ctx.session, form)
    try:
        bank = await bank_settings.create(ctx.session, ctx.district.id, draft)
    except Refusal as exc:
        return await _render(request, ctx, form, exc.errors or {"_": exc.text(ctx.locale)})
    return await redirect(
        request,
        ctx,
        ctx.url(f"/time-bank/banks/{bank.id}"),
        _("%(bank)s is created. Set its rules and add its catalogue next.", bank=bank.name),
    )


@get(SETTINGS, name="time_bank:bank_settings")
async def settings_page(request: Request[Any, Any, Any], ctx: RequestContext, bank_id: int) -> Response[Any]:
    """A bank's name, operating organization, community, description and whether it is open."""
    ctx.require(KEY, "admin")
    bank = await banks.bank_or_404(ctx.session, bank_id)
    return await _render(request, ctx, bank_settings.form_of(bank), {}, bank)


@post(SETTINGS, name="time_bank:bank_settings_save", status_code=303)
async def settings_save(request: Request[Any, Any, Any], ctx: RequestContext, bank_id: int) -> Response[Any]:
    """Save the settings when every field is right."""
    ctx.require(KEY, "admin")
    bank = await banks.bank_or_404(ctx.session, bank_id)
    form = await _posted(request)
    form.pop("categories", None)
    form.setdefault("active", "")  # an unticked box is not sent
    draft = await bank_settings.check_bank(ctx.session, form, bank=bank)
    try:
        await bank_settings.save(ctx.session, bank, form, draft)
    except Refusal as exc:
        return await _render(request, ctx, form, exc.errors or {"_": exc.text(ctx.locale)}, bank)
    return await redirect(
        request,
        ctx,
        ctx.url(f"/time-bank/banks/{bank.id}/settings"),
        _("The settings of %(bank)s are saved.", bank=bank.name),
    )


BANK_ROUTES = [bank_new, bank_create, settings_page, settings_save]
