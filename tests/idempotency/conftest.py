"""The 海曙区 world of the case tests, with API clients (``api``, ``token_for``) and browsers (``browser``)."""

from __future__ import annotations

from tests.api_cases.conftest import api, token_for  # noqa: F401 - fixtures
from tests.cases.conftest import world  # noqa: F401 - a fixture
from tests.web_cases.conftest import browser  # noqa: F401 - a fixture
