"""Filing a new case: staff on a resident's behalf (phone, walk-in, door-to-door), residents on the web.

A double click must never make two cases. The button is disabled while the form is
sent (``hx-disabled-elt``), and, because that does not cover a form sent twice without
JavaScript or a retry after a dropped connection, every form carries a one-time token
(``_nonce``) that the server keeps in the user's session data. Sending the form takes a
lock on the session row first (an ``UPDATE``: a row lock on PostgreSQL, the write lock
on SQLite), so two submissions of the same form take turns: the first creates the case
and records its reference under the token, the second finds the reference and goes to
that case. We chose the session over "look for a recent case with the same nonce"
because the session row gives us the lock for free and needs no new column or index.

Files of ``file`` fields are sent with the form (multipart). Each accepted file is kept
at once as a *pending* attachment (no case yet; see :mod:`core.web.uploads`) and
committed before anything else is checked, so when another field is wrong, or one file
is refused, the form comes back with the accepted files listed (ticked checkboxes that
carry their claim tokens) and nothing has to be chosen again. Filing the case claims
them and links them to it in the same transaction, each with a timeline event.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect
from sqlalchemy import select, update

from core.auth.sessions import COOKIE_NAME, hash_id
from core.cases.attachments import claim_pending, link_pending
from core.cases.errors import InvalidData
from core.cases.labels import channel_label, priority_label
from core.cases.permissions import may_create, may_edit
from core.cases.service import case_type, case_types, create_case
from core.context import RequestContext, pending_message
from core.forms import form_input
from core.i18n import gettext
from core.models import OrgUnit, OrgUnitKind, WebSession
from core.web.forms import PAGE, form_view_for, intake_keys, read_posted
from core.web.pages import is_fragment, page
from core.web.uploads import BODY_LIMIT, stage_uploads

if TYPE_CHECKING:
    from core.casetypes.definition import CaseTypeDef

__all__ = ("NEW_CASE_ROUTES",)

FORMS_KEY = "new_case_forms"
KEEP_TOKENS = 20
SELF_SERVICE = ("web", "mobile")


def _staff_channels(definition: CaseTypeDef) -> list[str]:
    """Channels staff choose from when filing for a resident (self-service ones are the resident's own)."""
    return [c for c in definition.channels if c not in SELF_SERVICE] or list(definition.channels)


@get("/cases/new", name="cases_new", **PAGE)
async def new_case_types(request: Request[Any, Any, Any], ctx: RequestContext) -> HTMXBlockTemplate:
    """The case types this user may file."""
    if ctx.pending:
        raise PermissionDeniedException(pending_message())
    types = [d for _, d in (await case_types(ctx)).values() if may_create(ctx, d)]
    types.sort(key=lambda d: d.name(ctx.locale))
    return await page(request, ctx, "core/cases/new.html", types=types)


async def _session_forms(ctx: RequestContext, request: Request[Any, Any, Any], *, lock: bool) -> WebSession | None:
    raw = request.cookies.get(COOKIE_NAME)
    if not raw:
        return None
    key = hash_id(raw)
    if lock:
        await ctx.session.execute(
            update(WebSession).where(WebSession.id_hash == key).values(expires_at=WebSession.expires_at)
        )
    query = select(WebSession).where(WebSession.id_hash == key).execution_options(populate_existing=True)
    return (await ctx.session.execute(query)).scalar_one_or_none()


def _remember(row: WebSession, nonce: str, reference: str) -> None:
    forms = dict((row.data or {}).get(FORMS_KEY) or {})
    forms.pop(nonce, None)
    forms[nonce] = reference
    row.data = {**(row.data or {}), FORMS_KEY: dict(list(forms.items())[-KEEP_TOKENS:])}


async def _render_form(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    definition: CaseTypeDef,
    *,
    nonce: str,
    values: dict[str, Any],
    errors: dict[str, str],
    top: dict[str, str],
    message: str = "",
    status_code: int = 200,
) -> HTMXBlockTemplate:
    staff = may_edit(ctx, None, definition)
    view = await form_view_for(ctx, definition, values, errors, offered=intake_keys(definition, staff=staff))
    view.uploads = True
    teams: list[tuple[str, str]] = []
    if staff:
        units = await ctx.session.execute(
            select(OrgUnit).where(OrgUnit.kind != OrgUnitKind.ORGANIZATION).order_by(OrgUnit.code)
        )
        teams = [(str(u.id), u.name(ctx.locale)) for u in units.scalars()]
    return await page(
        request,
        ctx,
        "core/cases/new_form.html",
        status_code=status_code,
        definition=definition,
        view=view,
        staff=staff,
        channels=[(c, channel_label(c)) for c in _staff_channels(definition)],
        priorities=[(str(p), priority_label(p)) for p in range(4)],
        teams=teams,
        top=top,
        errors=errors,
        message=message,
        nonce=nonce,
    )


async def _creatable(ctx: RequestContext, type_key: str) -> CaseTypeDef:
    if ctx.pending:  # registered, not yet confirmed: say so rather than "no such case type"
        raise PermissionDeniedException(pending_message())
    _, definition = await case_type(ctx, type_key)
    if not may_create(ctx, definition):
        raise NotFoundException(gettext("No such case type."))
    return definition


def _own_team(ctx: RequestContext) -> str:
    assert ctx.district is not None
    unit = next((m.org_unit_id for m in ctx.memberships if m.district_id == ctx.district.id and m.org_unit_id), None)
    return str(unit) if unit else ""


@get("/cases/new/{type_key:str}", name="case_new_form", **PAGE)
async def new_case_form(request: Request[Any, Any, Any], ctx: RequestContext, type_key: str) -> HTMXBlockTemplate:
    """The form to file a case of one type (with a fresh one-time token)."""
    definition = await _creatable(ctx, type_key)
    nonce = secrets.token_urlsafe(16)
    row = await _session_forms(ctx, request, lock=False)
    if row is not None:
        _remember(row, nonce, "")
    staff = may_edit(ctx, None, definition)
    channels = _staff_channels(definition)
    top = {
        "title": "",
        "channel": "phone" if "phone" in channels else channels[0],
        "priority": "1",
        "team_id": _own_team(ctx) if staff else "",
    }
    values = await prefill_from_person(ctx, definition, request.query_params.get("person"))
    if not staff and not values:  # a resident or volunteer files for themselves: their own name and phone
        from core.residents.prefill import own_values  # noqa: PLC0415 - only intake needs it

        values = await own_values(ctx, definition.form.fields)
    return await _render_form(request, ctx, definition, nonce=nonce, values=values, errors={}, top=top)


async def prefill_from_person(ctx: RequestContext, definition: CaseTypeDef, person_id: Any) -> dict[str, Any]:
    """The form's contact fields filled from a resident chosen at intake (``?person=<id>``).

    Generic over case types: the first top-level ``phone`` field gets the person's phone
    (only for users who may see phones whole: ``resident:view_sensitive``), the first
    text field whose key is one of :data:`core.residents.public.NAME_KEYS` gets the name,
    the first ``address`` field the address of the person's first household.
    """
    from core.residents.prefill import prefill_values  # noqa: PLC0415 - only intake needs it

    if not person_id or not ctx.can("resident", "view"):
        return {}
    return await prefill_values(ctx, definition.form.fields, str(person_id))


@post("/cases/new/{type_key:str}", name="case_new", request_max_body_size=BODY_LIMIT, **PAGE)
async def new_case(request: Request[Any, Any, Any], ctx: RequestContext, type_key: str) -> Any:
    """Create the case and go to its page; on an error show the form again with everything typed and uploaded."""
    definition = await _creatable(ctx, type_key)
    staff = may_edit(ctx, None, definition)
    posted, uploads = await read_posted(request)
    offered = intake_keys(definition, staff=staff)
    raw = form_input(definition.form, posted)
    values = {k: v for k, v in raw.items() if k in offered}
    top = {k: str(posted.get(k) or "") for k in ("title", "channel", "priority", "team_id")}
    if posted.get("team_id") is None:  # not sent at all (not "none chosen"): the filer's own team
        top["team_id"] = _own_team(ctx)
    nonce = str(posted.get("_nonce") or "")
    row = await _session_forms(ctx, request, lock=False)
    if row is not None and ((row.data or {}).get(FORMS_KEY) or {}).get(nonce):
        return _go(request, ctx.url(f"/cases/{row.data[FORMS_KEY][nonce]}"))  # the same form sent again
    errors: dict[str, str] = {}
    if await stage_uploads(ctx, definition, offered, uploads, values, errors):
        # Uploaded files stay with the form whatever happens next: the answer to an invalid
        # form is a 400, whose transaction is rolled back.
        await ctx.session.commit()
    row = await _session_forms(ctx, request, lock=True)
    forms = (row.data or {}).get(FORMS_KEY) or {} if row is not None else {}
    if row is not None and forms.get(nonce):
        return _go(request, ctx.url(f"/cases/{forms[nonce]}"))  # sent again while the first was being filed
    if row is not None and nonce not in forms:
        nonce = secrets.token_urlsafe(16)
        _remember(row, nonce, "")
        message = gettext("This form had expired. Check what you typed and send it again.")
        return await _render_form(
            request, ctx, definition, nonce=nonce, values=values, errors=errors, top=top, message=message
        )
    data, claim_errors, claimed = await claim_pending(ctx, definition, values)
    errors = {**claim_errors, **errors}
    for key in claim_errors:  # shown again without the files that cannot be claimed
        ok = {a.id for a in claimed}
        values[key] = [e for e in values.get(key) or [] if isinstance(e, dict) and e.get("id") in ok]
    try:
        priority = int(top["priority"]) if staff and top["priority"] else 1
    except ValueError:
        priority = -1
    team_id = int(top["team_id"]) if staff and top["team_id"].isdigit() else None
    if team_id is not None and await ctx.session.get(OrgUnit, team_id) is None:
        errors["team_id"] = gettext("Choose one of the listed options.")
    channel = top["channel"] if staff else next((c for c in SELF_SERVICE if c in definition.channels), "web")
    try:
        if errors:
            raise InvalidData(gettext("Please correct the marked fields."), errors)
        async with ctx.session.begin_nested():  # the case and its files together, or neither
            case = await create_case(
                ctx, type_key, title=top["title"], data=data, channel=channel, priority=priority, team_id=team_id
            )
            await link_pending(ctx, case, claimed)
    except InvalidData as exc:
        return await _render_form(
            request,
            ctx,
            definition,
            nonce=nonce,
            values=values,
            errors={**exc.errors, **errors},
            top=top,
            message=exc.message,
            status_code=200 if is_fragment(request) else 400,
        )
    if row is not None:
        _remember(row, nonce, case.reference)
    return _go(request, ctx.url(f"/cases/{case.reference}"))


def _go(request: Request[Any, Any, Any], url: str) -> Response[Any]:
    if is_fragment(request):
        return Response("", status_code=200, headers={"HX-Redirect": url})
    return Redirect(url, status_code=303)


NEW_CASE_ROUTES = [new_case_types, new_case_form, new_case]
