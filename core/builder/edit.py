"""Edits of a draft's YAML/JSON form, one per editor action, each from the posted form.

The draft may be broken between edits: these functions only change the data; the
checks (``core.builder.checks``) say what is still wrong and where.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

__all__ = ("ACTIONS", "OPS", "apply", "field_at", "parse_choices", "scalar")

ACTIONS = ("view", "view_own", "create", "edit", "comment", "export")
SLA_UNITS = ("working_hours", "working_days", "days")
_INT = re.compile(r"^-?\d+$")
_FLOAT = re.compile(r"^-?\d+\.\d+$")


class Posted(Protocol):
    def get(self, name: str, default: Any = None) -> Any: ...
    def getall(self, name: str, default: Any = None) -> list[Any]: ...


def _s(data: Posted, name: str) -> str:
    return str(data.get(name) or "").strip()


def scalar(text: str, kind: str = "") -> Any:
    """A typed value from text: whole numbers as int, decimals as float, yes/no as bool, else the text."""
    text = text.strip()
    if text == "":
        return None
    if kind == "yes_no":
        return text.lower() in {"1", "true", "yes", "是"}
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text) and kind not in {"decimal", "money"}:
        return float(text)
    return text


def _labels(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, **({"en": en} if en else {})}


def parse_choices(text: str) -> list[dict[str, Any]]:
    """Choices from lines of ``value | 中文 | English`` (the value alone is also its label)."""
    out = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not parts[0]:
            continue
        zh = parts[1] if len(parts) > 1 and parts[1] else parts[0]
        en = parts[2] if len(parts) > 2 else ""
        out.append({"value": parts[0], "label": _labels(zh, en)})
    return out


def _fields(raw: dict[str, Any]) -> list[dict[str, Any]]:
    form = raw.setdefault("form", {"fields": []})
    if not isinstance(form, dict):
        raw["form"] = form = {"fields": []}
    return form.setdefault("fields", [])  # type: ignore[no-any-return]


def _container(raw: dict[str, Any], path: str) -> tuple[list[dict[str, Any]], int]:
    """The list holding the field at ``path`` (``3`` or ``3.1`` for a group's field) and its index."""
    parts = [int(p) for p in path.split(".")]
    items = _fields(raw)
    for p in parts[:-1]:
        items = items[p].setdefault("fields", [])
    return items, parts[-1]


def field_at(raw: dict[str, Any], path: str) -> dict[str, Any]:
    items, i = _container(raw, path)
    return items[i]


def _workflow(raw: dict[str, Any]) -> dict[str, Any]:
    wf = raw.setdefault("workflow", {})
    wf.setdefault("states", [])
    wf.setdefault("transitions", [])
    return wf  # type: ignore[no-any-return]


def _set(target: dict[str, Any], name: str, value: Any) -> None:
    if value in (None, "", [], False):
        target.pop(name, None)
    else:
        target[name] = value


def meta(raw: dict[str, Any], data: Posted) -> None:
    raw["name"] = _labels(_s(data, "name_zh"), _s(data, "name_en"))
    _set(
        raw,
        "description",
        _labels(_s(data, "description_zh"), _s(data, "description_en")) if _s(data, "description_zh") else None,
    )
    _set(raw, "title", _s(data, "title"))
    visibility = _s(data, "visibility")
    _set(raw, "visibility", visibility if visibility != "all" else None)


def field_add(raw: dict[str, Any], data: Posted) -> None:
    item: dict[str, Any] = {
        "key": _s(data, "key"),
        "type": _s(data, "type"),
        "label": _labels(_s(data, "label_zh"), ""),
    }
    if item["type"] in {"choice", "multi_choice"}:
        item["choices"] = [{"value": "a", "label": {"zh": "选项一"}}, {"value": "b", "label": {"zh": "选项二"}}]
    if item["type"] == "group":
        item["fields"] = [{"key": "item", "type": "text", "label": {"zh": "内容"}}]
    parent = _s(data, "parent")
    if parent.isdigit():
        _fields(raw)[int(parent)].setdefault("fields", []).append(item)
    else:
        _fields(raw).append(item)


def field_update(raw: dict[str, Any], data: Posted) -> None:
    f = field_at(raw, _s(data, "path"))
    kind = str(f.get("type") or "")
    f["key"] = _s(data, "key")
    f["label"] = _labels(_s(data, "label_zh"), _s(data, "label_en"))
    _set(f, "help", _labels(_s(data, "help_zh"), _s(data, "help_en")) if _s(data, "help_zh") else None)
    _set(f, "required", bool(data.get("required")))
    for name in ("show_if", "required_if", "pattern", "placeholder", "expression"):
        _set(f, name, _s(data, name))
    for name in ("min", "max"):
        _set(f, name, scalar(_s(data, name), kind))
    for name in ("min_length", "max_length", "min_items", "max_items"):
        value = scalar(_s(data, name))
        _set(f, name, value)
    _set(f, "default", scalar(_s(data, "default"), kind))
    if "choices" in {*data_keys(data)} or kind in {"choice", "multi_choice"}:
        _set(f, "choices", parse_choices(str(data.get("choices") or "")))


def data_keys(data: Posted) -> list[str]:
    keys = getattr(data, "keys", None)
    return list(keys()) if callable(keys) else []


def field_move(raw: dict[str, Any], data: Posted) -> None:
    items, i = _container(raw, _s(data, "path"))
    j = i + (-1 if _s(data, "dir") == "up" else 1)
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]


def field_remove(raw: dict[str, Any], data: Posted) -> None:
    items, i = _container(raw, _s(data, "path"))
    del items[i]


def state_add(raw: dict[str, Any], data: Posted) -> None:
    wf = _workflow(raw)
    wf["states"].append(
        {"key": _s(data, "key"), "label": _labels(_s(data, "label_zh"), ""), "kind": _s(data, "kind") or "open"}
    )
    wf.setdefault("initial", wf["states"][0]["key"])


def state_update(raw: dict[str, Any], data: Posted) -> None:
    wf = _workflow(raw)
    state = wf["states"][int(_s(data, "index"))]
    old = state.get("key")
    state["key"] = _s(data, "key")
    state["label"] = _labels(_s(data, "label_zh"), _s(data, "label_en"))
    state["kind"] = _s(data, "kind") or "open"
    unit, amount = _s(data, "sla_unit"), scalar(_s(data, "sla_amount"))
    _set(state, "sla", {unit: amount} if unit in SLA_UNITS and amount is not None else None)
    _set(state, "reopenable", bool(data.get("reopenable")))
    if old and old != state["key"]:  # renaming a state renames it in transitions and the initial state
        for t in wf["transitions"]:
            t["from"] = [state["key"] if s == old else s for s in _as_list(t.get("from"))]
            if t.get("to") == old:
                t["to"] = state["key"]
        if wf.get("initial") == old:
            wf["initial"] = state["key"]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def state_remove(raw: dict[str, Any], data: Posted) -> None:
    del _workflow(raw)["states"][int(_s(data, "index"))]


def initial(raw: dict[str, Any], data: Posted) -> None:
    _workflow(raw)["initial"] = _s(data, "initial")


def transition_add(raw: dict[str, Any], data: Posted) -> None:
    _workflow(raw)["transitions"].append(
        {
            "key": _s(data, "key"),
            "from": [str(v) for v in data.getall("from", [])],
            "to": _s(data, "to"),
            "label": _labels(_s(data, "label_zh"), ""),
            "roles": [str(v) for v in data.getall("roles", [])],
        }
    )


def transition_update(raw: dict[str, Any], data: Posted) -> None:
    t = _workflow(raw)["transitions"][int(_s(data, "index"))]
    t["key"] = _s(data, "key")
    t["from"] = [str(v) for v in data.getall("from", [])]
    t["to"] = _s(data, "to")
    t["label"] = _labels(_s(data, "label_zh"), _s(data, "label_en"))
    t["roles"] = [str(v) for v in data.getall("roles", [])]
    _set(t, "guard", _s(data, "guard"))
    _set(t, "required", [str(v) for v in data.getall("required", [])])
    _set(t, "confirm", _labels(_s(data, "confirm_zh"), "") if _s(data, "confirm_zh") else None)
    _set(t, "reason_required", bool(data.get("reason_required")))


def transition_remove(raw: dict[str, Any], data: Posted) -> None:
    del _workflow(raw)["transitions"][int(_s(data, "index"))]


def permissions(raw: dict[str, Any], data: Posted) -> None:
    raw["permissions"] = {a: [str(r) for r in data.getall(f"perm_{a}", [])] for a in ACTIONS}
    raw["permissions"] = {a: roles for a, roles in raw["permissions"].items() if roles}


OPS = {
    "meta": meta,
    "field_add": field_add,
    "field_update": field_update,
    "field_move": field_move,
    "field_remove": field_remove,
    "state_add": state_add,
    "state_update": state_update,
    "state_remove": state_remove,
    "initial": initial,
    "transition_add": transition_add,
    "transition_update": transition_update,
    "transition_remove": transition_remove,
    "permissions": permissions,
}


def apply(raw: dict[str, Any], op: str, data: Posted) -> bool:
    """Apply the editor action ``op``; ``False`` when it names nothing that exists."""
    handler = OPS.get(op)
    if handler is None:
        return False
    try:
        handler(raw, data)
    except (IndexError, ValueError, KeyError, AttributeError, TypeError):
        return False
    return True
