"""Fixtures for the time bank's tests: the kit's fixtures, a world with banks and members, ``as_user``."""

from __future__ import annotations

from typing import Any

import pytest

from core.plugins import PluginHost
from plugins.time_bank.tests.support import World, build_world


@pytest.fixture
def host() -> PluginHost:
    """Every built-in plugin, so ``as_user``'s contexts see this plugin's hooks."""
    return PluginHost.load(None, entry_points=False)


@pytest.fixture
def world(seed: Any) -> World:
    """海曙区 with 平桥时间银行 (staff, two volunteers, two residents) and 牡丹时间银行; 鄞州区 with its own bank."""
    return seed(build_world)
