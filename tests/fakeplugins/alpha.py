"""A test plugin with nothing but a manifest and one permission."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.plugins import Manifest, Permission


@hookimpl
def plugin_manifest() -> Manifest:
    return Manifest(
        key="alpha",
        name_zh="甲模块",
        name_en="Alpha",
        version="1.0.0",
        description_zh="测试用的基础模块",
        permissions=(Permission("alpha_things", "view", "查看甲事项", "View alpha things"),),
    )
