"""The case-type definition: what plugins ship as YAML and the builder edits in the browser."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.forms.definition import DefinitionError, FormDef, Problem, _text, parse_form
from core.i18n import localized
from core.workflows.definition import WorkflowDef, parse_workflow

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ("ACTIONS", "VISIBILITY", "CaseTypeDef", "QueueDef", "StageRule", "parse_case_type")

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
# Actions granted per role on every case type; each transition is an action of its own.
# ``view_own`` lets a resident or volunteer see the cases they reported, and no others.
ACTIONS = ("view", "view_own", "create", "edit", "comment", "export")
# Who may see a case (record rule), besides people with the view permission:
#   all      every holder of the view permission in the district
#   team     only members of the case's team (org unit subtree), its assignee and its creator
#   assigned only the assignee and the creator (e.g. sensitive casework)
VISIBILITY = ("all", "team", "assigned")
CHANNELS = ("web", "mobile", "phone", "walk_in", "door_to_door")
_TOP_KEYS = {
    "key",
    "name",
    "description",
    "form",
    "workflow",
    "queues",
    "permissions",
    "visibility",
    "title",
    "channels",
    "version",
    "stage_visibility",
    "audit_reads",
    "supervisors",
}


@dataclass(frozen=True)
class QueueDef:
    """A queue a case type brings: a saved filter with a label."""

    key: str
    label_zh: str
    label_en: str = ""
    states: tuple[str, ...] = ()
    scope: str = "all"  # all | mine | team | unassigned
    roles: tuple[str, ...] = ()
    # Form fields equal to a value (``where: {service_line: elderly}``): one queue per service line.
    where: tuple[tuple[str, str], ...] = ()

    def label(self, locale: str) -> str:
        return localized(self.label_zh, self.label_en, locale)


@dataclass(frozen=True)
class StageRule:
    """Which cases a role sees at which stage (``stage_visibility``; see docs/three-level-response.md).

    A user whose only roles with ``view`` on the type are named in some rule sees a case when
    one rule of one of their roles admits it: the case is in one of ``states``, its field
    ``unit_field`` (if given) holds the code of an org unit the user is a member of with
    that role, and its field ``filled`` (if given) is not empty.
    """

    roles: tuple[str, ...]
    states: tuple[str, ...]
    unit_field: str = ""
    filled: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"roles": list(self.roles), "states": list(self.states)}
        if self.unit_field:
            out["unit_field"] = self.unit_field
        if self.filled:
            out["filled"] = self.filled
        return out


@dataclass(frozen=True)
class CaseTypeDef:
    """A case type: key, names, form, workflow, queues, permissions per action, visibility."""

    key: str
    name_zh: str
    name_en: str
    form: FormDef
    workflow: WorkflowDef
    queues: tuple[QueueDef, ...] = ()
    permissions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    visibility: str = "all"
    title_template: str = ""
    description_zh: str = ""
    description_en: str = ""
    channels: tuple[str, ...] = CHANNELS
    stage_visibility: tuple[StageRule, ...] = ()
    # Every read of a case of this type is logged (core.cases.reads): sensitive records.
    audit_reads: bool = False
    # Roles that supervise: with ``view``, they see the type's cases of their org units (and
    # below) even when the visibility is ``assigned``, and read the cases' read log.
    supervisors: tuple[str, ...] = ()

    @property
    def staged_roles(self) -> frozenset[str]:
        """The roles whose view of this type is limited by ``stage_visibility``."""
        return frozenset(r for rule in self.stage_visibility for r in rule.roles)

    def name(self, locale: str) -> str:
        return localized(self.name_zh, self.name_en, locale)

    @property
    def resource(self) -> str:
        """The Casbin resource of this type's cases, e.g. ``case:resident_request``."""
        return f"case:{self.key}"

    def to_dict(self) -> dict[str, Any]:
        """The YAML/JSON form (the same format plugins ship and the builder exports)."""
        out: dict[str, Any] = {
            "key": self.key,
            "name": {"zh": self.name_zh, **({"en": self.name_en} if self.name_en else {})},
        }
        if self.description_zh or self.description_en:
            out["description"] = {k: v for k, v in (("zh", self.description_zh), ("en", self.description_en)) if v}
        if self.title_template:
            out["title"] = self.title_template
        if self.visibility != "all":
            out["visibility"] = self.visibility
        if self.channels != CHANNELS:
            out["channels"] = list(self.channels)
        out["form"] = {"fields": self.form.to_list()}
        out["workflow"] = self.workflow.to_dict()
        if self.queues:
            out["queues"] = [
                {
                    "key": q.key,
                    "label": {"zh": q.label_zh, **({"en": q.label_en} if q.label_en else {})},
                    **({"states": list(q.states)} if q.states else {}),
                    **({"scope": q.scope} if q.scope != "all" else {}),
                    **({"roles": list(q.roles)} if q.roles else {}),
                    **({"where": dict(q.where)} if q.where else {}),
                }
                for q in self.queues
            ]
        out["permissions"] = {action: list(roles) for action, roles in self.permissions.items()}
        if self.stage_visibility:
            out["stage_visibility"] = [rule.to_dict() for rule in self.stage_visibility]
        if self.audit_reads:
            out["audit_reads"] = True
        if self.supervisors:
            out["supervisors"] = list(self.supervisors)
        return out

    def checksum(self) -> str:
        """A stable hash of the definition: a shipped file that changed makes a new version.

        Computed once per definition (it is frozen): shipped files are parsed once per
        process and compared with each new district's versions.
        """
        cached = self.__dict__.get("_checksum")
        if cached is None:
            text = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
            cached = hashlib.sha256(text.encode()).hexdigest()
            object.__setattr__(self, "_checksum", cached)  # not a field: equality and hashing ignore it
        return cached


class _AnyRole:
    """Stands for "every role" when re-reading a definition that was checked when stored."""

    def __contains__(self, item: object) -> bool:
        return True


ANY_ROLE: Any = _AnyRole()


def parse_case_type(raw: Any, *, known_roles: Iterable[str] | None, source: str = "") -> CaseTypeDef:
    """Check and build a case type; raise :class:`DefinitionError` naming the file and every problem.

    ``known_roles=None`` skips the role check (for definitions already checked when stored).
    """
    roles: Any = ANY_ROLE if known_roles is None else set(known_roles)
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        raise DefinitionError([Problem("", "案件类型须为映射 / a case type must be a mapping")], source)
    for unknown in sorted(set(raw) - _TOP_KEYS):
        problems.append(Problem(unknown, f"未知的属性 / unknown key {unknown!r}"))
    key = str(raw.get("key") or "")
    if not KEY_RE.match(key):
        problems.append(Problem("key", f"类型键须为小写字母开头的字母数字下划线 / invalid case type key {key!r}"))
    name_zh = _text(raw.get("name"), "zh")
    if not name_zh:
        problems.append(Problem("name", "缺少中文名称 / a Chinese name (name.zh) is required"))
    form = parse_form(raw.get("form"), "form", problems)
    workflow = parse_workflow(raw.get("workflow"), form=form, known_roles=roles, problems=problems)
    permissions: dict[str, tuple[str, ...]] = {}
    raw_perms = raw.get("permissions") or {}
    if not isinstance(raw_perms, dict):
        problems.append(Problem("permissions", "权限须为 动作: [角色] / permissions must map actions to roles"))
        raw_perms = {}
    transition_actions = {f"transition:{t.key}" for t in workflow.transitions}
    for action, role_list in raw_perms.items():
        if action not in ACTIONS and action not in transition_actions:
            problems.append(
                Problem(
                    f"permissions.{action}", f"未知的动作 / unknown action {action!r} (known: {', '.join(ACTIONS)})"
                )
            )
        listed = tuple(str(r) for r in (role_list or []))
        for role in listed:
            if role not in roles:
                problems.append(
                    Problem(f"permissions.{action}", f"角色 {role!r} 不存在 / role {role!r} does not exist")
                )
        permissions[str(action)] = listed
    queues: list[QueueDef] = []
    state_keys = {s.key for s in workflow.states}
    for i, item in enumerate(raw.get("queues") or []):
        p = f"queues[{i}]"
        if not isinstance(item, dict) or not KEY_RE.match(str(item.get("key") or "")):
            problems.append(Problem(p, "队列需要键和标签 / a queue needs a key and a label"))
            continue
        q_states = tuple(str(s) for s in (item.get("states") or []))
        for s in q_states:
            if s not in state_keys:
                problems.append(Problem(f"{p}.states", f"状态 {s!r} 不存在 / state {s!r} does not exist"))
        scope = str(item.get("scope") or "all")
        if scope not in {"all", "mine", "team", "unassigned"}:
            problems.append(Problem(f"{p}.scope", f"范围须为 all/mine/team/unassigned / unknown scope {scope!r}"))
        q_roles = tuple(str(r) for r in (item.get("roles") or []))
        for role in q_roles:
            if role not in roles:
                problems.append(Problem(f"{p}.roles", f"角色 {role!r} 不存在 / role {role!r} does not exist"))
        queues.append(
            QueueDef(
                str(item["key"]),
                _text(item.get("label"), "zh") or str(item["key"]),
                _text(item.get("label"), "en"),
                q_states,
                scope,
                q_roles,
                _parse_where(item.get("where"), form, p, problems),
            )
        )
    visibility = str(raw.get("visibility") or "all")
    if visibility not in VISIBILITY:
        problems.append(
            Problem("visibility", f"可见范围须为 {'/'.join(VISIBILITY)} / unknown visibility {visibility!r}")
        )
    channels = tuple(str(c) for c in (raw.get("channels") or CHANNELS))
    for c in channels:
        if c not in CHANNELS:
            problems.append(
                Problem("channels", f"未知的渠道 {c!r} / unknown channel {c!r} (known: {', '.join(CHANNELS)})")
            )
    stage_rules = _parse_stage_rules(raw.get("stage_visibility"), roles, state_keys, form, problems)
    audit_reads, supervisors = _parse_sensitivity(raw, roles, problems)
    if problems:
        raise DefinitionError(problems, source)
    return CaseTypeDef(
        key=key,
        name_zh=name_zh,
        name_en=_text(raw.get("name"), "en"),
        form=form,
        workflow=workflow,
        queues=tuple(queues),
        permissions=permissions,
        visibility=visibility,
        title_template=str(raw.get("title") or ""),
        description_zh=_text(raw.get("description"), "zh"),
        description_en=_text(raw.get("description"), "en"),
        channels=channels,
        stage_visibility=stage_rules,
        audit_reads=audit_reads,
        supervisors=supervisors,
    )


def _parse_where(raw: Any, form: FormDef, p: str, problems: list[Problem]) -> tuple[tuple[str, str], ...]:
    """A queue's ``where``: form field → the value it must have (a choice field: one of its choices)."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        problems.append(Problem(f"{p}.where", "须为 字段: 值 / where must map fields to values"))
        return ()
    out = []
    for key, value in raw.items():
        spec = form.get(str(key))
        text = str(value)
        if spec is None:
            problems.append(Problem(f"{p}.where", f"字段 {key!r} 不存在 / field {key!r} does not exist"))
        elif spec.choices and text not in spec.choice_values():
            problems.append(Problem(f"{p}.where", f"{key} 没有选项 {text!r} / {key} has no choice {text!r}"))
        else:
            out.append((str(key), text))
    return tuple(out)


def _parse_sensitivity(raw: dict[str, Any], roles: Any, problems: list[Problem]) -> tuple[bool, tuple[str, ...]]:
    """``audit_reads`` (log every read) and ``supervisors`` (roles that see their units' cases)."""
    audit_reads = raw.get("audit_reads", False)
    if not isinstance(audit_reads, bool):
        problems.append(Problem("audit_reads", "须为 true 或 false / audit_reads must be true or false"))
    raw_supervisors = raw.get("supervisors") or []
    if not isinstance(raw_supervisors, list):
        problems.append(Problem("supervisors", "须为角色列表 / supervisors must be a list of roles"))
        raw_supervisors = []
    supervisors = tuple(str(r) for r in raw_supervisors)
    for role in supervisors:
        if role not in roles:
            problems.append(Problem("supervisors", f"角色 {role!r} 不存在 / role {role!r} does not exist"))
    return audit_reads is True, supervisors


def _parse_stage_rules(
    raw: Any, roles: Any, state_keys: set[str], form: FormDef, problems: list[Problem]
) -> tuple[StageRule, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(Problem("stage_visibility", "须为规则列表 / stage_visibility must be a list of rules"))
        return ()
    field_keys = {f.key for f in form.fields}
    rules = []
    for i, item in enumerate(raw):
        p = f"stage_visibility[{i}]"
        if not isinstance(item, dict) or not item.get("roles") or not item.get("states"):
            problems.append(Problem(p, "规则需要角色和状态 / a rule needs roles and states"))
            continue
        for unknown in sorted(set(item) - {"roles", "states", "unit_field", "filled"}):
            problems.append(Problem(f"{p}.{unknown}", f"未知的属性 / unknown key {unknown!r}"))
        r_roles = tuple(str(r) for r in item["roles"])
        for role in r_roles:
            if role not in roles:
                problems.append(Problem(f"{p}.roles", f"角色 {role!r} 不存在 / role {role!r} does not exist"))
        r_states = tuple(str(s) for s in item["states"])
        for s in r_states:
            if s not in state_keys:
                problems.append(Problem(f"{p}.states", f"状态 {s!r} 不存在 / state {s!r} does not exist"))
        unit_field, filled = str(item.get("unit_field") or ""), str(item.get("filled") or "")
        for name, value in (("unit_field", unit_field), ("filled", filled)):
            if value and value not in field_keys:
                problems.append(Problem(f"{p}.{name}", f"字段 {value!r} 不存在 / field {value!r} does not exist"))
        rules.append(StageRule(r_roles, r_states, unit_field, filled))
    return tuple(rules)
