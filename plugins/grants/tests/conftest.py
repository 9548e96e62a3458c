"""Fixtures for the grants plugin's tests: the kit's fixtures plus a district with grants on."""

from __future__ import annotations

from typing import Any

import pytest

from core.plugins import PluginHost
from plugins.grants.tests.support import World, build_world, grants_host


@pytest.fixture
def host() -> PluginHost:
    return grants_host()


@pytest.fixture
def app(settings: Any, host: PluginHost) -> Any:
    """The app with the built-in plugins and the test standing plugin."""
    from core.testing.apps import lease

    return lease(settings, host)


@pytest.fixture
def world(seed: Any) -> World:
    """海曙区 with organizations, staff, an applicant leader, three reviewers (r2 in the hub), two calls."""
    return seed(build_world)
