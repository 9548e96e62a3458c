"""Apps for tests: each built once per process, then pointed at the next test's database.

Building the app (about a thousand routes, their signatures, the routing trie, the
templates) takes 1–2 s, more than most tests take to run; the suite built one for each of
about two thousand tests. An app depends only on its plugins and its settings, so
:func:`lease` keeps the apps it built and hands one out again to a later test with the
same plugins and the same settings but another database and ``var/``: it gets a new
engine, a new session maker and the new settings, and loses whatever its last lifespan
put into its state (the scheduler, the migration worker). Caches that live in modules and
are keyed by database ids are cleared between tests already (``_clear_process_caches``).

An app is leased until the end of the test (:func:`release_all`, called by an autouse
fixture); two clients in one test get two apps, because one app's lifespan cannot run
twice at once. A test that adds to its app (a route of its own) passes the function that
does it as ``extend``: apps so extended are pooled apart, keyed by that function. A test
that replaces something of an app (a handler, a dependency) builds its own with
``core.app.create_app``.

On PostgreSQL an app's engine pools its connections, as in production, but apart for each
event loop (:class:`core.testing.loop_pool.LoopPool`): each ``TestClient`` has a loop of
its own, and an asyncpg connection belongs to the loop that opened it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from litestar import Litestar
    from sqlalchemy.ext.asyncio import AsyncEngine

    from core.config import Settings
    from core.plugins import PluginHost

__all__ = ("lease", "pooled", "release_all")

_free: dict[tuple[Any, ...], list[Litestar]] = {}
_leased: list[tuple[tuple[Any, ...], Litestar]] = []
_initial_state: dict[int, dict[str, Any]] = {}


def _key(settings: Settings, host: PluginHost | None, extend: Callable[[Litestar], None] | None) -> tuple[Any, ...]:
    # Everything the app is built from, except what :func:`_point` changes per test.
    general = dataclasses.replace(settings, database_url="", var_dir=Path(), storage_dir=None)
    plugins = None if host is None else tuple((key, p.module) for key, p in sorted(host.installed.items()))
    added = None if extend is None else f"{extend.__module__}.{extend.__qualname__}"
    return (repr(general), plugins, added)


def _engine(url: str) -> AsyncEngine:
    """The app's engine (core.db.create_engine); on PostgreSQL pooling each event loop's connections apart."""
    from core.db.engine import create_engine, is_sqlite  # noqa: PLC0415
    from core.testing.loop_pool import LoopPool  # noqa: PLC0415

    return create_engine(url) if is_sqlite(url) else create_engine(url, poolclass=LoopPool)


def _build(settings: Settings, host: PluginHost | None, extend: Callable[[Litestar], None] | None) -> Litestar:
    import core.app as app_module  # noqa: PLC0415

    original = app_module.create_engine
    app_module.create_engine = lambda url, **_: _engine(url)  # type: ignore[assignment]
    try:
        app = app_module.create_app(settings, plugin_host=host)
    finally:
        app_module.create_engine = original  # type: ignore[assignment]
    if extend is not None:
        extend(app)
    _initial_state[id(app)] = app.state.dict()
    return app


def _point(app: Litestar, settings: Settings) -> None:
    """Give a built app this test's database and settings, and the state it had when built."""
    from core.db.replica import route_sessions  # noqa: PLC0415

    db_config = app.state["db_config"]
    db_config.engine_instance = _engine(settings.database_url)
    db_config.session_maker = None
    route_sessions(db_config)  # as create_app does: the new session maker reads where core.db.replica says
    app.state.clear()
    app.state.update({**_initial_state[id(app)], "settings": settings})


def lease(
    settings: Settings, host: PluginHost | None = None, *, extend: Callable[[Litestar], None] | None = None
) -> Litestar:
    """An app for ``settings`` and ``host`` until the end of the test: a free one of the pool, else a new one.

    ``extend(app)`` adds to a new app what the test needs (a route of its own): the pool
    keeps such apps apart, one kind per function.
    """
    key = _key(settings, host, extend)
    free = _free.setdefault(key, [])
    if free:
        app = free.pop()
        _point(app, settings)
    else:
        app = _build(settings, host, extend)
    _leased.append((key, app))
    return app


def pooled(app: Litestar) -> bool:
    """Whether ``app`` belongs to the pool (then a test must not change it: the next test gets it)."""
    return id(app) in _initial_state


def release_all() -> None:
    """The test is over: every app it leased goes back to the pool."""
    while _leased:
        key, app = _leased.pop()
        _free[key].append(app)
