"""The public API for plugins (core.plugin_api): documented name by name, and the only way into the core.

import-linter enforces it (``lint-imports``, pyproject.toml); these tests keep the contract
honest as the core grows: a new core module is forbidden to plugins until it is added to
the surface, and every name of the surface is documented in docs/plugins/api.md.
"""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

import core.plugin_api
import core.plugin_api.cli
import core.plugin_api.migrations

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "plugins" / "api.md"
SURFACE = (core.plugin_api, core.plugin_api.cli, core.plugin_api.migrations)


def _contract(pyproject: Path, name_start: str) -> dict:
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return next(c for c in config["tool"]["importlinter"]["contracts"] if c["name"].startswith(name_start))


def _core_modules() -> set[str]:
    """Every top-level module and package of the core (what a plugin could import)."""
    names = {p.stem for p in (ROOT / "core").glob("*.py") if p.stem != "__init__"}
    names |= {p.name for p in (ROOT / "core").iterdir() if (p / "__init__.py").is_file()}
    return {f"core.{name}" for name in names}


def test_every_core_module_but_the_surface_is_forbidden_to_plugins():
    """A core module that is neither the surface nor the test kit is in the forbidden contract."""
    forbidden = set(_contract(ROOT / "pyproject.toml", "Plugins import the core only")["forbidden_modules"])
    open_to_plugins = {"core.plugin_api", "core.testing"}
    missing = sorted(_core_modules() - open_to_plugins - forbidden)
    assert not missing, f"add to the forbidden contract in pyproject.toml (or to core.plugin_api): {missing}"
    assert not forbidden & open_to_plugins


def test_the_plugin_template_forbids_the_same_modules():
    """A generated plugin's own import-linter contract forbids what the built-in plugins' forbids."""
    core_list = _contract(ROOT / "pyproject.toml", "Plugins import the core only")["forbidden_modules"]
    template = (ROOT / "plugin_template" / "template" / "pyproject.toml.jinja").read_text(encoding="utf-8")
    block = re.search(r"forbidden_modules = \[(.*?)\]", template, re.DOTALL)
    assert block is not None
    assert re.findall(r'"([\w.]+)"', block.group(1)) == core_list


def test_every_name_of_the_surface_is_exported_and_documented():
    """Each name in __all__ resolves, and docs/plugins/api.md shows it in backticks."""
    docs = DOCS.read_text(encoding="utf-8")
    undocumented = []
    for module in SURFACE:
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__} exports {name} but does not define it"
            if f"`{name}`" not in docs:
                undocumented.append(f"{module.__name__}.{name}")
    assert not undocumented, f"docs/plugins/api.md does not document: {undocumented}"


def test_built_in_plugins_import_the_core_only_through_the_surface():
    """No module of a built-in plugin (tests aside) names a core module other than core.plugin_api."""
    offenders = []
    for path in (ROOT / "plugins").glob("*/**/*.py"):
        if "tests" in path.relative_to(ROOT / "plugins").parts:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            found = re.match(r"\s*(?:from|import) (core(?:\.\w+)*)", line)
            if found and not found.group(1).startswith("core.plugin_api"):
                offenders.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_documented_names_exist():
    """Every ``core.plugin_api…`` name the docs' tables list can be imported (no stale rows)."""
    docs = DOCS.read_text(encoding="utf-8")
    for module_name, name in re.findall(r"^\| `(core\.plugin_api(?:\.\w+)?)` \| `(\w+)`", docs, re.MULTILINE):
        assert hasattr(importlib.import_module(module_name), name), f"{module_name}.{name} is documented, not defined"
