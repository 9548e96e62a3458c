"""The core's tests use the test kit in :mod:`core.testing`, as the plugins' tests do.

Fixtures (``backend``, ``database_url``, ``settings``, ``seed``, ``app``, ``client``,
``as_user``, ``live_server``, ``browser``): :mod:`core.testing.suite`, loaded by the
repository's root ``conftest.py``. Logging in: :func:`core.testing.login` and
:func:`core.testing.csrf_of`; test data: :mod:`core.testing.factories`. The names below
are kept for tests written before the kit was one.
"""

from __future__ import annotations

from core.testing.suite import ALL_BACKENDS, BACKENDS, selected_backends
from core.testing.web import CSRF_RE, csrf_of, login

__all__ = ("ALL_BACKENDS", "BACKENDS", "CSRF_RE", "csrf_of", "login", "selected_backends")
