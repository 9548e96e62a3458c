"""The checks a draft must pass before it is published, each problem with a path into the editor.

``parse_case_type`` checks the format (keys, labels, conditions, roles that exist); on top
of that a workflow staff can actually work: every state reachable from the initial state,
every state that is not closed has a way out, every transition has a role, and a closed
state has no way out unless it is marked reopenable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.casetypes.definition import parse_case_type
from core.forms.definition import DefinitionError, Problem

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ("problems_of", "workflow_problems")


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def workflow_problems(raw: Any) -> list[Problem]:
    """The graph checks of a workflow given as its YAML/JSON form (works on broken drafts too)."""
    if not isinstance(raw, dict):
        return []
    states = [s for s in _list(raw.get("states")) if isinstance(s, dict)]
    transitions = [t if isinstance(t, dict) else {} for t in _list(raw.get("transitions"))]
    keys = [str(s.get("key") or "") for s in states]
    if not keys:
        return []
    initial = str(raw.get("initial") or keys[0])
    edges: dict[str, set[str]] = {}
    for t in transitions:
        for source in _list(t.get("from")):
            edges.setdefault(str(source), set()).add(str(t.get("to") or ""))
    reached = {initial}
    todo = [initial]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in reached:
                reached.add(nxt)
                todo.append(nxt)
    problems: list[Problem] = []
    kinds = {str(s.get("key") or ""): str(s.get("kind") or "open") for s in states}
    reopenable = {str(s.get("key") or "") for s in states if s.get("reopenable")}
    for i, (state, key) in enumerate(zip(states, keys, strict=True)):
        p = f"workflow.states[{i}]"
        if key not in reached:
            problems.append(
                Problem(p, f"状态 {key!r} 无法从初始状态到达 / state {key!r} cannot be reached from {initial!r}")
            )
        kind = str(state.get("kind") or "open")
        if kind != "closed" and not edges.get(key):
            problems.append(Problem(p, f"状态 {key!r} 没有出口 / state {key!r} is not closed and has no way out"))
        if state.get("reopenable") and kind != "closed":
            problems.append(
                Problem(f"{p}.reopenable", f"只有已结束状态可重开 / only a closed state can be reopenable ({key!r})")
            )
    for j, t in enumerate(transitions):
        p = f"workflow.transitions[{j}]"
        if not _list(t.get("roles")):
            problems.append(
                Problem(f"{p}.roles", f"流转 {t.get('key')!r} 没有角色 / transition {t.get('key')!r} needs a role")
            )
        for source in _list(t.get("from")):
            if kinds.get(str(source)) == "closed" and str(source) not in reopenable:
                problems.append(
                    Problem(
                        f"{p}.from",
                        f"已结束状态 {source!r} 不可重开，不能有流转 / "
                        f"closed state {source!r} is not reopenable and cannot have outgoing transitions",
                    )
                )
    return problems


def problems_of(raw: Any, known_roles: Iterable[str]) -> list[Problem]:
    """Every problem of a draft: the format checks of ``parse_case_type`` and the workflow checks."""
    problems: list[Problem] = []
    try:
        parse_case_type(raw, known_roles=known_roles)
    except DefinitionError as exc:
        problems.extend(exc.problems)
    if isinstance(raw, dict):
        problems.extend(workflow_problems(raw.get("workflow")))
    return problems
