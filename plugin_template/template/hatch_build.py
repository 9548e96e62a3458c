"""Compile the plugin's translations (``.po`` → ``.mo``) whenever the package is built.

Runs for ``pip install .``, ``pip install -e .`` and ``python -m build``; compiled
catalogs are build output, so ``.gitignore`` leaves them out of version control.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileCatalogs(BuildHookInterface):  # type: ignore[type-arg]
    """Write each ``locale/<lang>/LC_MESSAGES/<domain>.mo`` next to its ``.po`` and ship it."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        for po_path in sorted(root.glob("*/locale/*/LC_MESSAGES/*.po")):
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=po_path.parent.parent.name)
            mo_path = po_path.with_suffix(".mo")
            with mo_path.open("wb") as handle:
                write_mo(handle, catalog, use_fuzzy=False)
            build_data["artifacts"].append(str(mo_path.relative_to(root)))
