"""Fixtures for the star rating's tests: the suite's fixtures, a world with organizations and residents."""

from __future__ import annotations

from typing import Any

import pytest

from core.plugins import PluginHost
from plugins.rating.tests.support import World, build_world


@pytest.fixture
def host() -> PluginHost:
    """Every built-in plugin, so ``as_user``'s contexts see this plugin's hooks."""
    return PluginHost.load(None, entry_points=False)


@pytest.fixture
def world(seed: Any) -> World:
    """海曙区 with a hub and two organizations, staff, a member, two residents; 鄞州区 with its own."""
    return seed(build_world)
