"""``sanshe plugin new KEY``: a new plugin distribution from ``plugin_template/`` (copier).

Runs the template without questions: the key comes from the command line, everything
else from the options or the template's defaults. The result is a pip-installable
project ``sanshe-<key>`` whose tests and ``ruff check`` pass as generated.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from core.cli.common import CliError
from core.config import PROJECT_ROOT

__all__ = ("generate", "register", "template_dir")

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


def template_dir() -> Path:
    """The copier template: ``plugin_template/`` of a checkout, or the copy shipped in the wheel."""
    shipped = Path(__file__).resolve().parents[1] / "_root" / "plugin_template"
    for candidate in (PROJECT_ROOT / "plugin_template", shipped):
        if (candidate / "copier.yml").is_file():
            return candidate
    msg = "找不到插件模板 / plugin_template/ not found (is sanshe installed completely?)"
    raise CliError(msg)


def generate(key: str, dest: Path, answers: dict[str, Any] | None = None) -> Path:
    """Render the template for ``key`` into ``dest`` (which must not exist or be empty); returns ``dest``."""
    from copier import run_copy  # noqa: PLC0415 - copier is only needed here

    if not KEY_RE.match(key):
        msg = (
            f"插件键无效 / invalid plugin key {key!r}: 2–41 lowercase letters, digits and _, starting with a letter"
        )
        raise CliError(msg)
    if dest.exists() and any(dest.iterdir()):
        msg = f"目录已存在且不为空 / {dest} exists and is not empty"
        raise CliError(msg)
    data = {"key": key, **{k: v for k, v in (answers or {}).items() if v is not None}}
    try:
        run_copy(str(template_dir()), str(dest), data=data, defaults=True, quiet=True, unsafe=False)
    except ValueError as exc:  # copier's validators: a bad name, a reserved key
        raise CliError(str(exc).strip()) from exc
    return dest


def register(cli: click.Group) -> None:
    """Add the ``plugin`` group (``sanshe plugin new``) to ``cli``."""

    @cli.group("plugin")
    def plugin() -> None:
        """编写插件 / Writing a plugin: generate a new one from the template."""

    @plugin.command("new")
    @click.argument("key")
    @click.option("--name-zh", help="中文名称，如 爱心食堂 / Chinese name (default: the key).")
    @click.option("--name-en", help="English name (default: the key in title case).")
    @click.option("--author", help="作者 / author.")
    @click.option("--description", help="一句话说明 / one sentence on what it does.")
    @click.option(
        "--dest",
        type=click.Path(file_okay=False, path_type=Path),
        help="目标目录 / where to write it (default: ./sanshe-KEY).",
    )
    def new(
        key: str,
        name_zh: str | None,
        name_en: str | None,
        author: str | None,
        description: str | None,
        dest: Path | None,
    ) -> None:
        """生成新插件 / Generate plugin KEY: a pip-installable project with tests that pass.

        Example: sanshe plugin new canteen --name-zh 爱心食堂 --name-en "Community canteen"
        """
        target = dest or Path.cwd() / f"sanshe-{key.replace('_', '-')}"
        answers = {"name_zh": name_zh, "name_en": name_en, "author": author, "description": description}
        generate(key, target, answers)
        click.echo(f"已生成 / generated {target}")
        click.echo("下一步 / next:")
        click.echo(f"  cd {target}")
        click.echo("  pip install -e .  &&  pytest")
        click.echo(f"  sanshe db upgrade  &&  sanshe plugins enable {key} --district haishu  &&  sanshe run")
