"""The 海曙区 world of the case tests (two communities, staff, residents) for the notification tests."""

from __future__ import annotations

from tests.api_cases.conftest import api  # noqa: F401 - fixture
from tests.cases.conftest import world  # noqa: F401 - a fixture (as_user and host come from core.testing.suite)
from tests.web_cases.conftest import browser  # noqa: F401 - fixture
