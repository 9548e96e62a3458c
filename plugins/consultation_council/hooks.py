"""Every hook the consultation council plugin implements. The core loads this module and nothing else."""

from __future__ import annotations

from pathlib import Path

from core.hookspecs import hookimpl
from core.plugins import Manifest
from plugins.consultation_council import models as _models  # noqa: F401 - the tables belong to this plugin
from plugins.consultation_council.manifest import CASE_TYPE, MANIFEST


@hookimpl
def plugin_manifest() -> Manifest:
    return MANIFEST


@hookimpl
def case_types() -> list[Path]:
    return [Path(__file__).parent / "case_types" / f"{CASE_TYPE}.yaml"]
