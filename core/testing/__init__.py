"""The test kit for Sanshe plugins: a pytest plugin (``sanshe``) and the helpers behind it.

Installing ``sanshe`` registers :mod:`core.testing.plugin` with pytest (entry point
``pytest11``), so a plugin's tests get these fixtures without any import or conftest:

==========================  ===========================================================
``sanshe_plugins``          the plugin keys enabled (ini ``sanshe_plugins`` or marker)
``sanshe_database_url``     a fresh, migrated database (SQLite; PostgreSQL on request)
``sanshe_app``              the Litestar app with only those plugins installed
``sanshe_client``           an anonymous ``TestClient``
``sanshe_district``         海曙区 ``haishu`` with 平桥社区 and 牡丹社区, the plugins enabled
``sanshe_client_for``       ``sanshe_client_for("community_worker")``: a logged-in client
``sanshe_factory``          districts, users, cases, enablement, settings, demo seeds
``sanshe_transition``       performs a transition, returns the refusal reason or ``None``
``sanshe_live_url``         the app served over HTTP (uvicorn in a thread)
``sanshe_browser``          Debian's Chromium through Playwright (``sanshe_page``: a page)
==========================  ===========================================================

See docs/plugins/testing.md.
"""

from __future__ import annotations

from core.testing.factory import DistrictRef, Factory
from core.testing.races import Call, fire, logged_in
from core.testing.web import PASSWORD, csrf_of, log_in_page, login

__all__ = ("PASSWORD", "Call", "DistrictRef", "Factory", "csrf_of", "fire", "log_in_page", "logged_in", "login")
