"""What the case-type editor shows: the draft, its problems linked to their place, the diagram, the preview."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.builder.access import access_changes
from core.builder.checks import problems_of
from core.builder.diagram import diagram_svg
from core.builder.edit import ACTIONS, SLA_UNITS
from core.forms import FIELD_TYPES
from core.forms.definition import DefinitionError, FormDef, Problem, parse_form
from core.forms.expressions import ExpressionError, check
from core.i18n import current_locale
from core.i18n import gettext as _
from core.models import Role
from core.web.forms import FormView

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.context import RequestContext
    from core.models import District
    from core.models.cases import CaseTypeVersion

__all__ = ("EditorView", "anchor_of", "check_condition", "editor_view", "preview_form", "role_options")

_FIELD = re.compile(r"^form\.fields\[(\d+)\](?:\.fields\[(\d+)\])?")
_STATE = re.compile(r"^workflow\.states\[(\d+)\]")
_TRANSITION = re.compile(r"^workflow\.transitions\[(\d+)\]")


def field_type_label(key: str) -> str:
    """A field type as the editor names it in the user's language ("单行文字", not ``text``)."""
    labels = {
        "address": _("Address"),
        "choice": _("Single choice"),
        "computed": _("Computed value"),
        "date": _("Date"),
        "datetime": _("Date and time"),
        "decimal": _("Decimal number"),
        "email": _("Email"),
        "file": _("File upload"),
        "group": _("Group of fields (repeatable)"),
        "integer": _("Whole number"),
        "long_text": _("Long text"),
        "money": _("Amount of money"),
        "multi_choice": _("Multiple choice"),
        "organization": _("Organization"),
        "person": _("Person"),
        "phone": _("Phone number"),
        "rating": _("Rating"),
        "resident_id": _("ID card number"),
        "text": _("Short text"),
        "time_window": _("Time window"),
        "yes_no": _("Yes / no"),
    }
    return labels.get(key, key)


def action_label(key: str) -> str:
    """A permission on a case type in words: 查看, 导出 … (a step's is named by the editor from the draft)."""
    labels = {
        "view": _("See cases"),
        "view_own": _("See their own cases"),
        "create": _("File cases"),
        "edit": _("Edit cases"),
        "comment": _("Comment on cases"),
        "export": _("Export cases"),
    }
    return labels.get(key, key)


def anchor_of(path: str) -> str:
    """The id of the editor element where a problem at ``path`` is fixed."""
    if m := _FIELD.match(path):
        return f"field-{m.group(1)}" + (f"-{m.group(2)}" if m.group(2) else "")
    if m := _STATE.match(path):
        return f"state-{m.group(1)}"
    if m := _TRANSITION.match(path):
        return f"transition-{m.group(1)}"
    if path.startswith("workflow"):
        return "workflow"
    if path.startswith("permissions"):
        return "permissions"
    if path.startswith("form"):
        return "fields"
    return "meta"


def preview_form(raw: dict[str, Any]) -> FormDef | None:
    """The draft's form when it parses (the preview needs a valid form)."""
    try:
        return parse_form(raw.get("form"), "form")
    except DefinitionError:
        return None


def _sample(raw: dict[str, Any], path: str) -> dict[str, Any]:
    fields = (raw.get("form") or {}).get("fields") or []
    sample = {str(f.get("key")): FIELD_TYPES[f["type"]].sample for f in fields if f.get("type") in FIELD_TYPES}
    parent = path.split(".", maxsplit=1)[0] if "." in path else None
    if parent is not None and parent.isdigit() and int(parent) < len(fields):
        for sub in fields[int(parent)].get("fields") or []:
            if sub.get("type") in FIELD_TYPES:
                sample[str(sub.get("key"))] = FIELD_TYPES[sub["type"]].sample
    return sample


def check_condition(raw: dict[str, Any], expression: str, path: str = "") -> str:
    """The error of a condition against the draft's fields, or ``""`` when it is fine."""
    if not expression.strip():
        return ""
    try:
        check(expression, _sample(raw, path))
    except ExpressionError as exc:
        return str(exc)
    return ""


async def role_options(session: AsyncSession, district: District, locale: str) -> list[tuple[str, str]]:
    """``(key, name)`` of the district's roles."""
    from sqlalchemy import select  # noqa: PLC0415

    rows = (await session.execute(select(Role).where(Role.district_id == district.id).order_by(Role.id))).scalars()
    return [(r.key, r.name(locale)) for r in rows]


@dataclass
class EditorView:
    """The draft being edited and everything the editor template needs."""

    row: CaseTypeVersion
    raw: dict[str, Any]
    problems: list[Problem]
    roles: list[tuple[str, str]]
    preview: FormView | None
    base: str
    diagram: Any = ""
    access: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    field_types: list[str] = field(default_factory=lambda: sorted(FIELD_TYPES))
    actions: tuple[str, ...] = ACTIONS
    sla_units: tuple[str, ...] = SLA_UNITS

    @property
    def fields(self) -> list[dict[str, Any]]:
        return list((self.raw.get("form") or {}).get("fields") or [])

    @property
    def workflow(self) -> dict[str, Any]:
        return dict(self.raw.get("workflow") or {})

    @property
    def state_keys(self) -> list[str]:
        return [str(s.get("key") or "") for s in self.workflow.get("states") or []]

    @property
    def field_keys(self) -> list[str]:
        return [str(f.get("key") or "") for f in self.fields]

    def type_label(self, key: str) -> str:
        return field_type_label(key)

    def action_label(self, key: str) -> str:
        """A permission in words; ``transition:<key>`` as "步骤「受理」" with the step's label from the draft."""
        if key.startswith("transition:"):
            step = key.split(":", 1)[1]
            found = next((t for t in self.workflow.get("transitions") or [] if t.get("key") == step), None)
            label = self.text(found, "label", "en" if current_locale.get() == "en" else "zh") if found else ""
            return _("the step %(step)s", step=label or self.text(found, "label") or step)
        return action_label(key)

    def role_name(self, key: str) -> str:
        return next((name for k, name in self.roles if k == key), key)

    def anchor(self, problem: Problem) -> str:
        return anchor_of(problem.path)

    def has_problem(self, anchor: str) -> bool:
        return any(anchor_of(p.path) == anchor for p in self.problems)

    def problems_at(self, anchor: str) -> list[Problem]:
        return [p for p in self.problems if anchor_of(p.path) == anchor]

    def text(self, item: Any, name: str, lang: str = "zh") -> str:
        value = item.get(name) if isinstance(item, dict) else None
        if isinstance(value, dict):
            return str(value.get(lang) or "")
        return str(value or "") if lang == "zh" else ""

    def choices_text(self, f: dict[str, Any]) -> str:
        lines = []
        for c in f.get("choices") or []:
            if isinstance(c, dict):
                label = c.get("label") or {}
                zh = label.get("zh", "") if isinstance(label, dict) else str(label)
                en = label.get("en", "") if isinstance(label, dict) else ""
                lines.append(" | ".join(x for x in (str(c.get("value")), zh, en) if x))
            else:
                lines.append(str(c))
        return "\n".join(lines)

    def listed(self, value: Any) -> list[str]:
        if value is None:
            return []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]

    def value(self, item: dict[str, Any], name: str) -> str:
        value = item.get(name)
        if value is None or value is False:
            return ""
        return str(value).lower() if isinstance(value, bool) else str(value)

    def sla(self, state: dict[str, Any]) -> tuple[str, str]:
        sla = state.get("sla")
        if isinstance(sla, dict) and sla:
            unit, amount = next(iter(sla.items()))
            return str(unit), str(amount)
        return "", ""


async def editor_view(ctx: RequestContext, row: CaseTypeVersion, errors: dict[str, str] | None = None) -> EditorView:
    """Build the editor of a draft row for the current user."""
    assert ctx.district is not None
    raw = dict(row.definition)
    roles = await role_options(ctx.session, ctx.district, ctx.locale)
    problems = problems_of(raw, {k for k, _ in roles})
    base = ctx.url(f"/admin/case-types/{row.key}")
    form = preview_form(raw)
    preview = None
    if form is not None:
        preview = FormView(
            form,
            values={},
            errors=errors or {},
            locale=ctx.locale,
            field_url=f"{base}/preview",
            row_url=f"{base}/preview",
            prefix="pv",
        )
    paths = {p.path for p in problems}
    states = [s for s in (raw.get("workflow") or {}).get("states") or [] if isinstance(s, dict)]
    bad = frozenset(str(s.get("key")) for i, s in enumerate(states) if f"workflow.states[{i}]" in paths)
    view = EditorView(row, raw, problems, roles, preview, base)
    published = await _published_raw(ctx, row)
    view.access = access_changes(published, raw)
    view.diagram = diagram_svg(raw.get("workflow"), ctx.locale, bad)
    return view


async def _published_raw(ctx: RequestContext, row: CaseTypeVersion) -> dict[str, Any]:
    """The newest published (or retired) version's definition of the draft's key (empty for a new type)."""
    from sqlalchemy import select  # noqa: PLC0415

    from core.models.cases import CaseTypeVersion as Version  # noqa: PLC0415

    found = (
        await ctx.session.execute(
            select(Version)
            .where(Version.district_id == row.district_id, Version.key == row.key, Version.status != "draft")
            .order_by(Version.version.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    return dict(found.definition) if found is not None else {}
