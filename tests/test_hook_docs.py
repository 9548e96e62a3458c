"""Every hook in core/hookspecs.py is documented with its signature and has a test (as datasette does)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOOKSPECS = ROOT / "core" / "hookspecs.py"
DOCS = ROOT / "docs" / "plugins" / "hooks.md"
HEADING = re.compile(r"^### `(\w+)\(", re.MULTILINE)


def _hookspecs() -> dict[str, str]:
    """Hook name → its exact signature as written, e.g. ``def nav_items(ctx: RequestContext) -> list[NavItem]``."""
    tree = ast.parse(HOOKSPECS.read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            isinstance(d, ast.Name) and d.id == "hookspec" for d in node.decorator_list
        ):
            returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
            found[node.name] = f"def {node.name}({ast.unparse(node.args)}){returns}"
    return found


def _test_names() -> set[str]:
    names: set[str] = set()
    for path in [*ROOT.glob("tests/**/*.py"), *ROOT.glob("plugins/*/tests/**/*.py")]:
        text = path.read_text(encoding="utf-8")
        names.update(re.findall(r"^\s*(?:async )?def (test_hook_\w+)\(", text, re.MULTILINE))
    return names


HOOKS = _hookspecs()


def test_hookspecs_are_found():
    """The hookspecs module declares the hooks the first plugins need."""
    assert {"plugin_manifest", "register_routes", "nav_items", "dashboard_widgets", "seed_demo"} <= set(HOOKS)


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_hook_is_documented_with_its_signature(name):
    """docs/plugins/hooks.md has a section for the hook and shows its exact signature."""
    docs = DOCS.read_text(encoding="utf-8")
    assert name in HEADING.findall(docs), f"docs/plugins/hooks.md has no '### `{name}(…)`' section"
    assert HOOKS[name] in docs, f"docs/plugins/hooks.md does not show the signature `{HOOKS[name]}`"


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_hook_has_a_test(name):
    """Some test is named test_hook_<name>, showing what the core does with the hook's result."""
    assert f"test_hook_{name}" in _test_names(), f"no test named test_hook_{name} in tests/"


def test_docs_describe_no_hook_that_does_not_exist():
    """Every hook section in the docs names a hook that core/hookspecs.py declares."""
    stale = sorted(set(HEADING.findall(DOCS.read_text(encoding="utf-8"))) - set(HOOKS))
    assert not stale, f"docs/plugins/hooks.md documents hooks that do not exist: {stale}"


def test_every_hook_has_a_one_line_docstring():
    """Each hookspec has a docstring of exactly one line."""
    tree = ast.parse(HOOKSPECS.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in HOOKS:
            doc = ast.get_docstring(node)
            assert doc, f"{node.name} has no docstring"
            assert "\n" not in doc.strip(), f"{node.name}'s docstring is more than one line"
