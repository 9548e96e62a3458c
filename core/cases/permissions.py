"""Case-level permission, in one place: may this user file, edit, comment on, attach to, or take a step on this case.

The case service (:mod:`core.cases.service`, :mod:`core.cases.activity`,
:mod:`core.cases.transitions`, :mod:`core.cases.attachments`), the case pages, the queue
and the JSON API all ask these functions; none repeats the rule. Whether a user may *see*
a case at all is :mod:`core.cases.access` (as SQL). A refused action raises
:class:`~core.refusal.Forbidden` (403) — never a web framework's exception.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.i18n import gettext
from core.refusal import Forbidden

if TYPE_CHECKING:
    from core.casetypes.definition import CaseTypeDef
    from core.context import RequestContext
    from core.models.cases import Case
    from core.workflows.definition import Transition

__all__ = (
    "may",
    "may_attach",
    "may_comment",
    "may_create",
    "may_edit",
    "may_stage",
    "may_take",
    "require",
    "steps_open_to",
)


def may(ctx: RequestContext, definition: CaseTypeDef, action: str) -> bool:
    """Whether the user's roles allow ``action`` (``edit``, ``comment``, ``transition:<key>`` …) on the type."""
    return ctx.can(definition.resource, action)


def may_create(ctx: RequestContext, definition: CaseTypeDef) -> bool:
    """May file a case of this type."""
    return may(ctx, definition, "create")


def may_edit(ctx: RequestContext, case: Case | None, definition: CaseTypeDef) -> bool:
    """May change the case's fields, assign or claim it (``case=None``: any case of the type; a closed case: no)."""
    return may(ctx, definition, "edit") and (case is None or case.is_open)


def may_comment(ctx: RequestContext, definition: CaseTypeDef) -> bool:
    """May comment on cases of this type."""
    return may(ctx, definition, "comment")


def may_attach(ctx: RequestContext, definition: CaseTypeDef) -> bool:
    """May add a file to a case of this type (who may edit or comment)."""
    return may(ctx, definition, "edit") or may_comment(ctx, definition)


def may_take(ctx: RequestContext, case: Case | None, definition: CaseTypeDef, transition: Transition) -> bool:
    """May take ``transition`` (on ``case``: and it leaves the case's state). Guards are checked when it is taken."""
    if case is not None and case.state not in transition.sources:
        return False
    return may(ctx, definition, f"transition:{transition.key}")


def steps_open_to(ctx: RequestContext, case: Case, definition: CaseTypeDef) -> list[Transition]:
    """The steps out of the case's state the user may take."""
    return [t for t in definition.workflow.outgoing(case.state) if may_take(ctx, None, definition, t)]


def may_stage(ctx: RequestContext, definition: CaseTypeDef) -> bool:
    """May upload files before filing a case or taking a step: to file one, or for a step they may take."""
    return may_create(ctx, definition) or any(
        may_take(ctx, None, definition, t) for t in definition.workflow.transitions
    )


def require(allowed: bool) -> None:
    """Refuse (403, nothing written) unless ``allowed``."""
    if not allowed:
        raise Forbidden(gettext("You do not have permission to do this."))
