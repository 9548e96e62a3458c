"""The forms engine: one definition gives server validation, the htmx form and a JSON Schema."""

from __future__ import annotations

from core.forms.definition import DefinitionError, FieldDef, FormDef, Problem, parse_form
from core.forms.expressions import ExpressionError, evaluate
from core.forms.fields import FIELD_TYPES, FieldError
from core.forms.schema import json_schema
from core.forms.validate import Result, form_input, validate, visible_fields

__all__ = (
    "FIELD_TYPES",
    "DefinitionError",
    "ExpressionError",
    "FieldDef",
    "FieldError",
    "FormDef",
    "Problem",
    "Result",
    "evaluate",
    "form_input",
    "json_schema",
    "parse_form",
    "validate",
    "visible_fields",
)
