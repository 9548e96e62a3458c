"""The one_window tests run on the plugin test kit (the ``sanshe_*`` fixtures of ``core.testing``).

Only this plugin is loaded; every database test runs on each backend of
``SANSHE_TEST_BACKENDS`` (SQLite and PostgreSQL unless told otherwise), as the rest of
Sanshe's suite does — except a test marked ``@pytest.mark.sanshe_db(...)`` (the browser
test: its pages are the same on both, the parallel and clock tests cover PostgreSQL).
"""

from __future__ import annotations

import pytest

from core.testing.suite import BACKENDS


@pytest.fixture
def sanshe_plugins() -> tuple[str, ...]:
    return ("one_window",)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    chosen = metafunc.config.getoption("--sanshe-db")
    marked = metafunc.definition.get_closest_marker("sanshe_db") is not None
    if "sanshe_backend" in metafunc.fixturenames and chosen is None and not marked:
        backends = [b for b in BACKENDS if b in ("sqlite", "postgresql")]
        metafunc.parametrize("sanshe_backend", backends, indirect=True)
