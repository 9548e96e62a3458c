"""Fixtures for the incubation plugin's tests: the suite's fixtures (both databases) and a small world."""

from __future__ import annotations

from typing import Any

import pytest

from core.plugins import PluginHost
from plugins.incubation.tests.support import World, build_world


@pytest.fixture
def host() -> PluginHost:
    """Every built-in plugin, so ``as_user``'s contexts see this plugin's hooks."""
    return PluginHost.load(None, entry_points=False)


@pytest.fixture
def world(seed: Any) -> World:
    """海曙区: an incubator with 3 desks and an office, staff, a mentor, a hub with one member, a plain org."""
    return seed(build_world)
