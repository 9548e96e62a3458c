"""Who may see which case, as SQL: lists, counts, search, exports and single reads all use it.

A case is visible when the user holds ``view`` on its type and the type's visibility
rule admits them (``all``; ``team``: the case's team is one of the user's org units or
below them, or they are its assignee or creator; ``assigned``: assignee or creator), or
holds ``view_own`` and created it. Plugins may narrow further with ``case_record_rules``.

A type's ``supervisors`` (roles) widen ``assigned`` and ``team`` for the users holding one
of them: a supervisor sees the type's cases of their org units and the units below (the
social workers they supervise), besides the cases they are assigned or created — the
casework rule "only the people on the case, and their supervisor".

A type's ``stage_visibility`` rules narrow the roles they name: a user whose only roles
with ``view`` on the type are such roles sees just the cases one of their rules admits (a
state of the rule; the rule's ``unit_field`` naming one of the org units of their
membership in that role; its ``filled`` field not empty), and those they created or are
assigned. A role of the department sees the cases sent to its department, not every case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import false, or_, select, true
from sqlalchemy.event import listens_for
from sqlalchemy.orm import object_session

from core.models import OrgUnit
from core.models.cases import Case
from core.plugins.asyncio import call_hook, flatten
from core.rbac.enforcer import bump_in_flush, role_authorized

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.sql.elements import ColumnElement

    from core.casetypes.definition import CaseTypeDef, StageRule
    from core.context import RequestContext

__all__ = ("clear_cache", "is_supervisor", "team_unit_ids", "visibility_clause")

# Each district's org-unit tree (parent id → child ids), kept per process: district id →
# (policy_version, tree). Adding, moving or removing a unit bumps the district's
# policy_version (the hook below), so every process reloads it on its next request.
_trees: dict[int, tuple[int, dict[int | None, list[int]]]] = {}


def clear_cache() -> None:
    """Forget the org-unit trees (tests reuse ids across databases)."""
    _trees.clear()
    _clauses.clear()


@listens_for(OrgUnit, "after_insert")
@listens_for(OrgUnit, "after_update")
@listens_for(OrgUnit, "after_delete")
def _unit_changed(_mapper: Any, connection: Connection, target: OrgUnit) -> None:
    _trees.pop(target.district_id, None)
    bump_in_flush(connection, object_session(target), target.district_id)


async def team_unit_ids(ctx: RequestContext) -> set[int]:
    """The org units the user belongs to in the district, with every unit below them."""
    cached = ctx.extra.get("team_unit_ids")
    if cached is not None:
        return set(cached)
    assert ctx.district is not None
    own = {m.org_unit_id for m in ctx.memberships if m.district_id == ctx.district.id and m.org_unit_id}
    result: set[int] = set()
    if own:
        district = ctx.district
        hit = _trees.get(district.id)
        if hit is not None and hit[0] == district.policy_version:
            children = hit[1]
        else:
            rows = (await ctx.session.execute(select(OrgUnit.id, OrgUnit.parent_id))).all()
            children = {}
            for unit_id, parent_id in rows:
                children.setdefault(parent_id, []).append(unit_id)
            _trees[district.id] = (district.policy_version, children)
        stack = list(own)
        while stack:
            unit = stack.pop()
            if unit not in result:
                result.add(unit)
                stack.extend(children.get(unit, []))
    ctx.extra["team_unit_ids"] = frozenset(result)
    return result


def is_supervisor(ctx: RequestContext, definition: CaseTypeDef) -> bool:
    """Whether the user holds one of the type's ``supervisors`` roles (and may view the type)."""
    return (
        bool(definition.supervisors)
        and bool(ctx.roles & set(definition.supervisors))
        and ctx.can(definition.resource, "view")
    )


async def visibility_clause(ctx: RequestContext, definitions: list[CaseTypeDef]) -> ColumnElement[bool]:
    """The SQL condition selecting the cases ``ctx.user`` may see among ``definitions``' types."""
    if ctx.user is None or ctx.district is None:
        return false()
    if ctx.is_platform_admin:
        return true()
    key = "visibility_clause:" + ",".join(d.key for d in definitions)
    cached = ctx.extra.get(key)  # the same request asks again (the case, then its related cases)
    if cached is None:
        cached = ctx.extra[key] = await _clause(ctx, definitions)
    return cached  # type: ignore[no-any-return]


async def _unit_codes(ctx: RequestContext) -> dict[str, frozenset[str]]:
    """Role key → the codes of the org units the user's memberships in that role are limited to."""
    cached = ctx.extra.get("role_unit_codes")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    assert ctx.district is not None
    pairs = [(m.role_key, m.org_unit_id) for m in ctx.memberships if m.district_id == ctx.district.id and m.org_unit_id]
    codes: dict[int, str] = {}
    if pairs:
        ids = {unit_id for _, unit_id in pairs}
        rows = await ctx.session.execute(select(OrgUnit.id, OrgUnit.code).where(OrgUnit.id.in_(ids)))
        codes = dict(rows.tuples().all())
    out: dict[str, set[str]] = {}
    for role, unit_id in pairs:
        if unit_id in codes:
            out.setdefault(role, set()).add(codes[unit_id])
    result = {role: frozenset(c) for role, c in out.items()}
    ctx.extra["role_unit_codes"] = result
    return result


async def _stage_rules(
    ctx: RequestContext, definition: CaseTypeDef
) -> tuple[tuple[StageRule, frozenset[str]], ...] | None:
    """The stage rules limiting the user on this type with their unit codes, or None when nothing limits them."""
    staged = definition.staged_roles
    if not staged:
        return None
    assert ctx.district is not None
    held = ctx.roles
    if not held & staged or any(role_authorized(ctx.district, r, definition.resource, "view") for r in held - staged):
        return None
    codes = await _unit_codes(ctx)
    return tuple(
        (rule, frozenset().union(*(codes.get(r, frozenset()) for r in rule.roles)))
        for rule in definition.stage_visibility
        if held & set(rule.roles)
    )


def _stage_condition(rule: StageRule, codes: frozenset[str]) -> ColumnElement[bool]:
    condition: Any = Case.state.in_(rule.states)
    if rule.unit_field:
        condition = condition & (Case.data[rule.unit_field].as_string().in_(sorted(codes)) if codes else false())
    if rule.filled:
        value = Case.data[rule.filled].as_string()
        condition = condition & value.is_not(None) & (value != "")
    return condition  # type: ignore[no-any-return]


# Built clauses, kept per process: what a clause depends on (the user, their units, each
# type's key, visibility rule and the user's view/view_own on it) → the clause. Only a
# clause no plugin narrowed is kept (plugins' rules are asked on every request).
_clauses: dict[tuple[Any, ...], ColumnElement[bool]] = {}
_CLAUSES_MAX = 4096


async def _clause(ctx: RequestContext, definitions: list[CaseTypeDef]) -> ColumnElement[bool]:
    assert ctx.user is not None
    uid = ctx.user.id
    teams = await team_unit_ids(ctx)
    rules = []
    narrowed = False
    for definition in definitions:
        view = ctx.can(definition.resource, "view")
        view_own = not view and ctx.can(definition.resource, "view_own")
        if not (view or view_own):
            continue
        extra = flatten(await call_hook(ctx.hooks.case_record_rules, ctx=ctx, case_type=definition))
        narrowed = narrowed or bool(extra)
        stages = await _stage_rules(ctx, definition) if view else None
        visibility = definition.visibility
        if view and visibility != "all" and is_supervisor(ctx, definition):
            visibility = "team"
        rules.append((definition, visibility, view, view_own, extra, stages))
    key = (
        uid,
        frozenset(teams),
        tuple((d.key, visibility, view, own, stages) for d, visibility, view, own, _, stages in rules),
    )
    cached = None if narrowed else _clauses.get(key)
    if cached is not None:
        return cached
    conditions: list[Any] = []
    for definition, visibility, view, _, extra, stages in rules:
        is_type = Case.case_type_key == definition.key
        if view and stages is not None:
            rule: Any = is_type & or_(
                Case.assignee_id == uid,
                Case.created_by_id == uid,
                *(_stage_condition(stage, codes) for stage, codes in stages),
            )
        elif view:
            if visibility == "all":
                rule = is_type
            elif visibility == "team":
                rule = is_type & or_(
                    Case.team_id.in_(teams) if teams else false(), Case.assignee_id == uid, Case.created_by_id == uid
                )
            else:
                rule = is_type & or_(Case.assignee_id == uid, Case.created_by_id == uid)
        else:
            rule = is_type & (Case.created_by_id == uid)
        for condition in extra:
            rule = rule & condition
        conditions.append(rule)
    clause = or_(*conditions) if conditions else false()
    if not narrowed:
        if len(_clauses) >= _CLAUSES_MAX:
            _clauses.clear()
        _clauses[key] = clause
    return clause
