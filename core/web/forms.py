"""Case-type forms as htmx forms: what to render, and a field validated as it is left.

A :class:`FormView` holds a form, what the user typed (or the stored data turned back
into input) and the errors by path; ``templates/core/forms/macros.html`` renders it.
Every field sits in a wrapper with a stable id; leaving a field posts the whole form to
:func:`form_field`, which answers that field's fragment with its error plus, out of
band, every conditional field whose ``show_if`` now gives another answer. Nothing the
user typed elsewhere is touched, so no input is lost while a request is in flight.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from litestar import MediaType, Request, post
from litestar.exceptions import NotFoundException
from litestar.response import Template
from sqlalchemy import select

from core.cases.permissions import may_create, may_edit
from core.cases.service import case_type, get_case
from core.context import RequestContext
from core.forms import evaluate, form_input, validate
from core.i18n import TIMEZONE, gettext, localized
from core.models import Membership, OrgUnit, OrgUnitKind, User

if TYPE_CHECKING:
    from collections.abc import Iterator

    from core.casetypes.definition import CaseTypeDef
    from core.forms import FieldDef, FormDef

__all__ = (
    "FORM_ROUTES",
    "PAGE",
    "FormView",
    "Posted",
    "Slot",
    "display_value",
    "input_values",
    "intake_keys",
    "read_posted",
    "reference_options",
)

# Handlers of HTML pages and fragments: not in the API schema, answered as text/html.
PAGE: dict[str, Any] = {"include_in_schema": False, "media_type": MediaType.HTML}
PREFIX_RE = re.compile(r"^[a-z][a-z0-9]{0,15}$")
PATH_RE = re.compile(r"^[a-z][a-z0-9_]*(\.\d{1,3}\.[a-z][a-z0-9_]*)?$")


class Posted:
    """Submitted text values as a multi-dict (``getall``/``get``/``keys``), without uploads."""

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._items = items

    def getall(self, name: str, default: Any = None) -> list[str]:
        found = [v for k, v in self._items if k == name]
        return found if found or default is None else list(default)

    def get(self, name: str, default: Any = None) -> Any:
        found = self.getall(name)
        return found[-1] if found else default

    def keys(self) -> list[str]:
        return list(dict.fromkeys(k for k, _ in self._items))

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())


async def read_posted(request: Request[Any, Any, Any]) -> tuple[Posted, dict[str, list[Any]]]:
    """The submitted form: text values, and uploaded files by field name."""
    data = await request.form()
    texts: list[tuple[str, str]] = []
    files: dict[str, list[Any]] = {}
    for key, value in data.multi_items():
        if isinstance(value, str):
            texts.append((key, value))
        elif getattr(value, "filename", ""):
            files.setdefault(key, []).append(value)
    return Posted(texts), files


@dataclass
class Slot:
    """One field as rendered: its definition, HTML name (also its error path), input value, error."""

    field: FieldDef
    name: str
    value: Any
    error: str = ""
    visible: bool = True

    @property
    def dom(self) -> str:
        return self.name.replace(".", "-")

    @property
    def conditional(self) -> bool:
        return bool(self.field.show_if) and "." not in self.name


@dataclass
class FormView:
    """A form ready to render: values as input, errors by path, reference options, endpoints."""

    form: FormDef
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    locale: str = "zh_CN"
    offered: tuple[str, ...] | None = None
    options: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    field_url: str = ""
    row_url: str = ""
    prefix: str = "f"
    required: tuple[str, ...] = ()
    uploads: bool = False

    def id(self, slot: Slot, part: str = "in") -> str:
        return f"{self.prefix}-{part}-{slot.dom}"

    def _scope(self) -> dict[str, Any]:
        parsed = validate(self.form, self.values, source="form").data
        return {**{f.key: self.values.get(f.key) for f in self.form.fields}, **parsed}

    def slots(self) -> list[Slot]:
        """Every offered top-level field, with whether its ``show_if`` holds now."""
        scope = self._scope()
        out = []
        for f in self.form.fields:
            if self.offered is not None and f.key not in self.offered:
                continue
            visible = not f.show_if or evaluate(f.show_if, scope)
            out.append(Slot(f, f.key, self.values.get(f.key), self.errors.get(f.key, ""), visible))
        return out

    def is_required(self, slot: Slot) -> bool:
        return slot.field.required or (slot.field.key in self.required and "." not in slot.name)

    def rows(self, slot: Slot) -> list[tuple[int, list[Slot]]]:
        """A repeating group's rows: (row index, cell slots)."""
        rows = slot.value if isinstance(slot.value, list) else []
        return [(i, self.cells(slot.field, slot.name, i, row)) for i, row in enumerate(rows)]

    def cells(self, group: FieldDef, name: str, index: int, row: Any) -> list[Slot]:
        row = row if isinstance(row, dict) else {}
        out = []
        for sub in group.fields:
            path = f"{name}.{index}.{sub.key}"
            out.append(Slot(sub, path, row.get(sub.key), self.errors.get(path, "")))
        return out

    def at(self, path: str) -> Slot | None:
        """The slot at an error path: ``phone`` or ``goals.1.goal``."""
        key, _, rest = path.partition(".")
        top = next((s for s in self.slots() if s.field.key == key), None)
        if top is None or not rest:
            return top
        index = rest.partition(".")[0]
        rows = top.value if isinstance(top.value, list) else []
        row = rows[int(index)] if int(index) < len(rows) else {}
        return next((c for c in self.cells(top.field, key, int(index), row) if c.name == path), None)

    def choice_list(self, f: FieldDef) -> list[tuple[str, str]]:
        if f.type in {"person", "organization"}:
            return self.options.get(f.type, [])
        return [(value, localized(zh, en, self.locale)) for value, zh, en in f.choices]

    def selected(self, slot: Slot, value: str) -> bool:
        current = slot.value
        if isinstance(current, list):
            return value in [str(v) for v in current]
        return current is not None and str(current) == value

    def file_entries(self, slot: Slot) -> list[dict[str, Any]]:
        items = slot.value if isinstance(slot.value, list) else []
        out = []
        for item in items:
            if isinstance(item, str):
                try:
                    item = json.loads(item)  # noqa: PLW2901
                except ValueError:
                    continue
            if isinstance(item, dict):
                out.append(item)
        return out

    def json(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    def label(self, f: FieldDef) -> str:
        return f.label(self.locale)

    def help(self, f: FieldDef) -> str:
        return f.help(self.locale)


def _to_input(f: FieldDef, value: Any) -> Any:
    """A stored value as the form shows it (money in yuan, yes/no as text, local date-time)."""
    if value is None:
        return None
    if f.type == "money" and isinstance(value, int):
        return format(Decimal(value) / 100, ".2f")
    if f.type == "yes_no":
        return "yes" if value else "no"
    if f.type == "datetime" and isinstance(value, str):
        try:
            return datetime.fromisoformat(value).astimezone(TIMEZONE).strftime("%Y-%m-%dT%H:%M")
        except ValueError:
            return value
    if f.type == "group" and isinstance(value, list):
        return [{s.key: _to_input(s, r.get(s.key)) for s in f.fields} for r in value if isinstance(r, dict)]
    if f.type in {"integer", "rating", "person", "organization"}:
        return str(value)
    return value


def input_values(form: FormDef, data: dict[str, Any]) -> dict[str, Any]:
    """Stored case data turned into form input."""
    return {f.key: _to_input(f, data.get(f.key)) for f in form.fields if f.key in data}


def display_value(  # noqa: PLR0911 - one answer per field type
    f: FieldDef, value: Any, locale: str, names: dict[str, dict[str, str]] | None = None
) -> str:
    """A stored value as text for people: money in yuan, choices by label, names for references."""
    if value is None or value in ("", []):
        return ""
    if (named := (names or {}).get(f"field:{f.key}", {}).get(str(value))) is not None:
        return named  # a plugin's name for the value (the case_field_labels hook)
    if f.type == "money" and isinstance(value, int):
        return f"¥{Decimal(value) / 100:,.2f}"
    if f.type == "choice":
        return f.choice_label(str(value), locale)
    if f.type == "multi_choice" and isinstance(value, list):
        return "、".join(f.choice_label(str(v), locale) for v in value)
    if f.type == "yes_no":
        return gettext("Yes") if value else gettext("No")
    if f.type == "time_window" and isinstance(value, dict):
        return f"{value.get('start', '')}–{value.get('end', '')}"
    if f.type == "datetime" and isinstance(value, str):
        return str(_to_input(f, value)).replace("T", " ")
    if f.type == "rating" and isinstance(value, int):
        return "★" * value + "☆" * (5 - value) + f" ({value}/5)"
    if f.type in {"person", "organization"}:
        return (names or {}).get(f.type, {}).get(str(value), f"#{value}")
    if f.type == "file" and isinstance(value, list):
        return "、".join(str(v.get("name", "")) for v in value if isinstance(v, dict))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


async def reference_options(ctx: RequestContext, form: FormDef) -> dict[str, list[tuple[str, str]]]:
    """Choices for person fields (members of the district) and organization fields (its organizations)."""
    assert ctx.district is not None
    types = {f.type for f in form.fields} | {s.type for f in form.fields for s in f.fields}
    out: dict[str, list[tuple[str, str]]] = {}
    if "person" in types:
        rows = await ctx.session.execute(
            select(User.id, User.display_name, User.username)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.district_id == ctx.district.id, User.is_active.is_(True))
            .distinct()
            .order_by(User.username)
        )
        out["person"] = [(str(uid), name or username) for uid, name, username in rows]
    if "organization" in types:
        units = await ctx.session.execute(
            select(OrgUnit).where(OrgUnit.kind == OrgUnitKind.ORGANIZATION).order_by(OrgUnit.code)
        )
        out["organization"] = [(str(u.id), u.name(ctx.locale)) for u in units.scalars()]
    return out


def intake_keys(definition: CaseTypeDef, *, staff: bool) -> tuple[str, ...]:
    """The fields offered when a case is filed.

    Staff see every field. People filing their own case (residents, volunteers: no
    ``edit`` on the type) do not see what staff fill in later along the workflow — fields
    a transition requires (unless the form itself requires them), ratings of a service
    not given yet, and computed values.
    """
    later = {key for t in definition.workflow.transitions for key in t.required}
    keys = []
    for f in definition.form.fields:
        if not staff and (
            (f.key in later and not f.required) or f.type in {"rating", "computed"} or _depends_only_on(f, later)
        ):
            continue
        keys.append(f.key)
    return tuple(keys)


def _depends_only_on(f: FieldDef, hidden: set[str]) -> bool:
    """Whether a field's ``show_if`` names only fields in ``hidden`` (so it could never show)."""
    if not f.show_if:
        return False
    names = set(re.findall(r"\b([a-z][a-z0-9_]*)\b", f.show_if)) - {"true", "false", "null", "in", "size"}
    quoted = set(re.findall(r"\"([^\"]*)\"|'([^']*)'", f.show_if))
    names -= {q for pair in quoted for q in pair}
    return bool(names) and names <= hidden


async def form_view_for(
    ctx: RequestContext, definition: CaseTypeDef, values: dict[str, Any], errors: dict[str, str], **kw: Any
) -> FormView:
    """A :class:`FormView` of a case type's form with its endpoints and reference options."""
    base = ctx.url(f"/forms/{definition.key}")
    return FormView(
        definition.form,
        values=values,
        errors=errors,
        locale=ctx.locale,
        options=await reference_options(ctx, definition.form),
        field_url=f"{base}/field",
        row_url=f"{base}/row",
        **kw,
    )


async def _definition_for_forms(ctx: RequestContext, type_key: str) -> CaseTypeDef:
    _, definition = await case_type(ctx, type_key)
    if not (may_create(ctx, definition) or may_edit(ctx, None, definition)):
        raise NotFoundException(gettext("No such case type."))
    return definition


def _prefix(raw: str | None) -> str:
    return raw if raw and PREFIX_RE.match(raw) else "f"


@post("/forms/{type_key:str}/field", name="form_field", **PAGE)
async def form_field(request: Request[Any, Any, Any], ctx: RequestContext, type_key: str) -> Template:
    """Validate the field just left: its fragment with its error, plus conditional fields that flipped."""
    definition = await _definition_for_forms(ctx, type_key)
    path = request.query_params.get("field", "")
    if not PATH_RE.match(path):
        raise NotFoundException(gettext("No such field."))
    posted, _ = await read_posted(request)
    raw = form_input(definition.form, posted)
    reference = posted.get("_case")
    if isinstance(reference, str) and reference:
        # A step form on a case page sends only the step's fields; conditions also
        # depend on what the case already holds (e.g. ``department`` shows once
        # ``difficulty`` says so), so the saved data fills in what the form lacks.
        case, _definition = await get_case(ctx, reference)
        present = {name.split(".", 1)[0] for name in posted}
        raw.update({k: v for k, v in case.data.items() if k not in present})
    top = path.split(".", 1)[0]
    result = validate(definition.form, raw, source="form", only=[top])
    errors = {k: v for k, v in result.errors.items() if k == path}
    if definition.form.get(top) is not None and definition.form.get(top).type == "file":  # type: ignore[union-attr]
        errors = {}
    view = await form_view_for(ctx, definition, raw, errors, prefix=_prefix(request.query_params.get("prefix")))
    slot = view.at(path)
    if slot is None:
        raise NotFoundException(gettext("No such field."))
    shown = set(posted.getall("_visible"))
    flipped = [
        s for s in view.slots() if s.field.key in set(posted.getall("_cond")) and s.visible != (s.field.key in shown)
    ]
    flipped = [s for s in flipped if s.name != slot.name]
    return Template("core/forms/field.html", context={"view": view, "slot": slot, "oob": flipped, "ctx": ctx})


@post("/forms/{type_key:str}/row", name="form_row", **PAGE)
async def form_row(request: Request[Any, Any, Any], ctx: RequestContext, type_key: str) -> Template:
    """A new, empty row of a repeating group (numbered after the rows already in the form), or nothing."""
    definition = await _definition_for_forms(ctx, type_key)
    group = definition.form.get(request.query_params.get("group", ""))
    if group is None or group.type != "group":
        raise NotFoundException(gettext("No such field."))
    posted, _ = await read_posted(request)
    view = await form_view_for(ctx, definition, {}, {}, prefix=_prefix(request.query_params.get("prefix")))
    if request.query_params.get("remove"):
        return Template("core/forms/row.html", context={"view": view, "cells": None, "ctx": ctx})
    names = posted.keys()  # a multi-dict of what was sent
    taken = [int(k.split(".")[1]) for k in names if k.startswith(group.key + ".") and k.split(".")[1].isdigit()]
    index = max(taken, default=-1) + 1
    if group.max_items is not None and len({*taken}) >= group.max_items:
        return Template("core/forms/row.html", context={"view": view, "cells": None, "ctx": ctx})
    cells = view.cells(group, group.key, index, {})
    slot = Slot(group, group.key, [])
    return Template(
        "core/forms/row.html", context={"view": view, "group": slot, "index": index, "cells": cells, "ctx": ctx}
    )


FORM_ROUTES = [form_field, form_row]
