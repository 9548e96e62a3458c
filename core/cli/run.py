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
    def run(host: str | None, port: int | None, workers: int | None, reload: bool) -> None:
        """启动服务 / serve Sanshe (`core.app:create_app`) with uvicorn."""
        import uvicorn  # noqa: PLC0415

        settings = load_settings()
        host = host or settings.host
        port = port or settings.port
        workers = workers or settings.workers
        click.echo(f"三社 Sanshe: http://{host}:{port}/ (workers: {workers})")
        uvicorn.run(
            "core.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=None if reload else workers,
            reload=reload,
            proxy_headers=False,
            server_header=False,
            log_level="debug" if settings.debug else "info",
        )
