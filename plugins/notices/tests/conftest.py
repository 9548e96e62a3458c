"""Fixtures for the notices plugin's tests: the kit's fixtures plus two districts with notices on."""

from __future__ import annotations

from typing import Any

import pytest

from core.plugins import PluginHost
from plugins.notices.tests.support import World, build_world


@pytest.fixture
def host() -> PluginHost:
    return PluginHost.load(None, entry_points=False)


@pytest.fixture
def world(seed: Any) -> World:
    """海曙区 (平桥社区, 牡丹社区) and 鄞州区, notices enabled in both, users of each role, a few notices."""
    return seed(build_world)
