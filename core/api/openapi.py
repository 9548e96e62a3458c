"""OpenAPI for TypedDict request bodies with their msgspec constraints (``maxLength`` …), like Structs get.

Litestar's own TypedDict schema drops ``Annotated[str, msgspec.Meta(max_length=…)]``; the
plugins' request bodies are TypedDicts (``core.api.text``), so without this the limits the
server enforces would be missing from ``/schema``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from litestar.plugins import OpenAPISchemaPlugin
from litestar.plugins.core._msgspec import kwarg_definition_from_field
from litestar.typing import FieldDefinition

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.openapi.spec import Schema

__all__ = ("TypedDictConstraintsPlugin",)


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
