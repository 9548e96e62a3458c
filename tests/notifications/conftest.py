"""The 海曙区 world of the case tests (two communities, staff, residents) for the notification tests."""

from __future__ import annotations

from tests.api_cases.conftest import api  # noqa: F401 - fixture
from tests.cases.conftest import as_user, host, world  # noqa: F401 - fixtures
from tests.web_cases.conftest import browser  # noqa: F401 - fixture
