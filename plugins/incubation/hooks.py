"""Every hook the incubation plugin implements. The core loads this module and nothing else."""

from __future__ import annotations

from core.plugin_api import Manifest, hookimpl
from plugins.incubation.manifest import MANIFEST


@hookimpl
def plugin_manifest() -> Manifest:
    return MANIFEST
