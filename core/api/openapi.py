"""OpenAPI for TypedDict request bodies with their msgspec constraints (``maxLength`` …), like Structs get.

And the ``Idempotency-Key`` header, described on every write of the API (:func:`add_idempotency_header`).

Litestar's own TypedDict schema drops ``Annotated[str, msgspec.Meta(max_length=…)]``; the
plugins' request bodies are TypedDicts (``core.api.text``), so without this the limits the
server enforces would be missing from ``/schema``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from litestar import Request
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.plugins import OpenAPISchemaPlugin
from litestar.plugins.core._msgspec import kwarg_definition_from_field
from litestar.typing import FieldDefinition

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.openapi.spec import Schema

__all__ = (
    "IdempotencyJsonRenderPlugin",
    "IdempotencyYamlRenderPlugin",
    "TypedDictConstraintsPlugin",
    "add_idempotency_header",
)


class TypedDictConstraintsPlugin(OpenAPISchemaPlugin):
    """A TypedDict's schema with each field's msgspec ``Meta`` constraints."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return field_definition.is_typeddict_type

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        hints = field_definition.get_type_hints(include_extras=True, resolve_generics=True)
        info: Any = msgspec.inspect.type_info(field_definition.type_)
        properties: dict[str, FieldDefinition] = {}
        for field in info.fields:
            kwargs: dict[str, Any] = {}
            if kwarg_definition := kwarg_definition_from_field(field)[0]:
                kwargs["kwarg_definition"] = kwarg_definition
            properties[field.encode_name] = FieldDefinition.from_annotation(
                annotation=hints[field.name], name=field.encode_name, **kwargs
            )
        required = sorted(f.encode_name for f in info.fields if f.required)
        return schema_creator.create_component_schema(field_definition, required=required, property_fields=properties)


# -- The Idempotency-Key header (core.web.idempotency), on every write of the API -----------------

IDEMPOTENCY_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "可选。客户端生成的唯一键（如 UUID）：同一用户以同一键重发同一请求，得到第一次的应答，不会重复创建；"
        "同一键用于不同内容答 422，第一次仍在处理时答 409。保存 24 小时。"
        " / Optional. A unique key chosen by the client (e.g. a UUID): the same request sent again with the "
        "same key by the same user gets the first answer (header Idempotent-Replayed: true) and creates "
        "nothing; the key with other content answers 422, while the first is still running 409. Kept 24 hours."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}
_ERROR_BODY: dict[str, Any] = {
    "application/json": {
        "schema": {
            "type": "object",
            "properties": {"status_code": {"type": "integer"}, "detail": {"type": "string"}},
            "required": ["status_code", "detail"],
        }
    }
}
_IDEMPOTENCY_RESPONSES: dict[str, dict[str, Any]] = {
    "409": {
        "description": "同一 Idempotency-Key 的请求仍在处理 / A request with this key is still running",
        "content": _ERROR_BODY,
    },
    "422": {
        "description": "Idempotency-Key 已用于不同内容 / The key was used for other content",
        "content": _ERROR_BODY,
    },
}


def add_idempotency_header(schema: dict[str, Any]) -> dict[str, Any]:
    """Describe the optional ``Idempotency-Key`` header (and its 409/422) on every POST, PUT and PATCH of ``/api/``."""
    for path, item in (schema.get("paths") or {}).items():
        if not path.startswith("/api/"):
            continue
        for method in ("post", "put", "patch"):
            operation = item.get(method)
            if operation is None:
                continue
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("name") == IDEMPOTENCY_PARAMETER["name"] for p in parameters):
                parameters.append(dict(IDEMPOTENCY_PARAMETER))
            responses = operation.setdefault("responses", {})
            for status, response in _IDEMPOTENCY_RESPONSES.items():
                responses.setdefault(status, response)
    return schema


class IdempotencyJsonRenderPlugin(JsonRenderPlugin):
    """``/schema/openapi.json`` with the ``Idempotency-Key`` header described."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, add_idempotency_header(openapi_schema))


class IdempotencyYamlRenderPlugin(YamlRenderPlugin):
    """``/schema/openapi.yaml`` with the ``Idempotency-Key`` header described."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, add_idempotency_header(openapi_schema))
