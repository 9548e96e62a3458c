"""``hello_test``: a test-only plugin implementing every hook, some sync and some ``async def``.

Registered with ``PluginHost.load(extra_modules=(hello,))``; its templates live in
``tests/plugins_for_tests/templates/hello_test/`` (the convention: next to the module's package).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click
from litestar import Request, Response, get
from sqlalchemy import select

from core.context import RequestContext
from core.hookspecs import hookimpl
from core.models import OrgUnit, OrgUnitKind
from core.plugins import Manifest, NavItem, Permission, PolicyDefault, RoleDef, Widget
from core.web.pages import page

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import District

KEY = "hello_test"
NAV_LABEL = "Hello nav link"
WIDGET_TEXT = "来自测试插件的小部件"
ENABLED_UNIT = "hello-enabled"
SEEDED_UNIT = "hello-seeded"


@get("/hello", name="hello_test:page")
async def hello_page(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    ctx.require("hello", "view")
    return await page(request, ctx, "hello_test/page.html", greeting="你好")


@get("/hello", name="hello_test:api")
async def hello_api(ctx: RequestContext) -> dict[str, str]:
    assert ctx.district is not None
    return {"greeting": "你好", "district": ctx.district.code}


@hookimpl
def plugin_manifest() -> Manifest:
    return Manifest(
        key=KEY,
        name_zh="测试插件",
        name_en="Hello test",
        version="1.2.3",
        permissions=(Permission("hello", "view", "查看问候", "View the greeting"),),
        roles=(RoleDef("hello_keeper", "问候管理员", "Hello keeper"),),
        settings_schema={"type": "object", "properties": {"greeting": {"type": "string", "default": "你好"}}},
    )


@hookimpl
def register_routes() -> list[Any]:
    return [hello_page]


@hookimpl
def register_api_routes() -> list[Any]:
    return [hello_api]


@hookimpl
def register_commands(cli: click.Group) -> None:
    @cli.command("hello-test")
    @click.option("--name", default="世界")
    def hello_command(name: str) -> None:
        """Say hello (a command added by the hello_test plugin)."""
        click.echo(f"你好，{name}")


@hookimpl
def default_policies() -> list[PolicyDefault]:
    return [PolicyDefault("community_worker", "hello", "view"), PolicyDefault("hello_keeper", "hello", "view")]


@hookimpl
def nav_items(ctx: RequestContext) -> list[NavItem]:
    """A sync hook taking the request context."""
    return [NavItem(NAV_LABEL, ctx.url("/hello"), order=50, permission=("hello", "view"))]


@hookimpl
async def dashboard_widgets(ctx: RequestContext) -> list[Widget]:
    """An async hook: the core awaits it."""
    assert ctx.district is not None
    return [Widget("Hello widget", "hello_test/widget.html", {"message": WIDGET_TEXT, "code": ctx.district.code})]


async def _ensure_unit(session: AsyncSession, district: District, code: str) -> None:
    query = select(OrgUnit).where(OrgUnit.district_id == district.id, OrgUnit.code == code)
    if (await session.execute(query)).scalar_one_or_none() is None:
        session.add(OrgUnit(district_id=district.id, code=code, name_zh=code, kind=OrgUnitKind.DEPARTMENT))


@hookimpl
async def seed_demo(session: AsyncSession, district: District) -> None:
    await _ensure_unit(session, district, SEEDED_UNIT)


@hookimpl
async def on_plugin_enabled(session: AsyncSession, district: District) -> None:
    await _ensure_unit(session, district, ENABLED_UNIT)
