"""Sanshe's own suite (tests/ and plugins/*/tests/) runs on the test kit in core.testing.

The ``sanshe_*`` fixtures come from the kit's pytest plugin (entry point ``pytest11``);
the suite's fixtures (``backend``, ``database_url``, ``app``, ``client``, ``seed``,
``as_user``, ``live_server``, ``browser`` …) from :mod:`core.testing.suite`.
"""

pytest_plugins = ("core.testing.suite", "pytester")
