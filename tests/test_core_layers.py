"""The core is layered and has no import circle (docs/plugins/api.md, "The core's own layers").

import-linter's `layers` contract checks that no layer imports one above it; these tests
keep the contract whole as the core grows: every top-level part of the core is in a
layer, and no two modules of the core import each other, even through others.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
# The test kit sits above everything (it builds apps, seeds and drives browsers).
OUTSIDE_THE_LAYERS = {"core.testing", "core.static"}


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["name"] == "The core is layered")
    return [name.strip() for layer in contract["layers"] for name in layer.replace("|", ":").split(":")]


def test_every_top_level_part_of_the_core_is_in_a_layer() -> None:
    listed = _layers()
    parts = {
        f"core.{p.stem if p.suffix == '.py' else p.name}"
        for p in (ROOT / "core").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and (p / "__init__.py").exists())
    } - OUTSIDE_THE_LAYERS
    missing = sorted(
        part for part in parts if not any(name == part or name.startswith(part + ".") for name in listed)
    )
    assert missing == [], f"add these to a layer of 'The core is layered' in pyproject.toml: {missing}"


def test_no_module_of_the_core_imports_itself_through_others() -> None:
    graph = grimp.build_graph("core", include_external_packages=False, exclude_type_checking_imports=True)
    circles = []
    for module in sorted(graph.modules):
        if module.startswith("core.testing"):
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None and not imported.startswith("core.testing"):
                circles.append(" -> ".join((module, *back)))
    assert circles == [], "import circles:\n" + "\n".join(sorted(set(circles))[:20])
