"""Validating input against a form: the same rules for the htmx form, the API and imports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.forms.expressions import evaluate, evaluate_value
from core.forms.fields import FieldError
from core.i18n import gettext

if TYPE_CHECKING:
    from collections.abc import Iterable

    from core.forms.definition import FieldDef, FormDef

__all__ = ("Result", "form_input", "validate", "visible_fields")


@dataclass
class Result:
    """What validation made of the input: clean ``data`` and ``errors`` by field path."""

    data: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def visible_fields(form: FormDef, data: dict[str, Any]) -> list[FieldDef]:
    """Fields whose ``show_if`` holds for ``data`` (all fields without one)."""
    scope = {f.key: data.get(f.key) for f in form.fields}
    return [f for f in form.fields if not f.show_if or evaluate(f.show_if, scope)]


def _required(f: FieldDef, scope: dict[str, Any], extra_required: Iterable[str]) -> bool:
    return f.required or f.key in extra_required or bool(f.required_if and evaluate(f.required_if, scope))


def _validate_fields(
    fields: Iterable[FieldDef],
    raw: dict[str, Any],
    source: str,
    prefix: str,
    result: Result,
    out: dict[str, Any],
    outer: dict[str, Any],
    extra_required: Iterable[str] = (),
) -> None:
    fields = list(fields)
    # Conditions see the raw values first (a choice compares as its text), then parsed ones.
    scope = {**outer, **{f.key: raw.get(f.key) for f in fields}}
    for f in fields:
        value = raw.get(f.key)
        if f.show_if and not evaluate(f.show_if, scope):
            continue
        path = f"{prefix}{f.key}"
        if f.type == "computed":
            continue
        if f.type == "group":
            rows = value if isinstance(value, list) else []
            if not isinstance(value, (list, type(None))):
                result.errors[path] = gettext("Enter the rows as a list.")
                continue
            if _required(f, scope, extra_required) and not rows:
                result.errors[path] = gettext("Add at least one row.")
            if f.min_items is not None and len(rows) < f.min_items:
                result.errors[path] = gettext("Add at least %(n)s rows.", n=f.min_items)
            if f.max_items is not None and len(rows) > f.max_items:
                result.errors[path] = gettext("Add at most %(n)s rows.", n=f.max_items)
            clean_rows = []
            for i, row in enumerate(rows):
                clean_row: dict[str, Any] = {}
                if not isinstance(row, dict):
                    result.errors[f"{path}.{i}"] = gettext("Each row must have its fields.")
                    continue
                _validate_fields(f.fields, row, source, f"{path}.{i}.", result, clean_row, scope)
                clean_rows.append(clean_row)
            out[f.key] = clean_rows
            continue
        if f.kind.is_empty(value):
            if _required(f, scope, extra_required):
                result.errors[path] = gettext("This field is required.")
            continue
        try:
            parsed = f.kind.parse(f, value, source)
        except FieldError as exc:
            result.errors[path] = str(exc)
            continue
        out[f.key] = parsed
        scope[f.key] = parsed
    for f in fields:
        if f.type == "computed" and f.expression and (not f.show_if or evaluate(f.show_if, scope)):
            computed = evaluate_value(f.expression, {**scope, **out})
            if computed is not None:
                out[f.key] = computed


def validate(
    form: FormDef,
    raw: dict[str, Any],
    *,
    source: str = "json",
    only: Iterable[str] | None = None,
    extra_required: Iterable[str] = (),
) -> Result:
    """Validate ``raw`` input; fields hidden by ``show_if`` are dropped, never stored.

    ``only`` limits the errors reported to some fields (validating one field as it is
    left, in the htmx form), while conditions still see the whole input.
    ``extra_required`` makes fields required for one step (a transition's ``required``).
    """
    result = Result()
    _validate_fields(form.fields, raw, source, "", result, result.data, {}, extra_required)
    if only is not None:
        wanted = set(only)
        result.errors = {k: v for k, v in result.errors.items() if k.split(".", 1)[0] in wanted}
    return result


def form_input(form: FormDef, form_data: Any) -> dict[str, Any]:
    """Turn submitted HTML form data (a multi-dict) into the nested input :func:`validate` takes.

    Multi-choice and file fields keep every value; a time window comes as
    ``key.start`` / ``key.end``; a repeating group's cells as ``key.<row>.<sub>``.
    """

    def get_all(name: str) -> list[Any]:
        if hasattr(form_data, "getall"):
            return list(form_data.getall(name, []))
        value = form_data.get(name)
        return value if isinstance(value, list) else ([] if value is None else [value])

    def one(name: str) -> Any:
        values = get_all(name)
        return values[-1] if values else None

    def read(fields: Iterable[FieldDef], prefix: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields:
            name = prefix + f.key
            if f.type == "multi_choice":
                out[f.key] = [v for v in get_all(name) if v != ""]
            elif f.type == "time_window":
                out[f.key] = {"start": one(f"{name}.start") or "", "end": one(f"{name}.end") or ""}
            elif f.type == "file":
                import json  # noqa: PLC0415

                items = []
                for v in get_all(name):
                    if v == "":  # a file input left empty (sent as a part without a file name)
                        continue
                    try:
                        items.append(json.loads(v))
                    except (TypeError, ValueError):
                        items.append(v)
                out[f.key] = items
            elif f.type == "group":
                indices = sorted(
                    {
                        int(k[len(name) + 1 :].split(".", 1)[0])
                        for k in _keys(form_data)
                        if k.startswith(name + ".") and k[len(name) + 1 :].split(".", 1)[0].isdigit()
                    }
                )
                out[f.key] = [read(f.fields, f"{name}.{i}.") for i in indices]
            else:
                out[f.key] = one(name)
        return out

    return read(form.fields, "")


def _keys(form_data: Any) -> list[str]:
    return list(form_data.keys())
