"""Reading case types from YAML, with each problem located by line in the file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from core.casetypes.definition import CaseTypeDef, parse_case_type
from core.forms.definition import DefinitionError, Problem

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ("line_of", "load_yaml_file", "load_yaml_text")

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
# libyaml's parser when PyYAML was built with it (several times faster), else the pure-Python one.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Parsed shipped files by (path, modification time, size, known roles): every new district
# stores the shipped types, and parsing them again each time dominated that.
_FILE_CACHE: dict[tuple[str, int, int, frozenset[str]], CaseTypeDef] = {}


def line_of(document: yaml.Node | None, path: str) -> int | None:
    """The 1-based line of ``path`` (e.g. ``workflow.transitions[2].to``) in a composed YAML document."""
    node = document
    line = node.start_mark.line + 1 if node is not None else None
    for name, index in _STEP.findall(path):
        if isinstance(node, yaml.MappingNode) and name:
            match = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == name), None)
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and index:
            i = int(index)
            if i >= len(node.value):
                break
            node = node.value[i]
            line = node.start_mark.line + 1
        else:
            break
    return line


def load_yaml_text(text: str, *, known_roles: Iterable[str], source: str = "<yaml>") -> CaseTypeDef:
    """Parse and check a case type from YAML text; problems carry ``(line N)``."""
    try:
        raw: Any = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (libyaml's or PyYAML's)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        raise DefinitionError(
            [Problem(where, f"YAML 语法错误 / YAML syntax error: {getattr(exc, 'problem', exc)}")], source
        ) from None
    try:
        return parse_case_type(raw, known_roles=known_roles, source=source)
    except DefinitionError as exc:
        document = yaml.compose(text, Loader=yaml.SafeLoader)  # only to say where each problem is
        located = []
        for problem in exc.problems:
            line = line_of(document, problem.path)
            message = f"(line {line}) {problem.message}" if line else problem.message
            located.append(Problem(problem.path, message))
        raise DefinitionError(located, source) from None


def load_yaml_file(path: Path, *, known_roles: Iterable[str]) -> CaseTypeDef:
    """Load one plugin-shipped YAML file; errors name the file (parsed once while the file is unchanged)."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size, frozenset(known_roles))
    cached = _FILE_CACHE.get(key)
    if cached is None:
        cached = load_yaml_text(path.read_text(encoding="utf-8"), known_roles=key[3], source=str(path))
        _FILE_CACHE[key] = cached
    return cached
