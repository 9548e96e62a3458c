"""The page where a bank's staff (or the district's time-bank admins) edit the bank's rules.

``GET`` shows the form filled from the bank; ``POST`` checks every field and, only when
all are right, saves through ``service.update_rules`` (members' accounts get the new
limits) and the categories. A wrong field comes back (400; 200 for htmx) with its message next to it
and everything typed kept; nothing is changed.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post

from core.plugin_api import RequestContext, flashes, is_fragment, page, redirect
from core.plugin_api import gettext as _
from plugins.time_bank import banks, rules_form
from plugins.time_bank.manifest import KEY

__all__ = ("RULES_ROUTES",)

RULES = "/time-bank/banks/{bank_id:int}/rules"


async def _render(
    request: Request[Any, Any, Any], ctx: RequestContext, bank: Any, form: dict[str, Any], errors: dict[str, str]
) -> Response[Any]:
    cats = await banks.categories(ctx.session, bank.id, active_only=False)
    htmx = is_fragment(request)
    count = int(form["inc_count"]) if str(form.get("inc_count", "")).isdigit() else rules_form.NEW_RULES
    return await page(
        request,
        ctx,
        "time_bank/rules.html",
        status_code=400 if errors and not htmx else 200,  # htmx swaps no 4xx
        bank=bank,
        cats=cats,
        form=form,
        errors=errors,
        rule_rows=range(min(count, 50)),
        notices=await flashes(request, ctx),
    )


@get(RULES, name="time_bank:rules")
async def rules_page(request: Request[Any, Any, Any], ctx: RequestContext, bank_id: int) -> Response[Any]:
    """The bank's rules as a form: categories and rates, limits, yearly cap, expiry, gifts, incentives."""
    ctx.require(KEY, "staff")
    bank = await banks.require_staff(ctx, bank_id)
    cats = await banks.categories(ctx.session, bank.id, active_only=False)
    return await _render(request, ctx, bank, rules_form.form_of(bank, cats), {})


@post(RULES, name="time_bank:rules_save", status_code=303)
async def rules_save(request: Request[Any, Any, Any], ctx: RequestContext, bank_id: int) -> Response[Any]:
    """Save the rules when every field is right; otherwise the form again with what is wrong."""
    ctx.require(KEY, "staff")
    bank = await banks.require_staff(ctx, bank_id)
    cats = await banks.categories(ctx.session, bank.id, active_only=False)
    form = {k: str(v) for k, v in (await request.form()).items() if k != "_csrf_token"}
    draft = rules_form.check_rules(form, cats)
    if draft.errors:
        return await _render(request, ctx, bank, form, draft.errors)
    await rules_form.save_rules(ctx.session, bank, cats, draft)
    return await redirect(
        request,
        ctx,
        ctx.url(f"/time-bank/banks/{bank.id}/rules"),
        _("The rules of %(bank)s are saved.", bank=bank.name),
    )


RULES_ROUTES = [rules_page, rules_save]
