"""Every hook a plugin may implement. One flat module; each hook documented in docs/plugins/hooks.md.

Hooks may be plain functions or ``async def``; the core awaits what needs awaiting.
Hooks that take ``ctx`` receive a :class:`core.web.context.RequestContext` for the
current user and district, and are called only for plugins enabled in that district.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from pathlib import Path

    import click
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.sql.elements import ColumnElement

    from core.casetypes.definition import CaseTypeDef
    from core.context import RequestContext
    from core.models import District
    from core.models.cases import Case
    from core.models.deliveries import ServiceDelivery
    from core.models.organizations import Organization
    from core.notifications.channels import Channel
    from core.notifications.kinds import NotificationKind
    from core.organizations.standing import Standing
    from core.plugins.manifest import ExportColumn, Manifest, NavItem, Panel, PolicyDefault, QueueLink, Widget
    from core.scheduler.spec import JobSpec
    from core.workflows.definition import Transition

__all__ = ("hookimpl", "hookspec")

hookspec = pluggy.HookspecMarker("sanshe")
hookimpl = pluggy.HookimplMarker("sanshe")


# -- Describing the plugin -------------------------------------------------------------


@hookspec
def plugin_manifest() -> Manifest:  # type: ignore[empty-body]
    """Return the plugin's manifest: key, names, version, dependencies, permissions, roles, settings schema."""


# -- Building the app (called once, at start-up, for every installed plugin) -----------


@hookspec
def register_routes() -> list[Any]:  # type: ignore[empty-body]
    """Return web route handlers; the core mounts them under ``/d/{district_code}/`` behind the enablement guard."""


@hookspec
def register_public_routes() -> list[Any]:  # type: ignore[empty-body]
    """Return web handlers anyone may open without logging in; mounted under ``/d/{district_code}/public/``."""


@hookspec
def register_api_routes() -> list[Any]:  # type: ignore[empty-body]
    """Return JSON API handlers; the core mounts them under ``/api/v1/districts/{district_code}/``."""


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add click commands or groups to the ``sanshe`` command line."""


@hookspec
def notification_kinds() -> list[NotificationKind]:  # type: ignore[empty-body]
    """Return the kinds of notice the plugin sends (key, zh/en title and body templates, defaults, roles)."""


@hookspec
def notification_channels() -> list[Channel]:  # type: ignore[empty-body]
    """Return channels (SMS, a messaging app) that send notices besides the in-app inbox."""


@hookspec
def template_globals() -> dict[str, Any]:  # type: ignore[empty-body]
    """Return helpers for templates, installed once under the plugin's key: ``{{ time_bank.slot_label(s) }}``."""


@hookspec
def default_policies() -> list[PolicyDefault]:  # type: ignore[empty-body]
    """Return the (role, resource, action) rules a district gets when it enables the plugin."""


@hookspec
def scheduled_jobs() -> list[JobSpec]:  # type: ignore[empty-body]
    """Return scheduled jobs (key, names, schedule, async run), each run once per slot across servers."""


# -- Per request, per district (only plugins enabled in the district take part) --------


@hookspec
def nav_items(ctx: RequestContext) -> list[NavItem]:  # type: ignore[empty-body]
    """Return navigation links for this user in this district (the core drops those the user may not open)."""


@hookspec
def public_pages(ctx: RequestContext) -> list[NavItem]:  # type: ignore[empty-body]
    """Return links to this plugin's public (no login) pages for the district's public index."""


@hookspec
def dashboard_widgets(ctx: RequestContext) -> list[Widget]:  # type: ignore[empty-body]
    """Return widgets for the district's home dashboard, each rendered from a template fragment."""


# -- Data --------------------------------------------------------------------------------


@hookspec
def seed_demo(session: AsyncSession, district: District) -> None:
    """Add the plugin's demo data to the demo district (must be idempotent: ``sanshe demo`` runs twice)."""


@hookspec
def on_plugin_enabled(session: AsyncSession, district: District) -> None:
    """React to the plugin being switched on for a district (inside the same transaction)."""


# -- Cases (called only for plugins enabled in the case's district) ---------------------


@hookspec
def case_types() -> list[Path]:  # type: ignore[empty-body]
    """Return the paths of the case-type YAML files the plugin ships (checked and versioned when enabled)."""


@hookspec
def on_case_created(ctx: RequestContext, case: Case, case_type: CaseTypeDef) -> None:
    """React to a new case inside the transaction that creates it (an exception undoes the creation)."""


@hookspec
def before_transition(
    ctx: RequestContext, case: Case, case_type: CaseTypeDef, transition: Transition, data: dict[str, Any]
) -> str | None:
    """Return a reason to refuse the transition (shown to the user), or ``None`` to let it happen."""


@hookspec
def after_transition(ctx: RequestContext, case: Case, case_type: CaseTypeDef, transition: Transition) -> None:
    """Do a transition's side effects in its transaction: if this raises, the state change is undone too."""


@hookspec
def case_record_rules(ctx: RequestContext, case_type: CaseTypeDef) -> list[ColumnElement[bool]]:  # type: ignore[empty-body]
    """Return SQL conditions that further narrow which cases of ``case_type`` the user may see."""


@hookspec
def queue_definitions(ctx: RequestContext) -> list[QueueLink]:  # type: ignore[empty-body]
    """Return queues for the sidebar of the case queue page (each counted, and opened with its filters)."""


@hookspec
def case_export_columns(ctx: RequestContext, case_type: CaseTypeDef) -> list[ExportColumn]:  # type: ignore[empty-body]
    """Return extra columns for CSV/XLSX exports of ``case_type``'s cases (a header and a function of the case)."""


@hookspec
def case_panels(ctx: RequestContext, case: Case, case_type: CaseTypeDef) -> list[Panel]:  # type: ignore[empty-body]
    """Return panels for the case page (each a template rendered with its context, ``ctx`` and ``case``)."""


@hookspec
def case_field_labels(ctx: RequestContext, case: Case, case_type: CaseTypeDef) -> dict[str, dict[str, str]]:  # type: ignore[empty-body]
    """Return, by field key, the text people read for stored values the form cannot name (an id → its name)."""


# -- Organizations -------------------------------------------------------------------------


@hookspec
def organization_panels(ctx: RequestContext, organization: Organization) -> list[Panel]:  # type: ignore[empty-body]
    """Return panels for an organization's profile page (templates rendered with ``ctx`` and ``organization``)."""


@hookspec
def organization_standing(ctx: RequestContext, organization: Organization) -> list[Standing]:  # type: ignore[empty-body]
    """Return restrictions on the organization (probation, removed from the roster) that other modules respect."""


# -- Service deliveries -------------------------------------------------------------------


@hookspec
def service_delivered(ctx: RequestContext, delivery: ServiceDelivery) -> None:
    """React to a newly recorded service delivery (``core.deliveries.record``), in its transaction."""
