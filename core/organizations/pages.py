"""The registry's pages: list with filters, profile (with modules' panels), forms, members, import."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from litestar import MediaType, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Response
from markupsafe import Markup
from sqlalchemy import select

from core.context import RequestContext
from core.db.transactions import roll_back
from core.i18n import gettext as _
from core.models import OrgUnit
from core.models.organizations import Organization
from core.organizations import access, vocab, xlsx
from core.organizations import service as svc
from core.organizations.forms import form_state_of, input_of, state_of
from core.organizations.standing import standing_of
from core.plugins.asyncio import call_hook, flatten
from core.refusal import ServiceError
from core.web.admin.common import FormState, done, error_status, form_of, int_or_none, render
from core.web.htmx import is_htmx
from core.web.pages import page

if TYPE_CHECKING:
    from core.models import District

__all__ = ("ORGANIZATION_ROUTES", "render_panels")

LIST = "core/organizations/list.html"
PROFILE = "core/organizations/profile.html"
FORM = "core/organizations/form.html"
IMPORT = "core/organizations/import.html"
PAGE_SIZE = 50
PAGE: dict[str, Any] = {"include_in_schema": False, "media_type": MediaType.HTML}


def _district(ctx: RequestContext) -> District:
    assert ctx.district is not None
    return ctx.district


async def _areas(ctx: RequestContext) -> list[tuple[int, str]]:
    rows = await ctx.session.execute(
        select(OrgUnit).where(OrgUnit.kind.in_(svc.AREA_KINDS)).order_by(OrgUnit.kind, OrgUnit.name_zh)
    )
    return [(u.id, u.name(ctx.locale)) for u in rows.scalars()]


def _labels() -> dict[str, Any]:
    return {
        "kind_label": vocab.kind_label,
        "type_label": vocab.type_label,
        "status_label": vocab.status_label,
        "field_label": vocab.field_label,
        "role_label": vocab.role_label,
    }


def _filters(request: Request[Any, Any, Any]) -> svc.Filters:
    q = request.query_params
    page = max(1, int_or_none(q.get("page")) or 1)
    return svc.Filters(
        q=str(q.get("q", ""))[:100],
        kind=q.get("kind", "") if q.get("kind", "") in {k for k, _v in vocab.kind_options()} else "",
        field=q.get("field", "") if q.get("field", "") in vocab.SERVICE_FIELDS else "",
        status=q.get("status", "") if q.get("status", "") in {k for k, _v in vocab.status_options()} else "",
        hub_id=int_or_none(q.get("hub")),
        area_id=int_or_none(q.get("area")),
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )


@get("/organizations", name="organizations", **PAGE)
async def organizations(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """The district's social organizations (or the user's own), searchable and filtered."""
    if not access.can_list(ctx):
        raise PermissionDeniedException(_("You do not have permission to do this."))
    district = _district(ctx)
    filters = _filters(request)
    rows, total = await svc.list_organizations(ctx.session, district, filters, access.visible_clause(ctx))
    hubs = await svc.hub_options(ctx.session, district)
    if is_htmx(request) and request.headers.get("hx-target") == "org-results":
        return await _results_only(request, ctx, rows, total, filters, hubs)
    return await render(
        request,
        ctx,
        LIST,
        rows=rows,
        total=total,
        filters=filters,
        form=FormState(
            {
                "q": filters.q,
                "kind": filters.kind,
                "field": filters.field,
                "status": filters.status,
                "hub": filters.hub_id or "",
                "area": filters.area_id or "",
            }
        ),
        page_no=filters.offset // PAGE_SIZE + 1,
        has_next=filters.offset + len(rows) < total,
        hubs=hubs,
        hub_names=dict(hubs),
        areas=await _areas(ctx),
        kinds=vocab.kind_options(),
        fields=vocab.field_options(),
        statuses=vocab.status_options(),
        **_labels(),
    )


async def _results_only(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    rows: list[Organization],
    total: int,
    filters: svc.Filters,
    hubs: list[tuple[int, str]],
) -> Any:
    return await page(
        request,
        ctx,
        LIST,
        block="results",
        rows=rows,
        total=total,
        filters=filters,
        page_no=filters.offset // PAGE_SIZE + 1,
        has_next=filters.offset + len(rows) < total,
        hub_names=dict(hubs),
        **_labels(),
    )


async def _form_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    form: FormState,
    org: Organization | None = None,
    status: int = 200,
) -> Any:
    district = _district(ctx)
    return await render(
        request,
        ctx,
        FORM,
        status_code=status,
        form=form,
        org=org,
        kinds=vocab.kind_options(),
        types=vocab.type_options(),
        statuses=vocab.status_options(),
        fields=vocab.field_options(),
        areas=await _areas(ctx),
        hubs=await svc.hub_options(ctx.session, district, exclude=org.id if org else None),
        locked=org is not None and access.registry_locked(ctx),
        **_labels(),
    )


@get("/organizations/new", **PAGE)
async def new_organization(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """The form to add an organization to the registry."""
    ctx.require(access.RESOURCE, "edit")
    return await _form_page(request, ctx, FormState({"kind": "registered", "status": "active"}))


def _refused(request: Request[Any, Any, Any], exc: ServiceError) -> int:
    roll_back(request)
    return error_status(request, exc)


@post("/organizations", **PAGE)
async def create_organization(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """Add an organization; errors come back next to their fields with everything typed kept."""
    ctx.require(access.RESOURCE, "edit")
    form = form_state_of(await form_of(request))
    try:
        org = await svc.create_organization(ctx.session, _district(ctx), input_of(form))
    except ServiceError as exc:
        form.errors = exc.errors
        return await _form_page(request, ctx, form, status=_refused(request, exc))
    return await done(request, ctx, ctx.url(f"/organizations/{org.id}"), _("%(name)s was added.", name=org.name))


async def _visible(ctx: RequestContext, organization_id: int) -> Organization:
    try:
        org = await svc.get_organization(ctx.session, _district(ctx), organization_id)
    except ServiceError as exc:
        raise NotFoundException(exc.message) from exc
    await access.require_visible(ctx, org)
    return org


async def render_panels(
    request: Request[Any, Any, Any], ctx: RequestContext, org: Organization
) -> list[tuple[str, Markup]]:
    """Modules' panels for the profile (the ``organization_panels`` hook), sorted and rendered."""
    found = flatten(await call_hook(ctx.hooks.organization_panels, ctx=ctx, organization=org))
    found.sort(key=lambda p: (p.order, p.title))
    env = request.app.state.jinja_env
    out = []
    for panel in found:
        html = env.get_template(panel.template).render({**panel.context, "ctx": ctx, "organization": org})
        out.append((panel.title, Markup(html)))  # noqa: S704 - rendered by the autoescaping environment
    return out


async def _profile(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    org: Organization,
    member_form: FormState | None = None,
    status: int = 200,
) -> Any:
    district = _district(ctx)
    hub = await svc.get_organization(ctx.session, district, org.hub_id) if org.hub_id else None
    area_names = dict(await _areas(ctx))
    editable = await access.can_edit(ctx, org)
    return await render(
        request,
        ctx,
        PROFILE,
        status_code=status,
        org=org,
        hub=hub,
        supervised=await svc.supervised_by(ctx.session, district, org.id) if org.is_hub else [],
        area_names=[area_names[a] for a in org.area_ids if a in area_names],
        members=await svc.list_members(ctx.session, district, org.id),
        can_edit=editable,
        member_form=member_form or FormState({"role": "member"}),
        roles=vocab.role_options(),
        panels=await render_panels(request, ctx, org),
        standings=await standing_of(ctx, org),
        **_labels(),
    )


@get("/organizations/{organization_id:int}", **PAGE)
async def organization(request: Request[Any, Any, Any], ctx: RequestContext, organization_id: int) -> Any:
    """An organization's profile: its facts, hub, members, and the panels modules add."""
    org = await _visible(ctx, organization_id)
    return await _profile(request, ctx, org)


@get("/organizations/{organization_id:int}/edit", **PAGE)
async def edit_organization(request: Request[Any, Any, Any], ctx: RequestContext, organization_id: int) -> Any:
    """The form to change an organization's profile."""
    org = await _visible(ctx, organization_id)
    await access.require_edit(ctx, org)
    return await _form_page(request, ctx, state_of(org), org)


@post("/organizations/{organization_id:int}", **PAGE)
async def update_organization(request: Request[Any, Any, Any], ctx: RequestContext, organization_id: int) -> Any:
    """Save the profile form (refused if someone saved in between: ``version``)."""
    org = await _visible(ctx, organization_id)
    await access.require_edit(ctx, org)
    form = form_state_of(await form_of(request))
    if access.registry_locked(ctx):  # the organization's own staff: registry facts stay as they are
        current = state_of(org).values
        form.values.update({k: current[k] for k in access.REGISTRY_FIELDS})
    try:
        await svc.update_organization(
            ctx.session, _district(ctx), org.id, input_of(form), version=int_or_none(form.value("version"))
        )
    except ServiceError as exc:
        form.errors = exc.errors
        return await _form_page(request, ctx, form, org, status=_refused(request, exc))
    return await done(request, ctx, ctx.url(f"/organizations/{org.id}"), _("Saved."))


@post("/organizations/{organization_id:int}/members", **PAGE)
async def add_member(request: Request[Any, Any, Any], ctx: RequestContext, organization_id: int) -> Any:
    """Give a user of the district a role in the organization (by username)."""
    org = await _visible(ctx, organization_id)
    await access.require_edit(ctx, org)
    data = await form_of(request)
    form = FormState({k: str(data.get(k, "") or "") for k in ("username", "role", "title")})
    try:
        await svc.add_member(
            ctx.session,
            _district(ctx),
            org.id,
            role=form.value("role"),
            username=form.value("username"),
            title=form.value("title"),
        )
    except ServiceError as exc:
        form.errors = {("username" if k == "user" else k): m for k, m in exc.errors.items()}
        return await _profile(request, ctx, org, form, status=_refused(request, exc))
    return await done(request, ctx, ctx.url(f"/organizations/{org.id}#members"), _("Saved."))


@post("/organizations/{organization_id:int}/members/{member_id:int}", **PAGE)
async def change_member(
    request: Request[Any, Any, Any], ctx: RequestContext, organization_id: int, member_id: int
) -> Any:
    """Change a member's role in the organization, or take them out (``remove``)."""
    org = await _visible(ctx, organization_id)
    await access.require_edit(ctx, org)
    data = await form_of(request)
    try:
        if data.get("remove"):
            await svc.remove_member(ctx.session, _district(ctx), org.id, member_id)
        else:
            await svc.update_member(
                ctx.session, _district(ctx), org.id, member_id, role=str(data.get("role", "")), title=data.get("title")
            )
    except ServiceError as exc:
        if exc.status_code == 404:
            raise NotFoundException(exc.message) from exc
        return await _profile(request, ctx, org, FormState(errors={"_": exc.message}), status=_refused(request, exc))
    return await done(request, ctx, ctx.url(f"/organizations/{org.id}#members"), _("Saved."))


# -- import ---------------------------------------------------------------------------------


@get("/organizations/import", **PAGE)
async def import_page(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """Upload an XLSX file (from the template) to preview, then import."""
    ctx.require(access.RESOURCE, "import")
    return await render(request, ctx, IMPORT, result=None, payload="", form=FormState(), columns=xlsx.COLUMNS)


@get("/organizations/import/template.xlsx", include_in_schema=False)
async def import_template(ctx: RequestContext) -> Response[bytes]:
    """The XLSX template to fill in."""
    ctx.require(access.RESOURCE, "import")
    return Response(
        xlsx.template_bytes(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename*=UTF-8''organizations-template.xlsx"},
    )


@post("/organizations/import", **PAGE, request_max_body_size=4 * xlsx.MAX_BYTES)
async def import_upload(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """``file``: preview every row (nothing saved). ``payload`` + ``confirm``: import it, all rows or none."""
    ctx.require(access.RESOURCE, "import")
    data = await form_of(request)
    upload = data.get("file")
    payload = str(data.get("payload", "") or "")
    form = FormState()
    content = b""
    if upload is not None and hasattr(upload, "read"):
        content = await upload.read()
    elif payload:
        try:
            content = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            content = b""
    if not content:
        form.errors = {"file": _("Choose the XLSX file to import.")}
        return await render(
            request,
            ctx,
            IMPORT,
            status_code=error_status(request),
            result=None,
            payload="",
            form=form,
            columns=xlsx.COLUMNS,
        )
    save = bool(data.get("confirm")) and not upload
    try:
        result = await xlsx.run_import(ctx.session, _district(ctx), content, save=save)
    except ServiceError as exc:
        form.errors = exc.errors
        return await render(
            request,
            ctx,
            IMPORT,
            status_code=_refused(request, exc),
            result=None,
            payload="",
            form=form,
            columns=xlsx.COLUMNS,
        )
    if result.saved:
        return await done(
            request, ctx, ctx.url("/organizations"), _("%(n)s organizations were imported.", n=len(result.rows))
        )
    return await render(
        request,
        ctx,
        IMPORT,
        status_code=200 if result.ok or is_htmx(request) else 400,
        result=result,
        payload=base64.b64encode(content).decode() if result.ok else "",
        form=form,
        columns=xlsx.COLUMNS,
    )


ORGANIZATION_ROUTES = [
    organizations,
    new_organization,
    create_organization,
    import_page,
    import_template,
    import_upload,
    organization,
    edit_organization,
    update_organization,
    add_member,
    change_member,
]
