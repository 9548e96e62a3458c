"""Who may see and change which organizations (one home for the pages, the API and the CLI).

Permissions (Casbin resource ``organization``):

- ``view``: every organization of the district (district admin, community and social workers);
- ``edit``: create organizations and change any of them, with their members;
- ``import``: load organizations from an XLSX file;
- ``view_own`` / ``edit_own``: only the organizations where the user is a leader or staff
  (organization staff). This record rule is a SQL condition, so lists and counts are
  filtered in the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar.exceptions import NotFoundException, PermissionDeniedException
from sqlalchemy import select

from core.i18n import gettext as _
from core.models.organizations import STAFF_ROLES, Organization, OrganizationMember
from core.organizations.service import no_rows, staff_clause

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement

    from core.context import RequestContext

__all__ = (
    "REGISTRY_FIELDS",
    "RESOURCE",
    "can_edit",
    "can_list",
    "registry_locked",
    "require_edit",
    "require_visible",
    "visible_clause",
)

RESOURCE = "organization"
# What the district keeps about an organization's standing: its own staff (``edit_own``) change
# the rest of the profile, not these.
REGISTRY_FIELDS = (
    "kind",
    "registered_type",
    "credit_code",
    "filing_number",
    "status",
    "is_hub",
    "hub_id",
    "filed_on",
    "registered_on",
)


def registry_locked(ctx: RequestContext) -> bool:
    """Whether the user edits only as the organization's own staff (registry facts read-only)."""
    return not ctx.can(RESOURCE, "edit")


def can_list(ctx: RequestContext) -> bool:
    """Whether the user may open the registry at all (every organization, or their own)."""
    return ctx.can(RESOURCE, "view") or ctx.can(RESOURCE, "view_own")


def visible_clause(ctx: RequestContext) -> ColumnElement[bool] | None:
    """The user's record rule as SQL: ``None`` for every organization, else a narrowing condition."""
    if ctx.can(RESOURCE, "view"):
        return None
    if ctx.can(RESOURCE, "view_own") and ctx.user is not None:
        return staff_clause(ctx.user.id)
    return no_rows()


async def _is_staff(ctx: RequestContext, org: Organization) -> bool:
    if ctx.user is None:
        return False
    role = (
        await ctx.session.execute(
            select(OrganizationMember.role).where(
                OrganizationMember.organization_id == org.id, OrganizationMember.user_id == ctx.user.id
            )
        )
    ).scalar_one_or_none()
    return role in STAFF_ROLES


async def require_visible(ctx: RequestContext, org: Organization) -> None:
    """404 unless the user may see ``org`` (never says it exists)."""
    if ctx.can(RESOURCE, "view"):
        return
    if ctx.can(RESOURCE, "view_own") and await _is_staff(ctx, org):
        return
    raise NotFoundException(_("There is no such organization in this district."))


async def can_edit(ctx: RequestContext, org: Organization) -> bool:
    """Whether the user may change ``org``'s profile and members."""
    if ctx.can(RESOURCE, "edit"):
        return True
    return ctx.can(RESOURCE, "edit_own") and await _is_staff(ctx, org)


async def require_edit(ctx: RequestContext, org: Organization) -> None:
    """404 if the user may not see ``org``; 403 if they see it but may not change it."""
    await require_visible(ctx, org)
    if not await can_edit(ctx, org):
        raise PermissionDeniedException(_("You do not have permission to do this."))
