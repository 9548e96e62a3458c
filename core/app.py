"""The application factory: ``core.app:create_app(settings)``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advanced_alchemy.extensions.litestar import AsyncSessionConfig, SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from litestar import Litestar, Router
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from core import __version__
from core.config import Settings, load_settings
from core.db import create_engine
from core.db.replica import Replicas, close_replicas, route_sessions
from core.db.transactions import transactions
from core.long_lived import long_lived_objects
from core.plugins import PluginHost
from core.plugins.asyncio import flatten
from core.web.context import district_guard, provide_context, public_guard
from core.web.static import STATIC_DIR, static_cache_middleware
from core.web.templating import build_environment

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

__all__ = ("create_app",)



def _core_routes() -> list[ControllerRouterHandler]:
    """Route handlers of the core, gathered from the modules that own them."""
    from core.api.routes import api_router  # noqa: PLC0415
    from core.auth.routes import AUTH_ROUTES  # noqa: PLC0415
    from core.web.public import PUBLIC_ROUTES  # noqa: PLC0415
    from core.web.routes import DISTRICT_ROUTES, SHELL_ROUTES  # noqa: PLC0415

    return [
        *AUTH_ROUTES,
        *SHELL_ROUTES,
        Router(path="/d/{district_code:str}", route_handlers=DISTRICT_ROUTES, guards=[district_guard]),
        # No login: a district's public pages (core.web.public; plugins' through register_public_routes).
        Router(
            path="/d/{district_code:str}/public",
            route_handlers=PUBLIC_ROUTES,
            guards=[public_guard],
            opt={"public": True},
        ),
        api_router(),
    ]


def _plugin_routes(host: PluginHost) -> list[ControllerRouterHandler]:
    """Each plugin's handlers, mounted under its district prefix and tagged for the guard."""
    from core.api.routes import plugin_api_router  # noqa: PLC0415

    routers: list[ControllerRouterHandler] = []
    for plugin in host.plugins:
        web = flatten([h for h in [host.call_for(plugin.key, "register_routes")] if h])
        if web:
            routers.append(
                Router(
                    path="/d/{district_code:str}",
                    route_handlers=web,
                    guards=[district_guard],
                    opt={"plugin": plugin.key},
                    include_in_schema=False,
                )
            )
        public = flatten([h for h in [host.call_for(plugin.key, "register_public_routes")] if h])
        if public:
            routers.append(
                Router(
                    path="/d/{district_code:str}/public",
                    route_handlers=public,
                    guards=[public_guard],
                    opt={"plugin": plugin.key, "public": True},
                    include_in_schema=False,
                )
            )
        api = flatten([h for h in [host.call_for(plugin.key, "register_api_routes")] if h])
        if api:
            routers.append(plugin_api_router(plugin.key, api))
        if plugin.static_dir:
            routers.append(
                create_static_files_router(
                    path=f"/static/plugins/{plugin.key}",
                    directories=[plugin.static_dir],
                    name=f"static-{plugin.key}",
                    include_in_schema=False,
                )
            )
    host.register_catalogs()
    return routers


def create_app(settings: Settings | None = None, *, plugin_host: PluginHost | None = None) -> Litestar:
    """Build the Litestar app for ``settings`` (read from ``SANSHE_*`` variables when omitted).

    The garbage collector is paused while the app is built, and what the build made is then
    frozen (``gc.freeze``), as a long-running server's start-up should be: the app is about
    half a million objects that live as long as the process, with little garbage among
    them, and the collector would otherwise walk them over and over while they are made
    (the build takes 1.9 s instead of 2.8 s) and again in every full collection after.
    """
    with long_lived_objects():
        return _build(settings, plugin_host)


def _build(settings: Settings | None, plugin_host: PluginHost | None) -> Litestar:
    from core.api.openapi import (  # noqa: PLC0415
        IdempotencyJsonRenderPlugin,
        IdempotencyYamlRenderPlugin,
        TypedDictConstraintsPlugin,
    )
    from core.auth.middleware import auth_middleware  # noqa: PLC0415
    from core.builder.worker import start_worker, stop_worker  # noqa: PLC0415
    from core.notifications.kinds import load_kinds  # noqa: PLC0415
    from core.scheduler.worker import start_scheduler, stop_scheduler  # noqa: PLC0415
    from core.web.errors import exception_handlers  # noqa: PLC0415
    from core.web.idempotency import idempotency_middleware  # noqa: PLC0415
    from core.web.inputs import guard_input  # noqa: PLC0415
    from core.web.security import add_security_headers  # noqa: PLC0415

    settings = settings or load_settings()
    host = plugin_host or PluginHost.load(settings.allowed_plugins)
    load_kinds(host)  # the plugins' kinds of notice, known before the first one is written
    engine = create_engine(settings.database_url)
    db_config = SQLAlchemyAsyncConfig(
        engine_instance=engine,
        # No model has an advanced_alchemy FileObject column: its listener would only cost
        # every flush a look-up (it builds an engine with options each time).
        session_config=AsyncSessionConfig(expire_on_commit=False, info={"enable_file_object_listener": False}),
        # Only closes the session: core.db.transactions commits or rolls back (and never hides a
        # failed commit, which Advanced Alchemy's auto-commit handler logs and sends 200 anyway).
        session_dependency_key="db_session",
    )
    env = build_environment(host)
    state: dict[str, Any] = {"settings": settings, "plugin_host": host, "db_config": db_config, "jinja_env": env}
    route_sessions(db_config)  # read-only requests read from a replica when there are any (core.db.replica)
    if settings.database_replica_urls:
        state["db_replicas"] = Replicas(
            settings.database_replica_urls, engine, max_lag=settings.database_replica_max_lag
        )
    return Litestar(
        route_handlers=[
            *_core_routes(),
            *_plugin_routes(host),
            create_static_files_router(
                path="/static", directories=[STATIC_DIR], name="static", include_in_schema=False
            ),
        ],
        plugins=[SQLAlchemyPlugin(config=db_config), HTMXPlugin(), TypedDictConstraintsPlugin()],
        dependencies={"ctx": Provide(provide_context)},
        # SQLite: BEGIN IMMEDIATE for writes (core.db.engine); then who is asking; then a retried
        # request (Idempotency-Key, a form's one-time token) gets the first answer (core.web.idempotency).
        middleware=[static_cache_middleware, transactions, auth_middleware, idempotency_middleware],
        before_request=guard_input,  # bad input (huge ids, NUL, bad JSON, unknown fields …) is a 4xx, never a 500
        before_send=[add_security_headers],  # every response, 404s of unknown paths too
        on_startup=[start_worker, start_scheduler],  # background: case migrations, scheduled jobs (core.scheduler)
        on_shutdown=[stop_worker, stop_scheduler, close_replicas],
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(env)),
        exception_handlers=exception_handlers(),
        openapi_config=OpenAPIConfig(
            title="Sanshe API",
            version=__version__,
            path="/schema",
            # The Idempotency-Key header is added to every write (core.api.openapi).
            render_plugins=[IdempotencyJsonRenderPlugin(path=["/", "/openapi.json"]), IdempotencyYamlRenderPlugin()],
        ),
        state=State(state),
        debug=settings.debug,
    )
