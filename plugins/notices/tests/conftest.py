"""Fixtures for the notices plugin's tests: the core's fixtures plus two districts with notices on."""

from __future__ import annotations

from typing import Any

import pytest

from core.plugins import PluginHost
from plugins.notices.tests.support import World, build_world
from tests.conftest import *  # noqa: F403 - the core's fixtures (database per backend, app, client, seed)
from tests.conftest import (  # noqa: F401 - its autouse fixtures (a star import skips _names)
    _fresh_process_caches,
    _one_event_loop_per_connection,
    _plugin_catalogs,
)


@pytest.fixture
def host() -> PluginHost:
    return PluginHost.load(None, entry_points=False)


@pytest.fixture
def world(seed: Any) -> World:
    """海曙区 (平桥社区, 牡丹社区) and 鄞州区, notices enabled in both, users of each role, a few notices."""
    return seed(build_world)
