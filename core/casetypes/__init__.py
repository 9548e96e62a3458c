"""Case types as data: a form, a workflow, queues and permissions, versioned per district."""

from __future__ import annotations

from core.casetypes.definition import CaseTypeDef, QueueDef, parse_case_type
from core.casetypes.loader import load_yaml_file, load_yaml_text

__all__ = ("CaseTypeDef", "QueueDef", "load_yaml_file", "load_yaml_text", "parse_case_type")
