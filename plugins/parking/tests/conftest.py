"""Fixtures for the parking plugin's tests: an estate with households, owners, cars and a committee."""

from __future__ import annotations

from typing import Any

import pytest

from core.plugins import PluginHost
from plugins.parking.tests.support import World, build_world


@pytest.fixture
def host() -> PluginHost:
    return PluginHost.load(None, entry_points=False)


@pytest.fixture
def world(seed: Any) -> World:
    """海曙区 → 平桥社区 → 偃月小区 under parking self-governance: 6 households, 3 pool spaces, users of each role."""
    return seed(build_world)
