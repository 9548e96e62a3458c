"""`sanshe run`: serve the app with uvicorn."""

from __future__ import annotations

import click

from core.config import load_settings

__all__ = ("register",)


def register(cli: click.Group) -> None:
    """Add the ``run`` command to ``cli``."""

    @cli.command("run")
    @click.option("--host", default=None, help="Address to listen on [default: SANSHE_HOST or 127.0.0.1].")
    @click.option("--port", default=None, type=click.IntRange(1, 65535), help="Port [default: SANSHE_PORT or 8000].")
    @click.option(
        "--workers", default=None, type=click.IntRange(1, 64), help="Worker processes [default: SANSHE_WORKERS or 1]."
    )
    @click.option("--reload", is_flag=True, help="Restart when the code changes (development).")
    @click.option(
        "--proxy-headers/--no-proxy-headers",
        default=None,
        help="Take the client address and scheme from X-Forwarded-For/-Proto of a trusted proxy "
        "[default: SANSHE_PROXY_HEADERS or off].",
    )
    @click.option(
        "--forwarded-allow-ips",
        default=None,
        help="Comma list of proxy addresses or networks trusted for those headers, '*' for any "
        "[default: SANSHE_FORWARDED_ALLOW_IPS or 127.0.0.1].",
    )
    def run(
        host: str | None,
        port: int | None,
        workers: int | None,
        reload: bool,
        proxy_headers: bool | None,
        forwarded_allow_ips: str | None,
    ) -> None:
        """启动服务 / serve Sanshe (`core.app:create_app`) with uvicorn."""
        import uvicorn  # noqa: PLC0415

        settings = load_settings()
        host = host or settings.host
        port = port or settings.port
        workers = workers or settings.workers
        proxy_headers = settings.proxy_headers if proxy_headers is None else proxy_headers
        forwarded_allow_ips = forwarded_allow_ips or settings.forwarded_allow_ips
        click.echo(f"三社 Sanshe: http://{host}:{port}/ (workers: {workers})")
        if proxy_headers:
            click.echo(f"X-Forwarded-For trusted from: {forwarded_allow_ips}")
        uvicorn.run(
            "core.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=None if reload else workers,
            reload=reload,
            # uvicorn's ProxyHeadersMiddleware: only a peer in forwarded_allow_ips may set the
            # client address (login throttling counts by it); anyone else's header is ignored.
            proxy_headers=proxy_headers,
            forwarded_allow_ips=forwarded_allow_ips,
            server_header=False,
            log_level="debug" if settings.debug else "info",
        )
