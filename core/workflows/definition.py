"""A workflow as data, and the checks it must pass to be loaded.

States carry a kind (open / waiting / closed) that says what they mean, instead of
guessing it from the name (Hypha's flaw); transitions name their roles, guard, the
fields required at that step and a confirmation text.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.forms.definition import Problem, _text
from core.forms.expressions import ExpressionError, check
from core.i18n import localized

if TYPE_CHECKING:
    from collections.abc import Container

    from core.forms.definition import FormDef

__all__ = ("SLA", "State", "StateKind", "Transition", "WorkflowDef", "parse_workflow")

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,47}$")


class StateKind(enum.StrEnum):
    OPEN = "open"  # someone must act; the SLA clock runs
    WAITING = "waiting"  # waiting for the resident or another party; the clock pauses
    CLOSED = "closed"  # finished


@dataclass(frozen=True)
class SLA:
    """How long a case may stay in a state: working hours, working days or calendar days."""

    amount: int
    unit: str  # "working_hours" | "working_days" | "days"

    def to_dict(self) -> dict[str, Any]:
        return {self.unit: self.amount}


@dataclass(frozen=True)
class State:
    key: str
    label_zh: str
    label_en: str = ""
    kind: StateKind = StateKind.OPEN
    sla: SLA | None = None
    reopenable: bool = False

    def label(self, locale: str) -> str:
        return localized(self.label_zh, self.label_en, locale)


@dataclass(frozen=True)
class Transition:
    key: str
    sources: tuple[str, ...]
    target: str
    label_zh: str
    label_en: str = ""
    roles: tuple[str, ...] = ()
    guard: str | None = None
    guard_message_zh: str = ""
    guard_message_en: str = ""
    required: tuple[str, ...] = ()
    confirm_zh: str = ""
    confirm_en: str = ""
    reason_required: bool = False
    automatic: bool = False
    """Taken by the system (a plugin's rule, a threshold reached), never offered as a queue action."""

    def label(self, locale: str) -> str:
        return localized(self.label_zh, self.label_en, locale)

    def confirm(self, locale: str) -> str:
        return localized(self.confirm_zh, self.confirm_en, locale)

    def guard_message(self, locale: str) -> str:
        return localized(self.guard_message_zh, self.guard_message_en, locale)


@dataclass(frozen=True)
class WorkflowDef:
    initial: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]

    def state(self, key: str) -> State | None:
        return next((s for s in self.states if s.key == key), None)

    def transition(self, key: str) -> Transition | None:
        return next((t for t in self.transitions if t.key == key), None)

    def outgoing(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def to_dict(self) -> dict[str, Any]:
        """The YAML form of this workflow."""
        states = []
        for s in self.states:
            item: dict[str, Any] = {"key": s.key, "label": _labels(s.label_zh, s.label_en), "kind": s.kind.value}
            if s.sla:
                item["sla"] = s.sla.to_dict()
            if s.reopenable:
                item["reopenable"] = True
            states.append(item)
        transitions = []
        for t in self.transitions:
            item = {"key": t.key, "from": list(t.sources), "to": t.target, "label": _labels(t.label_zh, t.label_en)}
            if t.roles:
                item["roles"] = list(t.roles)
            if t.guard:
                item["guard"] = t.guard
            if t.guard_message_zh or t.guard_message_en:
                item["guard_message"] = _labels(t.guard_message_zh, t.guard_message_en)
            if t.required:
                item["required"] = list(t.required)
            if t.confirm_zh or t.confirm_en:
                item["confirm"] = _labels(t.confirm_zh, t.confirm_en)
            if t.reason_required:
                item["reason_required"] = True
            if t.automatic:
                item["automatic"] = True
            transitions.append(item)
        return {"initial": self.initial, "states": states, "transitions": transitions}


def _labels(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, **({"en": en} if en else {})}


def _parse_sla(raw: Any, path: str, problems: list[Problem]) -> SLA | None:
    if raw is None:
        return None
    if isinstance(raw, dict) and len(raw) == 1:
        unit, amount = next(iter(raw.items()))
        if unit in {"working_hours", "working_days", "days"} and isinstance(amount, int) and amount > 0:
            return SLA(amount, unit)
    problems.append(
        Problem(
            path,
            "时限须为 {working_hours|working_days|days: 正整数} / "
            "sla must be one of working_hours, working_days, days with a positive whole number",
        )
    )
    return None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _parse_transition(
    item: Any,
    p: str,
    *,
    seen: set[str],
    state_keys: set[str],
    roles: Container[str],
    field_keys: set[str],
    sample: dict[str, Any],
    problems: list[Problem],
) -> Transition | None:
    if not isinstance(item, dict):
        problems.append(Problem(p, "流转须为映射 / a transition must be a mapping"))
        return None
    key = str(item.get("key") or "")
    if not KEY_RE.match(key):
        problems.append(Problem(f"{p}.key", f"流转键无效 / invalid transition key {key!r}"))
    if key in seen:
        problems.append(Problem(f"{p}.key", f"流转键重复 / duplicate transition key {key!r}"))
    sources = [str(s) for s in _list(item.get("from"))]
    if not sources:
        problems.append(Problem(f"{p}.from", "须指明起始状态 / from is required"))
    for source in sources:
        if source not in state_keys:
            problems.append(Problem(f"{p}.from", f"起始状态 {source!r} 不存在 / from-state {source!r} does not exist"))
    target = str(item.get("to") or "")
    if target not in state_keys:
        problems.append(Problem(f"{p}.to", f"目标状态 {target!r} 不存在 / transition to missing state {target!r}"))
    t_roles = [str(r) for r in _list(item.get("roles"))]
    for role in t_roles:
        if role not in roles:
            problems.append(Problem(f"{p}.roles", f"角色 {role!r} 不存在 / role {role!r} does not exist"))
    guard = item.get("guard")
    if guard:
        try:
            check(str(guard), sample)
        except ExpressionError as exc:
            problems.append(Problem(f"{p}.guard", str(exc)))
    required = [str(r) for r in _list(item.get("required"))]
    for field_key in required:
        if field_key not in field_keys:
            problems.append(
                Problem(
                    f"{p}.required",
                    f"字段 {field_key!r} 不在表单中 / required field {field_key!r} is not in the form",
                )
            )
    label_zh = _text(item.get("label"), "zh")
    if not label_zh:
        problems.append(Problem(f"{p}.label", "缺少中文标签 / a Chinese label (label.zh) is required"))
    return Transition(
        key=key,
        sources=tuple(sources),
        target=target,
        label_zh=label_zh,
        label_en=_text(item.get("label"), "en"),
        roles=tuple(t_roles),
        guard=str(guard) if guard else None,
        guard_message_zh=_text(item.get("guard_message"), "zh"),
        guard_message_en=_text(item.get("guard_message"), "en"),
        required=tuple(required),
        confirm_zh=_text(item.get("confirm"), "zh"),
        confirm_en=_text(item.get("confirm"), "en"),
        reason_required=bool(item.get("reason_required")),
        automatic=bool(item.get("automatic")),
    )


def parse_workflow(
    raw: Any, *, form: FormDef, known_roles: Container[str], path: str = "workflow", problems: list[Problem]
) -> WorkflowDef:
    """Build a :class:`WorkflowDef`, appending every problem found to ``problems``."""
    roles = known_roles
    if not isinstance(raw, dict):
        problems.append(Problem(path, "工作流须为映射 / a workflow must be a mapping"))
        return WorkflowDef("", (), ())
    states: list[State] = []
    for i, item in enumerate(_list(raw.get("states"))):
        p = f"{path}.states[{i}]"
        if not isinstance(item, dict):
            problems.append(Problem(p, "状态须为映射 / a state must be a mapping"))
            continue
        key = str(item.get("key") or "")
        if not KEY_RE.match(key):
            problems.append(Problem(f"{p}.key", f"状态键无效 / invalid state key {key!r}"))
        if any(s.key == key for s in states):
            problems.append(Problem(f"{p}.key", f"状态键重复 / duplicate state key {key!r}"))
        try:
            kind = StateKind(item.get("kind", "open"))
        except ValueError:
            problems.append(
                Problem(f"{p}.kind", f"状态类型须为 open/waiting/closed / unknown state kind {item.get('kind')!r}")
            )
            kind = StateKind.OPEN
        label_zh = _text(item.get("label"), "zh")
        if not label_zh:
            problems.append(Problem(f"{p}.label", "缺少中文标签 / a Chinese label (label.zh) is required"))
        states.append(
            State(
                key,
                label_zh,
                _text(item.get("label"), "en"),
                kind,
                _parse_sla(item.get("sla"), f"{p}.sla", problems),
                bool(item.get("reopenable")),
            )
        )
    if not states:
        problems.append(Problem(f"{path}.states", "工作流至少需要一个状态 / a workflow needs states"))
    state_keys = {s.key for s in states}
    initial = str(raw.get("initial") or (states[0].key if states else ""))
    if states and initial not in state_keys:
        problems.append(
            Problem(f"{path}.initial", f"初始状态 {initial!r} 不存在 / initial state {initial!r} does not exist")
        )
    field_keys = {f.key for f in form.fields}
    sample = form.sample()
    transitions: list[Transition] = []
    for i, item in enumerate(_list(raw.get("transitions"))):
        parsed = _parse_transition(
            item,
            f"{path}.transitions[{i}]",
            seen={t.key for t in transitions},
            state_keys=state_keys,
            roles=roles,
            field_keys=field_keys,
            sample=sample,
            problems=problems,
        )
        if parsed is not None:
            transitions.append(parsed)
    return WorkflowDef(initial, tuple(states), tuple(transitions))
