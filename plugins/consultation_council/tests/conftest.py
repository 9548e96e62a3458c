"""Fixtures for the consultation council's tests: the kit's fixtures, a world with a council, ``as_user``."""

from __future__ import annotations

from typing import Any

import pytest

from core.plugins import PluginHost
from plugins.consultation_council.tests.support import World, build_world


@pytest.fixture
def host() -> PluginHost:
    """Every built-in plugin, so ``as_user``'s contexts see this plugin's hooks."""
    return PluginHost.load(None, entry_points=False)


@pytest.fixture
def world(seed: Any) -> World:
    """海曙区 (鼓楼街道 → 平桥社区 → 偃月小区) with 平桥社区议事会 (five members, threshold 3); 鄞州区 with its own."""
    return seed(build_world)
